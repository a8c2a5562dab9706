"""Who is told what: the subscribers to CAFpedia's domain events.

- Lead manager and deputies of an area: a new proposal or a resubmission; their tips
  coming due for review (7 days before, on the day, weekly while overdue); a tip sent
  for review by a legal update.
- The author: approved, sent back or rejected, with the link to where the moderator's
  note, comment or reason is read in CAFpedia.
- Watchers: a watched tip's new published revision or archiving; something new
  published in a watched area (a tip, a legal update); a new legal update (the legal
  feed); a correction to a published item (the digest).
- Everyone: a new digest issue.
- Administrators: someone without an account signed in through the identity provider.
- Lead manager and deputies: a reader's problem report on one of their tips, at most once
  a UK day per tip, however many readers report.

Notifications and emails carry titles, names and links, never what someone typed (a
comment, a reason, a note, a report): that is read in CAFpedia, signed in, where it can be
asked for again and is not copied into mailboxes.
- Escalation: deputies at level 1 (administrators when the area has none), then
  administrators at level 2.
"""

from __future__ import annotations

from sqlalchemy import select

from cafpedia.accounts.models import User, UserRole
from cafpedia.core import clock, events
from cafpedia.core.permissions import ADMIN, REGISTER_ADMIN, can_moderate
from cafpedia.core.urls import path_for
from cafpedia.extensions import db
from cafpedia.mail.outbox import Letter
from cafpedia.notifications import services
from cafpedia.tips.models import Revision


def moderators_of(area) -> list[User]:
    return [u for u in [area.lead, *area.deputies] if u is not None]


def administrators() -> list[User]:
    return list(
        db.session.scalars(
            select(User).join(UserRole).where(UserRole.role == ADMIN, User.active.is_(True)).order_by(User.id)
        )
    )


def _revision_url(revision) -> str:
    return path_for("tips.revision", slug=revision.tip.slug, number=revision.number)


@events.audience.connect
def _audience(kind, except_user_id=None, watching=None, **_) -> tuple[int, int]:
    """For a confirmation page: how many would be told of `kind` now, and how many by email."""
    return services.audience(kind, except_user_id=except_user_id, watching=watching)


@events.proposal_submitted.connect
def _tell_moderators_of_proposal(revision, **_):
    tip, area, author = revision.tip, revision.tip.area, revision.author.name
    if revision.revises:
        _tell_moderators_of_resubmission(revision)
        return
    if tip.current_number:
        message = f"Proposed edit waits for your decision in {area.title}: {revision.title} (by {author})"
        intro = f"{author} has proposed an edit in {area.title}. It waits for your decision."
    else:
        message = f"New proposal waits for your decision in {area.title}: {revision.title} (by {author})"
        intro = f"{author} has proposed a new {revision.kind} in {area.title}. It waits for your decision."
    services.tell(
        moderators_of(area),
        "proposal",
        message,
        _revision_url(revision),
        letter=_for_decision(revision, intro),
        skip=revision.author,
    )


def _for_decision(revision, intro: str) -> Letter:
    return Letter(
        subject=f"For your decision: {revision.title}",
        paragraphs=[intro, "Approve it, send it back or reject it from its decision page."],
        links=[(revision.title, _revision_url(revision)), ("Your moderation queue", path_for("tips.queue"))],
    )


def _tell_moderators_of_resubmission(revision) -> None:
    """The moderator who sent the proposal back reads "the proposal you sent back"; the area's
    other moderators read who sent it back (or that it was sent back, when nobody is named)."""
    area, author = revision.tip.area, revision.author.name
    earlier = revision.tip.revision(revision.revises)
    sent_back = next((e for e in reversed(earlier.decisions) if e.action == "sent_back"), None) if earlier else None
    sender = sent_back.actor if sent_back else None
    message = f"Resubmitted for your decision in {area.title}: {revision.title} (by {author})"
    url, waits = _revision_url(revision), f"in {area.title}. It waits for your decision."
    others = [u for u in moderators_of(area) if sender is None or u.id != sender.id]
    if sender is not None and can_moderate(sender, area):
        intro = f"{author} has revised the proposal you sent back, {waits}"
        services.tell([sender], "proposal", message, url, letter=_for_decision(revision, intro), skip=revision.author)
    by = f"that {sender.name} sent back" if sender is not None else "that was sent back"
    intro = f"{author} has revised a proposal {by}, {waits}"
    services.tell(others, "proposal", message, url, letter=_for_decision(revision, intro), skip=revision.author)


