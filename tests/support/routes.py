"""Every route CAFpedia serves, with sample URL values from the demo content, and the people who
ask for it: the table behind tests/core/test_every_route.py.

A new route needs an entry in SAMPLES (test_every_endpoint_has_a_sample fails until it has one,
and says what to add): the values that fill its URL, taken from the demo content (or from
`seed`, for what the demo does not have), and, where the view checks the object after its
named rule (`ensure(can_moderate(...))` and the like), that check as `also`, written with the
rule functions of cafpedia/core/permissions.py. Who is then allowed or refused is derived
from the endpoint's named rule and `also`, for each role in ROLES; nothing is listed by hand.
"""

from __future__ import annotations

import secrets
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from functools import cache
from pathlib import Path

from flask import url_for
from flask_login import AnonymousUserMixin
from sqlalchemy import select

from cafpedia.accounts.models import User
from cafpedia.core.permissions import (
    RULES,
    can_compose_digest,
    can_decide,
    can_edit_expert,
    can_link_research,
    can_log_for,
    can_manage_register,
    can_moderate,
    can_see_revision,
    can_see_unpublished_tip,
    rule_for_endpoint,
)
from cafpedia.extensions import db

# Area A: dispute resolution, led by priya.chandran with fiona.mackenzie as deputy.
AREA = "dispute-resolution"
# Published in area A, with revision 2 pending (proposed by demo.expert).
TIP = "running-extended-dispute-resolution-sessions"
# Never published (area contact: fiona.mackenzie leads, priya.chandran deputises); a proposal by demo.fca.
UNPUBLISHED_TIP = "handover-arrangements-at-contact-centres"
ISSUE, ITEM = "2006-q3", "childrens-views-of-good-social-workers"  # published
DRAFT, DRAFT_ITEM = "2027-q1", "what-children-say-about-their-advisers"  # made by `seed`
LEGAL = "2004-02-09-public-law-protocol-for-care-cases"
EXPERT = "nasreen-akhtar"  # demo.expert's own entry
RETIRED_EXPERT = "margaret-ellis"
PERSON = "demo.fca"
GAP_LINE = "grandpar mediat"  # a meaning searched for in area A (made by `seed`)


@dataclass(frozen=True)
class Role:
    """Who asks: `username` None is someone not signed in, on an app with CAFPEDIA_PUBLIC_READ
    as `public_read` says."""

    name: str
    username: str | None
    public_read: bool = False


ROLES = [
    Role("anonymous", None),
    Role("anonymous-public-read", None, public_read=True),
    Role("practitioner", "demo.fca"),
    Role("deputy-of-area", "fiona.mackenzie"),
    Role("lead-of-area", "priya.chandran"),
    Role("lead-of-another-area", "daniel.osei"),
    Role("research-coordinator", "research.coordinator"),
    Role("legal-editor", "legal.editor"),
    Role("register-admin", "register.admin"),
    Role("expert", "demo.expert"),
    Role("admin", "demo.admin"),
]


class Demo:
    """The demo content's objects, for the object rules (inside an app context)."""

    def tip(self, slug: str):
        from cafpedia.tips.reading import find_tip

        return find_tip(slug)

    def area(self, slug: str):
        from cafpedia.areas.services import find_area

        return find_area(slug)

    def revision(self, slug: str, number: int):
        return self.tip(slug).revision(number)

    def expert(self, slug: str):
        from cafpedia.experts.lookups import find_expert

        return find_expert(slug)

    def own_entry(self, user):
        from cafpedia.experts.lookups import expert_for_user

        return expert_for_user(user) if getattr(user, "is_authenticated", False) else None


ObjectRule = Callable[[object, Demo], bool]


@dataclass(frozen=True)
class Sample:
    """How to ask for an endpoint: `values` fill its URL (`{name}` is one of `seed`'s ids),
    `query` is added to a GET. `also` is the view's check on the object, after the endpoint's
    named rule. A refused reader gets `refused` (403; 404 where the page hides that the
    object exists). `allowed_status` is what an allowed reader gets when that is not a 2xx or
    3xx, `signed_out_status` the same for an allowed reader not signed in (with the reason in
    `why`)."""

    values: dict[str, str] = field(default_factory=dict)
    query: str = ""
    also: ObjectRule | None = None
    refused: int = 403
    allowed_status: int | None = None
    signed_out_status: int | None = None
    why: str = ""


