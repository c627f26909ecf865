"""Reports from anyone, and staff hiding, restoring or keeping a reported proposal. Nothing commits."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask_babel import lazy_gettext as _l

from pbvote.audit.services import record_audit
from pbvote.auth.models import User
from pbvote.core.errors import DomainError, NotAllowed
from pbvote.extensions import db
from pbvote.proposals import review_policies as policies
from pbvote.proposals.models import EventKind, Proposal, ProposalReport
from pbvote.proposals.notifications import notify_status_change
from pbvote.proposals.review import add_event
from pbvote.proposals.review_queries import has_open_report_by, open_report_rows

REPORT_REASON_MAX = 1000
MODERATION_REASON_MAX = 500


def report_proposal(reporter: Any, proposal: Proposal, reason: str, *, now: datetime) -> ProposalReport:
    """Store someone's report that a proposal breaks the rules; anonymous visitors may report too.

    Raises:
        NotAllowed: the proposal is not public.
        DomainError: no reason, a reason that is too long, or this account reported it already.
    """
    if not policies.can_report(reporter, proposal, now):
        raise NotAllowed(_l("This proposal cannot be reported."))
    reason = reason.strip()
    if not reason:
        raise DomainError(_l("Tell us what is wrong with the proposal."))
    if len(reason) > REPORT_REASON_MAX:
        raise DomainError(_l("At most %(max)d characters.", max=REPORT_REASON_MAX))
    reporter_id = reporter.id if getattr(reporter, "is_authenticated", False) else None
    if reporter_id is not None and has_open_report_by(proposal.id, reporter_id):
        raise DomainError(_l("You have already reported this proposal. We will look at it."))
    report = ProposalReport(proposal_id=proposal.id, reporter_id=reporter_id, reason=reason, created_at=now)
    db.session.add(report)
    db.session.flush()
    return report


def hide_proposal(actor: User, proposal: Proposal, reason: str, *, now: datetime) -> None:
    """Hide a proposal from every public page with a public reason; its open reports are resolved.

    Raises:
        NotAllowed: the actor is not staff.
        DomainError: no reason, or the proposal is hidden already.
    """
    reason = _moderation_reason(actor, proposal, reason, now)
    if proposal.hidden:
        raise DomainError(_l("The proposal is already hidden."))
    _moderate(actor, proposal, hidden=True, reason=reason, now=now)


def restore_proposal(actor: User, proposal: Proposal, reason: str, *, now: datetime) -> None:
    """Show a hidden proposal again, with a public reason.

    Raises:
        NotAllowed: the actor is not staff.
        DomainError: no reason, or the proposal is not hidden.
    """
    reason = _moderation_reason(actor, proposal, reason, now)
    if not proposal.hidden:
        raise DomainError(_l("The proposal is not hidden."))
    _moderate(actor, proposal, hidden=False, reason=reason, now=now)


def dismiss_reports(actor: User, proposal: Proposal, *, now: datetime) -> int:
    """Keep the proposal as it is and close its open reports; returns how many were closed."""
    if not policies.can_moderate(actor, proposal, now):
        raise NotAllowed(_l("Only municipal staff can moderate proposals."))
    resolved = _resolve_reports(proposal, now)
    if not resolved:
        raise DomainError(_l("The proposal has no open reports."))
    record_audit(
        actor, "proposal.reports_dismissed", proposal, before={"open_reports": resolved}, after={}, now=now
    )
    db.session.flush()
    return len(resolved)


def _moderation_reason(actor: User, proposal: Proposal, reason: str, now: datetime) -> str:
    """Staff only, and always with a reason the authors and the public can read."""
    if not policies.can_moderate(actor, proposal, now):
        raise NotAllowed(_l("Only municipal staff can moderate proposals."))
    reason = reason.strip()
    if not reason:
        raise DomainError(_l("Write the reason; the authors and the public will see it."))
    if len(reason) > MODERATION_REASON_MAX:
        raise DomainError(_l("At most %(max)d characters.", max=MODERATION_REASON_MAX))
    return reason


def _moderate(actor: User, proposal: Proposal, *, hidden: bool, reason: str, now: datetime) -> None:
    """Flip visibility, resolve reports, audit, record in the history and tell the authors and followers."""
    before = {"hidden": proposal.hidden, "hidden_reason": proposal.hidden_reason}
    proposal.hidden = hidden
    proposal.hidden_reason = reason if hidden else ""
    resolved = _resolve_reports(proposal, now)
    record_audit(
        actor,
        "proposal.hidden" if hidden else "proposal.restored",
        proposal,
        before=before,
        after={"hidden": hidden, "hidden_reason": proposal.hidden_reason, "reports": resolved},
        now=now,
    )
    kind = EventKind.HIDDEN if hidden else EventKind.RESTORED
    add_event(proposal, kind, actor, now, reason)
    db.session.flush()
    notify_status_change(proposal, kind, reason=reason, now=now)


def _resolve_reports(proposal: Proposal, now: datetime) -> list[int]:
    """Close the proposal's open reports; returns their ids."""
    reports = open_report_rows(proposal.id)
    for report in reports:
        report.resolved_at = now
    return [report.id for report in reports]
