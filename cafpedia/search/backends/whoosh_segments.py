"""What the Whoosh backend reads from one segment of the index and keeps while the segment
lives: its per-document columns (status, kind, areas, author, weight, recency, field lengths,
which documents are live), and a term's postings as numpy arrays."""

from __future__ import annotations

import math
import struct

import numpy as np
from whoosh.codec.whoosh3 import LENGTHS_COLUMN, _lenfield
from whoosh.columns import VarBytesColumn
from whoosh.filedb import compound
from whoosh.filedb.structfile import BufferFile
from whoosh.util.numeric import byte_to_length

from cafpedia.search.documents import KIND_WEIGHTS

# (word field, pairs field, length field, boost): a match in the title counts four times.
TEXT_FIELDS = (("title", "tpairs", "title", 4.0), ("text", "pairs", "text", 1.0))
NO_DATE = 2**63  # Whoosh's column value for a document without a date is 2**64 - 1
CACHE_BYTES = 96 * 1024 * 1024  # postings kept in memory per process, across segments
BYTE_TO_LENGTH = np.array([0] + [byte_to_length(b) for b in range(1, 256)], dtype=np.float32)  # 0: no length


class _View:
    """A read-only file over a memoryview, as `io.BytesIO` would be without copying it."""

    __slots__ = ("_buf", "_pos")

    def __init__(self, buf):
        self._buf, self._pos = memoryview(buf), 0

    def read(self, n: int | None = -1) -> bytes:
        end = len(self._buf) if n is None or n < 0 else min(self._pos + n, len(self._buf))
        data = bytes(self._buf[self._pos : end])
        self._pos = max(self._pos, end)
        return data

    def readline(self, limit: int | None = -1) -> bytes:
        end = len(self._buf) if limit is None or limit < 0 else min(self._pos + limit, len(self._buf))
        line = b""
        while not line.endswith(b"\n") and self._pos < end:
            chunk = bytes(self._buf[self._pos : min(self._pos + 256, end)])
            cut = chunk.find(b"\n") + 1 or len(chunk)
            line += chunk[:cut]
            self._pos += cut
        return line

    def __iter__(self):
        while line := self.readline():
            yield line

    def seek(self, pos: int, whence: int = 0) -> int:
        self._pos = max(0, pos + (0, self._pos, len(self._buf))[whence])
        return self._pos

    def tell(self) -> int:
        return self._pos

    def close(self) -> None:
        """The memory is the segment's map: Whoosh closes that."""


class _UncopiedBufferFile(BufferFile):
    """Whoosh opens each file inside a segment (its postings, terms, columns, stored fields) as
    a BufferFile over the segment's memory map, whose io.BytesIO copies the whole file: over a
    hundred megabytes at 50,000 documents, most of a first search's second. This one reads the
    map itself."""

    def __init__(self, buf, name=None, onclose=None):
        super().__init__(b"", name=name, onclose=onclose)
        self._buf, self.file = buf, _View(buf)


compound.BufferFile = _UncopiedBufferFile  # what CompoundStorage.open_file makes


def _distinct(reader, name: str) -> tuple[np.ndarray, list[str]]:
    """(each document's index into the distinct values, the column's distinct values as text).
    Whoosh's VarBytesColumn is read whole, one read of its data, then sliced: not a Whoosh call
    per document, which was most of what the first search after a process starts cost."""
    found = _var_bytes(reader, name)
    if found is None:  # another column type, or another codec: as Whoosh reads it
        values = list(reader.column_reader(name, translate=False))
        position = {v: i for i, v in enumerate(dict.fromkeys(values))}
        index = np.fromiter(map(position.__getitem__, values), dtype=np.int64, count=len(values))
        return index, [v.decode("utf-8") if isinstance(v, bytes) else str(v) for v in position]
    dbfile, basepos, lengths = found
    widest = int(lengths.max()) if len(lengths) else 0
    if not widest:
        return np.zeros(len(lengths), dtype=np.int64), [""]
    ends = np.cumsum(lengths)
    data = np.frombuffer(bytes(dbfile.get(basepos, int(ends[-1]))), dtype=np.uint8)
    # Each value as a fixed-width byte string, padded with zero bytes (no value holds one):
    # numpy then finds the distinct ones without a Python call per document.
    at = (ends - lengths)[:, None] + np.arange(widest)[None, :]
    padded = np.where(np.arange(widest)[None, :] < lengths[:, None], data[np.minimum(at, len(data) - 1)], 0)
    distinct, index = np.unique(np.ascontiguousarray(padded).view(f"S{widest}").ravel(), return_inverse=True)
    return index.ravel(), [v.decode("utf-8") for v in distinct.tolist()]


