"""The words of ballot validation: the untrusted input, the violation codes, the error carrying them."""

from __future__ import annotations

import enum
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from pbvote.core.errors import DomainError

SHOWN_ID_LENGTH = 80
"""Longer texts are cut to this many characters in violation parameters."""

VALUE_CAP = 10**15
"""Numbers in violation parameters are clamped to ±this, so they can always be formatted."""


class ViolationCode(enum.StrEnum):
    """Why a ballot is refused; the value is the stable code, ``params`` of the Violation in brackets.

    * ``wrong_ballot_shape`` (kind): the input is not the shape this ballot kind takes: ``projects``
      must be a list of ids (approval, knapsack, ranked best first); ``points`` a mapping of id to
      points (cumulative) or of id to rank (ranked, instead of ``projects``).
    * ``not_a_project_id`` (position): the entry at this 1-based position (in the list, or among the
      mapping's keys) is not a text id.
    * ``unknown_project`` (project): no project on this ballot has this id.
    * ``duplicate_project`` (project): the project is chosen more than once.
    * ``too_few_projects`` (minimum, actual): fewer projects chosen (with points, for cumulative)
      than the ballot requires; an empty ranked ballot is also too few.
    * ``too_many_projects`` (limit, actual): more projects chosen than allowed. An input longer than
      ``input_limit(spec)`` is refused with this alone, without looking at its entries.
    * ``ranking_too_long`` (limit, actual): more projects ranked than the ranking may hold.
    * ``over_budget`` (limit, total): the chosen projects cost more than the budget (knapsack).
    * ``under_min_spent`` (minimum, total): the chosen projects cost less than the ballot must spend.
    * ``not_an_integer`` (project): the points or rank given to the project are not a whole number
      (booleans, floats and texts are not).
    * ``negative_points`` (project, value): the project is given fewer than 0 points.
    * ``too_many_points_for_project`` (project, limit, value): more points on one project than allowed.
    * ``points_exceeded`` (limit, total): more points given in all than the voter has.
    * ``points_not_all_used`` (required, total): the rules require every point to be given.
    * ``invalid_rank`` (project, rank): a rank below 1.
    * ``duplicate_rank`` (rank): two projects share this rank.
    * ``ranks_not_contiguous`` (missing): the ranks must run 1, 2, ..., k; this one is missing.
    * ``mutually_exclusive`` (projects): the ballot holds projects that exclude each other.
    """

    WRONG_BALLOT_SHAPE = "wrong_ballot_shape"
    NOT_A_PROJECT_ID = "not_a_project_id"
    MUTUALLY_EXCLUSIVE = "mutually_exclusive"
    UNKNOWN_PROJECT = "unknown_project"
    DUPLICATE_PROJECT = "duplicate_project"
    TOO_FEW_PROJECTS = "too_few_projects"
    TOO_MANY_PROJECTS = "too_many_projects"
    RANKING_TOO_LONG = "ranking_too_long"
    OVER_BUDGET = "over_budget"
    UNDER_MIN_SPENT = "under_min_spent"
    NOT_AN_INTEGER = "not_an_integer"
    NEGATIVE_POINTS = "negative_points"
    TOO_MANY_POINTS_FOR_PROJECT = "too_many_points_for_project"
    POINTS_EXCEEDED = "points_exceeded"
    POINTS_NOT_ALL_USED = "points_not_all_used"
    INVALID_RANK = "invalid_rank"
    DUPLICATE_RANK = "duplicate_rank"
    RANKS_NOT_CONTIGUOUS = "ranks_not_contiguous"


@dataclass(frozen=True, slots=True)
class BallotInput:
    """A ballot as the client sent it, untrusted: ids for approval, knapsack and ranked, or points."""

    projects: Sequence[object] = ()  # approval, knapsack: chosen ids; ranked: ids best first
    points: Mapping[object, object] | None = None  # cumulative: id -> points; ranked: id -> rank


@dataclass(frozen=True, slots=True)
class Violation:
    """One reason a ballot is refused: a ``ViolationCode`` value and what the message needs."""

    code: str
    params: Mapping[str, object] = field(default_factory=dict, hash=False)


class BallotInvalid(DomainError):
    """A ballot broke the budget's rules; ``violations`` lists every reason, for translation."""

    code = "ballot_invalid"

    def __init__(self, violations: Sequence[Violation]) -> None:
        self.violations = tuple(violations)
        super().__init__("invalid ballot: " + ", ".join(violation.code for violation in self.violations))


def violation(code: ViolationCode, **params: object) -> Violation:
    """Build a Violation with its code's string value and keyword parameters."""
    return Violation(code.value, params)


def shown(text: str) -> str:
    """A text as a violation parameter: cut short when long, so a 10 MB id cannot flood a page."""
    return text if len(text) <= SHOWN_ID_LENGTH else text[:SHOWN_ID_LENGTH] + "…"


def clamped(value: int) -> int:
    """A number as a violation parameter: within ±VALUE_CAP, so formatting it never fails."""
    return max(-VALUE_CAP, min(VALUE_CAP, value))
