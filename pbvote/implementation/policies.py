"""Who may see and change the implementation pages, and which progress values make sense: pure predicates."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from pbvote.auth.models import Role
from pbvote.auth.policies import has_role
from pbvote.implementation.models import ProgressStatus
from pbvote.processes.models import Phase, Process

MAX_PERCENT = 100


def can_manage_implementation(user: Any) -> bool:
    """Staff (and admins) report how the winning projects are being carried out."""
    return has_role(user, Role.STAFF)


def can_follow(process: Process) -> bool:
    """Anyone may ask for news of a public process's winners, from voting onwards (the receipt links here)."""
    return process.phase != Phase.DRAFT


def implementation_public(published: Sequence[object]) -> bool:
    """The implementation pages exist once at least one budget's result is public."""
    return len(published) > 0


def percent_ok(percent: int | None) -> bool:
    """Progress is a whole percentage from 0 to 100."""
    return percent is not None and 0 <= percent <= MAX_PERCENT


def needs_reason(status: ProgressStatus) -> bool:
    """A cancelled project owes the residents who voted for it an explanation."""
    return status is ProgressStatus.CANCELLED