@events.proposal_approved.connect
def _tell_author_approved(revision, moderator=None, comment="", corrected=False, **_):
    url = path_for("tips.show", slug=revision.tip.slug)
    paragraphs = [
        f"{moderator.name if moderator else 'A lead manager'} approved your proposal “{revision.title}”. It is "
        f"published now."
    ]
    if corrected:
        paragraphs.append("They made a small correction first: the tip's history shows what they changed.")
    links = [(revision.title, url)]
    if comment:
        paragraphs.append("They left you a note: read it on your proposal's page in CAFpedia.")
        links.append(("Your proposal and their note", _revision_url(revision)))
    services.tell(
        [revision.author],
        "decision",
        f"Approved and published: {revision.title}",
        url,
        letter=Letter(subject=f"Published: {revision.title}", paragraphs=paragraphs, links=links),
        skip=moderator,
    )


@events.proposal_sent_back.connect
def _tell_author_sent_back(revision, moderator=None, comment="", **_):
    url = path_for("tips.edit", slug=revision.tip.slug, revises=revision.number)
    who = moderator.name if moderator else "A lead manager"
    services.tell(
        [revision.author],
        "decision",
        f"Sent back for changes: {revision.title} (by {who})",
        url,
        letter=Letter(
            subject=f"Sent back for changes: {revision.title}",
            paragraphs=[
                f"{who} sent your proposal “{revision.title}” back for changes.",
                "Their comment is on the page where you revise it, in CAFpedia. Revise it and send it again: it "
                "goes back to the same queue.",
            ],
            links=[("Revise your proposal", url), ("What you sent", _revision_url(revision))],
        ),
        skip=moderator,
    )


@events.proposal_rejected.connect
def _tell_author_rejected(revision, moderator=None, comment="", **_):
    url = _revision_url(revision)
    who = moderator.name if moderator else "A lead manager"
    services.tell(
        [revision.author],
        "decision",
        f"Rejected: {revision.title} (by {who})",
        url,
        letter=Letter(
            subject=f"Not published: {revision.title}",
            paragraphs=[
                f"{who} decided not to publish your proposal “{revision.title}”.",
                "Their reason is on your proposal's page in CAFpedia.",
            ],
            links=[("Your proposal and their reason", url)],
        ),
        skip=moderator,
    )


@events.revision_published.connect
def _tell_watchers_published(tip, revision=None, actor=None, first=False, **_):
    url = path_for("tips.show", slug=tip.slug)
    if first:
        message = f"New in {tip.area.title}: {tip.title}"
        targets = [("area", tip.area_id), ("tip", tip.id)]
    else:
        message = f"New version published: {tip.title}"
        targets = [("tip", tip.id)]
    services.tell(services.watchers(*targets), "watch", message, url, skip=actor)


@events.tip_archived.connect
def _tell_watchers_archived(tip, actor=None, **_):
    services.tell(
        services.watchers(("tip", tip.id)),
        "watch",
        f"Archived: {tip.title}",
        path_for("tips.show", slug=tip.slug),
        skip=actor,
    )


@events.review_due.connect
def _tell_moderators_review_due(tip, stage="due", weeks=0, **_):
    when = {
        "soon": f"is due for review on {clock.format_date(tip.review_by)}",
        "due": "is due for review today",
        "overdue": f"is overdue for review (due {clock.format_date(tip.review_by)}, {weeks} "
        f"week{'s' if weeks != 1 else ''} ago)",
    }[stage]
    services.tell(
        moderators_of(tip.area),
        "review_due",
        f"{tip.title} {when}",
        path_for("tips.show", slug=tip.slug),
        letter=Letter(
            subject=f"Review {'overdue' if stage == 'overdue' else 'due'}: {tip.title}",
            paragraphs=[
                f"“{tip.title}” in {tip.area.title} {when}.",
                "Check it still holds: mark it reviewed, or propose an edit.",
            ],
            links=[
                (tip.title, path_for("tips.show", slug=tip.slug)),
                ("Reviews due in your areas", path_for("tips.reviews")),
            ],
        ),
    )


@events.tip_flagged_for_review.connect
def _tell_moderators_flagged(update, tip=None, actor=None, **_):
    message = f"Review due now: {tip.title} (legal update: {update.current.title})"
    services.tell(
        moderators_of(tip.area),
        "legal_review",
        message,
        path_for("tips.show", slug=tip.slug),
        letter=Letter(
            subject=f"Review because of a legal update: {tip.title}",
            paragraphs=[
                f"The legal update “{update.current.title}” may change what “{tip.title}” says. Please review the tip."
            ],
            links=[
                (tip.title, path_for("tips.show", slug=tip.slug)),
                (update.current.title, path_for("legal.show", slug=update.slug)),
            ],
        ),
        skip=actor,
    )


@events.legal_update_posted.connect
def _tell_legal_watchers(update, actor=None, **_):
    targets = [("legal", 0)] + [("area", area.id) for area in update.areas]
    services.tell(
        services.watchers(*targets),
        "watch",
        f"New legal update: {update.current.title}",
        path_for("legal.show", slug=update.slug),
        skip=actor,
    )