def moderates(slug: str) -> ObjectRule:
    return lambda user, demo: can_moderate(user, demo.area(slug))


def decides(slug: str, number: int) -> ObjectRule:
    return lambda user, demo: (
        can_see_revision(user, demo.revision(slug, number)) and can_decide(user, demo.revision(slug, number))
    )


def moderates_tip(slug: str) -> ObjectRule:
    return lambda user, demo: can_moderate(user, demo.tip(slug).area)


def edits_expert(slug: str) -> ObjectRule:
    return lambda user, demo: can_edit_expert(user, demo.expert(slug))


def logs_calls(user, demo: Demo) -> bool:
    """Experts on the register log their own calls, the register administrator anyone's."""
    mine = demo.own_entry(user)
    return can_manage_register(user) or (mine is not None and can_log_for(user, mine))


def sees_unpublished(user, demo: Demo) -> bool:
    return can_see_unpublished_tip(user, demo.tip(UNPUBLISHED_TIP))


tip = {"slug": TIP}
draft = {"issue_slug": DRAFT}
draft_item = {"issue_slug": DRAFT, "item_slug": DRAFT_ITEM}
expert = {"slug": EXPERT}
person = {"username": PERSON}

SAMPLES: dict[str, Sample] = {
    # Open to anyone
    "static": Sample({"filename": "cafpedia.css"}),
    "ops.healthz": Sample(),
    "ops.metrics": Sample(),  # the test client asks from 127.0.0.1, on the default allow list
    "offline.service_worker": Sample(),
    "offline.manifest": Sample(),
    "offline.shell": Sample(),
    "offline.pages": Sample(signed_out_status=401, why="pages.json answers 401 itself when signed out"),
    "accounts.sign_in": Sample(),
    "accounts.sign_in_with_provider": Sample(allowed_status=404, why="no identity provider is configured"),
    "accounts.provider_return": Sample(allowed_status=404, why="no identity provider is configured"),
    "accounts.invitation": Sample({"token": "{invitation}"}),
    # One's own account
    "accounts.account": Sample(),
    "accounts.change_password": Sample(),
    "accounts.sign_out_everywhere": Sample(),
    "accounts.sign_out": Sample(),
    "notifications.index": Sample(),
    "notifications.mark_read": Sample(),
    "notifications.settings": Sample(),
    "notifications.watch": Sample(),
    "notifications.unwatch": Sample(),
    # Reading
    "home.index": Sample(),
    "areas.index": Sample(),
    "areas.show": Sample({"slug": AREA}),
    "standards.index": Sample(),
    "standards.version": Sample({"version": "2007-draft"}),
    "standards.clause": Sample({"version": "2007-draft", "code": "1.1"}),
    "search.results": Sample(query="q=contact"),
    "search.api": Sample(query="q=contact"),
    "search.opensearch": Sample(),
    "search.go": Sample(query="t=AAAAAAAAAAAAAAAAAAAAAA&to=/areas"),
    "tips.show": Sample(tip),
    "tips.history": Sample(tip),
    "tips.compare": Sample(tip, query="from=1&to=1"),
    "tips.record": Sample(tip, query="as_at=2026-11-01"),
    "tips.revision": Sample(
        {"slug": TIP, "number": "2"}, also=lambda user, demo: can_see_revision(user, demo.revision(TIP, 2))
    ),
    "digest.home": Sample(),
    "digest.archive": Sample(),
    "digest.feed": Sample(),
    "digest.issue": Sample({"issue_slug": ISSUE}),
    "digest.item": Sample({"issue_slug": ISSUE, "item_slug": ITEM}),
    "digest.print_styles": Sample({"issue_slug": ISSUE}),
    "legal.index": Sample(),
    "legal.feed": Sample(),
    "legal.area_feed": Sample({"area_slug": AREA}),
    "legal.show": Sample({"slug": LEGAL}),
    "legal.history": Sample({"slug": LEGAL}),
    "experts.index": Sample(),
    "experts.show": Sample(expert),
    # Proposing and giving feedback
    "tips.new": Sample(),
    "tips.edit": Sample(tip),
    "tips.mine": Sample(),
    "tips.similar": Sample(),
    "tips.useful": Sample(tip),
    "tips.report_problem": Sample(tip),
    "digest.suggestions": Sample(),
    # Moderating area A
    "tips.queue": Sample(),
    "tips.reviews": Sample(),
    "tips.health": Sample(),
    "tips.health_download": Sample(),
    "tips.area_changes": Sample({"slug": AREA}, also=moderates(AREA)),
    "tips.area_changes_download": Sample({"slug": AREA}, also=moderates(AREA)),
    "gaps.page": Sample({"slug": AREA}, also=moderates(AREA)),
    "gaps.download": Sample({"slug": AREA}, also=moderates(AREA)),
    "gaps.not_for": Sample(
        {"slug": AREA},
        query="line=search/nobody+searched",
        also=moderates(AREA),
        allowed_status=404,
        signed_out_status=404,
        why="the demo has no line of that meaning on the list",
    ),
    "gaps.put_back": Sample({"slug": AREA}, also=moderates(AREA)),
    "tips.approve": Sample({"slug": TIP, "number": "2"}, also=decides(TIP, 2)),
    "tips.reject": Sample({"slug": TIP, "number": "2"}, also=decides(TIP, 2)),
    "tips.send_back": Sample({"slug": TIP, "number": "2"}, also=decides(TIP, 2)),
    "tips.restore": Sample({"slug": TIP, "number": "1"}, also=moderates_tip(TIP)),
    "tips.reviewed": Sample(tip, also=moderates_tip(TIP)),
    "tips.archive": Sample(tip, also=moderates_tip(TIP)),
    "digest.tip_research": Sample(tip, also=lambda user, demo: can_link_research(user, demo.tip(TIP))),
    "search.synonyms": Sample(),
    # The research digest
    "digest.new_issue": Sample(),
    "digest.edit_issue": Sample(draft),
    "digest.delete_issue": Sample(draft),
    "digest.new_item": Sample(draft),
    "digest.edit_item": Sample(draft_item),
    "digest.move_item": Sample(draft_item),
    "digest.remove_item": Sample(draft_item),
    "digest.confirm_publish": Sample(draft),
    "digest.publish": Sample(draft),
    "digest.correct_introduction": Sample({"issue_slug": ISSUE}),
    "digest.decide": Sample({"suggestion_id": "{suggestion}"}),
    # Legal updates
    "legal.new": Sample(),
    "legal.edit": Sample({"slug": LEGAL}),
    "legal.flag": Sample({"slug": LEGAL}),
    "legal.withdraw": Sample({"slug": LEGAL}),
    # The Register of Experts and the advice line
    "experts.mine": Sample(),  # to one's own entry, or to the finder with a word on how to get one
    "experts.edit": Sample(expert, also=edits_expert(EXPERT)),
    "experts.away": Sample(expert, also=edits_expert(EXPERT)),
    "experts.back": Sample(expert, also=edits_expert(EXPERT)),
    "experts.confirm": Sample(expert, also=edits_expert(EXPERT)),
    "experts.new": Sample(),
    "experts.retire": Sample(expert),
    "experts.reinstate": Sample({"slug": RETIRED_EXPERT}),
    "experts.nominate": Sample(),
    "experts.decide": Sample({"nomination_id": "{nomination}", "decision": "decline"}),
    "experts.register": Sample(),
    "experts.gaps_download": Sample(),
    "experts.rota": Sample(),
    "experts.save_rota": Sample(),
    "experts.rota_download": Sample(),
    "experts.calls": Sample(),
    "experts.call": Sample({"call_id": "1"}),
    "experts.log_call": Sample(also=logs_calls),
    "experts.report": Sample(),
    "experts.report_download": Sample(),
    # Administration
    "admin.home": Sample(),
    "admin.audit_log": Sample(),
    "mail.index": Sample(),
    "mail.retry": Sample({"message_id": "{mail}"}),
    "areas.admin_index": Sample(),
    "areas.new": Sample(),
    "areas.edit": Sample({"slug": AREA}),
    "accounts.people": Sample(),
    "accounts.new_person": Sample(),
    "accounts.import_people": Sample(),
    "accounts.invite_imported": Sample(),
    "accounts.person": Sample(person),
    "accounts.set_active": Sample(person),
    "accounts.forget_identity": Sample(person),
    "accounts.invite": Sample(person),
    "accounts.reset_password": Sample(person),
    "accounts.access_requests": Sample(),
    "accounts.access_request": Sample({"request_id": "{access_request}"}),
    "accounts.decline_access": Sample({"request_id": "{access_request}"}),
}


