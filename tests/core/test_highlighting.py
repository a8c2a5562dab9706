"""Case details marked where they are: plain text escaped, sanitised HTML changed in its text
nodes only, each mark naming its reason for screen readers; and where each finding is."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest

from cafpedia.core.confidentiality import Finding
from cafpedia.core.highlighting import (
    Located,
    excerpts,
    find_in_fields,
    highlight_html,
    highlight_text,
    locate,
)
from cafpedia.core.markdown import render_markdown

OPEN = '<mark class="case-detail">'
HIDDEN = re.compile(r'<span class="visually-hidden">[^<]*</span>')


def marked(html: str) -> list[str]:
    """The visible text of each mark."""
    return [HIDDEN.sub("", inner) for inner in re.findall(r'<mark class="case-detail">(.*?)</mark>', html)]


def unmarked(html: str) -> str:
    """The HTML with the marks and their hidden words taken out again."""
    return HIDDEN.sub("", html).replace(OPEN, "").replace("</mark>", "")


def found(kind: str, text: str, source: str, reason: str = "") -> Finding:
    return Finding(kind, text, source.index(text), reason)


class Structure(HTMLParser):
    """Checks that tags nest, and records every start tag with its attributes."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.stack, self.tags = [], []

    def handle_starttag(self, tag, attrs):
        if tag not in ("br", "hr", "img"):
            self.stack.append(tag)
        self.tags.append((tag, attrs))

    def handle_endtag(self, tag):
        assert self.stack and self.stack[-1] == tag, f"</{tag}> closes {self.stack}"
        self.stack.pop()


def structure(html: str) -> list:
    """The elements of `html` other than the marks and their hidden words, once checked to nest."""
    parser = Structure()
    parser.feed(html)
    parser.close()
    assert parser.stack == []
    return [t for t in parser.tags if t[0] != "mark" and ("class", "visually-hidden") not in t[1]]


# -- plain text ---------------------------------------------------------------------------


def test_a_finding_is_marked_with_its_reason_for_screen_readers():
    html = highlight_text("Ring the mother on 07700 900461 today.")
    assert html == (
        "Ring the mother on "
        '<mark class="case-detail"><span class="visually-hidden">[possible case detail, a phone number: </span>'
        '07700 900461<span class="visually-hidden">]</span></mark> today.'
    )
    reasoned = highlight_text("Sarah, the mother", [Finding("named_person", "Sarah", 0, "a name next to 'mother'")])
    assert "[possible case detail, a name next to &#x27;mother&#x27;: </span>Sarah" in reasoned


def test_everything_else_is_escaped_and_the_text_read_is_unchanged():
    text = 'A <script>alert("x")</script> & LS6 2QT <b>'
    html = highlight_text(text)
    assert "<script>" not in html and "&lt;script&gt;" in html and "&amp;" in html and "&lt;b&gt;" in html
    assert marked(html) == ["LS6 2QT"]
    assert unmarked(html).replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&") == text
    hostile = Finding("postcode", "LS6 2QT", text.index("LS6"), 'a "reason" <i>with</i> tags')
    assert "<i>" not in highlight_text(text, [hostile]) and "&lt;i&gt;with" in highlight_text(text, [hostile])


def test_findings_at_the_start_and_the_end():
    text = "LS6 2QT is near 07700 900461"
    html = highlight_text(text)
    assert html.startswith(OPEN) and html.endswith("</mark>") and marked(html) == ["LS6 2QT", "07700 900461"]


def test_overlapping_findings_make_one_mark_naming_each_reason_once():
    text = "call Jo Bloggs on 07700 900461"
    findings = [
        found("named_person", "Jo Bloggs on 07700", text, "a full name"),
        found("phone", "07700 900461", text),
        found("named_person", "Bloggs", text, "a full name"),
    ]
    html = highlight_text(text, findings)
    assert marked(html) == ["Jo Bloggs on 07700 900461"]
    assert "[possible case detail, a full name; a phone number: </span>" in html


