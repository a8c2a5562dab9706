"""The register's pages: who may see and do what, contact details, and forms that name what is wrong."""

from __future__ import annotations

import re

import pytest

from cafpedia.experts.models import AdviceCall, Expert, RotaDay
from cafpedia.extensions import db


def errors_in(page: str) -> str:
    return " ".join(re.findall(r'class="error-message"[^>]*>(.*?)</p>', page, re.S))


def test_contact_details_only_for_signed_in_readers(register, make_app, client):
    assert client.get("/experts").status_code == 302  # the register is for staff
    public = make_app(PUBLIC_READ=True)
    with public.app_context():
        anonymous = public.test_client()
        for url in ("/experts", "/experts/eve-expert"):
            page = anonymous.get(url).get_data(as_text=True)
            assert "Eve Expert" in page and "Sign in to see how to reach them" in page
            assert "0161 496 0000" not in page and "eve.expert@example.org" not in page
    client.sign_in("pat.fca")
    page = client.get("/experts/eve-expert").get_data(as_text=True)
    assert "0161 496 0000" in page and "mailto:eve.expert@example.org" in page
    assert "supplements line management" in page


def test_the_finder_page(register, as_user):
    client = as_user("pat.fca")
    page = client.get("/experts?area=adoption&language=Urdu").get_data(as_text=True)
    assert "1 expert found" in page and "Eve Expert" in page and "Ben Bennett" not in page
    assert "supplements line management" in page
    assert client.get("/experts?region=Atlantis").status_code == 400
    assert client.get("/experts/nobody").status_code == 404


@pytest.mark.parametrize(
    "username, allowed", [("reg.admin", True), ("pat.fca", False), ("eve.expert", False), ("olu.other", False)]
)
def test_register_administration_is_for_the_administrator(register, as_user, username, allowed):
    client = as_user(username)
    for url in ("/experts/register", "/experts/new", "/experts/rota.csv"):
        assert client.get(url).status_code == (200 if allowed else 403), url
    assert ('name="mode-' in client.get("/experts/rota").get_data(as_text=True)) is allowed  # the grid to set it
    assert (client.post_form("/experts/ben-bennett/retire", {"reason": "left"}).status_code == 302) is allowed


def test_experts_edit_their_own_entry_only(register, as_user):
    client = as_user("eve.expert")
    assert client.get("/experts/mine").headers["Location"].endswith("/experts/eve-expert")
    assert client.get("/experts/ben-bennett/edit").status_code == 403
    assert client.post_form("/experts/ben-bennett/edit", {"job_title": "Hijacked"}).status_code == 403
    assert client.post_form("/experts/ben-bennett/away", {"away_until": "2026-12-31"}).status_code == 403
    form = client.get("/experts/eve-expert/edit").get_data(as_text=True)
    assert 'name="name"' not in form  # the name is the administrator's
    data = {
        "job_title": "Family Court Adviser (adoption)",
        "region": "North West",
        "areas": ["adoption"],
        "skills": "special guardianship",
        "languages": "English",
        "phone": "0161 496 0000",
        "email": "eve.expert@example.org",
        "availability": "Mon 25:00-26:00\nTue 12:00-09:00",
        "about": "Adoption.",
    }
    response = client.post_form("/experts/eve-expert/edit", data)
    page = response.get_data(as_text=True)
    assert response.status_code == 400 and "25:00 is not a time of day" in page and "ends before it starts" in page
    assert register["eve_entry"].availability == ["Mon 09:30-12:30", "Tue 17:00-20:00"]
    response = client.post_form(
        "/experts/eve-expert/edit",
        {**data, "availability": "Wed 10:00-12:00", "region": "Narnia", "areas": ["nowhere"]},
    )
    assert response.status_code == 400 and "There is no region called “Narnia”" in response.get_data(as_text=True)
    assert client.post_form("/experts/eve-expert/edit", {**data, "availability": "wed 10:00-12:00"}).status_code == 302
    db.session.expire_all()
    assert db.session.get(Expert, register["eve_entry"].id).availability == ["Wed 10:00-12:00"]


def test_the_administrator_adds_an_expert_and_duplicates_are_refused(register, as_user):
    client = as_user("reg.admin")
    data = {
        "name": "Dee Dupe",
        "job_title": "FCA",
        "region": "London",
        "areas": ["contact"],
        "skills": "contact centres",
        "languages": "English",
        "email": "dee@example.org",
        "availability": "Thu 13:30-16:30",
    }
    assert client.post_form("/experts/new", data).headers["Location"].endswith("/experts/dee-dupe")
    response = client.post_form("/experts/new", data)
    assert response.status_code == 400 and "already on the register" in errors_in(response.get_data(as_text=True))
    assert db.session.query(Expert).count() == 3


