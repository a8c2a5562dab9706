"""search demand (daily salts, raw search events, counts by day, area and meaning), the lead
managers' marks on their areas' "What people need" lines, and the day a tip was last read

Revision ID: 0026_search_demand_and_gaps
Revises: 0025_search_title_index
"""
from alembic import op
import sqlalchemy as sa


revision = '0026_search_demand_and_gaps'
down_revision = '0025_search_title_index'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('search_salts',
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('salt', sa.LargeBinary(length=32), nullable=False),
    sa.PrimaryKeyConstraint('day', name=op.f('pk_search_salts'))
    )
    op.create_table('search_events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('token', sa.String(length=32), nullable=False),
    sa.Column('searched_on', sa.Date(), nullable=False),
    sa.Column('person_hash', sa.String(length=32), nullable=False),
    sa.Column('new_person', sa.Boolean(), nullable=False),
    sa.Column('text', sa.String(length=200), nullable=False),
    sa.Column('meaning_key', sa.String(length=200), nullable=False),
    sa.Column('area_id', sa.Integer(), nullable=True),
    sa.Column('area_by', sa.String(length=8), nullable=True),
    sa.Column('found', sa.Integer(), nullable=False),
    sa.Column('opened', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['area_id'], ['practice_areas.id'], name=op.f('fk_search_events_area_id_practice_areas'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_search_events')),
    sa.UniqueConstraint('token', name=op.f('uq_search_events_token'))
    )
    with op.batch_alter_table('search_events', schema=None) as batch_op:
        batch_op.create_index('ix_search_events_meaning', ['meaning_key', 'area_id', 'searched_on'], unique=False)
        batch_op.create_index(batch_op.f('ix_search_events_searched_on'), ['searched_on'], unique=False)
    op.create_table('search_demand_days',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('area_id', sa.Integer(), nullable=False),
    sa.Column('meaning_key', sa.String(length=200), nullable=False),
    sa.Column('example', sa.String(length=200), nullable=False),
    sa.Column('searches', sa.Integer(), nullable=False),
    sa.Column('people', sa.Integer(), nullable=False),
    sa.Column('found_nothing', sa.Integer(), nullable=False),
    sa.Column('opened', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['area_id'], ['practice_areas.id'], name=op.f('fk_search_demand_days_area_id_practice_areas'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_search_demand_days')),
    sa.UniqueConstraint('day', 'area_id', 'meaning_key', name=op.f('uq_search_demand_days_day_area_id_meaning_key'))
    )
    with op.batch_alter_table('search_demand_days', schema=None) as batch_op:
        batch_op.create_index('ix_search_demand_days_area_meaning', ['area_id', 'meaning_key', 'day', 'searches', 'people', 'found_nothing', 'opened'], unique=False)
    op.create_table('gap_marks',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('area_id', sa.Integer(), nullable=False),
    sa.Column('source', sa.String(length=12), nullable=False),
    sa.Column('line_key', sa.String(length=200), nullable=False),
    sa.Column('state', sa.String(length=12), nullable=False),
    sa.Column('reason', sa.String(length=500), nullable=False),
    sa.Column('tip_id', sa.Integer(), nullable=True),
    sa.Column('marked_by_id', sa.Integer(), nullable=True),
    sa.Column('marked_at', sa.DateTime(), nullable=False),
    sa.Column('closed_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['area_id'], ['practice_areas.id'], name=op.f('fk_gap_marks_area_id_practice_areas'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['marked_by_id'], ['users.id'], name=op.f('fk_gap_marks_marked_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['tip_id'], ['tips.id'], name=op.f('fk_gap_marks_tip_id_tips'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_gap_marks')),
    sa.UniqueConstraint('area_id', 'source', 'line_key', name=op.f('uq_gap_marks_area_id_source_line_key'))
    )
    with op.batch_alter_table('tips', schema=None) as batch_op:
        batch_op.add_column(sa.Column('last_viewed_on', sa.Date(), nullable=True))
    # Who read a published tip before the upgrade is not known: "nobody opens it" counts from today.
    op.execute("UPDATE tips SET last_viewed_on = CURRENT_DATE WHERE current_number IS NOT NULL")


def downgrade():
    with op.batch_alter_table('tips', schema=None) as batch_op:
        batch_op.drop_column('last_viewed_on')
    op.drop_table('gap_marks')
    with op.batch_alter_table('search_demand_days', schema=None) as batch_op:
        batch_op.drop_index('ix_search_demand_days_area_meaning')
    op.drop_table('search_demand_days')
    with op.batch_alter_table('search_events', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_search_events_searched_on'))
        batch_op.drop_index('ix_search_events_meaning')
    op.drop_table('search_events')
    op.drop_table('search_salts')