def test_adjacent_findings_stay_two_marks():
    text = "LS6 2QT07700 900461"
    html = highlight_text(text, [Finding("postcode", "LS6 2QT", 0), Finding("phone", "07700 900461", 7)])
    assert marked(html) == ["LS6 2QT", "07700 900461"] and "</mark><mark" in html


def test_unicode_is_counted_in_characters():
    text = "Château’s café — 📞 07700 900461 · Łódź"
    html = highlight_text(text)
    assert marked(html) == ["07700 900461"] and unmarked(html) == text


def test_stored_texts_are_marked_wherever_they_appear():
    html = highlight_text("Mia said Mia was fine", [], also=[{"kind": "named_child_age", "text": "Mia"}])
    assert marked(html) == ["Mia", "Mia"] and "a name with an age" in html
    unknown = highlight_text("see Xy", [], also=[{"kind": "a_kind_no_longer_known", "text": "Xy"}])
    assert "[possible case detail, a possible case detail: " in unknown


def test_nothing_found_is_the_text_escaped():
    assert highlight_text("Plan the handover & meet at the door") == "Plan the handover &amp; meet at the door"
    assert highlight_text(None) == "" and highlight_text("") == ""


# -- sanitised HTML ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "source",
    [
        "Ring 07700 900461 or write to LS6 2QT.",
        "- Ring **07700** 900461\n- then LS6 2QT",
        '[LS6 2QT](https://example.org/?q=LS6+2QT&x=07700%20900461 "LS6 2QT")',
        "| Where | Phone |\n|---|---|\n| LS6 2QT | 07700 900461 |",
        "`07700 900461` in code, and <b>LS6 2QT</b> &amp; <script>x</script>",
        "# LS6 2QT\n\n> quoted 07700 900461\n\n1. LS6\n2. 2QT",
        "Café & “quotes” at LS6 2QT, 5 < 6 > 4 'single' \"double\"",
    ],
)
def test_marks_go_in_text_nodes_only_and_never_break_the_markup(source):
    rendered = render_markdown(source)
    html = highlight_html(rendered)
    assert marked(html), html
    assert structure(html) == structure(rendered)  # the same elements, with the same attributes
    assert unmarked(html) == unmarked(str(highlight_html(rendered, find=lambda text: [])))
    assert "<script>" not in html
    for attribute in re.findall(r'(?:href|title)="([^"]*)"', html):
        assert "mark" not in attribute


def test_a_finding_across_elements_is_marked_in_each_piece_with_its_words_said_once():
    html = highlight_html("<p>Ring <strong>07700</strong> 900461 now</p>")
    assert html == (
        "<p>Ring <strong>"
        '<mark class="case-detail"><span class="visually-hidden">[possible case detail, a phone number: </span>'
        "07700</mark></strong>"
        '<mark class="case-detail"> 900461<span class="visually-hidden">]</span></mark> now</p>'
    )


def test_white_space_between_elements_is_never_marked():
    html = highlight_html("<ul>\n<li>LS6</li>\n<li>2QT</li>\n</ul>")
    assert "<ul>\n<li>" in html and "</li>\n<li>" in html and "</li>\n</ul>" in html
    assert marked(html) == ["LS6", "2QT"] and html.count("[possible case detail") == 1


def test_entities_stay_escaped_and_raw_text_is_left_alone():
    source = "<p>&lt;b&gt; &amp; LS6 2QT</p><textarea>LS6 2QT</textarea><style>p::after{content:'LS6 2QT'}</style>"
    html = highlight_html(source)
    assert html.startswith("<p>&lt;b&gt; &amp; ") and marked(html) == ["LS6 2QT"]
    assert "<textarea>LS6 2QT</textarea><style>p::after{content:'LS6 2QT'}</style>" in html