# More samples for endpoints whose objects differ in who may see them.
MORE_SAMPLES: list[tuple[str, Sample]] = [
    # A tip never published, its history and its record included: its authors and the area's
    # moderators; anyone else is told there is none.
    *[
        (endpoint, Sample(values, query=query, also=sees_unpublished, refused=404))
        for endpoint, values, query in [
            ("tips.show", {"slug": UNPUBLISHED_TIP}, ""),
            ("tips.history", {"slug": UNPUBLISHED_TIP}, ""),
            ("tips.compare", {"slug": UNPUBLISHED_TIP}, "from=1&to=1"),
            ("tips.record", {"slug": UNPUBLISHED_TIP}, "as_at=2026-11-01"),
            ("tips.revision", {"slug": UNPUBLISHED_TIP, "number": "1"}, ""),
            ("tips.edit", {"slug": UNPUBLISHED_TIP}, ""),
            ("tips.useful", {"slug": UNPUBLISHED_TIP}, ""),
            ("tips.report_problem", {"slug": UNPUBLISHED_TIP}, ""),
        ]
    ],
    # A comparison with a pending proposal: as the proposal itself.
    (
        "tips.compare",
        Sample(tip, query="from=1&to=2", also=lambda u, d: can_see_revision(u, d.revision(TIP, 2))),
    ),
    # A draft digest issue's item and print styles: its composers'.
    ("digest.item", Sample(draft_item, also=lambda u, d: can_compose_digest(u), refused=404)),
    ("digest.print_styles", Sample(draft, also=lambda u, d: can_compose_digest(u), refused=404)),
    # Someone else's entry on the register.
    *[
        (endpoint, Sample({"slug": "ayesha-rahman"}, also=edits_expert("ayesha-rahman")))
        for endpoint in ("experts.edit", "experts.away", "experts.back", "experts.confirm")
    ],
    # A retired expert: the register administrator's; anyone else is told there is none.
    ("experts.show", Sample({"slug": RETIRED_EXPERT}, also=lambda u, d: can_manage_register(u), refused=404)),
    # A draft digest issue: its composers'; anyone else is told there is none.
    ("digest.issue", Sample(draft, also=lambda u, d: can_compose_digest(u), refused=404)),
    # Another area's changes (daniel.osei leads commissioning; area A's moderators do not).
    ("tips.area_changes", Sample({"slug": "commissioning"}, also=moderates("commissioning"))),
]


