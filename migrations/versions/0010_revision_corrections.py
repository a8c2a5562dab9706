"""a moderator's correction before approving: the editor, and the title and body as proposed

Revision ID: 0010_corrections
Revises: 0009_search_fingerprint
Create Date: 2026-11-29 15:50:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0010_corrections'
down_revision = '0009_search_fingerprint'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('tip_revisions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('editor_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('proposed_title', sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column('proposed_body', sa.Text(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_tip_revisions_editor_id_users'), 'users', ['editor_id'], ['id'])


def downgrade():
    with op.batch_alter_table('tip_revisions', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_tip_revisions_editor_id_users'), type_='foreignkey')
        batch_op.drop_column('proposed_body')
        batch_op.drop_column('proposed_title')
        batch_op.drop_column('editor_id')
