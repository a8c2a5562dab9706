"""The tips' blueprint and what its pages share: loading a tip or a revision this reader may see,
a proposal's form read into a draft, Markdown rendered with its [[links]], the tip page and the
revision's decision page (which refused forms fall back to), and the templates' helpers."""

from __future__ import annotations

from flask import (
    Blueprint,
    abort,
    current_app,
    g,
    render_template,
    url_for,
)
from flask_login import current_user

from cafpedia.config import escalate_days_from
from cafpedia.core.confidentiality import KIND_LABELS as FLAG_LABELS
from cafpedia.core.highlighting import excerpts, find_in_fields, highlight_html, highlight_text, locate
from cafpedia.core.markdown import render_markdown
from cafpedia.core.permissions import (
    can_decide,
    can_see_revision,
    can_see_unpublished_tip,
    ensure,
    sees_proposals,
)
from cafpedia.core.text import normalise_tag, split_on_commas_or_lines
from cafpedia.tips import moderation, proposals, reading
from cafpedia.tips.diff import field_changes, word_diff
from cafpedia.tips.forms import (
    ApproveForm,
    CommentForm,
    TipForm,
)
from cafpedia.tips.models import CHECKLIST, KIND_LABELS, PENDING, STATUS_LABELS
from cafpedia.tips.similar import similar_tips

bp = Blueprint("tips", __name__, template_folder="templates")
# The app's extension that draws a tip's page with the panels other domains give beside it (the
# research behind it, legal updates): set by cafpedia.composed.tip_page, the layer above the domains.
TIP_PAGE = "cafpedia_tip_page"


def load_tip(slug: str):
    """The tip, if this reader may see it: published and archived tips for readers,
    a tip never published only for its authors and the area's moderators."""
    tip = reading.find_tip(slug) or abort(404)
    if tip.current_number is None and not can_see_unpublished_tip(current_user, tip):
        abort(404)
    return tip


def load_revision(tip, number: int):
    revision = tip.revision(number) or abort(404)
    ensure(can_see_revision(current_user, revision))
    return revision


def draft_from_form(form: TipForm) -> proposals.Draft:
    return proposals.Draft(
        title=form.title.data or "",
        body=form.body.data or "",
        kind=form.kind.data or "tip",
        tags=[normalise_tag(t) for t in split_on_commas_or_lines(form.tags.data)],
        standards=[
            c.strip() for c in (form.standards.data or "").replace(";", ",").replace(" ", ",").split(",") if c.strip()
        ],
        legal_refs=[r.strip() for r in (form.legal_refs.data or "").splitlines() if r.strip()],
        confirm_safe=bool(form.confirm_safe.data),
        change_note=form.change_note.data or "",
    )


def fill_form(form: TipForm, revision) -> None:
    form.title.data, form.kind.data, form.body.data = revision.title, revision.kind, revision.body
    form.tags.data = ", ".join(revision.tags)
    form.standards.data = ", ".join(revision.standards)
    form.legal_refs.data = "\n".join(revision.legal_refs)


def revision_url(revision) -> str:
    return url_for("tips.revision", slug=revision.tip.slug, number=revision.number)


def render_body(source: str):
    return render_markdown(source, resolve_link=reading.link_resolver(source))


def proposal_case_details(draft: proposals.Draft, findings) -> dict:
    """For the proposal form: what the guard found, each with where it is, and the lines it is
    in with each finding marked (a text box cannot show a mark)."""
    located = locate(findings, draft.fields())
    return {"findings": located, "excerpts": excerpts(located, draft.fields())}


def marked_preview(draft: proposals.Draft, findings):
    """The draft's body as readers will see it, with what the guard found marked in place."""
    return highlight_html(render_body(draft.body), also=findings) if findings else render_body(draft.body)


def report_case_details(text: str) -> dict:
    """For a reader's problem report: what the guard found in it, located and marked."""
    fields = [("your report", text or "")]
    located = find_in_fields(fields)
    return {"problem_findings": located, "problem_excerpts": excerpts(located, fields)}


