"""The PostgreSQL search backend: full-text search in the database itself.

For installations with several application servers and no shared disk. Documents are
rows of `search_documents`: a weighted tsvector with positions (`tsv`, for ranking), and
for matching, under a GIN index, every word and every pair of adjacent words (`tsv_match`,
as the Whoosh backend indexes pairs), so that the index alone answers a phrase and no
document's vector is read to check positions. Bodies, for snippets, are in `search_texts`.
Writes happen in the same transaction as the cursor's move past the changes they apply.
Chosen by CAFPEDIA_SEARCH_BACKEND=postgres.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from contextlib import contextmanager

from sqlalchemy import delete as delete_rows
from sqlalchemy import (
    func,
    literal_column,
    select,
    text,
)
from sqlalchemy.dialects.postgresql import insert

from cafpedia.extensions import db
from cafpedia.search.backends import SearchUnavailable
from cafpedia.search.backends.postgres_query import CONFIG, PostgresQuerying
from cafpedia.search.backends.postgres_similar import PostgresSimilar
from cafpedia.search.documents import SearchDocument
from cafpedia.search.models import SearchDocumentRow, SearchText, SearchWord

# The index's one write lock: a transaction-level advisory lock, so it is released by the
# commit that makes the drain's writes and its queue deletions permanent together, or by a
# rollback, or when the connection dies; it can never be left behind.
WRITE_LOCK = 0x43414650  # "CAFP"
# The GIN indexes of search_documents. Each keeps its pending list (new entries not yet in the
# index proper, which every search reads through) under 512 kB (migration 0025), not 4 MB.
GIN_INDEXES = ("ix_search_documents_tsv_match", "ix_search_documents_tsv_title", "ix_search_documents_areas")


# tsv_match of the document `d`: its words (without positions) and each word~next-word pair,
# the next word being the next one kept (stop words are not kept), as Whoosh's pairs are.
MATCH_VECTOR = """strip(d.tsv) || coalesce((
    SELECT array_to_tsvector(array_agg(DISTINCT w.lexeme || '~' || w.next))
    FROM (SELECT x.lexeme, lead(x.lexeme) OVER (ORDER BY x.pos) AS next
          FROM (SELECT u.lexeme, p AS pos FROM unnest(d.tsv) AS u, unnest(u.positions) AS p) AS x) AS w
    WHERE w.next IS NOT NULL), ''::tsvector)"""


class PostgresBackend(PostgresQuerying, PostgresSimilar):
    def __init__(self, count_documents: Callable[[], int]):
        self._known_ok = False
        self._count_documents = count_documents  # how many documents the database gives (the Sources')

    def status(self) -> str:
        if self._known_ok:
            return "ok"
        try:
            has_rows = db.session.scalar(select(SearchDocumentRow.key).limit(1)) is not None
        except Exception as exc:
            db.session.rollback()
            return f"broken: {type(exc).__name__}"
        if not has_rows and self._count_documents():  # documents to index, and none indexed
            return "missing"
        self._known_ok = True
        return "ok"

    def close(self) -> None:
        self._known_ok = False

    def check_now(self) -> str:
        self._known_ok = False
        return self.status()

    @staticmethod
    def document_count() -> int:
        return db.session.scalar(select(func.count()).select_from(SearchDocumentRow))

    @staticmethod
    def index_name() -> str:
        """One index, in the database, whichever machine asks: one cursor."""
        return "postgres"

    # --- writing ---------------------------------------------------------------------------

    @staticmethod
    def _row(doc: SearchDocument) -> dict:
        return {
            "key": doc.key,
            "kind": doc.kind,
            "status": doc.status,
            "area": doc.area or "",
            "areas": list(dict.fromkeys(doc.areas)),
            "area_title": doc.area_title,
            "url": doc.url,
            "title": doc.title,
            "keywords": doc.keywords,
            "extra": doc.index_extra(),
            "tags": list(doc.tags),
            "standards": list(doc.standards),
            "updated_at": doc.updated_at,
            "author_id": doc.author_id,
            "area_id": doc.area_id,
            "fingerprint": doc.fingerprint(),
        }

    @staticmethod
    def _tsv():
        table, texts = SearchDocumentRow.__table__, SearchText.__table__
        return (
            func.setweight(
                func.to_tsvector(CONFIG, func.concat_ws(" ", table.c.title, table.c.keywords)), literal_column("'A'")
            )
            .op("||")(func.setweight(func.to_tsvector(CONFIG, func.coalesce(table.c.extra, "")), literal_column("'B'")))
            .op("||")(func.setweight(func.to_tsvector(CONFIG, func.coalesce(texts.c.body, "")), literal_column("'C'")))
        )

    def _upsert(self, docs: list[SearchDocument]) -> None:
        if not docs:
            return
        rows = [self._row(d) for d in docs]
        bodies = [{"key": d.key, "body": d.index_body()} for d in docs]
        statement = insert(SearchDocumentRow).values(rows)
        columns = {c: statement.excluded[c] for c in rows[0] if c != "key"}
        db.session.execute(statement.on_conflict_do_update(index_elements=["key"], set_=columns))
        statement = insert(SearchText).values(bodies)
        db.session.execute(
            statement.on_conflict_do_update(index_elements=["key"], set_={"body": statement.excluded.body})
        )
        table, texts = SearchDocumentRow.__table__, SearchText.__table__
        keys = [d.key for d in docs]
        db.session.execute(
            table.update()
            .where(table.c.key.in_(keys), texts.c.key == table.c.key)
            .values(
                tsv=self._tsv(),
                tsv_title=func.to_tsvector(CONFIG, func.concat_ws(" ", table.c.title, table.c.keywords)),
            )
        )
        db.session.execute(
            text(f"UPDATE search_documents AS d SET tsv_match = {MATCH_VECTOR} WHERE d.key = ANY(:keys)"),
            {"keys": keys},
        )
        words = {w for body, d in zip(bodies, docs, strict=True) for w in d.spelling_words(body["body"])}
        if words:
            db.session.execute(
                insert(SearchWord).values([{"word": w, "first": w[0]} for w in sorted(words)]).on_conflict_do_nothing()
            )

    @staticmethod
    def _lock(timeout: float) -> bool:
        deadline = time.monotonic() + timeout
        while not db.session.scalar(select(func.pg_try_advisory_xact_lock(WRITE_LOCK))):
            if time.monotonic() >= deadline:
                return False
            time.sleep(0.01)
        return True

    @contextmanager
    def writing(self, *, timeout: float):
        """The advisory lock, in the drain's own transaction: the rows written here and the
        index's cursor moved by the drain commit together (`commit()` itself does nothing)."""
        if not self._lock(timeout):
            db.session.rollback()
            yield None
            return
        try:
            yield self
        finally:
            db.session.rollback()  # nothing, once the drain has committed; else discards and unlocks

    def write(self, add: list[SearchDocument], delete: list[str]) -> None:
        if delete:
            db.session.execute(delete_rows(SearchText).where(SearchText.key.in_(delete)))
            db.session.execute(delete_rows(SearchDocumentRow).where(SearchDocumentRow.key.in_(delete)))
        for start in range(0, len(add), 200):
            self._upsert(add[start : start + 200])

    def commit(self) -> None:
        """The drain's transaction commits these rows with the cursor's move."""

    def fingerprints(self, keys: list[str] | None = None) -> dict[str, str | None]:
        query = select(SearchDocumentRow.key, SearchDocumentRow.fingerprint)
        if keys is not None:
            query = query.where(SearchDocumentRow.key.in_(keys))
        return dict(db.session.execute(query).all())

    def rebuild(
        self, documents, *, total: int | None = None, progress=None, only_if_needed: bool = False, wait: bool = True
    ) -> int | None:
        if only_if_needed:
            self._known_ok = False
            if self.status() == "ok":
                return None
        if not self._lock(120 if wait else 0):
            db.session.rollback()
            raise SearchUnavailable(
                "another process has been writing to the index for 2 minutes"
                if wait
                else "the search index is being rebuilt"
            )
        db.session.execute(delete_rows(SearchText))  # first: the cascade from each document would be row by row
        db.session.execute(delete_rows(SearchDocumentRow))
        db.session.execute(delete_rows(SearchWord))
        batch, count = [], 0
        for doc in documents:
            batch.append(doc)
            if len(batch) == 200:
                self._upsert(batch)
                count += len(batch)
                if progress:
                    progress(len(batch))
                batch = []
        self._upsert(batch)
        count += len(batch)
        if progress and batch:
            progress(len(batch))
        db.session.commit()
        # The GIN indexes' pending lists (a bulk load leaves megabytes there, which every search
        # would scan: 25 ms a search at 10,000 documents, not 13) go into the indexes proper.
        for name in GIN_INDEXES:
            db.session.execute(select(func.gin_clean_pending_list(literal_column(f"'{name}'::regclass"))))
        db.session.execute(
            text("ANALYZE search_documents, search_texts")
        )  # the planner's figures, for thousands of new rows at once
        db.session.commit()
        self._known_ok = True
        return count

    # --- searching -----------------------------------------------------------------------------
