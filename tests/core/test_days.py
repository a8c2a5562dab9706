"""Dates as typed or picked: an empty one, one that is not a date and one that does not exist
each get a message that says so, on every page that asks for a date."""

from __future__ import annotations

import html
from datetime import date

import pytest

from cafpedia.core.days import DayError, read_day, required_day
from cafpedia.extensions import db
from tests.tips.test_tip_pages import signed_in, text_of


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("2027-02-31", "31 February 2027 is not a real date: February 2027 has 28 days."),
        ("2028-02-30", "30 February 2028 is not a real date: February 2028 has 29 days."),
        ("2026-04-31", "31 April 2026 is not a real date: April 2026 has 30 days."),
        ("2026-13-01", "2026-13-01 is not a real date: there is no month 13"),
        ("2026-01-00", "2026-01-00 is not a real date: there is no day 0."),
        ("next week", "“next week” is not a date: write it as YYYY-MM-DD, for example 2026-03-03."),
        ("01/02/2026", "“01/02/2026” is not a date"),
    ],
)
def test_what_is_wrong_with_a_date_is_said(typed, message):
    with pytest.raises(DayError) as refused:
        read_day(typed)
    assert message in str(refused.value)


def test_an_empty_date_is_not_given_or_asked_for():
    assert read_day("") is None and read_day("  ") is None
    assert read_day("2026-2-3") == date(2026, 2, 3)
    with pytest.raises(DayError, match="Enter a date"):
        required_day("")


def test_the_as_at_page_says_enter_a_date_or_that_the_day_does_not_exist(app, people, publish):
    publish()
    sam = signed_in(app, "sam.fca")
    empty = sam.get("/tips/contact-centres?as_at=")
    assert empty.status_code == 400 and "Enter a date" in text_of(empty)
    assert "“”" not in text_of(empty)
    impossible = sam.get("/tips/contact-centres?as_at=2026-02-31")
    assert impossible.status_code == 400
    assert "31 February 2026 is not a real date: February 2026 has 28 days." in html.unescape(text_of(impossible))


def test_an_areas_changes_up_to_a_day_to_come_are_read_up_to_today(app, people, publish):
    publish()
    lee = signed_in(app, "lee.lead")
    response = lee.get("/areas/contact/changes?from=2026-11-01&to=2027-01-31")
    page = html.unescape(text_of(response))
    assert response.status_code == 200
    assert "“To” was 31 January 2027, after today: the changes shown are up to today." in page
    assert "from 1 November 2026 to 23 November 2026" in page and 'value="2026-11-23"' in page
    assert "Published" in page or "published" in page
    csv = lee.get("/areas/contact/changes.csv?from=2026-11-01&to=2027-01-31")
    assert csv.status_code == 200 and "2026-11-01-to-2026-11-23" in csv.headers["Content-Disposition"]
    impossible = lee.get("/areas/contact/changes?from=2026-02-29&to=2026-11-01")
    assert impossible.status_code == 400
    assert "From: 29 February 2026 is not a real date: February 2026 has 28 days." in html.unescape(text_of(impossible))


def test_mark_reviewed_with_an_impossible_date_names_the_field(app, people, publish):
    publish()
    lee = signed_in(app, "lee.lead")
    response = lee.post_form("/tips/contact-centres/reviewed", {"review_by": "2027-02-31", "note": "Checked"})
    page = html.unescape(text_of(response))
    assert response.status_code == 400
    assert "Next review by (optional; 12 months if empty): 31 February 2027 is not a real date" in page
    assert "Not a valid date value" not in page
    # Empty is not given: twelve months on.
    assert lee.post_form("/tips/contact-centres/reviewed", {"review_by": "", "note": ""}).status_code == 302


def test_the_audit_log_filter_says_the_day_does_not_exist(app, admin_client):
    response = admin_client.get("/admin/audit?since=2026-06-31")
    page = html.unescape(text_of(response))
    assert "31 June 2026 is not a real date: June 2026 has 30 days." in page
    db.session.rollback()
