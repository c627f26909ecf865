"""Moving a process from phase to phase: by an admin's explicit action, or by date from a timer.

Entering voting freezes the ballots; leaving voting for an earlier phase needs them unfrozen first.
Every move is audited as ``process.phase_changed``. Nothing here commits.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from flask_babel import lazy_gettext as _l

from pbvote.audit.services import record_audit
from pbvote.core.errors import DomainError, NotAllowed
from pbvote.extensions import db
from pbvote.processes import policies, queries
from pbvote.processes.freeze import freeze_ballots
from pbvote.processes.models import PHASE_ORDER, Phase, Process

DEFAULT_TIME_ZONE = "Europe/Copenhagen"


@dataclass(frozen=True)
class PhaseMove:
    """One process moved from one phase to the next."""

    process: Process
    before: Phase
    after: Phase


@dataclass
class DueResult:
    """What a by-date run did: the moves made, and the processes that could not move on and why."""

    moved: list[PhaseMove] = field(default_factory=list)
    refused: list[tuple[Process, str]] = field(default_factory=list)


def advance_phase(actor: Any, process: Process, *, now: datetime) -> PhaseMove:
    """Move the process on to the next phase; entering voting freezes the ballots. Does not commit.

    Raises:
        NotAllowed: not an admin, or already in the last phase.
        DomainError: voting cannot open (no budget, or a budget without projects).
    """
    target = policies.next_phase(process)
    if target is None or not policies.can_advance_phase(actor, process):
        raise NotAllowed(_l("This process cannot move on to another phase."))
    return change_phase(actor, process, target, now=now)


def move_phase_back(actor: Any, process: Process, *, now: datetime) -> PhaseMove:
    """Step back one phase, e.g. to reopen proposals. Does not commit.

    Raises:
        NotAllowed: not an admin, already in the first phase, or leaving voting with frozen ballots.
    """
    target = policies.previous_phase(process)
    if target is None or not policies.can_move_phase_back(actor, process):
        if target is not None and process.is_frozen:
            raise NotAllowed(_l("Unfreeze the ballots before moving back from voting."))
        raise NotAllowed(_l("This process cannot move back to an earlier phase."))
    return change_phase(actor, process, target, now=now)


def change_phase(
    actor: Any, process: Process, target: Phase, *, now: datetime, by_date: bool = False
) -> PhaseMove:
    """Put the process in ``target``, freezing the ballots when voting opens, and audit it."""
    before = process.phase
    opens_voting = PHASE_ORDER.index(target) >= PHASE_ORDER.index(Phase.VOTING) > PHASE_ORDER.index(before)
    after: dict[str, Any] = {"phase": target}
    if opens_voting and not process.is_frozen:
        after["rules_digest"] = freeze_ballots(actor, process, now=now)
    if by_date:
        after["reason"] = "date"
    process.phase = target
    record_audit(actor, "process.phase_changed", process, before={"phase": before}, after=after, now=now)
    db.session.flush()
    return PhaseMove(process, before, target)


def advance_due_phases(now: datetime, *, time_zone: str = DEFAULT_TIME_ZONE) -> DueResult:
    """Move every process that advances by date on through each phase whose time is up.

    A process that cannot open voting (no projects yet) stays where it is and is reported; the others
    still move. Audited with no actor. Does not commit.

    Args:
        now: the current time (aware).
        time_zone: the municipality's time zone, which decides what date it is.
    """
    today = now.astimezone(ZoneInfo(time_zone)).date()
    result = DueResult()
    for process in queries.processes_advancing_by_date():
        rows = {row.phase: row for row in process.phases}
        while (target := policies.next_phase(process)) is not None:
            if not policies.phase_is_due(rows.get(process.phase), rows.get(target), today):
                break
            try:
                with db.session.begin_nested():
                    result.moved.append(change_phase(None, process, target, now=now, by_date=True))
            except DomainError as exc:
                result.refused.append((process, str(exc)))
                break
    return result
