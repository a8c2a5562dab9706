"""Dates in content files written as quoted ISO text ('2026-02-23'), as many YAML writers
write them, are read as the dates they are; a quoted date that is not ISO, or is
impossible, is still refused with its file, line and field."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest

from cafpedia.config import DEFAULT_CONTENT_DIR
from cafpedia.content.loader import ContentError, export_folder, load_folder
from cafpedia.content.records import as_datetime, from_iso
from cafpedia.extensions import db
from cafpedia.legal.feed import find_update
from cafpedia.tips.reading import find_tip

TIP = "tips/adoption/reporting-officer-witnessing-consent.md"
UPDATE = "legal/2004-05-10-re-m-reporting-concerns-without-the-courts-permission.md"


def demo_copy(tmp_path: Path, name: str) -> Path:
    folder = tmp_path / name
    shutil.copytree(DEFAULT_CONTENT_DIR, folder)
    return folder


def rewrite(folder: Path, relative: str, *changes: tuple[str, str]) -> None:
    path = folder / relative
    text = path.read_text(encoding="utf-8")
    for old, new in changes:
        assert old in text, old
        text = text.replace(old, new, 1)
    path.write_text(text, encoding="utf-8")


def test_quoted_iso_dates_load_as_the_dates_they_are(app, tmp_path):
    folder = demo_copy(tmp_path, "quoted")
    rewrite(
        folder,
        TIP,
        ("approved_on: 2026-02-23", "approved_on: '2026-02-23'"),
        ("review_by: 2027-02-23", 'review_by: "2027-02-23"'),
    )
    rewrite(
        folder,
        UPDATE,
        ("date: 2002-07-31", "date: '2002-07-31'"),
        ("published_on: 2004-05-10", 'published_on: "2004-05-10"'),
    )
    load_folder(folder)
    db.session.commit()

    tip = find_tip("reporting-officer-witnessing-consent")
    approval = next(e for e in tip.events if e.action == "approved")
    assert approval.at == dt.datetime(2026, 2, 23, 9, 0) and tip.review_by == dt.date(2027, 2, 23)
    update = find_update("2004-05-10-re-m-reporting-concerns-without-the-courts-permission")
    assert update.current.made_on == dt.date(2002, 7, 31) and update.published_on == dt.date(2004, 5, 10)
    # Exported, they are written as dates again (unquoted), as every export writes them.
    export_folder(tmp_path / "out")
    exported = (tmp_path / "out" / TIP).read_text(encoding="utf-8")
    assert "approved_on: 2026-02-23\n" in exported and "review_by: 2027-02-23\n" in exported


@pytest.mark.parametrize(
    "relative, change, line, field",
    [
        (TIP, ("approved_on: 2026-02-23", "approved_on: '2026-02-30'"), 12, "approved_on"),
        (TIP, ("review_by: 2027-02-23", "review_by: '23/02/2027'"), 8, "review_by"),
        (UPDATE, ("date: 2002-07-31", "date: '31 July 2002'"), 7, "date"),
        (UPDATE, ("published_on: 2004-05-10", "published_on: '2004-13-10'"), 8, "published_on"),
    ],
)
def test_a_quoted_date_that_is_not_iso_or_is_impossible_is_named_with_file_line_and_field(
    app, tmp_path, relative, change, line, field
):
    folder = demo_copy(tmp_path, "bad")
    rewrite(folder, relative, change)
    with pytest.raises(ContentError) as refused:
        load_folder(folder)
    db.session.rollback()
    mine = [p for p in refused.value.problems if p.file == relative]
    assert mine and all((p.line, p.field) == (line, field) for p in mine), refused.value.problems
    assert find_tip("reporting-officer-witnessing-consent") is None  # nothing was written


@pytest.mark.parametrize(
    "text, expected",
    [
        ("2026-01-01", dt.date(2026, 1, 1)),
        (" 2026-01-01 ", dt.date(2026, 1, 1)),
        ("2026-01-01T10:30:00", dt.datetime(2026, 1, 1, 10, 30)),
        ("2026-01-01 10:30", dt.datetime(2026, 1, 1, 10, 30)),
        ("2026-02-30", None),
        ("01/02/2026", None),
        ("next Tuesday", None),
        ("", None),
    ],
)
def test_iso_text_is_read_as_a_date_or_a_date_and_time(text, expected):
    assert from_iso(text) == expected


def test_a_quoted_time_with_an_offset_is_read_as_utc():
    assert as_datetime("2026-06-01T10:00:00+01:00") == dt.datetime(2026, 6, 1, 9, 0)
    assert as_datetime("2026-06-01") == dt.datetime(2026, 6, 1, 9, 0)
    assert as_datetime("1 June 2026") is None
