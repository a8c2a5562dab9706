"""one-time form keys: a form that creates something, sent twice, creates once

Revision ID: 0024_form_keys
Revises: 0023_sign_in_failures
Create Date: 2026-12-01 09:00:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0024_form_keys'
down_revision = '0023_sign_in_failures'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('form_keys',
    sa.Column('key', sa.String(length=64), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('result_url', sa.String(length=500), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_form_keys_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('key', name=op.f('pk_form_keys'))
    )
    with op.batch_alter_table('form_keys', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_form_keys_created_at'), ['created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_form_keys_user_id'), ['user_id'], unique=False)


def downgrade():
    with op.batch_alter_table('form_keys', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_form_keys_user_id'))
        batch_op.drop_index(batch_op.f('ix_form_keys_created_at'))
    op.drop_table('form_keys')
