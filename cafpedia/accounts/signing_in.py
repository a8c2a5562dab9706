"""Signing in with a password: the policy (tries before a pause, per username and place: see
accounts.lockout), the same answer and the same work whether the username exists, is locked
or has the wrong password, and who may use a password at all. No request or session in here."""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app
from werkzeug.security import check_password_hash, generate_password_hash

from cafpedia.accounts import lockout
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


def authenticate(username: str, password: str, source: str | None = None) -> User:
    """The account for these credentials, or SignInError saying why not. `source`: the
    address the attempt comes from (repeated failures lock the username from there only:
    see accounts.lockout).

    Every attempt checks one password hash (a dummy one when the username is unknown or has
    no password), before looking at a lock, so that an unknown, a locked and a wrong answer
    take the same work; and unknown usernames are counted and locked like known ones.
    """
    policy = SignInPolicy.from_config()
    now = utcnow()
    key, place = lockout.username_key(username), lockout.place_of(source)
    user = find_user(username or "")
    stored = user.password_hash if user is not None else None
    right = check_password_hash(stored or _dummy_hash(), password or "") and stored is not None
    if lockout.locked(key, place, now):
        raise SignInError(_wrong_credentials(policy))  # even the right password, while the lock lasts
    if not right:
        locks = lockout.count_failure(
            key, place, now, max_failures=policy.max_failures, lock_minutes=policy.lock_minutes
        )
        if locks and user is not None:
            audit.record(
                None,
                "account.locked",
                "user",
                user.username,
                actor_name=SIGN_IN_ACTOR,
                summary=(
                    f"Locked for {policy.lock_minutes} minutes for sign-ins from {place}, after "
                    f"{policy.max_failures} failed sign-ins from there"
                ),
            )
        db.session.commit()
        raise SignInError(_wrong_credentials(policy))  # the same words as for an account that does not exist
    if not user.active:
        raise SignInError(
            "This account has been deactivated. If you still need access, ask a CAFpedia "
            "administrator to reactivate it."
        )
    if not may_use_password(user):  # said only to someone who knows the password
        raise SignInError(PASSWORDS_FOR_ADMINS)
    lockout.forget(key, place)
    user.last_sign_in_at = now
    db.session.commit()
    return user


def _wrong_credentials(policy: SignInPolicy) -> str:
    # The same words whether or not the username exists, so they reveal nothing.
    return (
        f"{WRONG_CREDENTIALS} After {policy.max_failures} failed tries in a row from one place, an account is "
        f"locked for {policy.lock_minutes} minutes for sign-ins from there: then wait, or ask an administrator to "
        "reset the password."
    )
