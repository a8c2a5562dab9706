"""CSV cells a spreadsheet would run as a formula are made text (OWASP's CSV injection advice)."""

from __future__ import annotations

import csv
import io

import pytest

from cafpedia.core.spreadsheet import csv_text, safe_cell


@pytest.mark.parametrize(
    "cell",
    [
        "=1+1",
        "+1+1",
        "-1+1",
        "@SUM(A1)",
        "|calc",
        "\t=1+1",
        "\r=1+1",
        "\n=1+1",
        "\t",
        "\r",
        " =1+1",
        "   @SUM(A1)",
        "\u00a0=1+1",  # a no-break space first
        "\u3000=1+1",  # an ideographic space first
        "\ufeff=1+1",  # a byte-order mark first
        "\u200b=1+1",  # a zero-width space first
        '\uff1dHYPERLINK("http://evil")',  # ＝ full width
        "\uff0b1",  # ＋
        "\uff0d1",  # －
        "\uff20SUM(A1)",  # ＠
        "\uff5ccalc",  # ｜
        "\ufe661+1",  # ﹦ small equals
        " \n \uff1d1",
    ],
)
def test_a_cell_a_spreadsheet_would_run_is_made_text(cell):
    assert safe_cell(cell) == "'" + cell


@pytest.mark.parametrize(
    "cell", ["Contact", "Re L (A Child)", "1+1", "a=b", "Mary-Jane", "", "5", "50%", "'quoted", "x|y", "2026-11-30"]
)
def test_an_ordinary_cell_is_left_as_it_is(cell):
    assert safe_cell(cell) == cell


def test_numbers_and_nothing_become_text_as_written():
    assert (safe_cell(None), safe_cell(3), safe_cell(2.5)) == ("", "3", "2.5")


def test_csv_text_quotes_every_cell_but_the_header():
    text = csv_text(["area", "title"], [["contact", "\uff1dcmd"], ["adoption", " -2+3"]])
    assert list(csv.reader(io.StringIO(text))) == [["area", "title"], ["contact", "'\uff1dcmd"], ["adoption", "' -2+3"]]
