"""No tip written twice: while someone proposes a new tip, and when a moderator decides on one,
the published tips and pending proposals that look like it (search.similar), as the new-tip
form, its preview and the decision page show them. A published tip links to its page and to
"Propose an edit to this one instead"; a pending proposal, named only to those who may see it
(its author and the area's moderators: search's visibility rules), to its revision page.
Nothing here blocks anyone: it is a list of links."""

from __future__ import annotations

from dataclasses import asdict, dataclass

from flask import url_for

from cafpedia.search import similar as search_similar
from cafpedia.tips.models import KIND_LABELS, PENDING, STATUS_LABELS

TITLE_MAX_CHARS = 300  # what the form's live check accepts (tips.proposals.TITLE_MAX is less)
BODY_MAX_CHARS = 5000  # only the first lines count (search.similar.BODY_CHARS): more is refused
SHOWN = 5


@dataclass(frozen=True)
class SimilarTip:
    title: str
    url: str  # the tip's page, or the proposal's revision page
    kind: str  # its label: Practice tip, Guidance
    area: str  # its area's title
    status: str  # published | pending
    status_label: str  # "Waiting for moderation" for a proposal
    edit_url: str | None  # "Propose an edit to this one instead" (a published tip only)

    def as_dict(self) -> dict:
        return asdict(self)


def similar_tips(user, title: str, body: str = "", *, exclude=None) -> list[SimilarTip]:
    """What `user` may see that looks like a tip with this title and text (at most SHOWN),
    never the tip `exclude` itself nor any of its proposals."""
    keys = ()
    if exclude is not None:
        keys = (f"tip:{exclude.slug}", *(f"proposal:{exclude.slug}:{r.number}" for r in exclude.revisions))
    shown = []
    for found in search_similar.similar(user, title, body, limit=SHOWN, exclude_keys=keys):
        slug = found.key.split(":")[1]
        pending = found.status == PENDING
        shown.append(
            SimilarTip(
                title=found.title,
                url=found.url,
                kind=KIND_LABELS.get(found.kind, found.kind),
                area=found.area_title,
                status=found.status,
                status_label=STATUS_LABELS.get(found.status, found.status),
                edit_url=None if pending else url_for("tips.edit", slug=slug),
            )
        )
    return shown
