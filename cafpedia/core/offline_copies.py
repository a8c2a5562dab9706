"""How a page says a phone may keep a copy of it for reading offline.

The service worker (static/sw.js) keeps only responses the server marks as savable: a
published tip or guidance page, or the advice line's numbers, shown to a signed-in person.
Everything else (proposals, notifications, the audit log, people) is never stored on a phone.
Which pages a person's phone keeps is cafpedia.offline's (`pages_for`).
"""

from __future__ import annotations

from urllib.parse import quote

from cafpedia.core import clock

ADVICE_LINE_TITLE = "Find an expert: the advice line's numbers"

SAVE_HEADER = "X-Cafpedia-Offline"
TITLE_HEADER = "X-Cafpedia-Title"
SAVED_HEADER = "X-Cafpedia-Saved"
VERSION_HEADER = "X-Cafpedia-Version"
USER_HEADER = "X-Cafpedia-User"
# Sent by the service worker when it refreshes saved pages in the background: not a reading.
BACKGROUND_HEADER = "X-Cafpedia-Background"


def saved_label() -> str:
    """When a page was saved, as the offline notice says it: '29 Nov, 10:02' (UK time)."""
    local = clock.now_london()
    return f"{local.day} {local:%b, %H:%M}"


def mark_savable(response, *, title: str, version: str, user):
    """Let the service worker keep this response, for this signed-in person, for reading
    offline. `version` changes when the page does, so a refresh downloads only what changed."""
    response.headers[SAVE_HEADER] = "save"
    response.headers[TITLE_HEADER] = quote(title, safe=" ")  # headers are Latin-1: the worker decodes it
    response.headers[SAVED_HEADER] = quote(saved_label(), safe=" ,:")
    response.headers[VERSION_HEADER] = version
    response.headers[USER_HEADER] = str(user.id)  # a number, never a name: whose copy this is
    return response


def is_background_refresh(request) -> bool:
    return request.headers.get(BACKGROUND_HEADER) == "refresh"


def tip_version(current_number: int | None) -> str:
    """A tip page changes with each published revision (and is downloaded again daily for
    what else it shows: legal flags, research, review dates)."""
    return f"r{current_number}"
