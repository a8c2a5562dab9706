"""Markdown is rendered in one function that always sanitises (XSS regression tests)."""
from __future__ import annotations

import pytest

from cafpedia.core.markdown import plain_text, render_markdown

ATTACKS = [
    ("<script>alert(1)</script>", "<script"),
    ('<img src=x onerror="alert(1)">', "onerror"),
    ("[click](javascript:alert(1))", "javascript:"),
    ('<a href="javascript:alert(1)">x</a>', "javascript:"),
    ("<iframe src='https://evil.example'></iframe>", "<iframe"),
    ('<p style="background:url(javascript:alert(1))">x</p>', "style="),
    ("[x](data:text/html;base64,PHNjcmlwdD4=)", "data:"),
    ("<svg onload=alert(1)>", "<svg"),
    ('<a href="https://ok.example" onclick="steal()">x</a>', "onclick"),
    ("<!-- <script>x</script> -->", "<script"),
]


@pytest.mark.parametrize("source, forbidden", ATTACKS)
def test_dangerous_markup_is_removed(source, forbidden):
    assert forbidden not in str(render_markdown(source)).lower()


def test_ordinary_markdown_renders():
    html = str(render_markdown("# Title\n\nSome **bold** and a [link](https://example.org).\n\n- one\n- two"))
    assert "<h2>Title</h2>" in html  # h1 is reserved for the page title
    assert "<strong>bold</strong>" in html
    assert '<a href="https://example.org">link</a>' in html
    assert "<li>one</li>" in html


def test_empty_input():
    assert str(render_markdown(None)) == ""
    assert str(render_markdown("")) == ""


def test_plain_text_strips_markup_and_shortens():
    assert plain_text("Some **bold** <b>text</b>") == "Some bold text"
    assert plain_text("one two three four five", limit=12) == "one two…"
