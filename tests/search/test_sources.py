"""The Sources search follows come from the list create_app hands `search.init_app`, and only
from there: a kind of document no Source in the list gives is an error, named plainly, at the
drain, rebuild or check that meets it, never a document silently dropped from the index."""

from __future__ import annotations

import pytest

from cafpedia.extensions import db
from cafpedia.search import service
from cafpedia.search.documents import SearchDocument, Source, Sources, UnknownKind
from cafpedia.search.models import SearchQueueEntry

MISSING = "no search Source gives documents of kind 'legal'"


def without_legal_updates(monkeypatch) -> None:
    """The app as if create_app had left the legal updates' Source out of its list."""
    follower = service.follower()
    kept = [source for source in follower.sources.sources if "legal" not in source.kinds]
    monkeypatch.setattr(follower, "sources", Sources(kept))


def legal_update_in_the_index() -> None:
    service.follower().ensure()
    with service.follower().backend.writing(timeout=5) as index:
        index.write(
            [SearchDocument(key="legal:old", kind="legal", title="An update", body="Text.", url="/legal/old")], []
        )
        index.commit()
        db.session.commit()


def test_the_app_follows_the_sources_create_app_lists(app):
    kinds = service.follower().sources.kinds
    assert kinds == {"area", "digest", "expert", "legal", "clause", "tip", "proposal"}


def test_two_sources_of_one_kind_are_refused():
    source = Source(kinds=("tip",), documents=list, every_document=list, count=int, keys_for=lambda obj: None)
    with pytest.raises(ValueError, match="two search Sources give documents of kind 'tip'"):
        Sources([source, source])


def test_reindex_check_names_a_kind_no_source_gives(app, runner, monkeypatch):
    legal_update_in_the_index()
    without_legal_updates(monkeypatch)
    result = runner.invoke(args=["reindex", "--check"])
    assert result.exit_code == 1
    assert MISSING in result.output and "legal:old" in result.output
    assert "search.init_app" in result.output  # where to put it right


def test_a_drain_that_meets_a_kind_no_source_gives_fails_loudly(app, monkeypatch):
    service.follower().ensure()
    without_legal_updates(monkeypatch)
    db.session.add(SearchQueueEntry(key="legal:old"))
    db.session.commit()
    with pytest.raises(UnknownKind, match=MISSING):
        service.follower().drain()
    assert service.follower().queue_length() == 1  # kept in the log for when the list is put right


def test_a_rebuild_that_meets_a_document_its_source_does_not_claim_fails_loudly(app, monkeypatch):
    stray = SearchDocument(key="legal:stray", kind="legal", title="Stray", body="Text.", url="/legal/stray")
    source = Source(
        kinds=("area",),
        documents=lambda *_: [],
        every_document=lambda: [stray],
        count=lambda: 1,
        keys_for=lambda obj: None,
    )
    monkeypatch.setattr(service.follower(), "sources", Sources([source]))
    with pytest.raises(UnknownKind, match=MISSING):
        service.follower().rebuild()