def test_the_rota_page_saves_and_names_bad_hours(register, as_user):
    client = as_user("reg.admin")
    ben = register["ben_entry"]
    url = "/experts/rota?week=2030-12-23"
    page = client.get(url).get_data(as_text=True)
    assert "Rota for the week of 23 December 2030" in page and f'name="hours-2030-12-25-{ben.id}"' in page
    response = client.post_form(
        url, {"mode-2030-12-24": "rota", f"hours-2030-12-24-{ben.id}": "25:00-26:00", "mode-2030-12-25": "closed"}
    )
    assert response.status_code == 400 and "Ben Bennett on Tue 24 Dec: “25:00-26:00”" not in errors_in(
        response.get_data(as_text=True)
    )
    assert "25:00 is not a time of day" in errors_in(response.get_data(as_text=True))
    assert db.session.query(RotaDay).count() == 0  # nothing saved, not even the valid day
    response = client.post_form(
        url,
        {
            "mode-2030-12-24": "rota",
            f"hours-2030-12-24-{ben.id}": "09:00-12:00",
            "mode-2030-12-25": "closed",
            "note-2030-12-25": "Christmas Day",
        },
    )
    assert response.status_code == 302
    assert {d.day.isoformat(): d.closed for d in db.session.query(RotaDay)} == {"2030-12-24": False, "2030-12-25": True}


def test_logging_a_call_warns_of_case_details_before_saving(register, as_user):
    client = as_user("eve.expert")
    form = client.get("/advice-line/new").get_data(as_text=True)
    assert "No case details" in form and '<option selected value="eve-expert">' in form
    data = {
        "expert": "eve-expert",
        "called_on": "2026-11-20",
        "area": "adoption",
        "minutes": "15",
        "question": "Can Kayden (7) be placed with his aunt under special guardianship?",
        "advice": "Yes, after an assessment.",
    }
    response = client.post_form("/advice-line/new", data)
    page = response.get_data(as_text=True)
    assert response.status_code == 400 and "Kayden (7)" in errors_in(page)
    assert "This may hold case details." in page and 'name="confirm_safe"' in page  # the warning, then the box
    assert db.session.query(AdviceCall).count() == 0
    slip = {**data, "question": "Can a child be placed with an aunt in LS6 2QT under special guardianship?"}
    response = client.post_form("/advice-line/new", slip)
    assert response.status_code == 400 and "LS6 2QT" in errors_in(response.get_data(as_text=True))
    assert db.session.query(AdviceCall).count() == 0
    assert client.post_form("/advice-line/new", {**slip, "confirm_safe": "y"}).status_code == 302
    assert db.session.query(AdviceCall).count() == 1
    assert (
        client.post_form("/advice-line/new", {**data, "expert": "ben-bennett"}).status_code == 400
    )  # not a choice for Eve
    response = client.post_form(
        "/advice-line/new", {**data, "question": "Can a child be placed with an aunt under special guardianship?"}
    )
    assert response.status_code == 302
    assert db.session.query(AdviceCall).count() == 2
    assert as_user("pat.fca").get("/advice-line/new").status_code == 403
    assert as_user("pat.fca").get("/advice-line").status_code == 403
    assert as_user("olu.other").get("/advice-line/report").status_code == 200  # lead managers see the report


def test_nominating_and_deciding_through_the_pages(register, as_user):
    client = as_user("olu.other")
    form = client.get("/experts/nominate").get_data(as_text=True)
    assert 'value="adoption"' in form and 'value="contact"' not in form  # only areas they lead
    response = client.post_form(
        "/experts/nominate", {"area": "contact", "name": "Nick Nominee", "region": "London", "reason": "Good."}
    )
    assert response.status_code == 400 and "only for the areas you lead" in response.get_data(as_text=True)
    response = client.post_form(
        "/experts/nominate",
        {"area": "adoption", "name": "Nick Nominee", "region": "London", "reason": "Years of adoption work."},
    )
    assert response.status_code == 400  # no skills, and no way to reach them
    assert "at least one skill" in response.get_data(as_text=True) and "Give their email address" in response.get_data(
        as_text=True
    )
    assert (
        client.post_form(
            "/experts/nominate",
            {
                "area": "adoption",
                "name": "Nick Nominee",
                "region": "London",
                "skills": "adoption",
                "email": "nick@example.org",
                "reason": "Years of adoption work.",
            },
        ).status_code
        == 302
    )
    admin = as_user("reg.admin")
    page = admin.get("/experts/register").get_data(as_text=True)
    assert "Nick Nominee" in page and "Nominations waiting for a decision (1)" in page
    assert (
        admin.post_form("/experts/nominations/1/decline", {"note": ""}).status_code == 302
    )  # refused: a reason is needed
    response = admin.post_form("/experts/nominations/1/accept", {"note": ""})
    assert response.headers["Location"].endswith("/experts/nick-nominee/edit")
    assert admin.post_form("/experts/nominations/99/accept").status_code == 404


