"""The content version moves with every committed write to what readers are shown, whatever
made it, and with nothing else; what a process keeps goes when it moves."""

from __future__ import annotations

import pytest
from sqlalchemy import text, update
from sqlalchemy.exc import DBAPIError

from cafpedia.core import content_version
from cafpedia.core.content_version import NOT_CONTENT, NOT_CONTENT_OPTION, Kept
from cafpedia.extensions import db
from cafpedia.tips.models import Tip

# Every table whose writes readers' pages show. A new table must be put here or in NOT_CONTENT:
# one left out of both fails below, so that someone decides.
CONTENT = {
    "users", "user_roles", "user_areas", "practice_areas", "area_deputies",
    "tips", "tip_revisions", "tip_revision_standards", "tip_revision_links", "tip_events",
    "tip_votes", "tip_problems",
    "legal_updates", "legal_revisions", "legal_update_areas", "tip_legal_flags",
    "digest_issues", "digest_items", "digest_item_areas", "digest_item_versions",
    "digest_introduction_versions", "tip_research_links", "research_suggestions",
    "standards_versions", "standard_clauses",
    "experts", "expert_areas", "rota_days", "rota_shifts", "expert_nominations", "advice_calls",
    "search_synonym_lists",
}  # fmt: skip


def number() -> int:
    return db.session.execute(text("SELECT n FROM content_version")).scalar_one()


def test_every_table_is_content_or_not_and_never_both(app):
    tables = set(db.metadata.tables)
    assert not CONTENT & NOT_CONTENT
    assert tables - CONTENT - NOT_CONTENT == set(), "decide: CONTENT here, or NOT_CONTENT in core.content_version"
    assert (CONTENT | NOT_CONTENT) - tables - {"alembic_version"} == set()


def test_a_commit_that_writes_content_moves_it_by_one(app, make_user):
    before = number()
    make_user("one.reader")
    db.session.commit()
    assert number() == before + 1  # a person (their name shows on pages), their roles: one commit, one move


def test_a_bulk_statement_moves_it_and_a_rollback_does_not(app, demo_content):
    before = number()
    db.session.execute(update(Tip).values(review_by=None))
    db.session.rollback()
    assert number() == before
    db.session.execute(update(Tip).values(review_by=None))
    db.session.commit()
    assert number() == before + 1


def test_writes_that_change_no_page_leave_it(app, demo_content):
    before = number()
    db.session.execute(text("DELETE FROM search_queue"))  # not content
    db.session.execute(update(Tip).values(views=Tip.views + 1).execution_options(**{NOT_CONTENT_OPTION: True}))
    db.session.commit()
    assert number() == before
    db.session.commit()  # nothing written
    assert number() == before


def test_what_is_kept_goes_when_the_number_moves_and_an_older_number_keeps_nothing():
    kept = Kept(limit=2)
    made = []

    def make(value):
        made.append(value)
        return value

    assert kept.get("a", 5, lambda: make("a5")) == "a5"
    assert kept.get("a", 5, lambda: make("again")) == "a5"  # kept
    assert kept.get("a", 6, lambda: make("a6")) == "a6"  # the number moved: made again
    assert kept.get("a", 5, lambda: make("old")) == "old"  # made under an older number: handed back...
    assert kept.get("a", 6, lambda: make("again")) == "a6"  # ...never kept
    kept.get("b", 6, lambda: "b")
    kept.get("c", 6, lambda: "c")
    assert "a" not in kept.values and len(kept.values) == 2  # the oldest go first beyond the limit
    assert made == ["a5", "a6", "old"]


def test_a_request_reads_it_once(app, client, demo_content, count_queries):
    with app.test_request_context("/"):
        first = content_version.current()
        with count_queries() as queries:
            assert content_version.current() == first
        assert queries.count == 0


def test_a_transaction_that_has_changed_content_sees_its_change_not_what_is_kept(app, demo_content):
    with app.test_request_context("/", method="POST"):
        assert content_version.kept("k", lambda: "before") == "before"
        assert content_version.kept("k", lambda: "again") == "before"  # kept
        db.session.execute(update(Tip).values(review_by=None))  # written, not committed
        assert content_version.kept("k", lambda: "while writing") == "while writing"
        db.session.commit()
        assert content_version.kept("k", lambda: "after") == "after"  # the number moved


def test_a_database_error_as_the_number_moves_is_sqlalchemys_and_saves_nothing(app, demo_content):
    # The number moves inside the commit, on the DB-API connection itself: a failure there (the
    # database gone at that moment) must come out as SQLAlchemy's error, as the commit's own
    # would, so that the request is answered as a lost database (core.connection_loss), never a 500.
    before = number()
    db.session.execute(update(Tip).values(review_by=None))
    db.session.execute(text("ALTER TABLE content_version RENAME TO content_version_away"))
    with pytest.raises(DBAPIError):
        db.session.commit()
    db.session.rollback()
    assert number() == before  # the rename was undone with the rest: nothing was saved


def test_a_rollback_on_a_connection_found_dead_forgets_quietly(app):
    # As when PostgreSQL cuts a connection mid-request: SQLAlchemy invalidates it, then rolls
    # back; forgetting the write must not raise there (tests/ops/test_restart_under_load.py).
    with db.engine.connect() as conn:
        conn.begin()
        conn.execute(update(Tip).values(review_by=None))
        conn.invalidate()
        conn.rollback()
