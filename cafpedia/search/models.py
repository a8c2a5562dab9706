"""The search change log: keys of documents to refresh, written in the same transaction as
the change, and followed by every index with a cursor of its own (one index in PostgreSQL,
or a Whoosh index on each app machine). Rows are pruned once every live index has passed
them. Nothing is lost if a process stops between the commit and the index write, or if
another process holds the index lock."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, BigInteger, ForeignKey, Index, Integer, String, Text
from sqlalchemy.dialects.postgresql import ARRAY, TSVECTOR
from sqlalchemy.orm import Mapped, mapped_column

from cafpedia.core.clock import utcnow
from cafpedia.extensions import db


class SearchQueueEntry(db.Model):
    """One change to the searchable documents. Ids are in commit order (see
    `search.change_log._queue_changed`), so an index's cursor is the highest id it has applied."""

    __tablename__ = "search_queue"
    # Ids must never be reused (SQLite reuses the highest rowid after a delete otherwise):
    # a cursor past a pruned id must never meet a new row with that id.
    __table_args__ = {"sqlite_autoincrement": True}

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    key: Mapped[str] = mapped_column(String(200), index=True)
    queued_at: Mapped[datetime] = mapped_column(default=utcnow)


class SearchCursor(db.Model):
    """How far one index has followed the change log: every change with an id up to
    `position` is in it. `checked_at` is when its follower last looked (a live index looks at
    least every few minutes); the row named PRUNED holds the highest id pruned so far."""

    __tablename__ = "search_cursors"
    PRUNED = "(pruned)"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    position: Mapped[int] = mapped_column(BigInteger, default=0)
    checked_at: Mapped[datetime] = mapped_column(default=utcnow)
    host: Mapped[str] = mapped_column(String(200), default="")


class SearchDocumentRow(db.Model):
    """The PostgreSQL search backend's index: one row per document, with a weighted
    tsvector (title A, tags and references B, text C) under a GIN index, and its body in
    search_texts. Unused, and empty, with the Whoosh backend."""

    __tablename__ = "search_documents"

    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    kind: Mapped[str] = mapped_column(String(20), index=True)
    # No index on status: nearly every row is published, and an index there lures PostgreSQL's
    # planner away from the full-text index (and into reading every document's tsvector).
    status: Mapped[str] = mapped_column(String(16))
    area: Mapped[str] = mapped_column(String(64), default="")  # the first area, shown with the result
    area_title: Mapped[str] = mapped_column(String(200), default="")
    # Every area the document is filed under (a PostgreSQL array, under a GIN index): filtered by
    # each, counted in each one's facet.
    areas: Mapped[list[str]] = mapped_column(JSON().with_variant(ARRAY(Text()), "postgresql"), default=list)
    url: Mapped[str] = mapped_column(String(300))
    title: Mapped[str] = mapped_column(Text)
    extra: Mapped[str] = mapped_column(Text, default="")
    keywords: Mapped[str] = mapped_column(Text, default="")  # weighted like the title
    tags: Mapped[list[str]] = mapped_column(JSON, default=list)
    standards: Mapped[list[str]] = mapped_column(JSON, default=list)
    updated_at: Mapped[datetime | None]
    author_id: Mapped[int | None] = mapped_column(Integer)
    area_id: Mapped[int | None] = mapped_column(Integer)
    fingerprint: Mapped[str | None] = mapped_column(String(64))  # SearchDocument.fingerprint()
    # The whole document, weighted and with positions: ranks the few best candidates.
    tsv = mapped_column(Text().with_variant(TSVECTOR(), "postgresql"), nullable=True)
    # The title and keywords alone (small, never compressed away): ranks candidates cheaply.
    tsv_title = mapped_column(Text().with_variant(TSVECTOR(), "postgresql"), nullable=True)
    # What matching reads, under the GIN index: every word, and every pair of adjacent words
    # ("first~hear"), as the Whoosh backend indexes them. A phrase is then a few pairs that
    # the index alone answers, without reading any document's vector to check positions.
    tsv_match = mapped_column(Text().with_variant(TSVECTOR(), "postgresql"), nullable=True)

    __table_args__ = (
        Index("ix_search_documents_tsv_match", "tsv_match", postgresql_using="gin"),
        # The title matches, found apart from the rest: past the count's bound they are still read.
        Index("ix_search_documents_tsv_title", "tsv_title", postgresql_using="gin"),
        Index("ix_search_documents_areas", "areas", postgresql_using="gin"),
    )


class SearchText(db.Model):
    """A document's body for the PostgreSQL backend's snippets, apart from search_documents so
    that the rows a search reads stay narrow (dozens to a page)."""

    __tablename__ = "search_texts"

    key: Mapped[str] = mapped_column(ForeignKey("search_documents.key", ondelete="CASCADE"), primary_key=True)
    body: Mapped[str] = mapped_column(Text)


class SearchWord(db.Model):
    """Words of the indexed text, for correcting a misspelt word on the PostgreSQL backend."""

    __tablename__ = "search_words"

    word: Mapped[str] = mapped_column(String(60), primary_key=True)
    first: Mapped[str] = mapped_column(String(1), index=True)


class SynonymList(db.Model):
    """The search synonym list as a lead manager or administrator saved it: the newest row is
    the list in use (none: the built-in synonyms.txt); older rows are its history."""

    __tablename__ = "search_synonym_lists"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    text: Mapped[str] = mapped_column(Text)
    saved_at: Mapped[datetime] = mapped_column(default=utcnow)
    saved_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
