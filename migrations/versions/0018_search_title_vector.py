"""search documents: the title's own tsvector, for cheap first-stage ranking on PostgreSQL; no
index on status (it drew the planner away from the full-text index)

Revision ID: 0018_search_title_vector
Revises: 0017_tip_feedback
"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

revision = "0018_search_title_vector"
down_revision = "0017_tip_feedback"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("search_documents", schema=None) as batch_op:
        batch_op.add_column(sa.Column("tsv_title", sa.Text().with_variant(postgresql.TSVECTOR(), "postgresql"), nullable=True))
        batch_op.drop_index("ix_search_documents_status")
    if op.get_bind().dialect.name == "postgresql":
        op.execute("UPDATE search_documents SET tsv_title = to_tsvector('english', concat_ws(' ', title, keywords))")
        op.execute("ANALYZE search_documents")


def downgrade():
    with op.batch_alter_table("search_documents", schema=None) as batch_op:
        batch_op.create_index("ix_search_documents_status", ["status"], unique=False)
        batch_op.drop_column("tsv_title")
