"""The Whoosh backend's searchers under concurrency: a search keeps reading the index as it was
when it started, however many times other threads (or processes) change it meanwhile, and a
searcher is closed only once no search holds it."""

from __future__ import annotations

import threading

import pytest
from whoosh import reading

from tests.search.test_whoosh_backend import corrected, doc, find, write

BODY = "Children seen alone; the child's wishes and feelings; children and their families. " * 20


@pytest.fixture
def backend(tmp_path):
    from cafpedia.search.backends.whoosh_index import WhooshBackend

    backend = WhooshBackend(tmp_path / "whoosh")
    backend.rebuild([doc(f"d{n}", f"Seeing children {n}", BODY) for n in range(30)])
    yield backend
    backend.close()


def test_searches_in_threads_survive_writes_and_refreshes(backend):
    """Many threads searching while another writes: each write makes the next search open a
    new searcher, which must not close the one another thread is still reading from (cutting
    its snippets, say). Before searchers were held while in use, a search here failed with
    ReaderClosed within a second or two."""
    failures: list[str] = []
    stop = threading.Event()
    searches = [0]

    def searching():
        while not stop.is_set():
            try:
                found = find(backend, "children")
                assert found.total >= 30 and len(found.hits) == 10
                assert corrected(backend, "chidlren") == "children"  # correction reads it too
                searches[0] += 1
            except Exception as exc:  # SearchUnavailable (ReaderClosed) above all
                failures.append(f"{type(exc).__name__}: {exc}")
                stop.set()

    threads = [threading.Thread(target=searching) for _ in range(4)]
    for thread in threads:
        thread.start()
    try:
        for n in range(20):
            if stop.is_set():
                break
            assert write(backend, [doc(f"x{n}", f"Extra children {n}", BODY)], [f"x{n - 3}"] if n >= 3 else [])
    finally:
        stop.set()
        for thread in threads:
            thread.join(timeout=10)
    assert failures == []
    assert searches[0] > 0


def test_a_segment_gone_while_opening_a_new_searcher_is_read_again(backend, monkeypatch):
    """Another process's commit can merge segments and delete their files just as this one
    opens the new version of the index: the opening is tried again, and the search answers
    (Whoosh's own refresh closed the old readers on the first try and failed on the second
    with ReaderClosed: "the search index cannot be read")."""
    assert find(backend, "children").total == 30
    write(backend, [doc("x", "Extra children", BODY)], [])  # a second segment: the next search opens anew
    failed = []

    class SegmentGoneOnce(reading.SegmentReader):
        def __init__(self, *args, **kwargs):
            if not failed:
                failed.append(True)
                raise FileNotFoundError("a segment merged away by another process")
            super().__init__(*args, **kwargs)

    monkeypatch.setattr(reading, "SegmentReader", SegmentGoneOnce)
    assert find(backend, "children").total == 31
    assert failed


def test_a_searcher_in_use_is_closed_only_when_its_last_search_ends(backend):
    with backend.searching() as held:
        write(backend, [doc("x", "Extra children", BODY)], [])
        assert find(backend, "children").total == 31  # a new searcher for the new version
        assert held.doc_count_all() == 30  # the old one still reads the old version
        assert not held.is_closed
    assert held.is_closed  # released by its last search, and no longer current
    with backend.searching() as current:
        assert current.doc_count_all() == 31
    assert not current.is_closed  # the current searcher stays open for the next search
    backend.close()
    assert current.is_closed
