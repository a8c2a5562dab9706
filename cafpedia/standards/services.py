"""Reading the National Standards."""

from __future__ import annotations

from itertools import groupby

from sqlalchemy import select

from cafpedia.extensions import db
from cafpedia.standards.models import StandardClause, StandardsVersion


def list_versions() -> list[StandardsVersion]:
    return list(db.session.scalars(select(StandardsVersion).order_by(StandardsVersion.version)))


def current_version() -> StandardsVersion | None:
    """The version marked current, or else the most recently loaded one."""
    return db.session.scalar(
        select(StandardsVersion).order_by(
            StandardsVersion.current.desc(), StandardsVersion.created_at.desc(), StandardsVersion.id.desc()
        )
    )


def find_version(version: str) -> StandardsVersion | None:
    return db.session.scalar(select(StandardsVersion).where(StandardsVersion.version == version))


def grouped_clauses(version: StandardsVersion) -> list[tuple[int, str, list[StandardClause]]]:
    """[(standard number, standard title, clauses)] in the document's order."""
    groups = []
    for number, clauses in groupby(version.clauses, key=lambda c: c.standard_number):
        clauses = list(clauses)
        groups.append((number, clauses[0].standard, clauses))
    return groups
