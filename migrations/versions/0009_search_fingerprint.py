"""search documents carry a fingerprint, for `cafpedia reindex --check`

Revision ID: 0009_search_fingerprint
Revises: 0008_mail
Create Date: 2026-11-29 15:40:00

The PostgreSQL backend's rows are emptied: rows without a fingerprint would all read as
drift, and an empty index is rebuilt automatically at the next search or drain, as the
Whoosh index is after its own schema change.
"""
from alembic import op
import sqlalchemy as sa


revision = '0009_search_fingerprint'
down_revision = '0008_mail'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('search_documents', schema=None) as batch_op:
        batch_op.add_column(sa.Column('fingerprint', sa.String(length=64), nullable=True))
    op.execute("DELETE FROM search_documents")


def downgrade():
    with op.batch_alter_table('search_documents', schema=None) as batch_op:
        batch_op.drop_column('fingerprint')
