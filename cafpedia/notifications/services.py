"""Telling people: in-app notifications, with email at once or in a daily summary, as each
person chose; watching; reading and marking read. Callers commit."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import replace

from sqlalchemy import and_, case, delete, func, insert, literal, null, or_, select, update
from sqlalchemy.exc import IntegrityError

from cafpedia.accounts.fields import can_sign_in, can_sign_in_sql
from cafpedia.accounts.models import User
from cafpedia.core.clock import utcnow
from cafpedia.core.errors import NotFound, ValidationError
from cafpedia.core.urls import path_for
from cafpedia.extensions import db
from cafpedia.mail import outbox
from cafpedia.mail.outbox import Letter
from cafpedia.notifications.models import (
    DAILY,
    DELIVERIES,
    KINDS,
    NOW,
    OFF,
    WATCH_TARGETS,
    Notification,
    NotificationMark,
    NotificationPreference,
    Watch,
)

MESSAGE_MAX = 300


# --- Preferences ---------------------------------------------------------------------------


def delivery_for(user, kind: str) -> str:
    row = db.session.get(NotificationPreference, (user.id, kind))
    return row.delivery if row else KINDS[kind].default


def deliveries(user) -> dict[str, str]:
    """Every kind, with how this person hears about it."""
    chosen = {
        row.kind: row.delivery
        for row in db.session.scalars(select(NotificationPreference).where(NotificationPreference.user_id == user.id))
    }
    return {kind: chosen.get(kind, spec.default) for kind, spec in KINDS.items()}


def set_deliveries(user, wanted: dict[str, str]) -> None:
    """Save a person's choices; a kind or a choice that does not exist is refused by name."""
    errors = {}
    for kind, delivery in wanted.items():
        if kind not in KINDS:
            errors[kind] = f"There is no kind of notification called {kind[:40]!r}."
        elif delivery not in DELIVERIES:
            errors[kind] = f"Choose one of: {', '.join(DELIVERIES.values())}."
    if errors:
        raise ValidationError(errors)
    db.session.execute(delete(NotificationPreference).where(NotificationPreference.user_id == user.id))
    for kind, delivery in sorted(wanted.items()):
        if delivery != KINDS[kind].default:
            db.session.add(NotificationPreference(user_id=user.id, kind=kind, delivery=delivery))


# --- Telling --------------------------------------------------------------------------------


def tell(users: Iterable, kind: str, message: str, url: str, *, letter: Letter | None = None, skip=None) -> int:
    """Tell each person once (in-app, and by email as they chose). `skip`: a person not to
    tell (whoever did the thing). Returns how many were told."""
    if kind not in KINDS:
        raise KeyError(f"unknown kind of notification: {kind}")
    skip_id = getattr(skip, "id", None)
    seen, told = set(), 0
    for user in users:
        if user is None or user.id in seen or user.id == skip_id or not user.active:
            continue
        seen.add(user.id)
        if notify(user, kind, message, url, letter=letter):
            told += 1
    return told


def notify(user, kind: str, message: str, url: str, *, letter: Letter | None = None) -> bool:
    """One notification for one person, unless they turned this kind off. True if told."""
    delivery = delivery_for(user, kind)
    if delivery == OFF:
        return False
    mail = "none"
    if (user.email or "").strip():
        mail = delivery
        if delivery == NOW:
            letter = letter or Letter(subject=message[:200], paragraphs=[message], links=[("Open it in CAFpedia", url)])
            outbox.enqueue(user, kind, replace(letter, settings_link=letter.settings_link and can_sign_in(user)))
    db.session.add(
        Notification(
            user_id=user.id,
            kind=kind,
            message=message[:MESSAGE_MAX],
            url=url,
            created_at=utcnow(),
            mail=mail,
            mailed_at=utcnow() if mail == NOW else None,
        )
    )
    return True


def _delivery_of(kind: str):
    """A SQL expression: each user's delivery for `kind` (their choice, or the default)."""
    chosen = (
        select(NotificationPreference.delivery)
        .where(NotificationPreference.user_id == User.id, NotificationPreference.kind == kind)
        .scalar_subquery()
    )
    return func.coalesce(chosen, literal(KINDS[kind].default))