def test_the_home_page_points_to_the_line(register, as_user):
    page = as_user("pat.fca").get("/").get_data(as_text=True)
    assert "Practice Advice Line:" in page and ("on the line now" in page or "nobody is on the line right now" in page)


def test_a_retired_expert_can_no_longer_change_the_entry(register, as_user):
    from cafpedia.experts import entries

    entries.retire(register["reg"], register["eve_entry"], "Left CAFCASS")
    db.session.commit()
    client = as_user("eve.expert")
    assert client.post_form("/experts/eve-expert/edit", {"job_title": "Still here"}).status_code == 403
    assert client.post_form("/experts/eve-expert/confirm").status_code == 403
    assert client.post_form("/experts/eve-expert/away", {"away_until": "2030-01-01"}).status_code == 403
    assert client.get("/experts/eve-expert").status_code == 404
    assert client.get("/experts/mine").headers["Location"].endswith("/experts")


@pytest.mark.parametrize(
    "url",
    [
        "/experts?endpoint=x&_method=POST&q=adoption",
        "/experts/rota?week=9999-12-31",
        "/experts/register?week=9999-12-31",
        "/experts/register?week=0001-01-01",
        "/advice-line/report?months=" + "9" * 5000,
        "/advice-line/99999999999999999999",
        "/tips/new?call=99999999999999999999",
    ],
)
def test_odd_addresses_never_break_the_pages(register, as_user, url):
    assert as_user("reg.admin").get(url).status_code in (200, 400, 404)
    assert as_user("reg.admin").post_form("/experts/nominations/99999999999999999999/accept").status_code == 404


def test_an_area_page_lists_its_experts(register, as_user):
    page = as_user("pat.fca").get("/areas/adoption").get_data(as_text=True)
    assert "Experts on the Practice Advice Line" in page and "/experts/eve-expert" in page and "ben-bennett" not in page
    assert "0161 496 0000" not in page  # how to reach them is on the expert's own page


def test_the_rota_and_the_gaps_open_on_the_coming_week_and_download_as_csv(register, as_user, clock):
    from datetime import datetime

    admin = as_user("reg.admin")
    # Sunday 29 November 2026: the week that matters is the one starting Monday 30 November.
    clock.set(datetime(2026, 11, 29, 10, 0))
    admin = as_user("reg.admin")
    assert "Rota for the week of 30 November 2026" in admin.get("/experts/rota").get_data(as_text=True)
    assert "Gaps in the week of 30 November 2026" in admin.get("/experts/register").get_data(as_text=True)
    clock.set(datetime(2026, 11, 30, 10, 0))  # on a Monday, this week
    admin = as_user("reg.admin")
    assert "Rota for the week of 30 November 2026" in admin.get("/experts/rota").get_data(as_text=True)
    assert "Rota for the week of 23 November 2026" in admin.get("/experts/rota?week=2026-11-25").get_data(as_text=True)

    rota = admin.get("/experts/rota.csv?week=2026-11-30")
    assert (
        rota.status_code == 200
        and rota.mimetype == "text/csv"
        and "advice-line-rota-2026-11-30.csv" in rota.headers["Content-Disposition"]
    )
    lines = rota.get_data(as_text=True).splitlines()
    assert lines[0] == "date,day,this day,note,expert,hours (UK time),areas"
    assert "2026-11-30,Monday,usual slots,,Ben Bennett,11:00-15:00,contact" in lines
    gaps = admin.get("/experts/register/gaps.csv?week=2026-11-30").get_data(as_text=True).splitlines()
    assert gaps[0] == "area,experts,hours on the line,weekdays with nobody,gap" and any(
        line.startswith("Adoption,1,") for line in gaps
    )
    report = admin.get("/advice-line/report.csv?months=3")
    assert report.status_code == 200 and report.get_data(as_text=True).splitlines()[-1].startswith("all areas,")
    assert as_user("pat.fca").get("/experts/rota.csv").status_code == 403


