"""research digest: a published issue's introduction can be corrected, with a reason; the
text it replaced is kept, as an item's is

Revision ID: 0021_digest_introductions
Revises: 0020_search_texts
Create Date: 2026-11-30 05:40:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0021_digest_introductions'
down_revision = '0020_search_texts'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('digest_introduction_versions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('issue_id', sa.Integer(), nullable=False),
    sa.Column('introduction', sa.Text(), nullable=False),
    sa.Column('replaced_at', sa.DateTime(), nullable=False),
    sa.Column('replaced_by_id', sa.Integer(), nullable=False),
    sa.Column('reason', sa.String(length=500), nullable=False),
    sa.ForeignKeyConstraint(['issue_id'], ['digest_issues.id'], name=op.f('fk_digest_introduction_versions_issue_id_digest_issues'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['replaced_by_id'], ['users.id'], name=op.f('fk_digest_introduction_versions_replaced_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_digest_introduction_versions'))
    )
    with op.batch_alter_table('digest_introduction_versions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_digest_introduction_versions_issue_id'), ['issue_id'], unique=False)


def downgrade():
    with op.batch_alter_table('digest_introduction_versions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_digest_introduction_versions_issue_id'))
    op.drop_table('digest_introduction_versions')
