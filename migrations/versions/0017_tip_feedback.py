"""tips: readers' "Was this useful?" and the problems they report

Revision ID: 0017_tip_feedback
Revises: 0016_legal_in_force
Create Date: 2026-11-29 19:50:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0017_tip_feedback'
down_revision = '0016_legal_in_force'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('tip_votes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('tip_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('useful', sa.Boolean(), nullable=False),
    sa.Column('revision_number', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['tip_id'], ['tips.id'], name=op.f('fk_tip_votes_tip_id_tips'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_tip_votes_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_tip_votes')),
    sa.UniqueConstraint('tip_id', 'user_id', name=op.f('uq_tip_votes_tip_id_user_id'))
    )
    with op.batch_alter_table('tip_votes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_tip_votes_tip_id'), ['tip_id'], unique=False)
    op.create_table('tip_problems',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('tip_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('revision_number', sa.Integer(), nullable=False),
    sa.Column('text', sa.String(length=500), nullable=False),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['tip_id'], ['tips.id'], name=op.f('fk_tip_problems_tip_id_tips'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_tip_problems_user_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_tip_problems'))
    )
    with op.batch_alter_table('tip_problems', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_tip_problems_tip_id'), ['tip_id'], unique=False)


def downgrade():
    with op.batch_alter_table('tip_problems', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_tip_problems_tip_id'))
    op.drop_table('tip_problems')
    with op.batch_alter_table('tip_votes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_tip_votes_tip_id'))
    op.drop_table('tip_votes')
