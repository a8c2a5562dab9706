"""Practice areas: listing, creating and editing them, and who moderates which. The people an
area names are found by accounts.people.moderators_named: areas stand below accounts."""

from __future__ import annotations

from flask import has_request_context, request
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from cafpedia.areas.models import PracticeArea, led_by
from cafpedia.core import audit
from cafpedia.core.content_version import kept
from cafpedia.core.errors import ValidationError
from cafpedia.core.forms import choices
from cafpedia.core.permissions import ADMIN
from cafpedia.core.validation import SLUG_WORDS
from cafpedia.extensions import db

SLUG_RE = SLUG_WORDS
SLUG_MAX = 64
TITLE_MAX = 120
SUMMARY_MAX = 2000


def slug_problem(value: str) -> str | None:
    if not value:
        return "Enter a short name for the web address, such as private-law."
    if len(value) > SLUG_MAX or not SLUG_RE.match(value):
        return (
            f"Use at most {SLUG_MAX} lower-case letters and digits, with single hyphens "
            "between words (for example domestic-violence)."
        )
    return None


def title_problem(value: str) -> str | None:
    if not value or not value.strip():
        return "Enter a title."
    if len(value) > TITLE_MAX:
        return f"Use at most {TITLE_MAX} characters (this has {len(value)})."
    return None


def summary_problem(value: str) -> str | None:
    if value and len(value) > SUMMARY_MAX:
        return f"Use at most {SUMMARY_MAX} characters (this has {len(value)})."
    return None


def area_snapshot(area: PracticeArea) -> dict:
    return {
        "slug": area.slug,
        "title": area.title,
        "summary": area.summary,
        "lead": area.lead.username if area.lead else None,
        "deputies": [d.username for d in area.deputies],
    }


def list_areas() -> list[PracticeArea]:
    return list(
        db.session.scalars(
            select(PracticeArea)
            .options(selectinload(PracticeArea.lead), selectinload(PracticeArea.deputies))
            .order_by(PracticeArea.position, PracticeArea.title)
        )
    )


def area_titles() -> dict[str, str]:
    """Every area's title by its slug, in the areas' order (one query: no lead, no deputies;
    kept while the content version stands)."""
    query = select(PracticeArea.slug, PracticeArea.title).order_by(PracticeArea.position, PracticeArea.title)
    return dict(kept(("area titles",), lambda: tuple(db.session.execute(query).all())))


def area_choices(blank: str | None = None, areas=None):
    """Form choices of areas (all of them unless `areas` is given), after a blank choice if `blank` names one."""

    pairs = [(a.slug, a.title) for a in (list_areas() if areas is None else areas)]
    return choices([("", blank), *pairs] if blank else pairs)


def find_area(slug: str) -> PracticeArea | None:
    return db.session.scalar(select(PracticeArea).where(PracticeArea.slug == slug))


def area_id_of(slug: str) -> int | None:
    return db.session.scalar(select(PracticeArea.id).where(PracticeArea.slug == slug))


def create_area(actor, *, slug: str, title: str, summary: str, lead=None, deputies=(), problems=None) -> PracticeArea:
    """A new area. `lead` and `deputies` are people (accounts.people.moderators_named finds them
    by username, with `problems`: what is wrong with any of them, reported with the rest)."""
    slug = (slug or "").strip().lower()
    errors = dict(problems or {})
    for field, problem in (
        ("slug", slug_problem(slug)),
        ("title", title_problem(title)),
        ("summary", summary_problem(summary)),
    ):
        if problem:
            errors[field] = problem
    if "slug" not in errors and find_area(slug):
        errors["slug"] = f"There is already an area with the address {slug}."
    if errors:
        raise ValidationError(errors)
    position = (db.session.scalar(select(func.max(PracticeArea.position))) or 0) + 1
    area = PracticeArea(
        slug=slug,
        title=title.strip(),
        summary=(summary or "").strip(),
        position=position,
        lead=lead,
        deputies=list(deputies),
    )
    db.session.add(area)
    db.session.flush()
    audit.record(actor, "area.create", "area", slug, after=area_snapshot(area))
    return area


def update_area(actor, area: PracticeArea, *, title: str, summary: str, lead=None, deputies=(), problems=None):
    """Change an area; `lead`, `deputies` and `problems` as for create_area."""
    errors = dict(problems or {})
    for field, problem in (("title", title_problem(title)), ("summary", summary_problem(summary))):
        if problem:
            errors[field] = problem
    if errors:
        raise ValidationError(errors)
    before = area_snapshot(area)
    area.title = title.strip()
    area.summary = (summary or "").strip()
    area.lead = lead
    area.deputies = list(deputies)
    db.session.flush()
    after = area_snapshot(area)
    if after != before:
        audit.record(actor, "area.update", "area", area.slug, before=before, after=after)
    return area


def moderated_area_ids(user) -> list[int] | None:
    """The areas a user moderates; None means all (an administrator). On a GET request (which
    changes no area's moderators) kept while the content version stands."""

    if ADMIN in user.roles:
        return None
    if not getattr(user, "is_active", False):
        return []

    def read() -> tuple[int, ...]:  # the statement is built only when it is asked: building it costs
        return tuple(db.session.scalars(select(PracticeArea.id).where(led_by(user))))

    if not (has_request_context() and request.method == "GET"):
        return list(read())
    return list(kept(("areas moderated by", user.id), read))


def areas_led_by(user) -> list[PracticeArea]:
    """The areas a person moderates, as lead manager or deputy, in the areas' order (one query)."""
    query = select(PracticeArea).where(led_by(user)).order_by(PracticeArea.position, PracticeArea.title)
    return list(db.session.scalars(query))


def by_slug() -> dict[str, PracticeArea]:
    """Every area of practice, by slug."""
    return {a.slug: a for a in db.session.scalars(select(PracticeArea))}
