"""search documents (PostgreSQL backend): a GIN index on the title's tsvector, so that a search
that stops counting at its bound still reads every title match; each GIN index keeps its
pending list under 512 kB (every search reads through it)

Revision ID: 0025_search_title_index
Revises: 0024_form_keys
"""
from alembic import op

revision = "0025_search_title_index"
down_revision = "0024_form_keys"
branch_labels = None
depends_on = None

GIN_INDEXES = ("ix_search_documents_tsv_match", "ix_search_documents_tsv_title", "ix_search_documents_areas")


def upgrade():
    with op.batch_alter_table("search_documents", schema=None) as batch_op:
        batch_op.create_index("ix_search_documents_tsv_title", ["tsv_title"], unique=False, postgresql_using="gin")
    if op.get_bind().dialect.name == "postgresql":
        for name in GIN_INDEXES:
            op.execute(f"ALTER INDEX {name} SET (gin_pending_list_limit = 512)")


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        for name in GIN_INDEXES:
            op.execute(f"ALTER INDEX {name} RESET (gin_pending_list_limit)")
    with op.batch_alter_table("search_documents", schema=None) as batch_op:
        batch_op.drop_index("ix_search_documents_tsv_title", postgresql_using="gin")
