"""search documents carry every area they are filed under (`areas`), so that a legal update,
a digest item or an expert in several areas is found under each and counted in each facet

Revision ID: 0022_search_areas
Revises: 0021_digest_introductions

The PostgreSQL backend's rows are emptied, as in 0009: rows without their areas would be
found under their first area only, and an empty index is rebuilt automatically at the next
search or drain, as the Whoosh index is after its own schema change (its version 8). The
area is no longer filtered on alone, so its index goes; the array has a GIN index.
"""

from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

revision = "0022_search_areas"
down_revision = "0021_digest_introductions"
branch_labels = None
depends_on = None


def upgrade():
    op.execute("DELETE FROM search_texts")
    op.execute("DELETE FROM search_documents")
    op.execute("DELETE FROM search_words")
    with op.batch_alter_table("search_documents", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("areas", sa.JSON().with_variant(postgresql.ARRAY(sa.Text()), "postgresql"), nullable=False)
        )
        batch_op.drop_index("ix_search_documents_area")
        batch_op.create_index("ix_search_documents_areas", ["areas"], unique=False, postgresql_using="gin")


def downgrade():
    with op.batch_alter_table("search_documents", schema=None) as batch_op:
        batch_op.drop_index("ix_search_documents_areas", postgresql_using="gin")
        batch_op.create_index("ix_search_documents_area", ["area"], unique=False)
        batch_op.drop_column("areas")
