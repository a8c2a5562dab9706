"""People, for administrators: finding and listing them, adding one, changing their details,
roles and areas, deactivating, and passwords (reset by an administrator, or changed by the
person). No request or session in here; callers commit."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select
from werkzeug.security import check_password_hash

from cafpedia.accounts import lockout
from cafpedia.accounts.fields import (
    PASSWORDS_FOR_ADMINS_ONLY_HERE,
    email_problem,
    hash_password,
    may_use_password,
    name_problem,
    password_problem,
    roles_problem,
    user_snapshot,
    username_problem,
)
from cafpedia.accounts.models import User, UserRole, user_areas
from cafpedia.areas.models import PracticeArea
from cafpedia.areas.services import areas_led_by
from cafpedia.core import audit
from cafpedia.core.errors import NotAllowed, ValidationError
from cafpedia.core.permissions import ADMIN, LEAD_MANAGER
from cafpedia.core.sql import contains
from cafpedia.extensions import db


def find_user(username: str) -> User | None:
    return db.session.scalar(select(User).where(User.username == username.strip().lower()))


def count_active_admins(*, lock: bool = False) -> int:
    """Active administrators. With `lock`, their rows stay locked until the transaction
    ends (PostgreSQL), so two admins demoting each other at once cannot leave none."""
    query = select(User.id).join(UserRole).where(UserRole.role == ADMIN, User.active.is_(True))
    if lock:
        query = query.with_for_update(of=User)
    return len(db.session.scalars(query).all())


def _areas_moderated_by(user: User) -> str:

    return ", ".join(a.title for a in areas_led_by(user))


def list_users(*, role: str = "", status: str = "", text: str = ""):
    query = select(User).order_by(User.username)
    if role:
        query = query.where(User.role_rows.any(UserRole.role == role))
    if status == "active":
        query = query.where(User.active.is_(True))
    elif status == "deactivated":
        query = query.where(User.active.is_(False))
    if text:
        text = text.strip()
        query = query.where(contains(User.username, text) | contains(User.name, text) | contains(User.email, text))
    return list(db.session.scalars(query))


def _resolve_areas(slugs: Iterable[str]):
    slugs = list(dict.fromkeys(slugs))
    if not slugs:
        return [], None
    found = {a.slug: a for a in db.session.scalars(select(PracticeArea).where(PracticeArea.slug.in_(slugs)))}
    missing = [s for s in slugs if s not in found]
    if missing:
        return [], f"Unknown area {', '.join(missing)}."
    return sorted(found.values(), key=lambda a: (a.position, a.slug)), None


def check_person_fields(name: str, email: str, roles, area_slugs) -> tuple[dict[str, str], list]:
    errors: dict[str, str] = {}
    for field, problem in (
        ("name", name_problem(name)),
        ("email", email_problem(email)),
        ("roles", roles_problem(roles)),
    ):
        if problem:
            errors[field] = problem
    areas, area_problem = _resolve_areas(area_slugs)
    if area_problem:
        errors["areas"] = area_problem
    return errors, areas


def create_user(
    actor,
    *,
    username: str,
    name: str,
    email: str = "",
    roles: Iterable[str],
    areas: Iterable[str] = (),
    password: str | None,
    demo: bool = False,
    active: bool = True,
) -> User:
    username = (username or "").strip().lower()
    roles = list(roles)
    errors, area_objects = check_person_fields(name, email, roles, list(areas))
    problem = username_problem(username)
    if problem:
        errors["username"] = problem
    elif find_user(username):
        errors["username"] = f"There is already an account called {username}."
    if password is not None:
        problem = password_problem(password)
        if problem:
            errors["password"] = problem
    if errors:
        raise ValidationError(errors)
    user = User(
        username=username,
        name=name.strip(),
        email=(email or "").strip(),
        password_hash=hash_password(password) if password else None,
        active=active,
        demo=demo,
    )
    user.set_roles(roles)
    user.areas = area_objects
    db.session.add(user)
    db.session.flush()
    audit.record(actor, "user.create", "user", username, after=user_snapshot(user))
    return user


def update_user(actor, user: User, *, name: str, email: str, roles, areas) -> User:
    roles = list(roles)
    errors, area_objects = check_person_fields(name, email, roles, list(areas))
    if ADMIN in user.roles and ADMIN not in roles and user.active:
        if actor is not None and actor.id == user.id:
            errors["roles"] = "You cannot remove your own administrator role."
        elif count_active_admins(lock=True) <= 1:
            errors["roles"] = "This is the last active administrator; give someone else the role first."
    if LEAD_MANAGER in user.roles and LEAD_MANAGER not in roles and "roles" not in errors:
        led = _areas_moderated_by(user)
        if led:
            errors["roles"] = (
                f"{user.name} is lead manager or deputy of {led}; "
                "name someone else there before removing the lead manager role."
            )
    if errors:
        raise ValidationError(errors)
    before = user_snapshot(user)
    user.name = name.strip()
    user.email = (email or "").strip()
    user.set_roles(roles)
    user.areas = area_objects
    db.session.flush()
    after = user_snapshot(user)
    if after != before:
        audit.record(actor, "user.update", "user", user.username, before=before, after=after)
    return user


def set_active(actor, user: User, active: bool) -> User:
    if user.active == active:
        return user
    if not active:
        if actor is not None and actor.id == user.id:
            raise NotAllowed("You cannot deactivate your own account.")
        if ADMIN in user.roles and count_active_admins(lock=True) <= 1:
            raise NotAllowed("This is the last active administrator and cannot be deactivated.")
        led = _areas_moderated_by(user)
        if led:
            raise NotAllowed(f"{user.name} is lead manager or deputy of {led}; name someone else there first.")
    before = user_snapshot(user)
    user.active = active
    user.session_version += 1  # ends any session the person has open
    db.session.flush()
    audit.record(
        actor,
        "user.reactivate" if active else "user.deactivate",
        "user",
        user.username,
        before=before,
        after=user_snapshot(user),
    )
    return user


def reset_password(actor, user: User, new_password: str) -> User:
    problem = password_problem(new_password) if may_use_password(user) else PASSWORDS_FOR_ADMINS_ONLY_HERE
    if problem:
        raise ValidationError({"password": problem})
    user.password_hash = hash_password(new_password)
    lockout.forget(user.username)
    user.session_version += 1
    db.session.flush()
    audit.record(
        actor,
        "user.password_reset",
        "user",
        user.username,
        summary="Password reset by an administrator; the account is unlocked.",
    )
    return user


def change_own_password(user: User, current_password: str, new_password: str) -> User:
    if not user.password_hash or not check_password_hash(user.password_hash, current_password or ""):
        raise ValidationError({"current_password": "Your current password is not right."})
    problem = password_problem(new_password)
    if problem:
        raise ValidationError({"new_password": problem})
    user.password_hash = hash_password(new_password)
    user.session_version += 1
    db.session.flush()
    audit.record(user, "user.password_change", "user", user.username, summary="Changed own password.")
    return user


def by_username() -> dict[str, User]:
    """Every account, by username: for a content load writing what a folder names."""
    return {u.username: u for u in db.session.scalars(select(User))}


def area_ids_of(user_id: int) -> list[int]:
    """The areas of practice an account works in, by the account's id (one query)."""
    return list(db.session.scalars(select(user_areas.c.area_id).where(user_areas.c.user_id == user_id)))


