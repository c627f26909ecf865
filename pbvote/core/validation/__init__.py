"""Check an untrusted ballot against a budget's frozen rules, reporting every fault at once.

The web layer and the JSON API hand in whatever the client sent as a ``BallotInput``; nothing in it
is trusted, not even its types. ``validate_ballot`` lists every ``Violation`` (each with a stable
code and parameters the web layer translates); ``check_ballot`` returns the canonical ``Ballot`` or
raises ``BallotInvalid`` carrying them. Neither raises on odd input: texts, floats, booleans, None,
huge numbers and nested lists all come back as violations.
"""

from __future__ import annotations

from pbvote.core.types import Ballot, BudgetSpec
from pbvote.core.validation.entries import input_limit
from pbvote.core.validation.kinds import examine
from pbvote.core.validation.violations import BallotInput, BallotInvalid, Violation, ViolationCode

__all__ = [
    "BallotInput",
    "BallotInvalid",
    "Violation",
    "ViolationCode",
    "check_ballot",
    "input_limit",
    "validate_ballot",
]


def validate_ballot(spec: BudgetSpec, choice: BallotInput) -> list[Violation]:
    """List every way a ballot breaks the budget's rules; an empty list means it is valid.

    Args:
        spec: the budget's frozen ballot rules.
        choice: what the voter sent, untrusted.

    Returns:
        The violations in a stable order: shape, then entry by entry, then counts and totals.
    """
    return examine(spec, choice)[0]


def check_ballot(spec: BudgetSpec, choice: BallotInput) -> Ballot:
    """Turn a valid choice into its canonical Ballot, or refuse it with every reason.

    Approval and knapsack ids come back sorted (so equal choices group in a Profile), ranked ids in
    rank order, cumulative ids sorted with their points alongside and zero points left out.

    Args:
        spec: the budget's frozen ballot rules.
        choice: what the voter sent, untrusted.

    Returns:
        The ballot to store and count.

    Raises:
        BallotInvalid: the choice breaks the rules; ``.violations`` says how.
    """
    violations, ballot = examine(spec, choice)
    if violations or ballot is None:
        raise BallotInvalid(violations)
    return ballot
