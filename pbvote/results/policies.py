"""Who may count, publish and see results, and when: pure predicates."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from pbvote.auth.policies import can_review
from pbvote.processes.models import PHASE_ORDER, Phase, Process

if TYPE_CHECKING:
    from pbvote.results.models import TallyRun


def voting_closed(process: Process) -> bool:
    """Votes may be counted and shown only once voting is over (counting phase or later)."""
    return PHASE_ORDER.index(process.phase) >= PHASE_ORDER.index(Phase.COUNTING)


def can_count(user: Any, process: Process) -> bool:
    """Staff and admins start a count once voting has closed."""
    return can_review(user) and voting_closed(process)


def can_publish(user: Any, process: Process, run: TallyRun) -> bool:
    """Staff and admins publish a run of this process's budgets, once, after voting has closed."""
    return (
        can_count(user, process)
        and not run.is_published
        and run.budget is not None
        and run.budget.process_id == process.id
    )


def results_public(process: Process, run: TallyRun | None) -> bool:
    """Anyone may see a run once it is published and voting is closed; nobody sees anything before."""
    return run is not None and run.is_published and voting_closed(process)