def revision_case_details(rev, moderating: bool = True) -> dict:
    """For the decision page: what the guard finds in the revision's title, body and legal
    references now, with the flags stored when it was proposed that it no longer finds (looked
    for by their text), each with where it is; and the title, body and references with each
    marked in place. A revision never flagged is checked again only while it waits for a decision;
    a reader (`moderating` false) is shown the text as readers see it, with none of this."""
    checked = moderating and (rev.flags or rev.status == PENDING)
    located = find_in_fields(proposals.guarded_fields(rev), stored=rev.flags or []) if checked else []
    if not located:
        return {"case_details": [], "body": render_body(rev.body), "title_marked": None, "refs_marked": None}
    return {
        "case_details": located,
        "body": highlight_html(render_body(rev.body), also=located),
        "title_marked": highlight_text(rev.title, also=located),
        "refs_marked": [highlight_text(ref, also=located) for ref in rev.legal_refs],
    }


def tip_page(tip, **forms):
    """The tip as readers see it; for its moderators, with the review and archive forms (shown
    again with their errors and what was typed, when one was refused). A reader's problem report
    refused comes back with what the confidentiality guard found in it. Drawn by the layer above
    the domains (cafpedia.composed.tip_page), which adds the panels other domains give beside a
    tip and keeps what every reader sees; create_app installs it: a tip page without those
    panels would hide what readers must see."""
    draw = current_app.extensions.get(TIP_PAGE)
    if draw is None:
        raise RuntimeError("the tip page is not installed: create_app calls cafpedia.composed.init_app")
    return draw(tip, **forms)


def decision_page(tip, rev, *, approve_form=None, comment_form=None, status=400):
    base = tip.revision(rev.based_on)
    current = tip.revision(tip.current_number)
    conflict = rev.status == PENDING and rev.based_on != tip.current_number
    moderating = sees_proposals(current_user, rev)
    answers = None
    answering = proposals.sent_back_comment(current_user, tip, rev.revises)
    if answering is not None:
        earlier, comment = answering
        answers = {"rev": earlier, "comment": comment, "pieces": word_diff(earlier.body, rev.body)}
    return render_template(
        "tips/revision.html",
        tip=tip,
        rev=rev,
        base=base,
        current=current,
        conflict=conflict,
        **revision_case_details(rev, moderating),
        pieces=word_diff(base.body if base else "", rev.body),
        fields=field_changes(base, rev),
        conflict_pieces=word_diff(base.body if base else "", current.body) if conflict and current else [],
        can_decide=current_user.is_authenticated and can_decide(current_user, rev),
        checklist=CHECKLIST,
        approve_form=approve_form or ApproveForm(formdata=None, corrected_title=rev.title, corrected_body=rev.body),
        comment_form=comment_form or CommentForm(formdata=None),
        answers=answers,
        similar=_similar_to_new_tip(tip, rev),
        # the text as proposed, before the moderator's correction, was never published
        correction_pieces=word_diff(rev.proposed_body, rev.body) if rev.corrected and moderating else None,
    ), status


def _similar_to_new_tip(tip, rev) -> list | None:
    """For a moderator deciding on a tip never published: the tips and proposals it may repeat
    (an empty list: none; None: not asked, for an edit or for anyone else)."""
    if tip.current_number is not None or rev.status != PENDING or not current_user.is_authenticated:
        return None
    if not can_decide(current_user, rev):
        return None
    return similar_tips(current_user, rev.title, rev.body, exclude=tip)


def header_counts() -> tuple[int, int]:
    """For the header: (proposals waiting, tips due or overdue for review) in the areas the
    signed-in person moderates; counted once per request."""

    if "moderation_counts" not in g:
        g.moderation_counts = moderation.moderation_counts(current_user) if current_user.is_authenticated else (0, 0)
    return g.moderation_counts


def init_app(app) -> None:
    """[[links]] in any Markdown rendered by templates resolve to tips; labels for templates."""

    app.extensions["cafpedia_link_resolver"] = reading.resolve_link
    app.jinja_env.globals.update(
        moderation_counts=header_counts,
        working_days_waiting=moderation.working_days_waiting,
        escalate_after=escalate_days_from(app.config),
    )
    app.jinja_env.globals.update(status_labels=STATUS_LABELS, kind_labels=KIND_LABELS, flag_labels=FLAG_LABELS)
    app.jinja_env.filters["checklist_label"] = lambda key: CHECKLIST.get(key, key)
