"""Accounts: signing in, creating and changing people. No request or session in here."""

from __future__ import annotations

import hashlib
import re
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import timedelta

from email_validator import EmailNotValidError, validate_email
from flask import current_app
from sqlalchemy import case, delete, select, update
from werkzeug.security import check_password_hash, generate_password_hash

from cafpedia.accounts.models import User, UserRole, UserSession
from cafpedia.core import audit
from cafpedia.core.clock import utcnow
from cafpedia.core.errors import NotAllowed, ValidationError
from cafpedia.core.permissions import ADMIN, LEAD_MANAGER, ROLES
from cafpedia.core.sql import contains
from cafpedia.extensions import db

USERNAME_RE = re.compile(r"^[a-z0-9][a-z0-9._-]{1,63}$")
NAME_MAX = 120
EMAIL_MAX = 254
PASSWORD_MAX = 200


# --- Field rules (shared by forms, services and content loading) ------------------------


def username_problem(value: str) -> str | None:
    if not value:
        return "Enter a username."
    if not USERNAME_RE.match(value):
        return (
            "Use 2 to 64 characters: lower-case letters, digits, dots, hyphens or "
            "underscores, starting with a letter or digit."
        )
    return None


def name_problem(value: str) -> str | None:
    if not value or not value.strip():
        return "Enter the person's full name."
    if len(value) > NAME_MAX:
        return f"Use at most {NAME_MAX} characters (this has {len(value)})."
    return None


def email_problem(value: str) -> str | None:
    """An email address is optional; one that is given must be valid."""
    if not value:
        return None
    if len(value) > EMAIL_MAX:
        return f"Use at most {EMAIL_MAX} characters."
    try:
        validate_email(value, check_deliverability=False)
    except EmailNotValidError as exc:
        return f"Enter a valid email address ({exc})."
    return None


def roles_problem(roles: Iterable[str]) -> str | None:
    unknown = sorted(set(roles) - set(ROLES))
    if unknown:
        return f"Unknown role {', '.join(unknown)}; expected one of {', '.join(ROLES)}."
    if not set(roles):
        return "Choose at least one role."
    return None


def password_problem(value: str) -> str | None:
    minimum = current_app.config["PASSWORD_MIN_LENGTH"]
    if not value or len(value) < minimum:
        return f"Use at least {minimum} characters."
    if len(value) > PASSWORD_MAX:
        return f"Use at most {PASSWORD_MAX} characters."
    return None


def hash_password(password: str) -> str:
    return generate_password_hash(password, method=current_app.config["PASSWORD_HASH_METHOD"])


def user_snapshot(user: User) -> dict:
    """The audited view of an account (never the password hash)."""
    return {
        "username": user.username,
        "name": user.name,
        "email": user.email,
        "roles": sorted(user.roles),
        "areas": [a.slug for a in user.areas],
        "active": bool(user.active),
    }


# --- Look-ups -------------------------------------------------------------------------


def find_user(username: str) -> User | None:
    return db.session.scalar(select(User).where(User.username == username.strip().lower()))


def load_user_from_session(session_id: str) -> User | None:
    """Flask-Login's user loader: the account's current session version, and a session row
    that is neither revoked nor expired."""
    try:
        user_id, version, token = session_id.split(":", 2)
        user_id, version = int(user_id), int(version)
    except ValueError:
        return None
    if not token:
        return None
    user = db.session.scalar(
        select(User)
        .join(UserSession, UserSession.user_id == User.id)
        .where(  # one query on every request
            User.id == user_id,
            User.active.is_(True),
            User.session_version == version,
            UserSession.token_hash == token_hash(token),
            UserSession.revoked_at.is_(None),
            UserSession.expires_at > utcnow(),
        )
    )
    if user is None:
        return None
    user._session_token = token
    return user


# --- Sessions -------------------------------------------------------------------------------


def token_hash(token: str) -> str:
    """What is stored of a secret token (a session's, an invitation's): its SHA-256."""
    return hashlib.sha256(token.encode()).hexdigest()


def start_session(user: User, *, remember: bool = False, user_agent: str = "") -> None:
    """A new server-side session for this person (call before `login_user`, then commit)."""
    now = utcnow()
    config = current_app.config
    lifetime = config["REMEMBER_COOKIE_DURATION"] if remember else config["PERMANENT_SESSION_LIFETIME"]
    db.session.execute(
        delete(UserSession).where(UserSession.user_id == user.id, UserSession.expires_at < now - timedelta(days=30))
    )
    token = secrets.token_urlsafe(32)
    db.session.add(
        UserSession(
            user_id=user.id,
            token_hash=token_hash(token),
            created_at=now,
            expires_at=now + lifetime,
            remember=remember,
            user_agent=(user_agent or "")[:200],
        )
    )
    user._session_token = token


def note_sign_in(user: User, how: str, address: str) -> None:
    """An administrator's sign-in goes into the audit trail (theirs is the power to change it all)."""
    if ADMIN in user.roles:
        audit.record(
            user,
            "user.sign_in",
            "user",
            user.username,
            summary=f"Administrator signed in with {how} from {address[:64] or 'an unknown address'}.",
        )


def end_session(user) -> None:
    """Sign-out: this session's row is revoked, so a copy of its cookie stops working."""
    token = getattr(user, "_session_token", None)
    if token:
        db.session.execute(
            update(UserSession)
            .where(UserSession.token_hash == token_hash(token), UserSession.revoked_at.is_(None))
            .values(revoked_at=utcnow())
        )


