"""search documents (PostgreSQL backend): a GIN index on the title's tsvector, so that a search
that stops counting at its bound still reads every title match

Revision ID: 0025_search_title_index
Revises: 0024_form_keys
"""
from alembic import op

revision = "0025_search_title_index"
down_revision = "0024_form_keys"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("search_documents", schema=None) as batch_op:
        batch_op.create_index("ix_search_documents_tsv_title", ["tsv_title"], unique=False, postgresql_using="gin")


def downgrade():
    with op.batch_alter_table("search_documents", schema=None) as batch_op:
        batch_op.drop_index("ix_search_documents_tsv_title", postgresql_using="gin")
