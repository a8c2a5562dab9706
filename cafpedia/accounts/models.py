"""Accounts and their roles."""

from __future__ import annotations

from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import Boolean, Column, ForeignKey, Integer, String, Table, UniqueConstraint, event, select
from sqlalchemy.orm import Mapped, mapped_column, relationship

from cafpedia.areas.models import PracticeArea, led_by
from cafpedia.areas.services import moderated_area_ids
from cafpedia.core.clock import utcnow
from cafpedia.core.permissions import ADMIN
from cafpedia.extensions import db

# The areas of practice a person works in (for a lead manager: the areas they cover).
user_areas = Table(
    "user_areas",
    db.metadata,
    Column("user_id", ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
    Column("area_id", ForeignKey("practice_areas.id", ondelete="CASCADE"), primary_key=True),
)


class User(UserMixin, db.Model):
    __tablename__ = "users"
    __table_args__ = (UniqueConstraint("oidc_issuer", "oidc_subject"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    email: Mapped[str] = mapped_column(String(254))
    # None: the account has no password yet (e.g. loaded from an export) and cannot sign in.
    password_hash: Mapped[str | None] = mapped_column(String(255))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    demo: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    last_sign_in_at: Mapped[datetime | None]
    # Bumped on password reset or deactivation: sessions holding an older value end.
    session_version: Mapped[int] = mapped_column(Integer, default=1)
    # The person at the organisation's identity provider (OpenID Connect), once they have
    # signed in through it: from then on they are known by this, not by their email.
    oidc_issuer: Mapped[str | None] = mapped_column(String(255))
    oidc_subject: Mapped[str | None] = mapped_column(String(255))
    oidc_linked_at: Mapped[datetime | None]

    role_rows: Mapped[list[UserRole]] = relationship(
        back_populates="user", cascade="all, delete-orphan", order_by="UserRole.role"
    )
    areas = relationship("PracticeArea", secondary=user_areas, order_by="PracticeArea.position")

    def moderates_an_area(self) -> bool:
        """Lead manager or deputy of at least one area of practice (for most people, the areas
        they moderate as kept for the page: areas.services.moderated_area_ids)."""
        if ADMIN not in self.roles:
            return bool(moderated_area_ids(self))
        return db.session.scalar(select(PracticeArea.id).where(led_by(self)).limit(1)) is not None

    @property
    def roles(self) -> frozenset[str]:
        # Asked by every permission check: made again only when the rows are another list (a
        # reload, set_roles) or a different length. The person of a signed-in request comes
        # with their roles read in the same statement (accounts.sessions: `_roles_read`), used
        # until the rows themselves are loaded or the person is expired (`_forget_roles_read`).
        rows = self.__dict__.get("role_rows")
        if rows is None:
            read = self.__dict__.get("_roles_read")
            if read is not None:
                return read
            rows = self.role_rows
        memo = self.__dict__.get("_roles_of")
        if memo is None or memo[0] is not rows or memo[1] != len(rows):
            memo = self.__dict__["_roles_of"] = (rows, len(rows), frozenset(row.role for row in rows))
        return memo[2]

    def roles_read(self, names: str | None) -> None:
        """The roles read with the person (`names`: comma-separated, None for none), for `roles`."""
        self.__dict__["_roles_read"] = frozenset(names.split(",")) if names else frozenset()

    def set_roles(self, roles) -> None:
        wanted = set(roles)
        self.role_rows = [row for row in self.role_rows if row.role in wanted] + [
            UserRole(role=role) for role in sorted(wanted - self.roles)
        ]

    @property
    def is_active(self) -> bool:  # Flask-Login: inactive accounts cannot sign in
        return bool(self.active)

    def get_id(self) -> str:
        # What the session cookie (and a remember cookie) holds: the account, its session
        # version, and this session's own token (a row in user_sessions, see UserSession).
        return f"{self.id}:{self.session_version}:{getattr(self, '_session_token', '')}"

    def __repr__(self) -> str:
        return f"<User {self.username}>"


class UserRole(db.Model):
    __tablename__ = "user_roles"
    __table_args__ = (UniqueConstraint("user_id", "role"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    role: Mapped[str] = mapped_column(String(32))

    user: Mapped[User] = relationship(back_populates="role_rows")


class UserSession(db.Model):
    """One signed-in session, on the server: a copied cookie stops working once this row is
    revoked (signing out) or expired (12 hours; 14 days when "keep me signed in" was ticked).
    Only a hash of the token is kept."""

    __tablename__ = "user_sessions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    remember: Mapped[bool] = mapped_column(Boolean, default=False)
    user_agent: Mapped[str] = mapped_column(String(200), default="")
    revoked_at: Mapped[datetime | None]


class Invitation(db.Model):
    """A one-time link, emailed, to set a password: valid for 72 hours, until used, or until a
    newer invitation replaces it. Only a hash of the token is kept."""

    __tablename__ = "invitations"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    invited_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    closed_at: Mapped[datetime | None]  # used, or replaced by a newer invitation

    user = relationship("User", foreign_keys=[user_id])


class AccessRequest(db.Model):
    """Someone who signed in through the identity provider but has no CAFpedia account: they
    get no access until an administrator grants it (creating their account) or declines."""

    __tablename__ = "access_requests"
    __table_args__ = (UniqueConstraint("issuer", "subject"),)

    WAITING, GRANTED, DECLINED = "waiting", "granted", "declined"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    issuer: Mapped[str] = mapped_column(String(255))
    subject: Mapped[str] = mapped_column(String(255))
    email: Mapped[str] = mapped_column(String(254), default="")
    email_verified: Mapped[bool] = mapped_column(Boolean, default=False)
    name: Mapped[str] = mapped_column(String(120), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_tried_at: Mapped[datetime] = mapped_column(default=utcnow)
    tries: Mapped[int] = mapped_column(Integer, default=1)
    status: Mapped[str] = mapped_column(String(10), default=WAITING, index=True)
    decided_at: Mapped[datetime | None]
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))  # the account it became

    user = relationship("User", foreign_keys=[user_id])
    decided_by = relationship("User", foreign_keys=[decided_by_id])


class SignInFailures(db.Model):
    """Failed password sign-ins in a row for one username from one place (an IPv4 address, or
    an IPv6 /64): enough of them lock that username for a while from that place only, so that
    nobody elsewhere can lock the real person out. Kept for usernames that do not exist too,
    so that a lock tells nobody which accounts exist (see accounts.lockout)."""

    __tablename__ = "sign_in_failures"
    __table_args__ = (UniqueConstraint("username", "source"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(64))  # the unique pair's index serves lookups by username
    source: Mapped[str] = mapped_column(String(64))
    failures: Mapped[int] = mapped_column(Integer, default=0)
    last_failed_at: Mapped[datetime] = mapped_column(index=True)
    locked_until: Mapped[datetime | None]


@event.listens_for(User, "expire")
def _forget_roles_read(user: User, attrs) -> None:
    """Roles read with the person hold only until the person is expired (a commit, a rollback,
    `expire`): the rows are read then, if asked for."""
    if user is not None and (attrs is None or "role_rows" in attrs):  # None: already collected
        user.__dict__.pop("_roles_read", None)


@event.listens_for(User, "refresh")
def _forget_roles_read_on_refresh(user: User, _context, attrs) -> None:
    _forget_roles_read(user, attrs)