def end_all_sessions(user: User) -> int:
    """Sign out everywhere: every session and remember cookie of this person ends."""
    ended = db.session.execute(
        update(UserSession)
        .where(UserSession.user_id == user.id, UserSession.revoked_at.is_(None))
        .values(revoked_at=utcnow())
    ).rowcount
    user.session_version += 1
    db.session.flush()
    audit.record(
        user, "user.sign_out_everywhere", "user", user.username, summary=f"Signed out everywhere ({ended} session(s))."
    )
    return ended


def session_hash(user) -> str | None:
    token = getattr(user, "_session_token", None)
    return token_hash(token) if token else None


def active_sessions(user: User) -> list[UserSession]:
    return list(
        db.session.scalars(
            select(UserSession)
            .where(UserSession.user_id == user.id, UserSession.revoked_at.is_(None), UserSession.expires_at > utcnow())
            .order_by(UserSession.created_at.desc())
        )
    )


def count_active_admins(*, lock: bool = False) -> int:
    """Active administrators. With `lock`, their rows stay locked until the transaction
    ends (PostgreSQL), so two admins demoting each other at once cannot leave none."""
    query = select(User.id).join(UserRole).where(UserRole.role == ADMIN, User.active.is_(True))
    if lock:
        query = query.with_for_update(of=User)
    return len(db.session.scalars(query).all())


def _areas_moderated_by(user: User) -> str:
    from cafpedia.areas.services import areas_led_by

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


# --- Signing in -------------------------------------------------------------------------


class SignInError(Exception):
    """Sign-in refused; the message is safe to show."""


WRONG_CREDENTIALS = "The username or password is not right. Check them and try again."
SIGN_IN_ACTOR = "sign-in"


@dataclass
class SignInPolicy:
    max_failures: int
    lock_minutes: int

    @classmethod
    def from_config(cls) -> SignInPolicy:
        return cls(current_app.config["SIGNIN_MAX_FAILURES"], current_app.config["SIGNIN_LOCK_MINUTES"])


# A real hash to check against when the username is unknown, so that the time taken
# does not reveal which usernames exist.
_DUMMY_HASH: dict[str, str] = {}


def _dummy_hash() -> str:
    method = current_app.config["PASSWORD_HASH_METHOD"]
    if method not in _DUMMY_HASH:
        _DUMMY_HASH[method] = generate_password_hash("not-a-password", method=method)
    return _DUMMY_HASH[method]


def authenticate(username: str, password: str) -> User:
    """The account for these credentials, or SignInError saying why not.

    Repeated failures lock the account for a while; the counter is updated with
    one UPDATE so that several worker processes count every failure.
    """
    policy = SignInPolicy.from_config()
    now = utcnow()
    user = find_user(username or "")
    if user is None or user.password_hash is None:
        check_password_hash(_dummy_hash(), password or "")
        raise SignInError(_wrong_credentials(policy))
    if user.locked_until and user.locked_until > now:
        raise SignInError(_wrong_credentials(policy))  # the same words as for an account that does not exist
    if not check_password_hash(user.password_hash, password or ""):
        # Failures count "in a row": a failure after a quiet spell starts the count again.
        quiet_since = now - timedelta(minutes=policy.lock_minutes)
        db.session.execute(
            update(User)
            .where(User.id == user.id)
            .values(
                failed_sign_ins=case(
                    (User.last_failed_sign_in_at.is_(None) | (User.last_failed_sign_in_at < quiet_since), 1),
                    else_=User.failed_sign_ins + 1,
                ),
                last_failed_sign_in_at=now,
            )
        )
        db.session.refresh(user)
        if user.failed_sign_ins >= policy.max_failures:
            user.locked_until = now + timedelta(minutes=policy.lock_minutes)
            user.failed_sign_ins = 0
            audit.record(
                None,
                "account.locked",
                "user",
                user.username,
                actor_name=SIGN_IN_ACTOR,
                summary=f"Locked for {policy.lock_minutes} minutes after {policy.max_failures} failed sign-ins",
            )
            db.session.commit()
            raise SignInError(_wrong_credentials(policy))  # the same words as for an account that does not exist
        db.session.commit()
        raise SignInError(_wrong_credentials(policy))
    if not user.active:
        raise SignInError(
            "This account has been deactivated. If you still need access, ask a CAFpedia "
            "administrator to reactivate it."
        )
    if not may_use_password(user):  # said only to someone who knows the password
        raise SignInError(PASSWORDS_FOR_ADMINS)
    user.failed_sign_ins = 0
    user.locked_until = None
    user.last_sign_in_at = now
    db.session.commit()
    return user


PASSWORDS_FOR_ADMINS = (
    "Here, passwords are only for CAFpedia administrators. Use the button above to sign in with your "
    "organisation account."
)


PASSWORDS_FOR_ADMINS_ONLY_HERE = (
    "Here, passwords are only for administrators: this person signs in with their organisation account."
)


def passwords_for_admins_only() -> bool:
    return current_app.config["PASSWORD_SIGN_IN"] == "admins"


def may_use_password(user: User) -> bool:
    """CAFPEDIA_PASSWORD_SIGN_IN=admins: passwords are for break-glass administrators only."""
    return not passwords_for_admins_only() or ADMIN in user.roles


def _wrong_credentials(policy: SignInPolicy) -> str:
    # The same words whether or not the username exists, so they reveal nothing.
    return (
        f"{WRONG_CREDENTIALS} After {policy.max_failures} failed tries in a row an account is "
        f"locked for {policy.lock_minutes} minutes: then wait, or ask an administrator to reset the password."
    )


# --- Managing people --------------------------------------------------------------------


def _resolve_areas(slugs: Iterable[str]):
    from cafpedia.areas.models import PracticeArea

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
    user.failed_sign_ins = 0
    user.locked_until = None
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
