"""What a counting rule returns: the winners in selection order, the ties met, and its explanation."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pbvote.core.types import Money


@dataclass(frozen=True, slots=True)
class Tie:
    """Projects the rule could not tell apart, in the order the published tie-break put them."""

    stage: str  # where the tie was met, e.g. "greedy order" or "mes round 3"
    projects: tuple[str, ...]  # tied project ids, the tie-break's winner first


@dataclass(frozen=True, slots=True)
class Outcome:
    """A counted result; ``explanation`` is the rule's own account of its decisions."""

    rule: str  # "greedy", "mes" (with completion) or "mes-plain"
    budget: Money
    selected: tuple[str, ...]  # project ids in selection order
    spent: Money
    ties: tuple[Tie, ...]
    explanation: Any  # GreedyExplanation (greedy.py) or MesExplanation (mes/explain.py)
    tie_break: str = "cost"
