"""legal updates: when the law they describe comes into force

Revision ID: 0016_legal_in_force
Revises: 0015_audit_chain
Create Date: 2026-11-29 19:00:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0016_legal_in_force'
down_revision = '0015_audit_chain'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('legal_revisions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('in_force_on', sa.Date(), nullable=True))


def downgrade():
    with op.batch_alter_table('legal_revisions', schema=None) as batch_op:
        batch_op.drop_column('in_force_on')
