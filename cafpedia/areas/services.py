"""Practice areas: listing, creating and editing, with lead managers and deputies."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from cafpedia.accounts.models import User, UserRole
from cafpedia.areas.models import PracticeArea, led_by
from cafpedia.core import audit
from cafpedia.core.errors import ValidationError
from cafpedia.core.forms import choices
from cafpedia.core.permissions import LEAD_MANAGER
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


def moderator_problem(user: User | None, username: str, what: str) -> str | None:
    if user is None:
        return f"{what}: there is no account called {username}."
    if LEAD_MANAGER not in user.roles:
        return f"{what}: {username} does not hold the lead manager role."
    if not user.active:
        return f"{what}: {username}'s account is deactivated."
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


def area_choices(blank: str | None = None, areas=None):
    """Form choices of areas (all of them unless `areas` is given), after a blank choice if `blank` names one."""

    pairs = [(a.slug, a.title) for a in (list_areas() if areas is None else areas)]
    return choices([("", blank), *pairs] if blank else pairs)


def find_area(slug: str) -> PracticeArea | None:
    return db.session.scalar(select(PracticeArea).where(PracticeArea.slug == slug))


def lead_manager_choices() -> list[User]:
    """Active accounts that can be named lead manager or deputy."""

    return list(
        db.session.scalars(
            select(User)
            .where(User.active.is_(True), User.role_rows.any(UserRole.role == LEAD_MANAGER))
            .order_by(User.name)
        )
    )


def _resolve_people(lead: str | None, deputies: Iterable[str]) -> tuple[dict, User | None, list[User]]:
    errors: dict[str, str] = {}
    lead_user = None
    if lead:
        lead_user = db.session.scalar(select(User).where(User.username == lead))
        problem = moderator_problem(lead_user, lead, "Lead manager")
        if problem:
            errors["lead"] = problem
    deputy_users: list[User] = []
    problems = []
    for username in dict.fromkeys(deputies):
        user = db.session.scalar(select(User).where(User.username == username))
        problem = moderator_problem(user, username, "Deputy")
        if problem:
            problems.append(problem)
        elif lead and username == lead:
            problems.append(f"Deputy: {username} is already the lead manager of this area.")
        else:
            deputy_users.append(user)
    if problems:
        errors["deputies"] = " ".join(problems)
    return errors, lead_user, deputy_users


def create_area(actor, *, slug: str, title: str, summary: str, lead: str | None, deputies) -> PracticeArea:
    slug = (slug or "").strip().lower()
    errors, lead_user, deputy_users = _resolve_people(lead, deputies)
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
        lead=lead_user,
        deputies=deputy_users,
    )
    db.session.add(area)
    db.session.flush()
    audit.record(actor, "area.create", "area", slug, after=area_snapshot(area))
    return area


def update_area(actor, area: PracticeArea, *, title: str, summary: str, lead: str | None, deputies) -> PracticeArea:
    errors, lead_user, deputy_users = _resolve_people(lead, deputies)
    for field, problem in (("title", title_problem(title)), ("summary", summary_problem(summary))):
        if problem:
            errors[field] = problem
    if errors:
        raise ValidationError(errors)
    before = area_snapshot(area)
    area.title = title.strip()
    area.summary = (summary or "").strip()
    area.lead = lead_user
    area.deputies = deputy_users
    db.session.flush()
    after = area_snapshot(area)
    if after != before:
        audit.record(actor, "area.update", "area", area.slug, before=before, after=after)
    return area


def areas_led_by(user: User) -> list[PracticeArea]:
    """The areas a person moderates, as lead manager or deputy (one query)."""
    return list(
        db.session.scalars(select(PracticeArea).where(led_by(user)).order_by(PracticeArea.position, PracticeArea.title))
    )


def by_slug() -> dict[str, PracticeArea]:
    """Every area of practice, by slug."""
    return {a.slug: a for a in db.session.scalars(select(PracticeArea))}
