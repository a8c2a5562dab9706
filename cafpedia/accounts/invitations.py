"""Invitations: a one-time emailed link with which a person sets their own password.

For accounts loaded without a password (every real account, by the content contract): an
administrator presses "Email an invitation", or runs `cafpedia invite`. The link works once,
for 72 hours, and only the newest invitation of a person works.
"""

from __future__ import annotations

import secrets
from datetime import timedelta

from sqlalchemy import select, update

from cafpedia.accounts import lockout
from cafpedia.accounts.fields import hash_password, may_use_password, password_problem, passwords_for_admins_only
from cafpedia.accounts.models import Invitation, User
from cafpedia.accounts.people import create_user
from cafpedia.accounts.sessions import token_hash
from cafpedia.core import audit
from cafpedia.core.clock import format_datetime, utcnow
from cafpedia.core.errors import NotAllowed, ServiceError, ValidationError
from cafpedia.core.permissions import ADMIN
from cafpedia.core.urls import path_for
from cafpedia.extensions import db
from cafpedia.mail.outbox import Letter, enqueue

VALID_FOR = timedelta(hours=72)
TOKEN_MAX = 100


class InvitationError(ServiceError):
    """The link cannot be used; the message says why, for the person holding it."""


def invite(actor, user: User) -> Invitation:
    """Email `user` a link to set their password (in the caller's transaction)."""
    if not user.active:
        raise NotAllowed(f"{user.name}'s account is deactivated: reactivate it before inviting them.")
    if not may_use_password(user):
        raise NotAllowed(
            f"{user.name} signs in with their organisation account: here passwords are only for administrators "
            "(CAFPEDIA_PASSWORD_SIGN_IN=admins)."
        )
    if not (user.email or "").strip():
        raise ValidationError({"email": f"{user.name} has no email address: add one, then send the invitation."})
    now = utcnow()
    db.session.execute(
        update(Invitation).where(Invitation.user_id == user.id, Invitation.closed_at.is_(None)).values(closed_at=now)
    )
    token = secrets.token_urlsafe(32)
    invitation = Invitation(
        user_id=user.id,
        token_hash=token_hash(token),
        invited_by_id=getattr(actor, "id", None),
        created_at=now,
        expires_at=now + VALID_FOR,
    )
    db.session.add(invitation)
    enqueue(
        user,
        "invitation",
        Letter(
            subject="Set your CAFpedia password",
            paragraphs=[
                f"You have an account on CAFpedia, CAFCASS's practice knowledge base, with the username "
                f"{user.username}.",
                f"Choose your password with the link below. It works once, until "
                f"{format_datetime(invitation.expires_at)}.",
            ],
            links=[("Set your password", path_for("accounts.invitation", token=token))],
            footer="If you did not expect this, you can ignore it: nothing changes until the link is used.",
            settings_link=False,  # the settings need a password, which the link is for
        ),
    )
    audit.record(
        actor, "user.invite", "user", user.username, summary=f"Invitation emailed to {user.email}; valid for 72 hours."
    )
    return invitation


def add_person(actor, *, invite_now: bool, **details) -> tuple[User, bool]:
    """A new account without a password (people.create_user's `details`), and with
    `invite_now` an invitation to set one: (the person, whether they were invited). Nothing
    is created if the invitation cannot be sent (no email address)."""
    errors = {}
    if invite_now and not (details.get("email") or "").strip():
        errors["email"] = "Enter their email address: the invitation goes there. Or untick “Email them an invitation”."
    try:
        user = create_user(actor, password=None, **details)
    except ValidationError as exc:
        raise ValidationError(errors | exc.errors) from exc
    if errors:
        raise ValidationError(errors)
    if not (invite_now and may_use_password(user)):  # with passwords for administrators only: nothing to invite to
        return user, False
    invite(actor, user)
    return user, True


def not_signed_in_yet(usernames) -> list[User]:
    """Of these people, those an invitation would help: active, with an email address, who
    have never signed in and have no password (and may have one)."""
    wanted = sorted({(u or "").strip().lower() for u in usernames} - {""})
    people = []
    for chunk in range(0, len(wanted), 500):
        people += db.session.scalars(
            select(User).where(
                User.username.in_(wanted[chunk : chunk + 500]),
                User.active.is_(True),
                User.password_hash.is_(None),
                User.last_sign_in_at.is_(None),
                User.email != "",
            )
        )
    return sorted((p for p in people if may_use_password(p)), key=lambda p: p.username)


def invite_imported(actor, usernames) -> list[User]:
    """Invite those of the people just imported who have not signed in yet (see
    not_signed_in_yet), each through the mail outbox, in the caller's transaction."""
    people = not_signed_in_yet(usernames)
    for person in people:
        invite(actor, person)
    return people


def invite_all_without_password(actor) -> list[User]:
    """Invite every active person with an email address and no password (only the
    administrators among them when passwords are for administrators only)."""
    query = (
        select(User)
        .where(User.active.is_(True), User.password_hash.is_(None), User.email != "")
        .order_by(User.username)
    )
    if passwords_for_admins_only():
        query = query.where(User.role_rows.any(role=ADMIN))
    people = list(db.session.scalars(query))
    for person in people:
        invite(actor, person)
    return people


def open_invitation(token: str) -> Invitation:
    """The invitation this link holds, if it can still be used."""
    invitation = None
    if token and len(token) <= TOKEN_MAX:
        invitation = db.session.scalar(select(Invitation).where(Invitation.token_hash == token_hash(token)))
    if invitation is None:
        raise InvitationError(
            "This link is not one CAFpedia sent, or it was copied incompletely. Ask an administrator for a new "
            "invitation."
        )
    if invitation.closed_at is not None:
        raise InvitationError(
            "This link has already been used, or a newer invitation replaced it. Sign in, or ask an administrator for "
            "a new invitation."
        )
    if invitation.expires_at <= utcnow():
        raise InvitationError(
            "This link has expired: invitations work for 72 hours. Ask an administrator for a new one."
        )
    if not invitation.user.active:
        raise InvitationError("This account is deactivated. Ask an administrator if you still need access.")
    if not may_use_password(invitation.user):
        raise InvitationError(
            "Here, passwords are only for administrators: sign in with your organisation account instead."
        )
    return invitation


def accept(token: str, password: str) -> User:
    """Set the password from the link, once; the link then stops working."""
    invitation = open_invitation(token)
    problem = password_problem(password or "")
    if problem:
        raise ValidationError({"password": problem})
    closed = db.session.execute(
        update(Invitation)
        .where(Invitation.id == invitation.id, Invitation.closed_at.is_(None))
        .values(closed_at=utcnow())
    )
    if closed.rowcount != 1:  # the same link, pressed twice at once
        raise InvitationError("This link has already been used. Sign in with the password you chose.")
    user = invitation.user
    user.password_hash = hash_password(password)
    lockout.forget(user.username)
    user.session_version += 1
    db.session.flush()
    audit.record(
        user, "user.invitation_accepted", "user", user.username, summary="Password set from an emailed invitation."
    )
    return user
