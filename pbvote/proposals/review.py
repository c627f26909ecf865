"""Staff review of proposals: assign a case officer, assess cost and feasibility, merge duplicates,
publish prices. Every change is audited, added to the public history and e-mailed. Nothing commits.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from flask_babel import lazy_gettext as _l

from pbvote.audit.services import record_audit
from pbvote.auth.models import User
from pbvote.core.errors import DomainError, NotAllowed
from pbvote.extensions import db
from pbvote.processes.models import Process
from pbvote.proposals import review_policies as policies
from pbvote.proposals.models import (
    EventKind,
    Feasibility,
    Proposal,
    ProposalAuthor,
    ProposalEvent,
    ProposalFollower,
    ProposalStatus,
)
from pbvote.proposals.notifications import notify_status_change
from pbvote.proposals.review_queries import follower_ids, proposals_merged_into, unpublished_prices

STATUS_OF = {
    Feasibility.FEASIBLE: ProposalStatus.FEASIBLE,
    Feasibility.NOT_FEASIBLE: ProposalStatus.NOT_FEASIBLE,
    Feasibility.NEEDS_CHANGES: ProposalStatus.NEEDS_CHANGES,
}
REASON_MAX = 5000


def require_review(actor: Any, process: Process, now: datetime) -> None:
    """Refuse non-staff, and any process that is not in its review phase."""
    if not policies.is_reviewer(actor):
        raise NotAllowed(_l("Only municipal staff can review proposals."))
    if not policies.can_review_process(actor, process, now):
        raise NotAllowed(_l("Proposals can only be reviewed while the process is in its review phase."))


def add_event(proposal: Proposal, kind: EventKind, actor: Any, now: datetime, text: str = "") -> None:
    """Append one step to the proposal's public history."""
    db.session.add(
        ProposalEvent(proposal_id=proposal.id, kind=kind, public_text=text, actor_id=actor.id, at=now)
    )


def snapshot(proposal: Proposal, *fields: str) -> dict[str, Any]:
    """The named fields as plain JSON values, for the audit log's before and after."""
    return {name: _plain(getattr(proposal, name)) for name in fields}


def _plain(value: Any) -> Any:
    return getattr(value, "value", value)


def assign_reviewer(
    actor: User, proposals: Sequence[Proposal], reviewer: User | None, *, now: datetime
) -> int:
    """Make ``reviewer`` (None: nobody) the case officer of each proposal; returns how many changed.

    Raises:
        NotAllowed: the actor is not staff or a process is not in review.
        DomainError: the chosen reviewer is not active staff.
    """
    if reviewer is not None and not (policies.is_reviewer(reviewer) and reviewer.active):
        raise DomainError(_l("Proposals can only be assigned to active municipal staff."))
    changed = 0
    for proposal in proposals:
        require_review(actor, proposal.process, now)
        new_id = reviewer.id if reviewer else None
        if proposal.reviewer_id == new_id:
            continue
        record_audit(
            actor,
            "proposal.reviewer_assigned",
            proposal,
            before={"reviewer_id": proposal.reviewer_id},
            after={"reviewer_id": new_id},
            now=now,
        )
        proposal.reviewer_id = new_id
        if reviewer is not None:
            add_event(proposal, EventKind.ASSIGNED, actor, now)
        changed += 1
    db.session.flush()
    return changed


def assess_proposal(
    actor: User,
    proposal: Proposal,
    *,
    vetted_cost: int | None,
    feasibility: Feasibility,
    public_reason: str,
    now: datetime,
) -> bool:
    """Record the vetted cost and the verdict; the status follows the verdict. False if nothing changed.

    Raises:
        NotAllowed: not staff, not in review, or the proposal is closed (withdrawn, merged, on the ballot).
        DomainError: no public reason for a negative verdict, no cost for a feasible one, a cost below 1.
    """
    require_review(actor, proposal.process, now)
    if not policies.can_assess(actor, proposal, now):
        raise NotAllowed(_l("This proposal can no longer be assessed."))
    reason = public_reason.strip()
    check_assessment(vetted_cost, feasibility, reason)
    fields = ("vetted_cost", "feasibility", "status", "public_reason")
    before = snapshot(proposal, *fields)
    status_before = proposal.status
    reason_before = proposal.public_reason
    cost_changed = proposal.vetted_cost != vetted_cost
    proposal.vetted_cost = vetted_cost
    proposal.feasibility = feasibility
    proposal.status = STATUS_OF[feasibility]
    proposal.public_reason = reason
    after = snapshot(proposal, *fields)
    if after == before:
        return False
    record_audit(actor, "proposal.assessed", proposal, before=before, after=after, now=now)
    if cost_changed:
        add_event(proposal, EventKind.COST_ESTIMATED, actor, now)
    if proposal.status != status_before or reason != reason_before or before["feasibility"] is None:
        add_event(proposal, EventKind.ASSESSED, actor, now, reason)
        db.session.flush()
        notify_status_change(proposal, EventKind.ASSESSED, now=now)
    db.session.flush()
    return True


