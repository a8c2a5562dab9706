"""Domain events: what happened, announced by the package it happened in.

A service sends a signal inside its transaction, after making its change; subscribers
(notifications, mail, watchers, legal flags) add their own rows to the same session, so
they commit or roll back with the change. No domain package imports another only to
tell it that something happened.

Each signal's sender is the main object; keyword arguments carry the rest.
"""

from __future__ import annotations

from blinker import Namespace

_events = Namespace()

# tips: sender is the Revision
proposal_submitted = _events.signal("proposal-submitted")  # a new proposal, or a resubmission (revision.revises set)
proposal_approved = _events.signal("proposal-approved")  # moderator=, comment=
proposal_sent_back = _events.signal("proposal-sent-back")  # moderator=, comment=
proposal_rejected = _events.signal("proposal-rejected")  # moderator=, comment=
# tips: sender is the Tip
revision_published = _events.signal("revision-published")  # revision=, actor=, first=True for a tip's first publication
tip_archived = _events.signal("tip-archived")  # actor=, note=
tip_reviewed = _events.signal("tip-reviewed")  # actor=, note= (a review, or an approval, which is a review too)
review_due = _events.signal("review-due")  # stage= ("soon", "due", "overdue"), weeks=
# A question rather than news: receivers return a list of reasons (plain text) why this tip
# is under review beyond its date, such as "the legal update “…”"; marking it reviewed
# clears them, so it needs a note.
review_reasons = _events.signal("review-reasons")
# legal: sender is the LegalUpdate
legal_update_posted = _events.signal("legal-update-posted")  # actor=
tip_flagged_for_review = _events.signal("tip-flagged-for-review")  # tip=, actor=
# digest: sender is the DigestIssue
digest_published = _events.signal("digest-published")  # actor=
digest_item_corrected = _events.signal("digest-item-corrected")  # sender: the DigestItem; actor=, reason=
# moderation: sender is a Revision (proposal) or a Tip (overdue review)
escalated = _events.signal("escalated")  # level= (1: deputies, 2: administrators), working_days=
# tips: a reader reported a problem with a tip (sender: the Tip); problem=, actor=
tip_problem_reported = _events.signal("tip-problem-reported")
# experts: sender is the Nomination
nomination_made = _events.signal("nomination-made")  # actor=
nomination_decided = _events.signal("nomination-decided")  # actor=, note= (its status says which way)
# A question rather than news, asked by a confirmation page before anything is published:
# receivers (notifications) return (how many people would be told, how many of them by email
# at once). Sender: the kind of notification ("digest", "watch"); except_user_id=, watching=
# (a list of (target, id): only those watching one of them), both optional.
audience = _events.signal("audience")
# accounts: sender is the AccessRequest (someone without an account signed in through the identity provider)
access_requested = _events.signal("access-requested")


def would_be_told(kind: str, *, except_user_id: int | None = None, watching: list[tuple[str, int]] | None = None):
    """(how many people would be told of `kind` now, how many of them by email at once), as the
    receivers of `audience` answer. None listening is an error, not "nobody": a confirmation
    page would tell the person publishing that no one will be told."""
    if not audience.receivers:
        raise RuntimeError("nothing answers events.audience: create_app connects cafpedia.notifications.rules")
    answers = [value for _, value in audience.send(kind, except_user_id=except_user_id, watching=watching) if value]
    return sum(told for told, _ in answers), sum(emailed for _, emailed in answers)
