"""The Whoosh backend on its own: segments, deletions, phrases by word pairs, the word list.

These drive `WhooshBackend` directly with documents, without a database, so that each
case of the query evaluator (several segments, deleted documents, cached postings of a
segment that has gone) is pinned down.
"""

from __future__ import annotations

from datetime import datetime

import pytest

from cafpedia.search.backends import Visibility
from cafpedia.search.backends.whoosh_index import WhooshBackend
from cafpedia.search.documents import SearchDocument
from cafpedia.search.plan import plan_query
from cafpedia.search.query import parse_query
from cafpedia.search.rescue import rescue
from cafpedia.search.synonyms import current_groups

READER = Visibility()


def doc(key: str, title: str, body: str, **fields) -> SearchDocument:
    fields.setdefault("kind", "tip")
    fields.setdefault("area", "private-law")
    fields.setdefault("updated_at", datetime(2026, 1, 1))
    return SearchDocument(key=key, title=title, body=body, url=f"/{key}", **fields)


@pytest.fixture
def backend(tmp_path):
    backend = WhooshBackend(tmp_path / "whoosh")
    backend.rebuild(
        [
            doc("a", "Seeing children alone", "Always see the child on their own before the first hearing."),
            doc("b", "Report writing", "Children should be seen; seeing them matters. The hearing was first."),
            doc("c", "Contact centres", "Handover at the contact centre.", kind="guidance", area="contact"),
        ]
    )
    yield backend
    backend.close()


def write(backend, add, delete) -> bool:
    """One drain batch's write, as the search service makes it."""
    with backend.writing(timeout=1) as index:
        if index is None:
            return False
        index.write(add, delete)
        index.commit()
    return True


def find(backend, text, visibility=READER, page=1):
    return backend.search(plan_query(parse_query(text), current_groups()), visibility, page=page, per_page=10)


def corrected(backend, text, visibility=READER) -> str | None:
    """What a query that finds nothing is corrected to, as the search service would correct it."""
    groups = current_groups()
    rewrite = rescue(plan_query(parse_query(text), groups), text, backend, visibility, groups)
    return rewrite.shown if rewrite and rewrite.corrected_from else None


def keys(results):
    return [h.key for h in results.hits]


def test_title_matches_first_and_all_words_required(backend):
    assert keys(find(backend, "seeing children")) == ["a", "b"]
    assert find(backend, "children handover").total == 0


def test_a_phrase_needs_its_words_together(backend):
    assert keys(find(backend, '"first hearing"')) == ["a"]  # b has both words, apart
    assert find(backend, "first hearing").total == 2


def test_changes_in_later_segments_deletions_and_updates(backend):
    assert write(backend, [doc("d", "Seeing siblings", "Siblings and children together.")], [])
    assert write(backend, [doc("b", "Report writing", "Nothing about young people here.")], ["c"])
    found = find(backend, "children")
    assert set(keys(found)) == {"a", "d"} and found.total == 2  # b's old text is gone
    assert find(backend, "handover").total == 0  # c was deleted
    assert find(backend, "young people").total == 1
    assert find(backend, "children").facets == {"kind": {"tip": 2}, "area": {"private-law": 2}}


def test_filters_and_facets(backend):
    found = find(backend, "kind:guidance")
    assert keys(found) == ["c"] and found.facets["kind"] == {"guidance": 1}
    assert find(backend, "area:contact handover").total == 1
    assert find(backend, "area:private-law handover").total == 0


def test_a_document_in_several_areas_is_found_and_counted_under_each(backend):
    areas = ["safeguarding", "public-law", "private-law"]
    assert write(backend, [doc("m", "Children in care", "Children.", area="safeguarding", areas=areas)], [])
    for area in areas:
        assert "m" in keys(find(backend, f"area:{area} children"))
    assert find(backend, "children").facets["area"] == {"private-law": 3, "safeguarding": 1, "public-law": 1}
    assert write(backend, [], ["m"])  # deleted from its segment: counted nowhere
    assert find(backend, "children").facets["area"] == {"private-law": 2}
    assert find(backend, "area:public-law children").total == 0


def test_visibility_of_pending_documents(backend):
    write(backend, [doc("p", "Seeing children pending", "A proposal.", status="pending", author_id=7, area_id=3)], [])
    assert "p" not in keys(find(backend, "seeing"))
    assert "p" in keys(find(backend, "seeing", Visibility(user_id=7)))  # its author
    assert "p" in keys(find(backend, "seeing", Visibility(user_id=8, moderated_area_ids=[3])))  # its moderator
    assert "p" not in keys(find(backend, "seeing", Visibility(user_id=8, moderated_area_ids=[4])))
    assert "p" in keys(find(backend, "seeing", Visibility(user_id=9, moderated_area_ids=None)))  # an admin


def test_pages_and_a_page_past_the_end(backend):
    assert keys(find(backend, "children", page=1)) == ["a", "b"]
    assert find(backend, "children", page=1000).hits == []


def test_correction_knows_words_added_since_the_rebuild(backend):
    assert corrected(backend, "siblngs") is None
    write(backend, [doc("d", "Siblings", "Placing siblings together.")], [])
    assert corrected(backend, "siblngs") == "siblings"


def test_no_correction_to_a_word_that_left_the_index(backend):
    write(backend, [], ["c"])
    assert corrected(backend, "handovr") is None  # still in the word list, in no document


def test_snippets_mark_the_matches(backend):
    hit = find(backend, "handover").hits[0]
    assert "<mark" in hit.snippet and "andover" in hit.snippet


