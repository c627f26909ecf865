"""E-mail a proposal's authors and followers, each in their own language, when its status changes.

Queueing only adds outbox rows: the caller's transaction decides whether they are sent.
"""

from __future__ import annotations

from datetime import datetime

from flask import current_app, has_request_context, render_template, url_for
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from pbvote.auth.models import User
from pbvote.i18n import format_money
from pbvote.outbox.services import queue_email
from pbvote.proposals.labels import status_label
from pbvote.proposals.models import EventKind, Proposal
from pbvote.proposals.review_queries import follower_ids, users_by_id

HEADLINES = {
    EventKind.ASSESSED: _l("The municipality has assessed the proposal."),
    EventKind.MERGED: _l("The proposal has been merged with a similar proposal."),
    EventKind.PLACED_ON_BALLOT: _l("The proposal has been placed on the ballot: residents can vote for it."),
    EventKind.REMOVED_FROM_BALLOT: _l("The proposal has been taken off the ballot again."),
    EventKind.HIDDEN: _l("A moderator has hidden the proposal, so it is no longer shown publicly."),
    EventKind.RESTORED: _l("A moderator has restored the proposal, so it is shown publicly again."),
    EventKind.PRICE_PUBLISHED: _l("The municipality has published its estimate of what the proposal costs."),
}


def recipients(proposal: Proposal) -> list[User]:
    """The proposal's author, co-authors and followers, each once."""
    ids = {proposal.author_id} | {coauthor.user_id for coauthor in proposal.coauthors}
    ids |= set(follower_ids(proposal.id))
    return users_by_id(sorted(i for i in ids if i is not None))


def notify_status_change(
    proposal: Proposal, what: EventKind, *, reason: str | None = None, now: datetime
) -> int:
    """Queue one e-mail per recipient saying what happened, the new status, the reason and a link.

    Args:
        proposal: the proposal after the change.
        what: the kind of change (picks the e-mail's first sentence).
        reason: the public reason to quote; by default the proposal's assessment reason.
    Returns:
        How many e-mails were queued. Does not commit.
    """
    link = "" if proposal.hidden else proposal_link(proposal.id)  # a hidden proposal's page is gone
    merged_link = proposal_link(proposal.merged_into_id) if proposal.merged_into_id else None
    people = recipients(proposal)
    for person in people:
        with force_locale(_locale_of(person)):
            subject = _("News about the proposal “%(title)s”", title=proposal.title)
            body = render_template(
                "proposals/manage/email/status_changed.txt",
                user=person,
                proposal=proposal,
                headline=str(HEADLINES[what]),
                status=status_label(proposal.status),
                reason=proposal.public_reason if reason is None else reason,
                price=_price_text(proposal, what),
                link=link,
                merged_link=merged_link,
            )
        queue_email(person.email, subject[:200], body, now=now)
    return len(people)


def _locale_of(user: User) -> str:
    """The account's language if this site offers it, else the site's default (Danish)."""
    if user.locale in current_app.config["LOCALES"]:
        return str(user.locale)
    return str(current_app.config["DEFAULT_LOCALE"])


def _price_text(proposal: Proposal, what: EventKind) -> str:
    """The vetted cost in the reader's format, once it is public."""
    if proposal.vetted_cost is None or not (proposal.cost_published or what is EventKind.PRICE_PUBLISHED):
        return ""
    return format_money(proposal.vetted_cost, proposal.process.currency)


def proposal_link(proposal_id: int) -> str:
    """The public page of a proposal as a full address (outside a request: from PUBLIC_URL)."""
    if has_request_context():
        return url_for("proposals.detail", proposal_id=proposal_id, _external=True)
    with current_app.test_request_context(base_url=current_app.config["PUBLIC_URL"]):
        return url_for("proposals.detail", proposal_id=proposal_id, _external=True)
