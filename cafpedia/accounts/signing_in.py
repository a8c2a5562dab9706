"""Signing in with a password: the policy (tries before a pause), the same answer and the same
time whether or not the username exists, and who may use a password at all. No request or
session in here."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from flask import current_app
from sqlalchemy import case, update
from werkzeug.security import check_password_hash, generate_password_hash

from cafpedia.accounts.fields import PASSWORDS_FOR_ADMINS, may_use_password
from cafpedia.accounts.models import User
from cafpedia.accounts.people import find_user
from cafpedia.core import audit
from cafpedia.core.clock import utcnow
from cafpedia.extensions import db


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


def _wrong_credentials(policy: SignInPolicy) -> str:
    # The same words whether or not the username exists, so they reveal nothing.
    return (
        f"{WRONG_CREDENTIALS} After {policy.max_failures} failed tries in a row an account is "
        f"locked for {policy.lock_minutes} minutes: then wait, or ask an administrator to reset the password."
    )
