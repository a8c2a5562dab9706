"""Checking the audit log's hash chain, and the trail as a file: `verify()` walks the chain and
names the first entry that does not match (recorded, and run once a day by the worker);
`file_lines()` writes the trail as audit.jsonl lines, and `adopt()` takes a trail from a
content folder as this installation's own."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy import func, select, update

from cafpedia.core.audit import (
    HASHED_FIELDS,
    AuditChainHead,
    AuditEntry,
    AuditVerification,
    canonical,
    entry_digest,
    hashed_fields,
    hold_head,
)
from cafpedia.core.clock import utcnow
from cafpedia.extensions import db


@dataclass
class ChainReport:
    entries: int
    intact: bool
    first_bad_id: int | None = None
    message: str = ""


def _chain_rows():
    """The entries as the chain reads them, oldest first: id, the hashed fields, the two hashes."""
    return select(
        AuditEntry.id,
        AuditEntry.at,
        AuditEntry.actor_name,
        AuditEntry.action,
        AuditEntry.object_type,
        AuditEntry.object_ref,
        AuditEntry.summary,
        AuditEntry.before,
        AuditEntry.after,
        AuditEntry.prev_hash,
        AuditEntry.entry_hash,
    ).order_by(AuditEntry.id)


def verify(batch: int = 5000) -> ChainReport:
    """Walk the whole chain, oldest first; the first entry that does not match is named."""
    prev, count = "", 0
    rows = db.session.execute(_chain_rows().execution_options(yield_per=batch))
    try:
        for row in rows:
            count += 1
            described = (
                f"entry {row.id} ({row.action}, {row.object_type} {row.object_ref}, {row.at:%Y-%m-%d %H:%M:%S} UTC)"
            )
            if row.prev_hash != prev:
                return ChainReport(
                    count,
                    False,
                    row.id,
                    f"{described} does not follow the entry before it: an entry before it was "
                    "removed or added, or its link was changed.",
                )
            if entry_digest(prev, hashed_fields(*row[1:9])) != row.entry_hash:
                return ChainReport(count, False, row.id, f"{described} has been changed since it was written.")
            prev = row.entry_hash
    finally:
        rows.close()  # a streamed result (a server-side cursor on PostgreSQL) left early
    head = db.session.execute(
        select(AuditChainHead.last_hash, AuditChainHead.entries).where(AuditChainHead.id == 1)
    ).first()
    if head is not None and (head.last_hash, head.entries) != (prev, count):
        return ChainReport(
            count,
            False,
            None,
            f"The log has {count} entries, but {head.entries} were written: the newest entries "
            "were removed, or entries were added outside CAFpedia.",
        )
    return ChainReport(count, True, None, f"All {count} entries are intact.")


def record_verification(report: ChainReport) -> AuditVerification:
    row = AuditVerification(
        at=utcnow(),
        entries=report.entries,
        intact=report.intact,
        first_bad_id=report.first_bad_id,
        message=report.message,
    )
    db.session.add(row)
    return row


FILE_FIELDS = ("id", *HASHED_FIELDS, "prev_hash", "hash")


def file_line(row) -> str:
    """One entry as a line of audit.jsonl: its id, its hashed fields, and its two hashes."""
    fields = hashed_fields(*row[1:9]) | {"id": row.id, "prev_hash": row.prev_hash, "hash": row.entry_hash}
    return canonical(fields)


def file_lines(batch: int = 5000) -> Iterator[str]:
    rows = db.session.execute(_chain_rows().execution_options(yield_per=batch))
    try:
        for row in rows:
            yield file_line(row)
    finally:
        rows.close()


def entry_count() -> int:
    return db.session.scalar(select(func.count()).select_from(AuditEntry)) or 0


def adopt(entries: list[dict[str, Any]], actor_ids: dict[str, int]) -> None:
    """Bring in a whole trail (from audit.jsonl, already checked to chain) into an installation
    whose own trail is empty: each entry exactly as written, ids and hashes included."""
    head = hold_head(db.session)
    if head.entries or entry_count():
        raise ValueError("this installation already has an audit trail of its own")
    if entries:
        db.session.execute(
            AuditEntry.__table__.insert(),
            [
                {
                    "id": e["id"],
                    "at": e["at"],
                    "actor_id": actor_ids.get(e["actor_name"]),
                    "actor_name": e["actor_name"],
                    "action": e["action"],
                    "object_type": e["object_type"],
                    "object_ref": e["object_ref"],
                    "summary": e["summary"],
                    "before": e["before"],
                    "after": e["after"],
                    "prev_hash": e["prev_hash"],
                    "entry_hash": e["hash"],
                }
                for e in entries
            ],
        )
        if db.session.get_bind().dialect.name == "postgresql":  # the next id follows the ones brought in
            db.session.execute(
                select(func.setval(func.pg_get_serial_sequence("audit_entries", "id"), max(e["id"] for e in entries)))
            )
    db.session.execute(
        update(AuditChainHead)
        .where(AuditChainHead.id == 1)
        .values(last_hash=entries[-1]["hash"] if entries else "", entries=len(entries))
    )


VERIFY_EVERY = timedelta(days=1)


def verify_if_due() -> ChainReport | None:
    """The worker's daily check of the whole chain (committed), when the last is a day old."""
    last = last_verification()
    if last is not None and last.at > utcnow() - VERIFY_EVERY:
        return None
    report = verify()
    record_verification(report)
    db.session.commit()
    return report


def last_verification() -> AuditVerification | None:
    return db.session.scalar(select(AuditVerification).order_by(AuditVerification.id.desc()).limit(1))
