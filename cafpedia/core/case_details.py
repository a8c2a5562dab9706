"""The confidentiality guard applied to what a person writes: one way for every form.

Everywhere free text enters CAFpedia, the service checks its texts with `check` (or `require`):
a tip proposal (title, text, legal references, change note), a problem report, a moderator's
note or comment (approve, send back, reject, mark reviewed, archive), the advice log, a digest
issue, item, correction, suggestion or reply, a legal update (and its note, or why it is
withdrawn), the Register of Experts (an entry's job title, skills and about, an away note, why
an entry is retired) and a nomination to it (job title, skills, reason). When the guard
(core.confidentiality) finds something that could identify a child or family, nothing is saved
and the writer is told which field holds what; they take it out, or tick the one confirm box
(`CONFIRM_LABEL`, a form's `confirm_safe` field) and send again. The audit entry records what
they confirmed (`audited`). A warning, not a refusal: the guard also finds what is not a case
detail (a court's phone number, a name in a judgment's title, a colleague to ring in an away
note), and a refusal with no way past would block that text. A tip's moderator still confirms
a flagged proposal before approving it (tips.moderation), as before; a nomination the
administrator accepts keeps its nominator's confirmation (its reason becomes the entry's about).

Content files are checked as before, and take a text its writer confirmed: the advice log's
calls and the register's entries carry `case_details_confirmed: true` (written by export when
the guard finds something), so that what the app saved exports and loads again.

Templates show the warning and the box with `_macros/case_details.html`'s `check(confirm,
texts)`, which finds what the guard finds in the sent fields (`case_details_in`, a template
global): the writer sees what was found beside the text they keep.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, MutableMapping

from flask import request

from cafpedia.core.confidentiality import Finding, describe, find_case_details
from cafpedia.core.errors import ValidationError
from cafpedia.core.highlighting import excerpts, find_in_fields

CONFIRM_KEY = "confirm_safe"
CONFIRM_LABEL = "I have checked: this text does not identify any child or family"


def found(texts: Mapping[str, str | None]) -> list[tuple[str, list[Finding]]]:
    """(what the text is called, what the guard finds in it) for each text with a finding, in order."""
    return [(what, hits) for what, text in texts.items() if (hits := find_case_details(text))]


def message(hits: list[tuple[str, list[Finding]]]) -> str:
    """What the writer is told: which field holds what, and the two ways on."""
    where = "; ".join(f"in {what}, {describe(findings)}" for what, findings in hits)
    return (
        f"This looks as if it may hold case details ({where}). Remove them, or tick the box to confirm the text "
        "identifies no child or family."
    )


def check(
    errors: MutableMapping[str, str], texts: Mapping[str, str | None], confirmed: bool, *, key: str = CONFIRM_KEY
) -> list[Finding]:
    """Apply the guard to a form's `texts` (what each is called, as "the summary", -> the text).

    Unless the writer `confirmed`, a finding puts a message naming the field and what was found
    in `errors[key]` (the confirm box's field), so that nothing is saved. Returns every finding
    (empty when there are none): a service records a confirmed one with `audited`."""
    hits = found(texts)
    if hits and not confirmed and key not in errors:
        errors[key] = message(hits)
    return [finding for _, findings in hits for finding in findings]


def require(texts: Mapping[str, str | None], confirmed: bool, *, key: str = CONFIRM_KEY) -> list[Finding]:
    """`check` for a service with nothing else to refuse at that point: raises its ValidationError."""
    errors: dict[str, str] = {}
    findings = check(errors, texts, confirmed, key=key)
    if errors:
        raise ValidationError(errors)
    return findings


def audited(findings: list[Finding]) -> dict[str, list[str]] | None:
    """For an audit entry's `after`: the kinds of what the writer confirmed identifies no child or
    family, such as "a phone number" (None when nothing was found). Never the text itself: the
    audit log is kept for good, chained and exported, and a detail taken out of the content later
    must not stay in it."""
    return {"case_details_confirmed": sorted({f.label for f in findings})} if findings else None


QUESTION_WORDS = {"what", "why", "how", "when", "where", "who", "which", "is", "are", "do", "does", "can"}


def field_name(label: str) -> str:
    """How a sentence names a form's field: "The question, in a sentence" -> "the question"."""
    name = label.split(",")[0].split("(")[0].strip()
    if name.split(" ")[0].lower() in QUESTION_WORDS:
        return f"“{name}”"  # "What they can advise on" is named by its words
    name = name[:1].lower() + name[1:] if not name[:2].isupper() else name
    return name if name.startswith(("the ", "your ")) else f"the {name}"


def case_details_in(fields: Iterable) -> dict:
    """Template global: what the guard finds in a submitted form's fields (or plain texts), each
    located ("in the question, line 2"), and the lines that hold them with each finding marked,
    for the warning shown above its confirm box. Nothing for a form not yet sent: a stored text
    being edited was checked (and confirmed) when it was saved."""
    if request.method != "POST":
        return {}
    named = []
    for item in fields:
        text = getattr(item, "data", item)
        label = getattr(getattr(item, "label", None), "text", "") or "the text"
        if isinstance(text, str) and text.strip():
            named.append((field_name(label), text))
    located = [place for field in named for place in find_in_fields([field])]
    if not located:
        return {}
    return {"findings": located, "excerpts": excerpts(located, named)}