def _var_bytes(reader, name: str):
    """(its file, where its data starts, each document's length) of a VarBytesColumn in Whoosh
    3's format, its lengths read as one array (Whoosh's own reader derives every offset in a
    Python loop); None for anything else."""
    perdoc, field = getattr(reader, "_perdoc", None), reader.schema[name]
    if not (hasattr(perdoc, "_get_column_file") and isinstance(field.column_type, VarBytesColumn)):
        return None
    if not perdoc.has_column(name):
        return None
    dbfile, basepos, length = perdoc._get_column_file(name)
    return dbfile, basepos, var_bytes_lengths(dbfile, basepos, length, reader.doc_count_all())


def var_bytes_lengths(dbfile, basepos: int, length: int, n: int) -> np.ndarray:
    """The lengths array at the end of a VarBytesColumn (as its Reader finds it)."""
    last = basepos + length - 1
    code, end = chr(dbfile.get_byte(last)), last
    if code == "X":  # offsets written too, before the two type codes: skip them
        code, offsets = chr(dbfile.get_byte(last - 2)), chr(dbfile.get_byte(last - 1))
        end = last - 2 - n * struct.calcsize(offsets)
    size = struct.calcsize(code)
    raw = bytes(dbfile.get(end - size * n, size * n))
    return np.frombuffer(raw, dtype=np.dtype(code).newbyteorder(">")).astype(np.int64)


def _numbers(reader, name: str, n: int) -> np.ndarray:
    """A NumericColumn's values (Whoosh's raw form), read whole."""
    column = reader.column_reader(name, translate=False)
    if all(hasattr(column, a) for a in ("_typecode", "_basepos", "_fixedlen", "_count", "_default")):
        found = np.full(n, column._default, dtype=np.uint64)  # documents past the column's end: the default
        count = min(column._count, n)
        raw = bytes(column._dbfile.get(column._basepos, column._fixedlen * count))
        found[:count] = np.frombuffer(raw, dtype=np.dtype(column._typecode).newbyteorder(">"))
        return found
    return np.fromiter(column, dtype=np.uint64, count=n)


def _lengths(reader, name: str, n: int) -> np.ndarray:
    """A field's length in every document, as Whoosh stores it (a byte each), read whole."""
    perdoc = getattr(reader, "_perdoc", None)
    column = perdoc._cached_reader(_lenfield(name), LENGTHS_COLUMN) if hasattr(perdoc, "_cached_reader") else None
    if column is not None and getattr(column, "_fixedlen", None) == 1 and hasattr(column, "_count"):
        codes = np.zeros(n, dtype=np.uint8)  # past the column's end: no length
        count = min(column._count, n)
        codes[:count] = np.frombuffer(bytes(column._dbfile.get(column._basepos, count)), dtype=np.uint8)
        return BYTE_TO_LENGTH[codes]
    return np.fromiter((reader.doc_field_length(d, name) or 0 for d in range(n)), dtype=np.float32, count=n)


