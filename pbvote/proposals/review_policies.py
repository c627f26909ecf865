"""Who may review, place on the ballot and moderate proposals, and when: pure predicates.

Services check them before writing; views and templates use them to show only what can be done.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pbvote.auth.policies import can_review
from pbvote.processes.models import Phase, Process
from pbvote.proposals.models import Project, Proposal, ProposalStatus

ASSESSABLE = frozenset(
    {
        ProposalStatus.SUBMITTED,
        ProposalStatus.NEEDS_CHANGES,
        ProposalStatus.FEASIBLE,
        ProposalStatus.NOT_FEASIBLE,
    }
)
MERGEABLE = ASSESSABLE  # a duplicate must still be open; the kept one may already be on the ballot
HAS_PRICE_TO_PUBLISH = frozenset(ASSESSABLE | {ProposalStatus.ON_BALLOT})


def is_reviewer(user: Any) -> bool:
    """Staff and admins review proposals."""
    return can_review(user)


def in_review(process: Process) -> bool:
    """Staff change assessments and the ballot only in the review phase."""
    return process.phase is Phase.REVIEW


def can_view_review(user: Any, process: Process, now: datetime) -> bool:
    """Staff may look at the queue of any process, whatever its phase."""
    return is_reviewer(user)


def can_review_process(user: Any, process: Process, now: datetime) -> bool:
    """Assign, assess, merge and publish prices: staff, while the process is in review."""
    return is_reviewer(user) and in_review(process)


def can_assess(user: Any, proposal: Proposal, now: datetime) -> bool:
    """An open proposal (not withdrawn, merged or already on the ballot) can be assessed."""
    return can_review_process(user, proposal.process, now) and proposal.status in ASSESSABLE


def can_keep_in_merge(user: Any, kept: Proposal, now: datetime) -> bool:
    """A proposal that is still alive (open or on the ballot) can take in duplicates."""
    return can_review_process(user, kept.process, now) and kept.status in MERGEABLE | {
        ProposalStatus.ON_BALLOT
    }


def can_merge(user: Any, kept: Proposal, duplicate: Proposal, now: datetime) -> bool:
    """An open duplicate can be merged into another proposal of the same process that is still alive."""
    return (
        can_keep_in_merge(user, kept, now)
        and duplicate.id != kept.id
        and duplicate.process_id == kept.process_id
        and duplicate.status in MERGEABLE
    )


def is_ready_for_ballot(proposal: Proposal) -> bool:
    """Feasible, with a vetted cost, and not hidden by a moderator."""
    return (
        proposal.status is ProposalStatus.FEASIBLE
        and proposal.vetted_cost is not None
        and proposal.vetted_cost > 0
        and not proposal.hidden
    )


def can_edit_ballot(user: Any, process: Process, now: datetime) -> bool:
    """Projects change only in review and until the rules are frozen."""
    return can_review_process(user, process, now) and not process.is_frozen


def can_place_on_ballot(user: Any, proposal: Proposal, now: datetime) -> bool:
    """An accepted proposal can become a project while the ballot can still change."""
    return can_edit_ballot(user, proposal.process, now) and is_ready_for_ballot(proposal)


def can_remove_from_ballot(user: Any, project: Project, now: datetime) -> bool:
    """A project can leave the ballot while the ballot can still change."""
    return can_edit_ballot(user, project.budget.process, now)


def can_moderate(user: Any, proposal: Proposal, now: datetime) -> bool:
    """Staff hide and restore proposals in any phase."""
    return is_reviewer(user)


def can_report(user: Any, proposal: Proposal, now: datetime) -> bool:
    """Anyone, logged in or not, may report a proposal the public can see."""
    return not proposal.hidden and proposal.process.phase is not Phase.DRAFT
