"""Who someone signing in through the identity provider is, in CAFpedia; and access
requests from people who have no account yet. Callers commit.

A person is known by the provider's (issuer, subject) once linked. The first time, they are
matched to their account by a verified email address, and linked. Nobody gets an account
by signing in: someone unknown leaves an access request, the administrators are told, and
an administrator grants it (creating the account, with CAFpedia's own roles and areas) or
declines it.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select

from cafpedia.accounts import lockout
from cafpedia.accounts.models import AccessRequest, User
from cafpedia.accounts.people import create_user
from cafpedia.accounts.signing_in import SignInError
from cafpedia.core import audit, events
from cafpedia.core.clock import format_date, utcnow
from cafpedia.core.errors import NotAllowed
from cafpedia.core.urls import path_for
from cafpedia.extensions import db
from cafpedia.mail.outbox import Letter, enqueue

ACTOR = "identity provider"
DEACTIVATED = (
    "This account has been deactivated. If you still need access, ask a CAFpedia administrator to reactivate it."
)


@dataclass
class Pending:
    """No account yet: the person's access request, waiting for (or declined by) an administrator."""

    request: AccessRequest


def _text(claims: dict, name: str, limit: int) -> str:
    value = claims.get(name)
    return value.strip()[:limit] if isinstance(value, str) else ""


def account_for(claims: dict) -> User | Pending:
    """The account of the person these (already checked) ID-token claims describe, signed in
    now; or their access request. SignInError when they cannot come in and must be told why."""
    issuer, subject = str(claims["iss"])[:255], str(claims["sub"])[:255]
    email = _text(claims, "email", 254)
    verified = claims.get("email_verified") is True and bool(email)
    user = db.session.scalar(select(User).where(User.oidc_issuer == issuer, User.oidc_subject == subject))
    if user is None and verified:
        user = _match_by_email(email, issuer, subject)
    if user is None:
        return Pending(_leave_request(issuer, subject, email, verified, _text(claims, "name", 120)))
    if not user.active:
        raise SignInError(DEACTIVATED)
    user.last_sign_in_at = utcnow()
    lockout.forget(user.username)
    _close_requests_of(issuer, subject, user)
    return user


def _match_by_email(email: str, issuer: str, subject: str) -> User | None:
    found = list(db.session.scalars(select(User).where(func.lower(User.email) == email.lower()).order_by(User.id)))
    if not found:
        return None
    if len(found) > 1:
        audit.record(
            None,
            "user.identity_ambiguous",
            "user",
            found[0].username,
            actor_name=ACTOR,
            summary=f"{email} signed in through the identity provider, but {len(found)} accounts have that address: "
            + ", ".join(u.username for u in found),
        )
        raise SignInError(
            f"More than one CAFpedia account has the address {email}, so CAFpedia cannot tell which is yours. "
            "Ask a CAFpedia administrator to give each account its own address."
        )
    user = found[0]
    if user.oidc_subject is not None:
        audit.record(
            None,
            "user.identity_mismatch",
            "user",
            user.username,
            actor_name=ACTOR,
            summary=f"Someone else at the identity provider ({subject}) signed in with {email}; the account is linked "
            f"to {user.oidc_subject}.",
        )
        raise SignInError(
            f"The CAFpedia account with the address {email} is linked to a different identity at your organisation. "
            "Ask a CAFpedia administrator to check it."
        )
    link(user, issuer, subject)
    return user


def link(user: User, issuer: str, subject: str) -> None:
    user.oidc_issuer, user.oidc_subject, user.oidc_linked_at = issuer, subject, utcnow()
    db.session.flush()
    audit.record(
        user,
        "user.identity_linked",
        "user",
        user.username,
        summary="Linked to the identity provider at the first sign-in through it (matched by verified email).",
    )


def forget_link(actor, user: User) -> None:
    """An administrator unlinks an account (say the person's identity was recreated at the
    provider): the next sign-in through the provider matches by email again."""
    if user.oidc_subject is None:
        raise NotAllowed(f"{user.name}'s account is not linked to the identity provider.")
    before = {"oidc_issuer": user.oidc_issuer, "oidc_subject": user.oidc_subject}
    user.oidc_issuer = user.oidc_subject = user.oidc_linked_at = None
    user.session_version += 1  # whoever is signed in through the old link is signed out
    db.session.flush()
    audit.record(
        actor,
        "user.identity_unlinked",
        "user",
        user.username,
        before=before,
        summary="Unlinked from the identity provider.",
    )