def audience(
    kind: str, *, except_user_id: int | None = None, watching: list[tuple[str, int]] | None = None
) -> tuple[int, int]:
    """(how many people would be told of `kind` now, how many of them by email at once):
    everyone active who has not turned it off, or, with `watching`, those of them who watch
    any of these targets. For the confirmation pages, before anything is published."""
    delivery = _delivery_of(kind)
    base = select(func.count(User.id)).where(User.active.is_(True), delivery != OFF)
    if except_user_id is not None:
        base = base.where(User.id != except_user_id)
    if watching is not None:
        condition = (
            or_(*(and_(Watch.target == t, Watch.target_id == i) for t, i in watching)) if watching else literal(False)
        )
        base = base.where(User.id.in_(select(Watch.user_id).where(condition)))
    emailed = base.where(func.coalesce(User.email, "") != "", delivery == NOW)
    return db.session.scalar(base) or 0, db.session.scalar(emailed) or 0


def notify_everyone(
    kind: str, message: str, url: str, *, except_user_id: int | None = None, letter: Letter | None = None
) -> int:
    """One notification for every active person who has not turned this kind off, and an
    email for those who want it at once: two INSERT ... SELECTs, so it costs the same for
    ten people or ten thousand. Returns how many were told."""
    delivery = _delivery_of(kind)
    now = utcnow()
    has_email = func.coalesce(User.email, "") != ""
    mail = case((has_email, delivery), else_=literal("none"))
    base = select(User.id).where(User.active.is_(True), delivery != OFF)
    if except_user_id is not None:
        base = base.where(User.id != except_user_id)
    rows = base.with_only_columns(
        User.id,
        literal(kind),
        literal(message[:MESSAGE_MAX]),
        literal(url),
        literal(now),
        mail,
        case((mail == NOW, literal(now)), else_=null()),
    )
    told = db.session.execute(
        insert(Notification)
        .from_select(["user_id", "kind", "message", "url", "created_at", "mail", "mailed_at"], rows)
        .returning(Notification.id)
    ).all()
    mailed = base.where(has_email, delivery == NOW).with_only_columns(User.id, User.email, User.name)
    letter = letter or Letter(subject=message[:200], paragraphs=[message], links=[("Open it in CAFpedia", url)])
    # Only someone who can sign in is sent to the notification settings (an imported person
    # without a password, and no identity provider, cannot open them).
    outbox.enqueue_for(mailed.where(can_sign_in_sql()), kind, letter)
    outbox.enqueue_for(mailed.where(~can_sign_in_sql()), kind, replace(letter, settings_link=False))
    return len(told)


# --- Reading --------------------------------------------------------------------------------


def unread_count(user) -> int:
    return db.session.scalar(unread_count_of(user)) or 0


def unread_count_of(user):
    """SQL, a query for one value: how many notifications `user` has not read."""
    return select(func.count(Notification.id)).where(Notification.user_id == user.id, Notification.read_at.is_(None))


def recent(user, limit: int = 100) -> list[Notification]:
    return list(
        db.session.scalars(
            select(Notification)
            .where(Notification.user_id == user.id)
            .order_by(Notification.created_at.desc(), Notification.id.desc())
            .limit(limit)
        )
    )


def mark_all_read(user) -> int:
    result = db.session.execute(
        update(Notification)
        .where(Notification.user_id == user.id, Notification.read_at.is_(None))
        .values(read_at=utcnow())
    )
    return result.rowcount or 0


# --- Daily summaries --------------------------------------------------------------------------


