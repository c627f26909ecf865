"""When voting is open: pure predicates for services, views and templates."""

from __future__ import annotations

from datetime import datetime

from pbvote.processes.models import Phase, Process


def can_vote(process: Process, now: datetime) -> bool:
    """Ballots are accepted while the process is in voting and its rules are frozen."""
    return process.phase is Phase.VOTING and process.frozen_at is not None


def can_enter_paper_ballots(user: object, process: Process, now: datetime) -> bool:
    """Staff enter paper ballots from a voting station while voting is open."""
    from pbvote.auth.models import Role
    from pbvote.auth.policies import has_role

    return has_role(user, Role.STAFF) and can_vote(process, now)