@cache
def url_map() -> tuple[list[tuple[str, frozenset[str], str]], dict[str, str]]:
    """(endpoint, methods, rule) for every rule of the app's URL map, and each endpoint's named
    rule, from an app that is never served (its instance folder in the system's temporary one)."""
    from cafpedia import create_app

    folder = Path(tempfile.gettempdir()) / "cafpedia-url-map"
    app = create_app(
        {"TESTING": True, "SECRET_KEY": "x", "SQLALCHEMY_DATABASE_URI": "sqlite://", "INSTANCE_PATH": str(folder)}
    )
    with app.test_request_context():
        named = {r.endpoint: rule_for_endpoint(r.endpoint) for r in app.url_map.iter_rules()}
    routes = [(r.endpoint, frozenset(r.methods - {"HEAD", "OPTIONS"}), r.rule) for r in app.url_map.iter_rules()]
    return routes, named


def allowed(app, role: Role, endpoint: str, sample: Sample) -> tuple[bool, bool]:
    """(the endpoint's named rule lets this role in, and so does the view's check on the object),
    asked as the test client asks (from 127.0.0.1)."""
    with app.test_request_context(environ_base={"REMOTE_ADDR": "127.0.0.1"}):
        user = (
            db.session.scalar(select(User).where(User.username == role.username))
            if role.username
            else AnonymousUserMixin()
        )
        by_rule = RULES[rule_for_endpoint(endpoint)](user)
        return by_rule, by_rule and (sample.also is None or sample.also(user, Demo()))


