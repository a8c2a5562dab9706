"""Markdown is rendered in one function that always sanitises (XSS regression tests)."""

from __future__ import annotations

import pytest

from cafpedia.core.markdown import plain_text, render_markdown

ATTACKS = [
    # (Markdown source, something that must not survive, lower-cased)
    ("<script>alert(1)</script>", "<script"),
    ("<SCRIPT SRC=//evil.example/x.js></SCRIPT>", "<script"),
    ("<scr<script>ipt>alert(1)</script>", "<script"),
    ('<img src=x onerror="alert(1)">', "onerror"),
    ("<img src=javascript:alert(1)>", "<img"),
    ("![x](javascript:alert(1))", "javascript:"),
    ("![x](https://evil.example/track.gif)", "<img"),
    ("[click](javascript:alert(1))", "javascript:"),
    ("[click](JaVaScRiPt:alert(1))", "javascript:"),
    ("[click](  javascript:alert(1))", "javascript:"),
    ("[click](java&#x09;script:alert(1))", "script:"),
    ("[click](&#106;avascript:alert(1))", "avascript:"),
    ("[click](vbscript:msgbox(1))", "vbscript:"),
    ("[x](data:text/html;base64,PHNjcmlwdD4=)", "data:"),
    ("[x]: javascript:alert(1)\n\n[y][x]", "javascript:"),
    ("<javascript:alert(1)>", "javascript:"),
    ('<a href="javascript:alert(1)">x</a>', "javascript:"),
    ('<a href="  javascript:alert(1)">x</a>', "javascript:"),
    ('<a href="data:text/html,<script>alert(1)</script>">x</a>', "data:"),
    ('<a href="https://ok.example" onclick="steal()">x</a>', "onclick"),
    ('<a href="https://ok.example" onmouseover="steal()">x</a>', "onmouseover"),
    ('<a href="https://ok.example" style="position:fixed">x</a>', "style="),
    ('<a href="https://ok.example" target="_blank">x</a>', "target="),
    ("<iframe src='https://evil.example'></iframe>", "<iframe"),
    ("<object data='x.swf'></object>", "<object"),
    ("<embed src='x.swf'>", "<embed"),
    ("<applet code='x'></applet>", "<applet"),
    ("<form action='https://evil.example'><input name=p></form>", "<form"),
    ("<input autofocus onfocus=alert(1)>", "<input"),
    ("<button formaction=javascript:alert(1)>x</button>", "<button"),
    ("<textarea>x</textarea>", "<textarea"),
    ("<select><option>x</option></select>", "<select"),
    ("<style>body{display:none}</style>", "<style"),
    ('<p style="background:url(javascript:alert(1))">x</p>', "style="),
    ('<div style="behavior:url(x.htc)">x</div>', "style="),
    ("<link rel=stylesheet href=https://evil.example/x.css>", "<link"),
    ("<meta http-equiv=refresh content='0;url=https://evil.example'>", "<meta"),
    ("<base href='https://evil.example/'>", "<base"),
    ("<svg onload=alert(1)>", "<svg"),
    ("<svg><script>alert(1)</script></svg>", "<script"),
    ("<math><mtext><script>alert(1)</script></mtext></math>", "<script"),
    ("<video src=x onerror=alert(1)>", "<video"),
    ("<audio src=x onerror=alert(1)>", "<audio"),
    ("<body onload=alert(1)>", "onload"),
    ("<details open ontoggle=alert(1)>", "ontoggle"),
    ("<marquee onstart=alert(1)>x</marquee>", "<marquee"),
    ("<!-- <script>x</script> -->", "<script"),
    ("<![CDATA[<script>alert(1)</script>]]>", "<script"),
    ('<table background="javascript:alert(1)"><tr><td>x</td></tr></table>', "background="),
    ('<td onclick="x()">x</td>', "onclick"),
    ('<span class="x" onclick="x()">x</span>', "onclick"),
    ('<abbr title="x" onmouseover="x()">x</abbr>', "onmouseover"),
    ('<noscript><p title="</noscript><img src=x onerror=alert(1)>">', "onerror"),
    ("`<script>alert(1)</script>`", "<script"),
    ("    <script>alert(1)</script>", "<script"),
    ("```\n<script>alert(1)</script>\n```", "<script"),
    ("[[<script>alert(1)</script>]]", "<script"),
    ("[[javascript:alert(1)]]", 'href="javascript'),
    ('<a href="https://ok.example" id="header">x</a>', "id="),
    ("<h1 onclick=x()>Title</h1>", "onclick"),
    ("<img src=x:alert(alt) onerror=eval(src) alt=0>", "onerror"),
    ('<a href="#" xlink:href="javascript:alert(1)">x</a>', "javascript:"),
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


def test_there_are_at_least_fifty_injection_attempts():
    assert len(ATTACKS) >= 50


def test_safe_links_survive():
    html = str(render_markdown("[a](https://x.example) [b](http://x.example) [c](mailto:a@x.example) [d](/areas)"))
    for href in ['href="https://x.example"', 'href="http://x.example"', 'href="mailto:a@x.example"', 'href="/areas"']:
        assert href in html


def test_wiki_links_to_existing_and_missing_tips():
    from cafpedia.core.markdown import render_markdown as render

    def resolve(area, slug):
        return ("/tips/" + slug, "Seeing children") if slug == "seeing-children" else None

    html = str(render("See [[seeing-children]], [[adoption/no-such-tip]] and `[[in-code]]`.", resolve))
    assert '<a class="wiki-link" href="/tips/seeing-children">Seeing children</a>' in html
    assert 'class="missing-link"' in html and "no-such-tip (missing)" in html
    assert "<code>[[in-code]]</code>" in html