def send_daily_summaries() -> int:
    """One email per person with what they chose to hear about daily and have not been
    mailed yet. Returns how many summaries were queued."""
    rows = list(
        db.session.scalars(
            select(Notification)
            .where(Notification.mail == DAILY, Notification.mailed_at.is_(None))
            .order_by(Notification.user_id, Notification.created_at, Notification.id)
        )
    )
    by_user: dict[int, list[Notification]] = defaultdict(list)
    for row in rows:
        by_user[row.user_id].append(row)
    users = {u.id: u for u in db.session.scalars(select(User).where(User.id.in_(list(by_user))))}
    queued = 0
    now = utcnow()
    for user_id, items in by_user.items():
        user = users.get(user_id)
        if user is not None and user.active and (user.email or "").strip():
            count = len(items)
            outbox.enqueue(
                user,
                "summary",
                Letter(
                    subject=f"CAFpedia: {count} thing{'s' if count != 1 else ''} for you today",
                    paragraphs=[
                        f"Here is what happened in CAFpedia that you asked to hear about once a day ({count})."
                    ],
                    links=[(item.message, item.url) for item in items[:100]]
                    + (
                        [("…and more on your notifications page", path_for("notifications.index"))]
                        if count > 100
                        else []
                    ),
                    settings_link=can_sign_in(user),
                ),
            )
            queued += 1
        db.session.execute(update(Notification).where(Notification.id.in_([i.id for i in items])).values(mailed_at=now))
    return queued


# --- Marks: each reminder once --------------------------------------------------------------


def marked(keys: Iterable[str]) -> set[str]:
    keys = list(keys)
    found: set[str] = set()
    for start in range(0, len(keys), 500):
        found |= set(
            db.session.scalars(select(NotificationMark.key).where(NotificationMark.key.in_(keys[start : start + 500])))
        )
    return found


def mark_once(key: str) -> bool:
    """Record `key`; False if it was recorded already (by this or another worker)."""
    try:
        with db.session.begin_nested():
            db.session.add(NotificationMark(key=key[:160], at=utcnow()))
            db.session.flush()
    except IntegrityError:
        return False
    return True


# --- Watching -------------------------------------------------------------------------------


def _check_target(target: str, target_id: int) -> None:
    if target not in WATCH_TARGETS:
        raise NotFound(f"There is nothing called {target[:40]!r} to watch.")
    if target in ("legal", "digest") and target_id != 0:
        raise NotFound("The legal feed and the digest are watched as a whole.")


def is_watching(user, target: str, target_id: int = 0) -> bool:
    if not getattr(user, "is_authenticated", False):
        return False
    return db.session.scalar(watch_of(user, target, target_id)) is not None


def watch_of(user, target: str, target_id: int = 0):
    """SQL, a query for one value: the id of `user`'s watch on the target (None: not watching)."""
    return select(Watch.id).where(Watch.user_id == user.id, Watch.target == target, Watch.target_id == target_id)


def watch(user, target: str, target_id: int = 0) -> bool:
    """Start watching; False if already watching."""
    _check_target(target, target_id)
    if is_watching(user, target, target_id):
        return False
    try:
        with db.session.begin_nested():
            db.session.add(Watch(user_id=user.id, target=target, target_id=target_id, created_at=utcnow()))
            db.session.flush()
    except IntegrityError:
        return False
    return True


def unwatch(user, target: str, target_id: int = 0) -> bool:
    _check_target(target, target_id)
    return bool(
        db.session.execute(
            delete(Watch).where(Watch.user_id == user.id, Watch.target == target, Watch.target_id == target_id)
        ).rowcount
    )


def unwatch_by_id(user, watch_id: int) -> bool:
    """Stop one of this person's watches, named by its id (even if what it named is gone)."""
    return bool(db.session.execute(delete(Watch).where(Watch.user_id == user.id, Watch.id == watch_id)).rowcount)


def watchers(*targets: tuple[str, int]) -> list[User]:
    """The active people watching any of these targets."""
    if not targets:
        return []
    condition = or_(*(and_(Watch.target == t, Watch.target_id == i) for t, i in targets))
    ids = select(Watch.user_id).where(condition)
    return list(db.session.scalars(select(User).where(User.id.in_(ids), User.active.is_(True)).order_by(User.id)))


def watched_by(user) -> list[Watch]:
    return list(
        db.session.scalars(select(Watch).where(Watch.user_id == user.id).order_by(Watch.target, Watch.target_id))
    )
