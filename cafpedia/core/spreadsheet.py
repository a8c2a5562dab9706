"""CSV for spreadsheets: every cell that a spreadsheet would run as a formula is made text."""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from collections.abc import Iterable

from flask import Response

# What a spreadsheet runs as a formula when a cell starts with it (OWASP: CSV injection).
FORMULA_STARTS = frozenset("=+-@|\t\r\n")
# What a spreadsheet may skip before it: white space, a byte-order mark, zero-width spaces.
SKIPPED_FIRST = re.compile(r"^[\s\ufeff\u200b-\u200d\u2060]+")


def safe_cell(value) -> str:
    """The cell as text, with a quote before it if its first character that is not white
    space (read as NFKC, so a full-width ＝ counts as =) starts a formula, or it starts with a
    tab or a line break."""
    text = "" if value is None else str(value)
    if text[:1] in FORMULA_STARTS:
        return "'" + text
    first = unicodedata.normalize("NFKC", SKIPPED_FIRST.sub("", text, count=1)[:1])
    return "'" + text if first[:1] in FORMULA_STARTS and first else text


def csv_text(header: list[str], rows: Iterable[Iterable]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow([safe_cell(v) for v in row])
    return out.getvalue()


def csv_download(text: str, filename: str) -> Response:
    """CSV text as a file the browser saves."""
    return Response(text, mimetype="text/csv", headers={"Content-Disposition": f'attachment; filename="{filename}"'})
