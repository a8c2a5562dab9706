"""search documents: the body moves to search_texts, so the rows a PostgreSQL search reads stay
narrow, and the tsvector stays in the row (toast_tuple_target), so a phrase is checked
without reading TOAST

Revision ID: 0020_search_texts
Revises: 0019_search_cursors
"""
from alembic import op
import sqlalchemy as sa

revision = "0020_search_texts"
down_revision = "0019_search_cursors"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "search_texts",
        sa.Column("key", sa.String(length=200), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["key"], ["search_documents.key"], name=op.f("fk_search_texts_key_search_documents"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_search_texts")),
    )
    op.execute("INSERT INTO search_texts (key, body) SELECT key, body FROM search_documents")
    with op.batch_alter_table("search_documents", schema=None) as batch_op:
        batch_op.drop_column("body")
    if op.get_bind().dialect.name == "postgresql":
        op.execute("ALTER TABLE search_documents SET (toast_tuple_target = 8160)")
        op.execute("ALTER TABLE search_documents ALTER COLUMN tsv SET STORAGE MAIN")
        # Rewrite each vector, so that those already moved out to TOAST come back into the row.
        op.execute("UPDATE search_documents SET tsv = tsv || ''::tsvector WHERE tsv IS NOT NULL")


def downgrade():
    with op.batch_alter_table("search_documents", schema=None) as batch_op:
        batch_op.add_column(sa.Column("body", sa.Text(), nullable=False, server_default=""))
    op.execute("UPDATE search_documents SET body = (SELECT body FROM search_texts WHERE search_texts.key = search_documents.key)"
               " WHERE key IN (SELECT key FROM search_texts)")
    if op.get_bind().dialect.name == "postgresql":
        op.execute("ALTER TABLE search_documents RESET (toast_tuple_target)")
        op.execute("ALTER TABLE search_documents ALTER COLUMN tsv SET STORAGE EXTENDED")
    op.drop_table("search_texts")