def test_postings_of_merged_segments_are_dropped(backend):
    find(backend, "children")
    for n in range(12):  # enough small segments for Whoosh to merge them
        write(backend, [doc(f"x{n}", f"Extra {n}", "More children.")], [])
        assert find(backend, "children").total == 3 + n
    live = {key[0] for key in backend._postings}
    assert live <= set(backend._segments)


@pytest.mark.parametrize(
    "text",
    [
        "Seeing children aged 9 and over at the first hearing: s.7 reports, Part 4, 5.1",
        "İstanbul ŞEHİR straße Ǆemal a.b.c 1.5 x_y _z ÀÉÎ ﬁnance — “quoted” don't",
        "",
    ],
)
def test_fast_tokens_match_whooshs_analyzer(text):
    from cafpedia.search.backends.whoosh_index import ANALYZER
    from cafpedia.search.text import tokens

    assert tokens(text) == [t.text for t in ANALYZER(text)]


def test_fast_tokens_match_on_the_demo_content():
    from cafpedia.config import DEFAULT_CONTENT_DIR
    from cafpedia.search.backends.whoosh_index import ANALYZER
    from cafpedia.search.text import tokens

    for path in DEFAULT_CONTENT_DIR.rglob("*.md"):
        text = path.read_text()
        assert tokens(text) == [t.text for t in ANALYZER(text)], path


def test_one_writer_at_a_time_and_a_failed_batch_writes_nothing_and_unlocks(backend):
    with backend.writing(timeout=1) as first:
        assert first is not None
        with backend.writing(timeout=0.05) as second:
            assert second is None  # the lock file is flocked: a second holder waits, even in this process
    with pytest.raises(RuntimeError), backend.writing(timeout=1) as index:
        index.write([doc("z", "Zebra crossings", "Zebra.")], [])
        raise RuntimeError("the drain failed before committing")
    assert find(backend, "zebra").total == 0
    assert write(backend, [doc("z", "Zebra crossings", "Zebra.")], [])
    assert find(backend, "zebra").total == 1
    assert backend.fingerprints(["z", "nothing"]) == {"z": doc("z", "Zebra crossings", "Zebra.").fingerprint()}


def test_columns_read_whole_equal_whooshs_own_reads(backend):
    """The first search reads each segment's columns whole (whoosh_segments._values and the
    rest): the same values as Whoosh gives one document at a time, a missing date included."""
    from cafpedia.search.backends import whoosh_segments as seg

    extra = [doc("e", "Pending", "A proposal " * 50, status="pending", area_id=3, author_id=2)]
    extra.append(doc("d", "Undated", "", updated_at=None, areas=["contact", "public-law"], author_id=7))  # last
    assert write(backend, extra, [])
    with backend.searching() as searcher:
        for reader, _ in seg.segments_of(searcher):
            n = reader.doc_count_all()
            for name in ("kind", "status", "areas", "author", "area_id"):
                index, distinct = seg._distinct(reader, name)
                assert [distinct[i] for i in index.tolist()] == list(reader.column_reader(name)), name
            assert seg._numbers(reader, "updated", n).tolist() == list(reader.column_reader("updated", translate=False))
            for name in ("title", "text"):
                assert seg._lengths(reader, name, n).tolist() == [
                    reader.doc_field_length(d, name) or 0 for d in range(n)
                ]


def test_segment_files_read_as_bytesio_would():
    """Files inside a segment are read over its memory map without a copy
    (whoosh_segments._View): reading, lines, seeking and pickles as io.BytesIO gives them."""
    import io
    import pickle

    from cafpedia.search.backends.whoosh_segments import _View

    data = b"abc\ndef\n\nxyz" + pickle.dumps({"a": [1, 2, 3]}, protocol=0) + b"tail" + b"x" * 600
    for limit in (None, -1, 0, 2, 5, 300):
        ours, theirs = _View(memoryview(data)), io.BytesIO(data)
        for _ in range(8):
            assert (ours.readline(limit), ours.tell()) == (theirs.readline(limit), theirs.tell())
    ours, theirs = _View(memoryview(data)), io.BytesIO(data)
    for name, *args in [("seek", 3), ("read", 4), ("seek", -2, 2), ("read", 10), ("seek", 0), ("read", -1)]:
        assert getattr(ours, name)(*args) == getattr(theirs, name)(*args), (name, args)
    assert pickle.load(_View(memoryview(pickle.dumps({"k": "v" * 300})))) == {"k": "v" * 300}


@pytest.mark.parametrize("cutoff", [2**15, 3])  # past the cutoff, Whoosh writes the offsets as well
@pytest.mark.parametrize("widest", [5, 300, 70_000])  # lengths stored as bytes, shorts, ints
def test_var_bytes_lengths_as_whoosh_reads_them(cutoff, widest):
    from whoosh.columns import VarBytesColumn
    from whoosh.filedb.filestore import RamStorage

    from cafpedia.search.backends.whoosh_segments import var_bytes_lengths

    values = [b"", b"ab", b"x" * widest, b"", b"private-law,contact", b"q"]
    storage, column = RamStorage(), VarBytesColumn(write_offsets_cutoff=cutoff)
    out = storage.create_file("c")
    writer = column.writer(out)
    for docnum, value in enumerate(values):
        if value:
            writer.add(docnum, value)
    writer.finish(len(values))
    out.close()
    dbfile = storage.open_file("c")
    length = storage.file_length("c")
    theirs = column.reader(dbfile, 0, length, len(values))
    assert list(theirs) == values and theirs.had_stored_offsets == (cutoff < len(values))
    assert var_bytes_lengths(dbfile, 0, length, len(values)).tolist() == list(theirs._lengths)