@pytest.mark.parametrize(
    "roles, edits",
    [
        (["practitioner"], False),
        (["lead_manager"], False),
        (["expert"], False),
        (["research_coordinator"], False),
        (["legal_editor"], False),
        (["register_admin"], True),
        (["admin"], True),
    ],
)
def test_everyone_signed_in_reads_the_rota_and_only_its_administrators_change_it(
    register, make_user, as_user, clock, roles, edits
):
    from datetime import datetime

    clock.set(datetime(2026, 11, 24, 10, 0))  # Tuesday: "this week" starts Monday 23 November
    make_user("role.holder", roles, name="Role Holder")
    client = as_user("role.holder")
    response = client.get("/experts/rota?week=2026-11-30")
    page = response.get_data(as_text=True)
    assert response.status_code == 200, roles
    assert "Ben Bennett" in page and "11:00-15:00" in page  # Monday's usual slot, as read or as the grid shows it
    controls = ('name="note-' in page, 'name="mode-' in page, "Save the rota" in page)
    assert controls == (edits, edits, edits), roles
    posted = client.post_form("/experts/rota?week=2030-12-23", {"mode-2030-12-25": "closed"})
    assert (posted.status_code == 302) is edits and (posted.status_code == 403) is not edits, roles
    assert (db.session.query(RotaDay).count() == 1) is edits


def test_the_rota_for_readers_says_who_is_on_the_line_each_day_of_this_week(register, as_user, clock):
    from datetime import datetime

    admin = as_user("reg.admin")
    assert (
        admin.post_form(
            "/experts/rota?week=2026-11-30", {"mode-2026-12-01": "closed", "note-2026-12-01": "Training day"}
        ).status_code
        == 302
    )
    clock.set(datetime(2026, 12, 2, 10, 0))  # Wednesday 2 December
    page = as_user("pat.fca").get("/experts/rota").get_data(as_text=True)
    assert "Who is on the line: week of 30 November 2026" in page  # this week, not the coming one
    monday, tuesday = page.index("Monday 30 November 2026"), page.index("Tuesday 1 December 2026")
    assert (
        "Ben Bennett</a>: 11:00-15:00" in page[monday:tuesday] and "Eve Expert</a>: 09:30-12:30" in page[monday:tuesday]
    )
    assert "Training day" in page and "Closed: nobody is on the line." in page
    assert "(today)" in page[page.index("Wednesday 2 December 2026") :][:120]
    assert as_user("pat.fca").get("/experts/rota?week=2026-02-30").status_code == 400


def test_the_finder_links_keep_its_search_so_back_returns_to_the_same_results(register, as_user, clock):
    from datetime import datetime
    from html import unescape

    clock.set(datetime(2026, 11, 24, 21, 0))  # Tuesday evening: nobody on the line
    client = as_user("pat.fca")
    search = "q=adoption&area=adoption&language=Urdu&now=y"
    page = unescape(client.get(f"/experts?{search}").get_data(as_text=True))
    assert "Nobody who matches is on the line now" in page
    later = re.search(r'<a href="([^"]+)">see when they are next free</a>', page).group(1)
    assert later == "/experts?q=adoption&area=adoption&language=Urdu#results"  # every filter but "now"
    assert "Eve Expert" in client.get(later).get_data(as_text=True)
    rota = re.search(r'<a href="([^"]+)">who is on the line this week</a>', page).group(1)
    assert rota == f"/experts/rota?week=2026-11-23&{search}"
    back = re.search(
        r'<a href="([^"]+)">Back to your search results</a>', unescape(client.get(rota).get_data(as_text=True))
    )
    assert back.group(1) == f"/experts?{search}#results"
    next_week = unescape(client.get(rota).get_data(as_text=True))
    assert (
        f"/experts/rota?week=2026-11-30&amp;{search}".replace("&amp;", "&") in next_week
    )  # the week links keep it too


def test_an_impossible_day_away_is_named(register, as_user):
    client = as_user("eve.expert")
    response = client.post_form("/experts/eve-expert/away", {"away_from": "2026-11-31", "away_until": "2026-12-10"})
    assert response.status_code == 400
    assert "First day away: 31 November 2026 is not a real date: November 2026 has 30 days." in response.get_data(
        as_text=True
    )
