"""search: the outbox becomes a change log that each index follows with a cursor of its own

Revision ID: 0019_search_cursors
Revises: 0018_search_title_vector
"""
from alembic import op
import sqlalchemy as sa

revision = "0019_search_cursors"
down_revision = "0018_search_title_vector"
branch_labels = None
depends_on = None


def upgrade():
    # No rows: an index without a cursor starts from the oldest change still logged, which
    # are exactly the changes the old outbox had not yet applied.
    op.create_table(
        "search_cursors",
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("position", sa.BigInteger(), nullable=False),
        sa.Column("checked_at", sa.DateTime(), nullable=False),
        sa.Column("host", sa.String(length=200), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_search_cursors")),
    )


def downgrade():
    op.drop_table("search_cursors")
