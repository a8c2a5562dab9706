"""search documents (PostgreSQL backend): the body moves to search_texts, so the rows a search
reads stay narrow; matching reads tsv_match (every word and every pair of adjacent words)
under the GIN index, so a phrase needs no check of positions

Revision ID: 0020_search_texts
Revises: 0019_search_cursors
"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

revision = "0020_search_texts"
down_revision = "0019_search_cursors"
branch_labels = None
depends_on = None

# As cafpedia.search.backends.postgres_fts.MATCH_VECTOR, as it was when this was written.
MATCH_VECTOR = """strip(d.tsv) || coalesce((
    SELECT array_to_tsvector(array_agg(DISTINCT w.lexeme || '~' || w.next))
    FROM (SELECT x.lexeme, lead(x.lexeme) OVER (ORDER BY x.pos) AS next
          FROM (SELECT u.lexeme, p AS pos FROM unnest(d.tsv) AS u, unnest(u.positions) AS p) AS x) AS w
    WHERE w.next IS NOT NULL), ''::tsvector)"""


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
        batch_op.add_column(sa.Column("tsv_match", sa.Text().with_variant(postgresql.TSVECTOR(), "postgresql"), nullable=True))
        batch_op.drop_index("ix_search_documents_tsv", postgresql_using="gin")
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"UPDATE search_documents AS d SET tsv_match = {MATCH_VECTOR} WHERE d.tsv IS NOT NULL")
    with op.batch_alter_table("search_documents", schema=None) as batch_op:
        batch_op.create_index("ix_search_documents_tsv_match", ["tsv_match"], unique=False, postgresql_using="gin")


def downgrade():
    with op.batch_alter_table("search_documents", schema=None) as batch_op:
        batch_op.drop_index("ix_search_documents_tsv_match", postgresql_using="gin")
        batch_op.create_index("ix_search_documents_tsv", ["tsv"], unique=False, postgresql_using="gin")
        batch_op.drop_column("tsv_match")
        batch_op.add_column(sa.Column("body", sa.Text(), nullable=False, server_default=""))
    op.execute("UPDATE search_documents SET body = (SELECT body FROM search_texts WHERE search_texts.key = search_documents.key)"
               " WHERE key IN (SELECT key FROM search_texts)")
    op.drop_table("search_texts")
