"""Small query pieces shared by every domain: a case-insensitive "contains", and a flush that
turns another writer's clash on a unique value into a refusal the person can act on."""

from __future__ import annotations

from sqlalchemy.exc import IntegrityError

from cafpedia.core.errors import ServiceError
from cafpedia.extensions import db


def contains(column, text: str):
    """Case-insensitive 'column contains text', with % and _ taken literally."""
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return column.ilike(f"%{escaped}%", escape="\\")


def flush_or_refuse(message: str) -> None:
    """Flush in a savepoint: if another writer took the same unique value (an address, a number)
    at the same moment, only the savepoint is undone and `message` says what to do."""
    try:
        with db.session.begin_nested():
            db.session.flush()
    except IntegrityError as exc:
        raise ServiceError(message) from exc
