"""audit chain: every entry carries the hash of the one before it; PostgreSQL refuses changes

Revision ID: 0015_audit_chain
Revises: 0014_identity_provider
Create Date: 2026-11-29 18:20:00

"""
from alembic import op
import sqlalchemy as sa

# The hash format (format 1) is a contract, like the content format: the migration chains the
# entries already written with the same function the app uses for new ones.
from cafpedia.core.audit import entry_digest, hashed_fields


revision = '0015_audit_chain'
down_revision = '0014_identity_provider'
branch_labels = None
depends_on = None

REFUSE_CHANGES = """
CREATE OR REPLACE FUNCTION cafpedia_audit_entries_are_final() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'audit entries are never changed or deleted (entry %)', OLD.id
        USING ERRCODE = 'insufficient_privilege';
END
$$ LANGUAGE plpgsql;
CREATE TRIGGER audit_entries_are_final BEFORE UPDATE OR DELETE ON audit_entries
    FOR EACH ROW EXECUTE FUNCTION cafpedia_audit_entries_are_final();
"""


def upgrade():
    with op.batch_alter_table('audit_entries', schema=None) as batch_op:
        batch_op.add_column(sa.Column('prev_hash', sa.String(length=64), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('entry_hash', sa.String(length=64), nullable=False, server_default=''))
    op.create_table('audit_chain_head',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('last_hash', sa.String(length=64), nullable=False),
    sa.Column('entries', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_chain_head'))
    )
    op.create_table('audit_verifications',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.Column('entries', sa.Integer(), nullable=False),
    sa.Column('intact', sa.Boolean(), nullable=False),
    sa.Column('first_bad_id', sa.Integer(), nullable=True),
    sa.Column('message', sa.Text(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_verifications'))
    )
    # Chain the entries already written, oldest first.
    bind = op.get_bind()
    entries = sa.table('audit_entries', sa.column('id', sa.Integer), sa.column('at', sa.DateTime), sa.column('actor_name', sa.String),
                       sa.column('action', sa.String), sa.column('object_type', sa.String), sa.column('object_ref', sa.String),
                       sa.column('summary', sa.Text), sa.column('before', sa.JSON), sa.column('after', sa.JSON),
                       sa.column('prev_hash', sa.String), sa.column('entry_hash', sa.String))
    prev, count = "", 0
    rows = bind.execute(sa.select(entries.c.id, entries.c.at, entries.c.actor_name, entries.c.action, entries.c.object_type,
                                  entries.c.object_ref, entries.c.summary, entries.c.before, entries.c.after).order_by(entries.c.id)).all()
    for row in rows:
        digest = entry_digest(prev, hashed_fields(*row[1:9]))
        bind.execute(sa.update(entries).where(entries.c.id == row.id).values(prev_hash=prev, entry_hash=digest))
        prev, count = digest, count + 1
    bind.execute(sa.text("INSERT INTO audit_chain_head (id, last_hash, entries) VALUES (1, :last, :count)"), {"last": prev, "count": count})
    if bind.dialect.name == "postgresql":
        op.execute(REFUSE_CHANGES)


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS audit_entries_are_final ON audit_entries")
        op.execute("DROP FUNCTION IF EXISTS cafpedia_audit_entries_are_final()")
    op.drop_table('audit_verifications')
    op.drop_table('audit_chain_head')
    with op.batch_alter_table('audit_entries', schema=None) as batch_op:
        batch_op.drop_column('entry_hash')
        batch_op.drop_column('prev_hash')
