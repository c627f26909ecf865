"""Who may see and change a process, and when its ballots may change: pure predicates."""

from __future__ import annotations

from datetime import date
from typing import Any

from pbvote.auth.policies import can_manage_processes
from pbvote.processes.models import PHASE_ORDER, Phase, Process, ProcessPhase


def can_view_process(user: Any, process: Process) -> bool:
    """Drafts are for admins only; every other phase is public."""
    return process.phase is not Phase.DRAFT or can_manage_processes(user)


def can_change_ballot(process: Process) -> bool:
    """Budgets, their rules and their projects may change only until the ballots are frozen."""
    return not process.is_frozen


def next_phase(process: Process) -> Phase | None:
    """The phase after the current one, or None in the last phase."""
    index = PHASE_ORDER.index(process.phase)
    return PHASE_ORDER[index + 1] if index + 1 < len(PHASE_ORDER) else None


def previous_phase(process: Process) -> Phase | None:
    """The phase before the current one, or None in the first phase."""
    index = PHASE_ORDER.index(process.phase)
    return PHASE_ORDER[index - 1] if index > 0 else None


def can_advance_phase(user: Any, process: Process) -> bool:
    """Admins move a process on, one phase at a time, until the last phase."""
    return can_manage_processes(user) and next_phase(process) is not None


def can_move_phase_back(user: Any, process: Process) -> bool:
    """Admins may step back one phase; leaving voting for an earlier phase needs the ballots unfrozen."""
    target = previous_phase(process)
    if not can_manage_processes(user) or target is None:
        return False
    return not (process.is_frozen and PHASE_ORDER.index(target) < PHASE_ORDER.index(Phase.VOTING))


def can_unfreeze(user: Any, process: Process, ballots_cast: int) -> bool:
    """Frozen ballots may be unfrozen by an admin during voting, and only while nobody has voted."""
    return (
        can_manage_processes(user)
        and process.is_frozen
        and process.phase is Phase.VOTING
        and ballots_cast == 0
    )


def phase_is_due(current: ProcessPhase | None, following: ProcessPhase | None, today: date) -> bool:
    """Whether a process that moves on by date should leave ``current``.

    It moves on once the current phase's end date has passed or the next phase's start date has come.
    """
    ended = current is not None and current.ends_on is not None and today > current.ends_on
    started = following is not None and following.starts_on is not None and today >= following.starts_on
    return ended or started