# --- Access requests -----------------------------------------------------------------------


def _leave_request(issuer: str, subject: str, email: str, verified: bool, name: str) -> AccessRequest:
    request = db.session.scalar(
        select(AccessRequest).where(AccessRequest.issuer == issuer, AccessRequest.subject == subject)
    )
    now = utcnow()
    if request is not None:  # asked before: no new request, and the administrators are not told twice
        request.last_tried_at, request.tries = now, request.tries + 1
        request.email, request.email_verified, request.name = email or request.email, verified, name or request.name
        return request
    request = AccessRequest(
        issuer=issuer,
        subject=subject,
        email=email,
        email_verified=verified,
        name=name,
        created_at=now,
        last_tried_at=now,
        tries=1,
        status=AccessRequest.WAITING,
    )
    db.session.add(request)
    db.session.flush()
    audit.record(
        None,
        "access.request",
        "access_request",
        str(request.id),
        actor_name=ACTOR,
        summary=f"{name or 'Someone'} ({email or 'no email given'}) signed in through the identity provider without a "
        f"CAFpedia account.",
    )
    events.access_requested.send(request)
    return request


def _close_requests_of(issuer: str, subject: str, user: User) -> None:
    """Someone with a waiting request now has an account (made by hand, or imported)."""
    for request in db.session.scalars(
        select(AccessRequest).where(
            AccessRequest.issuer == issuer,
            AccessRequest.subject == subject,
            AccessRequest.status == AccessRequest.WAITING,
        )
    ):
        request.status, request.decided_at, request.user_id = AccessRequest.GRANTED, utcnow(), user.id


def waiting_requests() -> list[AccessRequest]:
    return list(
        db.session.scalars(
            select(AccessRequest)
            .where(AccessRequest.status == AccessRequest.WAITING)
            .order_by(AccessRequest.created_at)
        )
    )


def waiting_count() -> int:
    return (
        db.session.scalar(
            select(func.count()).select_from(AccessRequest).where(AccessRequest.status == AccessRequest.WAITING)
        )
        or 0
    )


def decided_requests(limit: int = 50) -> list[AccessRequest]:
    return list(
        db.session.scalars(
            select(AccessRequest)
            .where(AccessRequest.status != AccessRequest.WAITING)
            .order_by(AccessRequest.decided_at.desc())
            .limit(limit)
        )
    )


def _open(request: AccessRequest) -> None:
    if request.status != AccessRequest.WAITING:
        raise NotAllowed(f"This request was already {request.status} on {format_date(request.decided_at)}.")


def grant(actor, request: AccessRequest, *, username: str, name: str, roles, areas) -> User:
    """Create the account (linked to the person's identity, with no password) and tell them."""
    _open(request)
    user = create_user(
        actor,
        username=username,
        name=name,
        email=request.email if request.email_verified else "",
        roles=roles,
        areas=areas,
        password=None,
    )
    user.oidc_issuer, user.oidc_subject, user.oidc_linked_at = request.issuer, request.subject, utcnow()
    request.status, request.decided_at, request.decided_by_id, request.user_id = (
        AccessRequest.GRANTED,
        utcnow(),
        actor.id,
        user.id,
    )
    db.session.flush()
    audit.record(
        actor, "access.grant", "access_request", str(request.id), summary=f"Access granted as {user.username}."
    )
    enqueue(
        user,
        "access",
        Letter(
            subject="You can now use CAFpedia",
            paragraphs=[
                f"{actor.name} has given you access to CAFpedia, CAFCASS's practice knowledge base.",
                "Sign in as you did before, with your organisation account.",
            ],
            links=[("Sign in to CAFpedia", path_for("accounts.sign_in"))],
            footer="You were sent this because you asked for access by signing in.",
        ),
    )
    return user


def decline(actor, request: AccessRequest) -> None:
    _open(request)
    request.status, request.decided_at, request.decided_by_id = AccessRequest.DECLINED, utcnow(), actor.id
    db.session.flush()
    audit.record(
        actor,
        "access.decline",
        "access_request",
        str(request.id),
        summary=f"Access declined for {request.name or request.email or request.subject}.",
    )