class SegmentData:
    """Per-document columns of one segment, read once while it lives."""

    def __init__(self, reader, codes: dict[str, dict[str, int]]):
        n = reader.doc_count_all()
        self.n = n
        self.codes = {}
        for name in ("kind", "status"):
            table, (index, distinct) = codes[name], _distinct(reader, name)
            self.codes[name] = np.array([table.setdefault(v, len(table)) for v in distinct], dtype=np.int32)[index]
        # A document may be filed under several areas: one (document, area code) pair for each,
        # in order of document, then of its areas (-1 pads each distinct value's row of codes).
        table, (index, distinct) = codes["area"], _distinct(reader, "areas")
        filed = [[table.setdefault(slug, len(table)) for slug in value.split(",") if slug] for value in distinct]
        padded = np.full((len(filed), max((len(f) for f in filed), default=0)), -1, dtype=np.int32)
        for row, found in enumerate(filed):
            padded[row, : len(found)] = found
        per_document = padded[index]
        self.area_docs, column = np.nonzero(per_document >= 0)
        self.area_codes = per_document[self.area_docs, column]
        self.weight = np.ones(n, dtype=np.float64)
        for kind, weight in KIND_WEIGHTS.items():
            if kind in codes["kind"]:
                self.weight[self.codes["kind"] == codes["kind"][kind]] = weight
        for name, attribute in (("author", "author"), ("area_id", "area_id")):
            index, distinct = _distinct(reader, name)
            setattr(self, attribute, np.array([int(v) if v else -1 for v in distinct], dtype=np.int64)[index])
        updated = _numbers(reader, "updated", n)
        updated = np.where(updated >= NO_DATE, 0, updated).astype(np.float64)
        # Newer first among equal scores: a tie-breaker far below any difference in score.
        span = updated.max() - updated.min() if n else 0
        self.recency = (updated - updated.min()) / span * 1e-6 if span else np.zeros(n)
        self.lengths = {name: _lengths(reader, name, n) for name in {f[2] for f in TEXT_FIELDS}}
        self.deleted_count = -1
        self.live = np.ones(n, dtype=bool)

    def refresh_live(self, reader) -> None:
        segment = reader.segment()
        count = segment.deleted_count() if segment.has_deletions() else 0
        if count != self.deleted_count:
            live = np.ones(self.n, dtype=bool)
            if count:
                live[np.fromiter(segment.deleted_docs(), dtype=np.int64)] = False
            self.live, self.deleted_count = live, count


EMPTY = (np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float32))


def read_postings(reader, fieldname: str, text: str) -> tuple[np.ndarray, np.ndarray]:
    """(document numbers, weights) of a term in one segment, read a block at a time."""
    if (fieldname, text) not in reader:
        return EMPTY
    matcher = reader.postings(fieldname, text)
    ids, weights = [], []
    if hasattr(matcher, "_read_ids") and hasattr(matcher, "_next_block"):
        # Whoosh 2.7's block matcher: take each block's arrays whole instead of stepping
        # through its postings one call at a time.
        while matcher.is_active():
            matcher._read_ids()
            matcher._read_weights()
            ids.append(np.asarray(matcher._ids, dtype=np.int64))
            weights.append(np.asarray(matcher._weights, dtype=np.float32))
            matcher._next_block()
        return np.concatenate(ids), np.concatenate(weights)
    while matcher.is_active():  # short lists, kept inline in the term dictionary
        ids.append(matcher.id())
        weights.append(matcher.weight())
        matcher.next()
    return np.asarray(ids, dtype=np.int64), np.asarray(weights, dtype=np.float32)


def bm25_statistics(searcher):
    """(idf(fieldname, text), each text field's average length) for BM25 over this searcher's
    index, the same for a search and for a text's similar documents; idf is cached per call."""
    n_all = max(searcher.doc_count(), 1)
    cache: dict = {}

    def idf(fieldname: str, text: str) -> float:
        if (fieldname, text) not in cache:
            df = searcher.doc_frequency(fieldname, text)
            cache[fieldname, text] = math.log(1 + (n_all - df + 0.5) / (df + 0.5))
        return cache[fieldname, text]

    averages = {name: max(searcher.avg_field_length(name, 1.0), 1.0) for name in {f[2] for f in TEXT_FIELDS}}
    return idf, averages


def segments_of(searcher) -> list:
    """(segment reader, first document number) for each segment; none for an empty index."""
    return [
        (reader, offset)
        for reader, offset in searcher.reader().leaf_readers()
        if getattr(reader, "segment", lambda: None)() is not None
    ]


def add_counts(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    if len(a) < len(b):
        a, b = b, a
    a = a.copy()
    a[: len(b)] += b
    return a
