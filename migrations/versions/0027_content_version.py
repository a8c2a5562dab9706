"""the content version: one number that moves with every committed change to what readers are
shown, so that each process can keep rendered pages and parts while it stands
(cafpedia.core.content_version)

Revision ID: 0027_content_version
Revises: 0026_search_demand_and_gaps
"""
from alembic import op
import sqlalchemy as sa


revision = '0027_content_version'
down_revision = '0026_search_demand_and_gaps'
branch_labels = None
depends_on = None


def upgrade():
    table = op.create_table('content_version',
    sa.Column('id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('n', sa.BigInteger(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_content_version'))
    )
    op.bulk_insert(table, [{'id': 1, 'n': 1}])


def downgrade():
    op.drop_table('content_version')
