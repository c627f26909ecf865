"""Who may do what with proposals: pure predicates for services, views and templates."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pbvote.auth.policies import can_review
from pbvote.processes.models import Phase, Process
from pbvote.proposals.models import Proposal, ProposalStatus

EDITABLE_STATUSES = frozenset({ProposalStatus.SUBMITTED, ProposalStatus.NEEDS_CHANGES})


def is_logged_in(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False))


def collects_proposals(process: Process, now: datetime) -> bool:
    """Whether the process is in its proposals phase at ``now`` (the admin moves phases on)."""
    return process.phase == Phase.PROPOSALS


def can_propose(user: Any, process: Process, now: datetime) -> bool:
    """Logged-in people may submit while the process collects proposals."""
    return is_logged_in(user) and collects_proposals(process, now)


def is_author(user: Any, proposal: Proposal) -> bool:
    """The proposer or a co-author (kept when duplicates are merged)."""
    if not is_logged_in(user):
        return False
    return proposal.author_id == user.id or any(a.user_id == user.id for a in proposal.coauthors)


def can_edit(user: Any, proposal: Proposal, now: datetime) -> bool:
    """Authors may edit until review starts: proposals phase, and not yet assessed."""
    return (
        is_author(user, proposal)
        and not proposal.hidden
        and proposal.status in EDITABLE_STATUSES
        and collects_proposals(proposal.process, now)
    )


def can_withdraw(user: Any, proposal: Proposal, now: datetime) -> bool:
    """Withdrawing follows the same rule as editing."""
    return can_edit(user, proposal, now)


def can_see(user: Any, proposal: Proposal, now: datetime) -> bool:
    """Hidden proposals (and those of a process still in draft) are for staff only."""
    return can_review(user) or (not proposal.hidden and proposal.process.phase != Phase.DRAFT)


def can_follow(user: Any, proposal: Proposal, now: datetime) -> bool:
    """Anyone logged in who can see the proposal may follow it."""
    return is_logged_in(user) and can_see(user, proposal, now)
