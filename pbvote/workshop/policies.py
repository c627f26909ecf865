"""What the instructor may do in each workshop state: pure predicates."""

from __future__ import annotations

from typing import Any

from pbvote.auth.policies import can_review
from pbvote.workshop.models import WorkshopState

TEMPLATE_KEYS = ("da", "en")
# the instructor's controls and the states each one may start from
ALLOWED_FROM: dict[str, tuple[WorkshopState, ...]] = {
    "open": (WorkshopState.LOBBY,),
    "close": (WorkshopState.VOTING,),
    "reveal": (WorkshopState.CLOSED,),
    "step": (WorkshopState.REVEALED,),
    "simulate": (WorkshopState.LOBBY, WorkshopState.VOTING),
    "reset": tuple(WorkshopState),
}


def can_run_workshops(user: Any) -> bool:
    """Staff (and admins) run workshops; results before the reveal must not reach anyone else."""
    return can_review(user)


def can_control(action: str, state: WorkshopState) -> bool:
    """Whether the control ``action`` makes sense in ``state`` (buttons are shown only then)."""
    return state in ALLOWED_FROM.get(action, ())


def can_join(state: WorkshopState) -> bool:
    """Participants may join until the voting closes (late-comers can still vote while it is open)."""
    return state in (WorkshopState.LOBBY, WorkshopState.VOTING)


def step_within(step: int, delta: int, total: int) -> int:
    """The next reveal step, kept between 0 (nothing funded yet) and ``total`` (both outcomes whole)."""
    return max(0, min(total, step + delta))