def check_assessment(vetted_cost: int | None, feasibility: Feasibility, reason: str) -> None:
    """The rules an assessment must meet, whoever sends it."""
    if feasibility is not Feasibility.FEASIBLE and not reason:
        raise DomainError(_l("Write a public reason when the proposal cannot be carried out as it is."))
    if feasibility is Feasibility.FEASIBLE and vetted_cost is None:
        raise DomainError(_l("Enter the estimated cost before you mark the proposal as feasible."))
    if vetted_cost is not None and vetted_cost < 100:
        raise DomainError(_l("The estimated cost must be at least 1 krone."))
    if len(reason) > REASON_MAX:
        raise DomainError(_l("The public reason can be at most %(max)d characters.", max=REASON_MAX))


def merge_proposals(actor: User, kept: Proposal, duplicates: Iterable[Proposal], *, now: datetime) -> int:
    """Merge duplicates into ``kept``: their authors become co-authors, followers move over.

    Returns:
        How many proposals were merged.
    Raises:
        NotAllowed: not staff, not in review, or a proposal that cannot be merged (closed, other process).
    """
    require_review(actor, kept.process, now)
    duplicates = list(duplicates)
    if not duplicates:
        raise DomainError(_l("Choose at least one proposal to merge into this one."))
    for duplicate in duplicates:
        if not policies.can_merge(actor, kept, duplicate, now):
            raise NotAllowed(_l("Proposal #%(id)d cannot be merged into this proposal.", id=duplicate.id))
    for duplicate in duplicates:
        _merge_one(actor, kept, duplicate, now)
    db.session.flush()
    for duplicate in duplicates:
        notify_status_change(duplicate, EventKind.MERGED, reason="", now=now)
    return len(duplicates)


def _merge_one(actor: User, kept: Proposal, duplicate: Proposal, now: datetime) -> None:
    """Move one duplicate's people onto the kept proposal and close it."""
    before = snapshot(duplicate, "status", "merged_into_id")
    people = {duplicate.author_id} | {c.user_id for c in duplicate.coauthors}
    known = {kept.author_id} | {c.user_id for c in kept.coauthors}
    added = sorted(i for i in people - known if i is not None)
    for user_id in added:
        kept.coauthors.append(ProposalAuthor(user_id=user_id))
    kept_followers = set(follower_ids(kept.id))
    for user_id in follower_ids(duplicate.id):
        if user_id not in kept_followers:
            db.session.add(ProposalFollower(proposal_id=kept.id, user_id=user_id))
    for earlier in proposals_merged_into(duplicate.id):  # keep one level: they now point at the kept one
        earlier.merged_into_id = kept.id
    duplicate.status = ProposalStatus.MERGED
    duplicate.merged_into_id = kept.id
    record_audit(
        actor,
        "proposal.merged",
        duplicate,
        before=before,
        after={**snapshot(duplicate, "status", "merged_into_id"), "authors_added": added},
        now=now,
    )
    add_event(duplicate, EventKind.MERGED, actor, now, f"#{kept.id} {kept.title}")
    add_event(kept, EventKind.MERGED, actor, now, f"#{duplicate.id} {duplicate.title}")


def publish_prices(actor: User, process: Process, *, now: datetime) -> int:
    """Make every vetted cost of the process public at once (CONSUL's 'publish prices').

    Returns:
        How many prices were published (0 when all were public already).
    """
    require_review(actor, process, now)
    proposals = unpublished_prices(process.id)
    for proposal in proposals:
        proposal.cost_published = True
        add_event(proposal, EventKind.PRICE_PUBLISHED, actor, now)
    if proposals:
        record_audit(
            actor,
            "process.prices_published",
            process,
            before={"published": []},
            after={"published": {str(p.id): p.vetted_cost for p in proposals}},
            now=now,
        )
    db.session.flush()
    for proposal in proposals:
        notify_status_change(proposal, EventKind.PRICE_PUBLISHED, reason="", now=now)
    return len(proposals)
