"""A research digest item "as at" a date: the text readers saw at the end of that day (UK
time), from the item and the texts its corrections replaced. Nothing here writes."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from cafpedia.core.as_at import end_of, fingerprint
from cafpedia.digest.models import DigestItem, DigestItemVersion

NOT_YET_PUBLISHED, PUBLISHED = "not yet published", "published"


@dataclass
class ItemAsAt:
    item: DigestItem
    day: date
    moment: datetime
    status: str
    text: DigestItem | DigestItemVersion | None = (
        None  # the text then: the item itself, or the version a later correction replaced
    )
    corrections: list[DigestItemVersion] = field(default_factory=list)  # made by then, oldest first
    later_corrections: int = 0

    @property
    def is_current(self) -> bool:
        return self.text is self.item

    def fingerprint(self) -> str:
        if self.text is None:
            return ""
        t = self.text
        return fingerprint(
            {
                "issue": self.item.issue.slug,
                "item": self.item.slug,
                "title": t.title,
                "source": t.source,
                "authors": list(t.authors),
                "year": t.year,
                "url": t.url,
                "tags": list(t.tags),
                "corrections": len(self.corrections),
            },
            t.summary + "\n## Implications for practice\n" + t.implications,
        )


def item_as_at(item: DigestItem, day: date) -> ItemAsAt:
    moment = end_of(day)
    issue = item.issue
    published = issue.published_on is not None and issue.published_on <= day
    if not published:  # (whether it was being drafted then, readers could not tell)
        return ItemAsAt(item, day, moment, NOT_YET_PUBLISHED)
    versions = sorted(item.versions, key=lambda v: (v.replaced_at, v.id))
    then = ItemAsAt(item, day, moment, PUBLISHED)
    then.corrections = [v for v in versions if v.replaced_at < moment]
    later = [v for v in versions if v.replaced_at >= moment]
    then.later_corrections = len(later)
    then.text = later[0] if later else item  # the oldest later correction replaced the text readers saw then
    return then
