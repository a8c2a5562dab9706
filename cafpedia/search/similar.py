"""What in the index may already say what a text says: a new tip's title and first lines
against the published tips and the pending proposals, an advice-line question against tips.

The backend finds candidates by the text's distinctive words (`Backend.similar`, within what
the reader may see: visibility.py); they are then scored here the same way whichever backend
found them, and kept above THRESHOLD:

    score = 0.6 × Jaccard(the titles' meaning words) + 0.4 × cosine(title and text words)

"Meaning words" are the stemmed words without stop words (text.tokens), as the index holds
them. THRESHOLD was set with bench/duplicates.py (a tip's own title and first paragraph,
lightly reworded, against unrelated titles, on the demo content and 2,000 tips).

Search being unavailable never stops a form: `similar` then answers [] (and logs why, never
the text).
"""

from __future__ import annotations

import logging
import math
from collections import Counter
from dataclasses import dataclass

from cafpedia.search.backends import SearchUnavailable
from cafpedia.search.follower import follower
from cafpedia.search.service import visibility_for
from cafpedia.search.text import tokens

log = logging.getLogger(__name__)

TITLE_WEIGHT, TEXT_WEIGHT = 0.6, 0.4
# At 0.3 (bench/duplicates.py, December 2026): a reworded tip listed 100% on the demo and 97%
# (Whoosh) / 93% (PostgreSQL) among 2,000 more, its title alone 95% / 89%; a title nobody wrote
# listed anything 0 times in 40 (at 0.25, 8 of 20 new titles in the practice listed something).
THRESHOLD = 0.3
BODY_CHARS = 1500  # the first lines of a text are compared: what a duplicate shows first
CANDIDATES = 4  # the backend is asked for this many times `limit`, to be scored here
TEXT_MAX = 20_000  # longer input is cut (callers limit what they accept; this bounds the work)


@dataclass(frozen=True)
class SimilarDocument:
    key: str  # tip:<slug>, proposal:<slug>:<n>
    kind: str  # tip | guidance
    title: str
    url: str
    status: str  # published | pending
    area: str
    area_title: str
    score: float  # 0 to 1, as above


def jaccard(a: set[str], b: set[str]) -> float:
    return len(a & b) / len(a | b) if a or b else 0.0


def cosine(a: Counter, b: Counter) -> float:
    dot = sum(n * b[w] for w, n in a.items() if w in b)
    norm = math.sqrt(sum(n * n for n in a.values())) * math.sqrt(sum(n * n for n in b.values()))
    return dot / norm if norm else 0.0


def likeness(title: str, body: str, other_title: str, other_body: str) -> float:
    """How alike two texts are, 0 to 1, by the formula above (bodies: their first BODY_CHARS)."""
    words = set(tokens(title))
    other = set(tokens(other_title))
    text = Counter(tokens(f"{title}\n{body[:BODY_CHARS]}"))
    other_text = Counter(tokens(f"{other_title}\n{other_body[:BODY_CHARS]}"))
    return TITLE_WEIGHT * jaccard(words, other) + TEXT_WEIGHT * cosine(text, other_text)


def similar(
    user,
    title: str,
    body: str = "",
    *,
    kinds: tuple[str, ...] = ("tip", "guidance"),
    limit: int = 5,
    exclude_keys: tuple[str, ...] = (),
    threshold: float = THRESHOLD,
) -> list[SimilarDocument]:
    """The documents of `kinds` that `user` may see (published; pending proposals to their
    author and the area's moderators; never archived) that look like `title` and `body`, most
    alike first, at most `limit`, none of `exclude_keys`. [] when search cannot answer."""
    title, body = (title or "")[:TEXT_MAX], (body or "")[:TEXT_MAX]
    if not tokens(title) and not tokens(body[:BODY_CHARS]):
        return []
    try:
        index = follower()
        if index.ensure(wait=False) != "ok":
            raise SearchUnavailable("the search index is damaged; it is being rebuilt")
        if index.has_pending():
            index.drain(timeout=0.2)
        candidates = index.backend.similar(
            f"{title}\n{body[:BODY_CHARS]}",
            visibility_for(user),
            kinds=tuple(kinds),
            limit=limit * CANDIDATES,
            exclude_keys=tuple(exclude_keys),
        )
    except SearchUnavailable as exc:
        log.warning("similar documents unavailable: %s", exc)
        return []
    scored = [
        SimilarDocument(
            key=c.key,
            kind=c.kind,
            title=c.title,
            url=c.url,
            status=c.status,
            area=c.area,
            area_title=c.area_title,
            score=round(likeness(title, body, c.title, c.body), 3),
        )
        for c in candidates
    ]
    kept = [s for s in scored if s.score >= threshold]
    kept.sort(key=lambda s: (-s.score, s.key))
    return kept[:limit]
