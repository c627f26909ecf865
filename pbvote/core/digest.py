"""SHA-256 digests of the frozen ballot rules, so anyone can check that the rules did not change.

A budget's digest covers everything that decides which ballots are valid and how they are counted: the
amount, the ballot kind and its limits, the counting rule, completion, the tie-break, and the projects
(code and cost, sorted by code). The process digest covers the budget digests in the budgets' order.
Both are SHA-256 over canonical JSON (sorted keys, no spaces, UTF-8), so they can be recomputed from the
public export with a few lines in any language.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

DIGEST_VERSION = 1  # part of the hashed data: a future change of the recipe cannot collide with this one


@dataclass(frozen=True, slots=True)
class BudgetRules:
    """The rules of one budget's ballot as plain data; money in the smallest currency unit."""

    amount: int
    ballot_kind: str
    min_projects: int
    max_projects: int | None
    min_spent_percent: int
    points: int | None
    max_points_per_project: int | None
    rule: str
    completion: bool
    tie_break: str
    projects: tuple[tuple[str, int], ...]  # (code, cost)

    def as_data(self) -> dict[str, Any]:
        """The rules as the JSON object that is hashed (projects sorted by code)."""
        return {
            "version": DIGEST_VERSION,
            "amount": self.amount,
            "ballot_kind": self.ballot_kind,
            "min_projects": self.min_projects,
            "max_projects": self.max_projects,
            "min_spent_percent": self.min_spent_percent,
            "points": self.points,
            "max_points_per_project": self.max_points_per_project,
            "rule": self.rule,
            "completion": self.completion,
            "tie_break": self.tie_break,
            "projects": [{"code": code, "cost": cost} for code, cost in sorted(self.projects)],
        }


def canonical_json(data: Any) -> str:
    """Serialise with sorted keys and no spaces, so equal data always gives equal text.

    Args:
        data: JSON-compatible data (no floats are used by the callers: money is an int).

    Returns:
        The canonical JSON text.
    """
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False)


def sha256_hex(text: str) -> str:
    """Hash UTF-8 text with SHA-256.

    Args:
        text: the text to hash.

    Returns:
        64 lowercase hex digits.
    """
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def budget_digest(rules: BudgetRules) -> str:
    """Digest one budget's frozen rules.

    Args:
        rules: the budget's rules and projects.

    Returns:
        The SHA-256 of the rules' canonical JSON, as hex.

    Raises:
        ValueError: two projects share a code (a ballot could not tell them apart).
    """
    codes = [code for code, _cost in rules.projects]
    if len(set(codes)) != len(codes):
        raise ValueError("two projects on one ballot share a code")
    return sha256_hex(canonical_json(rules.as_data()))


def process_digest(budget_digests: Sequence[str]) -> str:
    """Digest a whole process from its budgets' digests, in the order the budgets are shown.

    Args:
        budget_digests: each budget's digest, in display order.

    Returns:
        The SHA-256 of ``{"version": 1, "budgets": [...]}`` as canonical JSON, as hex.
    """
    return sha256_hex(canonical_json({"version": DIGEST_VERSION, "budgets": list(budget_digests)}))


def digest_all(budgets: Iterable[BudgetRules]) -> tuple[list[str], str]:
    """Digest every budget of a process and the process itself.

    Args:
        budgets: the budgets' rules in display order.

    Returns:
        The budget digests (same order) and the process digest.
    """
    digests = [budget_digest(rules) for rules in budgets]
    return digests, process_digest(digests)
