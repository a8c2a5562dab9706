"""the search synonym list, edited on a page by lead managers and administrators

Revision ID: 0013_synonym_lists
Revises: 0012_invitations
Create Date: 2026-11-29 17:00:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0013_synonym_lists'
down_revision = '0012_invitations'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('search_synonym_lists',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('saved_at', sa.DateTime(), nullable=False),
    sa.Column('saved_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['saved_by_id'], ['users.id'], name=op.f('fk_search_synonym_lists_saved_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_search_synonym_lists'))
    )


def downgrade():
    op.drop_table('search_synonym_lists')
