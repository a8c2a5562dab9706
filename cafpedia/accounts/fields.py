"""The rules for a person's fields, shared by forms, services and content loading: username,
name, email, roles and password; hashing a password; a person as the audit log records them."""

from __future__ import annotations

import re
from collections.abc import Iterable

from email_validator import EmailNotValidError, validate_email
from flask import current_app
from sqlalchemy import true
from werkzeug.security import generate_password_hash

from cafpedia.accounts import oidc
from cafpedia.accounts.models import User
from cafpedia.core import validation as rules
from cafpedia.core.permissions import ADMIN, ROLES

USERNAME_RE = re.compile(r"^[a-z0-9][a-z0-9._-]{1,63}$")


NAME_MAX = 120


EMAIL_MAX = 254


PASSWORD_MAX = 200


def username_problem(value: str) -> str | None:
    if not value:
        return "Enter a username."
    if not USERNAME_RE.fullmatch(value):  # fullmatch: `$` would let a final line break through
        return (
            "Use 2 to 64 characters: lower-case letters, digits, dots, hyphens or "
            "underscores, starting with a letter or digit."
        )
    return None


def name_problem(value: str) -> str | None:
    if not value or not value.strip():
        return "Enter the person's full name."
    if problem := rules.single_line(value, what="the name"):
        return problem
    if len(value) > NAME_MAX:
        return f"Use at most {NAME_MAX} characters (this has {len(value)})."
    return None


def email_problem(value: str) -> str | None:
    """An email address is optional; one that is given must be valid."""
    if not value:
        return None
    if len(value) > EMAIL_MAX:
        return f"Use at most {EMAIL_MAX} characters."
    if problem := rules.single_line(value, what="the email address"):
        return problem
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


def can_sign_in(user: User) -> bool:
    """Whether this person can sign in now (and so open what a link to CAFpedia leads to):
    with a password, or through the organisation's identity provider."""
    return user.password_hash is not None or oidc.configured()


def can_sign_in_sql():
    """`can_sign_in` as a SQL condition on User."""
    return true() if oidc.configured() else User.password_hash.is_not(None)