def ids_by_username() -> dict[str, int]:
    """Every account's id, by username (an audit trail brought in from a file names them)."""
    return {username: id_ for username, id_ in db.session.execute(select(User.username, User.id))}


# --- Who leads an area ------------------------------------------------------------------------
# An area names its lead manager and deputies by username (the area form, the areas' file):
# finding those people, and checking each may moderate, is a question about people.


def lead_manager_choices() -> list[User]:
    """Active accounts that can be named lead manager or deputy."""
    return list(
        db.session.scalars(
            select(User)
            .where(User.active.is_(True), User.role_rows.any(UserRole.role == LEAD_MANAGER))
            .order_by(User.name)
        )
    )


def moderator_problem(user: User | None, username: str, what: str) -> str | None:
    if user is None:
        return f"{what}: there is no account called {username}."
    if LEAD_MANAGER not in user.roles:
        return f"{what}: {username} does not hold the lead manager role."
    if not user.active:
        return f"{what}: {username}'s account is deactivated."
    return None


def moderators_named(lead: str | None, deputies: Iterable[str] = ()) -> dict:
    """The people an area names as lead manager and deputies, by username, as the keyword
    arguments areas.services.create_area and update_area take: `lead`, `deputies`, and
    `problems` with what is wrong with any of them (by field)."""
    problems: dict[str, str] = {}
    lead_user = None
    if lead:
        lead_user = db.session.scalar(select(User).where(User.username == lead))
        problem = moderator_problem(lead_user, lead, "Lead manager")
        if problem:
            problems["lead"] = problem
    deputy_users: list[User] = []
    found = []
    for username in dict.fromkeys(deputies):
        user = db.session.scalar(select(User).where(User.username == username))
        problem = moderator_problem(user, username, "Deputy")
        if problem:
            found.append(problem)
        elif lead and username == lead:
            found.append(f"Deputy: {username} is already the lead manager of this area.")
        else:
            deputy_users.append(user)
    if found:
        problems["deputies"] = " ".join(found)
    return {"lead": lead_user, "deputies": deputy_users, "problems": problems}
