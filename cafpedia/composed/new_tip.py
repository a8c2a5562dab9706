"""A new tip or guidance page, which may start from a question to the Practice Advice Line (the
experts' advice log): the call's question becomes its title, its advice is shown beside the form,
and the call is answered by the tip once proposed. Registered on the tips' blueprint (`tips.new`)."""

from __future__ import annotations

from flask import flash, redirect, render_template, request
from flask_login import current_user

from cafpedia.areas.services import area_choices, find_area
from cafpedia.core.forms import commit_or_show_errors, form_status
from cafpedia.core.permissions import can_read_advice_log, requires
from cafpedia.experts.advice_log import find_call
from cafpedia.experts.advice_log import link_tip as link_call_to_tip
from cafpedia.gaps import answering
from cafpedia.tips import proposals
from cafpedia.tips.forms import NewTipForm
from cafpedia.tips.pages import bp, draft_from_form, marked_preview, proposal_case_details, revision_url
from cafpedia.tips.similar import similar_tips


@bp.route("/tips/new", methods=["GET", "POST"])
@requires("propose_tips")
def new():
    form = NewTipForm()
    form.area.choices = area_choices()
    call = _advice_call(form.call.data if request.method == "POST" else request.args.get("call", ""))
    gap = answering.line_to_answer(
        current_user, form.gap.data if request.method == "POST" else answering.gap_value(request.args)
    )
    if request.method == "GET":
        area = find_area(request.args.get("area", "")) or (call.area if call else None)
        if area:
            form.area.data = area.slug
        if call:  # a question to the advice line becomes the title of a tip that answers it (whole: the
            # field says its limit and counts, and the server refuses a longer one, rather than cut it unseen)
            form.call.data, form.title.data = str(call.id), call.question
        if gap:  # a line of the area's "What people need": its searches or questions beside the form
            form.gap.data, form.area.data = gap.value, gap.area.slug
            if gap.line.source == "advice" and not form.title.data:
                form.title.data = gap.line.text
    preview = None
    found = {}
    similar = []
    if form.validate_on_submit():
        draft = draft_from_form(form)
        findings = draft.findings()
        found = proposal_case_details(draft, findings)
        if form.preview.data:
            preview = marked_preview(draft, findings)
            similar = similar_tips(current_user, draft.title, draft.body)  # as the form's script shows them
        else:

            def propose():
                revision = proposals.propose_new_tip(
                    current_user, area_slug=form.area.data, slug=form.slug.data, draft=draft
                )
                if call:
                    link_call_to_tip(call, revision.tip)
                if gap:
                    answering.proposed(current_user, gap, revision.tip)
                return revision

            revision = commit_or_show_errors(form, propose, shown_at=revision_url)
            if revision is not None:
                flash(
                    "Your proposal has been sent to the lead manager for approval. You can follow it in My proposals.",
                    "success",
                )
                return redirect(revision_url(revision))
    return render_template(
        "tips/edit.html", form=form, tip=None, preview=preview, call=call, gap=gap, similar=similar, **found
    ), form_status(form)


def _advice_call(value: str | None):
    """The advice-line call a new tip starts from, for those who may read the advice log."""
    if not (value or "").isdecimal() or len(value) > 9 or not can_read_advice_log(current_user):
        return None
    return find_call(int(value))