def sample_url(app, endpoint: str, sample: Sample, ids: dict[str, str], *, query: bool = True) -> str:
    values = {k: v.format(**ids) for k, v in sample.values.items()}
    with app.test_request_context():
        url = url_for(endpoint, **values)
    return f"{url}?{sample.query}" if query and sample.query else url


def seed() -> dict[str, str]:
    """What the demo content lacks and some routes need: a draft digest issue with an item, a
    research suggestion, a nomination, a failed email, an access request and an invitation.
    Returns their ids, for the `{name}` values of SAMPLES."""
    from cafpedia.accounts.models import AccessRequest, Invitation
    from cafpedia.accounts.sessions import token_hash
    from cafpedia.core.clock import utcnow
    from cafpedia.digest import composing, drafts
    from cafpedia.digest import suggestions as digest_suggestions
    from cafpedia.experts import nominations
    from cafpedia.mail.models import FAILED, MailMessage

    def user(name):
        return db.session.scalar(select(User).where(User.username == name))

    coordinator, fca = user("research.coordinator"), user(PERSON)
    issue = composing.create_issue(coordinator, drafts.IssueDraft(number=99, quarter="2027-Q1", title="Spring 2027"))
    composing.add_item(
        coordinator,
        issue,
        drafts.ItemDraft(
            title="What children say about their advisers",
            source="Children's views report, 2006",
            summary="Children valued being **listened** to.",
            implications="- Explain your role.",
            areas=["private-law"],
        ),
    )
    suggestion = digest_suggestions.suggest(fca, "Sibling contact after adoption", "What does the research say?")
    nomination = nominations.nominate(
        user("priya.chandran"),
        nominations.NominationDraft(
            area=AREA,
            name="Rosa Lindgren",
            username="",
            job_title="Senior FCA",
            region="London",
            skills=["extended dispute resolution"],
            reason="Runs the region's EDR sessions and trains others in them.",
            email="rosa.lindgren@example.org",
        ),
    )
    now = utcnow()
    mail = MailMessage(
        user_id=fca.id,
        to_addr="demo.fca@example.org",
        kind="test",
        subject="A message that failed",
        body_text="Text",
        body_html="<p>Text</p>",
        status=FAILED,
        attempts=10,
        last_error="550 mailbox unavailable",
    )
    access = AccessRequest(
        issuer="https://login.example.org",
        subject="s-1",
        email="new.starter@example.org",
        email_verified=True,
        name="New Starter",
        created_at=now,
        last_tried_at=now,
        tries=1,
        status=AccessRequest.WAITING,
    )
    token = secrets.token_urlsafe(32)
    invitation = Invitation(
        user_id=user("helen.whitfield").id,
        token_hash=token_hash(token),
        created_at=now,
        expires_at=now + timedelta(days=3),
    )
    from cafpedia.areas.services import find_area
    from cafpedia.search.demand.models import SearchDemandDay
    from tests.conftest import PINNED_AT  # the day of every test (a seed may be made before the clock is pinned)

    # Searches in area A that found nothing, by 3 people: a line of its "What people need".
    demand = SearchDemandDay(
        day=PINNED_AT.date() - timedelta(days=1),
        area_id=find_area(AREA).id,
        meaning_key=GAP_LINE,
        example="mediation for grandparents",
        searches=4,
        people=3,
        found_nothing=4,
        opened=0,
    )
    db.session.add_all([mail, access, invitation, demand])
    db.session.commit()
    return {
        "suggestion": str(suggestion.id),
        "nomination": str(nomination.id),
        "mail": str(mail.id),
        "access_request": str(access.id),
        "invitation": token,
    }
