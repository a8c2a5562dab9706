"""Looking up entries in the Register of Experts: one by its address (or 404 for someone who
may not see a retired entry), the entry of a person, and every entry."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from cafpedia.accounts.models import User
from cafpedia.accounts.people import find_user
from cafpedia.core.errors import NotFound
from cafpedia.core.permissions import is_signed_in
from cafpedia.experts.models import Expert, ExpertArea
from cafpedia.extensions import db


def find_expert(slug: str) -> Expert | None:
    return db.session.scalar(select(Expert).where(Expert.slug == slug))


def get_expert(slug: str) -> Expert:
    expert = find_expert(slug)
    if expert is None:
        raise NotFound(f"There is no expert {slug!r} on the register.")
    return expert


def expert_for_user(user) -> Expert | None:
    return user.expert_entry if is_signed_in(user) else None


def all_experts(*, active: bool | None = True, with_areas: bool = True) -> list[Expert]:
    query = select(Expert).order_by(Expert.name)
    if with_areas:
        query = query.options(selectinload(Expert.area_links).selectinload(ExpertArea.area))
    if active is not None:
        query = query.where(Expert.active.is_(active))
    return list(db.session.scalars(query))


def account_and_entry(username: str) -> tuple[User | None, Expert | None, str | None]:
    """The account a username names and its entry on the register (if it has one), or the
    problem: there is no such account. A blank username names nothing and is no problem."""
    if not username:
        return None, None, None
    user = find_user(username)
    if user is None:
        return None, None, f"There is no account with the username {username}."
    return user, expert_for_user(user), None