def test_html_with_nothing_found_comes_back_as_it_was():
    source = "<p>Meet at the door &#39;early&#39;.</p>"
    assert highlight_html(source) == source and highlight_html("") == "" and highlight_html(None) == ""


def test_html_marks_overlapping_adjacent_and_stored_findings():
    def find(text):
        return [Finding("postcode", "LS6 2QT", 0), Finding("phone", "2QT07700 900461", 4, "joined")]

    html = highlight_html("<p>LS6 2QT07700 900461 and Mia</p>", find=find, also=[{"kind": "x", "text": "Mia"}])
    assert marked(html) == ["LS6 2QT07700 900461", "Mia"] and "a postcode; joined" in html


# -- where each finding is ---------------------------------------------------------------

FIELDS = [
    ("the title", "Ring 07700 900461"),
    ("the body", "- Meet at the door.\n- Then go to LS6 2QT."),
    ("the legal references", "Children Act 1989 s8\nSW1A 1AA"),
]


def test_each_finding_says_its_field_and_line():
    located = find_in_fields(FIELDS)
    assert [(item.text, item.where, item.line, item.column) for item in located] == [
        ("07700 900461", "in the title", 1, 6),
        ("LS6 2QT", "in the body, line 2", 2, 14),
        ("SW1A 1AA", "in the legal references, line 2", 2, 1),
    ]
    assert [item.label for item in located] == ["a phone number", "a postcode", "a postcode"]
    assert located[1].why == "a postcode" and located[1].end == located[1].start + 7


def test_locate_counts_in_the_fields_joined_by_new_lines():
    joined = "\n".join(text for _, text in FIELDS)
    located = locate([Finding("postcode", "LS6 2QT", joined.index("LS6"))], FIELDS)
    assert located == [Located(Finding("postcode", "LS6 2QT", joined.index("LS6")), "the body", 33, 2, 14, 2)]


def test_stored_flags_are_looked_for_by_their_text_and_said_when_gone():
    stored = [{"kind": "phone", "text": "07700 900461"}, {"kind": "named_child_age", "text": "the door"}]
    stored.append({"kind": "named_child_age", "text": "Kayden (7)"})
    located = find_in_fields(FIELDS, stored=stored)
    assert [(item.text, item.where) for item in located] == [
        ("07700 900461", "in the title"),
        ("the door", "in the body, line 1"),
        ("LS6 2QT", "in the body, line 2"),
        ("SW1A 1AA", "in the legal references, line 2"),
        ("Kayden (7)", "no longer in the text"),
    ]


def test_excerpts_show_each_line_with_its_findings_marked():
    shown = excerpts(find_in_fields(FIELDS), FIELDS)
    assert [where for where, _ in shown] == ["In the title", "In the body, line 2", "In the legal references, line 2"]
    assert marked(shown[1][1]) == ["LS6 2QT"] and unmarked(shown[1][1]) == "- Then go to LS6 2QT."


def test_a_long_line_is_cut_around_its_findings_at_word_breaks():
    line = "word " * 40 + "<LS6 2QT> " + "more " * 40 + "07700 900461 " + "end " * 40
    fields = [("the body", line)]
    (where, shown), *_ = excerpts(find_in_fields(fields), fields, context=20)
    assert where == "In the body" and marked(shown) == ["LS6 2QT", "07700 900461"]
    assert shown.startswith("… word") and shown.endswith("end …") and " … " in shown
    assert "&lt;" in shown and len(unmarked(shown)) < 150


def test_a_stored_flag_found_again_as_a_longer_stretch_is_listed_once():
    fields = [("the body", "Ring 07700 900461 or 07700 900461")]
    stored = [{"kind": "named_person", "text": "07700"}, {"kind": "phone", "text": "900461"}]
    located = find_in_fields(fields, stored=stored)
    assert [(item.kind, item.text, item.start) for item in located] == [
        ("phone", "07700 900461", 5),
        ("phone", "07700 900461", 21),
    ]