@events.digest_published.connect
def _tell_everyone_digest(issue, actor=None, **_):
    url = path_for("digest.issue", issue_slug=issue.slug)
    return services.notify_everyone(
        "digest",
        f"New research digest: {issue.title}",
        url,
        except_user_id=getattr(actor, "id", None),
        letter=Letter(
            subject=f"New research digest: {issue.title}",
            paragraphs=[f"The research coordinator has published {issue.title} of the research digest."],
            links=[(issue.title, url)],
        ),
    )


@events.digest_item_corrected.connect
def _tell_digest_watchers(item, actor=None, reason="", **_):
    """The reason for the correction is on the item's page, with the text it replaced."""
    url = path_for("digest.item", issue_slug=item.issue.slug, item_slug=item.slug)
    services.tell(
        services.watchers(("digest", 0)), "watch", f"Research digest item corrected: {item.title}", url, skip=actor
    )


@events.tip_problem_reported.connect
def _tell_moderators_of_problem(tip, problem=None, actor=None, **_):
    """The area's moderators, once a UK day per tip (a mark, so concurrent reports tell them
    once too): which tip, and where to read the reports. Never the text a reader typed."""
    today = clock.today()
    if not services.mark_once(f"tip-problem:{tip.id}:{today.isoformat()}"):
        return
    url = path_for("tips.show", slug=tip.slug, _anchor="what-readers-said")
    services.tell(
        moderators_of(tip.area),
        "tip_problem",
        f"A reader reported a problem with {tip.title} ({tip.area.title})",
        url,
        letter=Letter(
            subject=f"A problem reported with “{tip.title}”",
            paragraphs=[
                f"A reader reported a problem with “{tip.title}”, in {tip.area.title}. Read it under “What readers "
                "said” on the tip's page in CAFpedia (signed in).",
                "Further reports on this tip today are not sent separately: the tip's page lists them all. Reviewing "
                "the tip, or publishing a new revision, answers the reports open on it.",
            ],
            links=[(tip.title, url)],
        ),
        skip=actor,
    )


@events.nomination_made.connect
def _tell_register_administrators_of_nomination(nomination, actor=None, **_):
    """Every active register administrator: someone to consider for the register."""
    for admin in db.session.scalars(
        select(User).join(UserRole).where(User.active.is_(True), UserRole.role == REGISTER_ADMIN)
    ):
        services.notify(
            admin,
            "nomination",
            f"{actor.name} nominated {nomination.name} for the register ({nomination.area.title}).",
            path_for("experts.register"),
        )


@events.nomination_decided.connect
def _tell_nominator_of_decision(nomination, actor=None, note="", **_):
    """The administrator's note is on the nominations page, not in the notification."""
    services.notify(
        nomination.nominated_by,
        "nomination",
        f"Your nomination of {nomination.name} for {nomination.area.title} was {nomination.status}"
        + (": the register administrator's note is on your nominations page." if note else "."),
        path_for("experts.nominate")
        if note or not nomination.expert
        else path_for("experts.show", slug=nomination.expert.slug),
    )


@events.access_requested.connect
def _tell_administrators_of_access_request(request, **_):
    who = f"{request.name or 'Someone'} ({request.email or 'no email address given'})"
    services.tell(
        administrators(),
        "access_request",
        f"Asks for access: {who} signed in without a CAFpedia account",
        path_for("accounts.access_requests"),
        letter=Letter(
            subject=f"Access to CAFpedia asked for by {request.name or request.email or 'someone'}",
            paragraphs=[
                f"{who} signed in through your organisation's identity provider, but has no CAFpedia account. "
                "They have no access until an administrator grants it.",
                "Grant it (choosing their roles and areas) or decline it from the access requests page.",
            ],
            links=[("Access requests", path_for("accounts.access_requests"))],
        ),
    )


@events.escalated.connect
def _tell_escalation(subject, level=1, working_days=0, **_):

    if isinstance(subject, Revision):
        area, title, url = subject.tip.area, subject.title, _revision_url(subject)
        what = f"The proposal “{title}” in {area.title} has waited {working_days} working days for a decision"
    else:
        area, title, url = subject.area, subject.title, path_for("tips.show", slug=subject.slug)
        what = f"The review of “{title}” in {area.title} is {working_days} working days overdue"
    deputies = list(area.deputies)
    people = deputies if level == 1 and deputies else administrators()
    lead = area.lead.name if area.lead else "no lead manager named"
    services.tell(
        people,
        "escalation",
        f"Waiting too long: {title} ({working_days} working days, {area.title})",
        url,
        letter=Letter(
            subject=f"Waiting too long: {title}",
            paragraphs=[
                f"{what}. The lead manager is {lead}.",
                "You are told because you "
                + ("are a deputy for this area." if people is deputies else "are an administrator."),
            ],
            links=[(title, url)],
        ),
    )
