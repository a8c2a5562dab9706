"""A legal update "as at" a date: the revision readers saw at the end of that day (UK time),
and whether it had been posted or withdrawn by then. Nothing here writes."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from cafpedia.core.as_at import end_of, fingerprint
from cafpedia.legal.models import LegalRevision, LegalUpdate

NOT_YET_POSTED, PUBLISHED, WITHDRAWN = "not yet posted", "published", "withdrawn"


@dataclass
class UpdateAsAt:
    update: LegalUpdate
    day: date
    moment: datetime
    status: str
    revision: LegalRevision | None = None
    history: list[LegalRevision] | None = None  # the revisions by then, newest first

    @property
    def is_current(self) -> bool:
        return (
            self.revision is not None
            and self.revision.number == self.update.current_number
            and self.status == self.update.status
        )

    def fingerprint(self) -> str:
        r = self.revision
        if r is None:
            return ""
        return fingerprint(
            {
                "update": self.update.slug,
                "revision": r.number,
                "kind": r.kind,
                "title": r.title,
                "citations": list(r.citations),
                "made_on": r.made_on.isoformat(),
                "areas": list(r.areas),
                "tags": list(r.tags),
                "source_url": r.source_url,
                "author": r.author.username,
            },
            r.summary + "\n" + r.briefing + "\n## What it means for practice\n" + r.practice,
        )


def update_as_at(update: LegalUpdate, day: date) -> UpdateAsAt:
    moment = end_of(day)
    if update.published_on > day:
        return UpdateAsAt(update, day, moment, NOT_YET_POSTED)
    written = [r for r in update.revisions if r.created_at < moment] or update.revisions[
        :1
    ]  # a file's first revision is as posted
    withdrawn = update.withdrawn_at is not None and update.withdrawn_at < moment
    return UpdateAsAt(update, day, moment, WITHDRAWN if withdrawn else PUBLISHED, written[-1], list(reversed(written)))
