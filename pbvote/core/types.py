"""The election vocabulary shared by ballot validation, counting rules and pabulib I/O.

Money is always an ``int`` in the smallest currency unit (øre, cents, grosze).
"""

from __future__ import annotations

import enum
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from fractions import Fraction

Money = int


class BallotKind(enum.StrEnum):
    """How a voter expresses a choice (the pabulib vote types, named for citizens)."""

    APPROVAL = "approval"  # pick up to k projects (optionally at least m)
    KNAPSACK = "knapsack"  # pick projects whose costs fit within the budget
    CUMULATIVE = "cumulative"  # spread N points over projects
    RANKED = "ranked"  # rank up to k projects, best first


class TieBreak(enum.StrEnum):
    """The published order that decides between projects with equal scores."""

    COST = "cost"  # lower cost first, then more votes, then project id (the default)
    ID = "id"  # project id compared as a string, as pabutools does


class RuleName(enum.StrEnum):
    """The counting rules a budget can use."""

    GREEDY = "greedy"
    MES = "mes"


@dataclass(frozen=True, slots=True)
class Project:
    """A project on a ballot with its vetted cost."""

    id: str
    cost: Money
    name: str = ""
    category: tuple[str, ...] = ()
    district: str = ""
    coordinates: tuple[float, float] | None = None
    fields: Mapping[str, str] = field(default_factory=dict, compare=False, hash=False)


@dataclass(frozen=True, slots=True)
class BudgetSpec:
    """The frozen rules of one budget's ballot: what a valid ballot looks like."""

    amount: Money
    kind: BallotKind
    projects: tuple[Project, ...]
    min_projects: int = 0
    max_projects: int | None = None  # approval, knapsack; for ranked the maximum ranking length
    min_spent_share: Fraction = Fraction(0)  # knapsack: the least share of the amount a ballot must spend
    points: int | None = None  # cumulative: points to spread
    require_all_points: bool = False  # cumulative: the points must add up exactly
    max_points_per_project: int | None = None  # cumulative
    exclusive_groups: tuple[frozenset[str], ...] = ()  # projects of one group exclude each other

    @property
    def min_spent(self) -> Money:
        """The least a knapsack ballot must spend, rounded up to a whole smallest unit."""
        scaled = self.amount * self.min_spent_share
        return -((-scaled.numerator) // scaled.denominator)


@dataclass(frozen=True, slots=True)
class Ballot:
    """One voter's choice: project ids (best first when ranked) and, for cumulative, their points."""

    projects: tuple[str, ...]
    points: tuple[int, ...] = ()


@dataclass(frozen=True, slots=True)
class Profile:
    """Ballots grouped so identical ones are counted once with a multiplicity."""

    ballots: tuple[Ballot, ...]
    counts: tuple[int, ...]

    @classmethod
    def from_ballots(cls, ballots: Iterable[Ballot]) -> Profile:
        """Group equal ballots, keeping the order in which each first appears."""
        grouped = Counter(ballots)
        return cls(tuple(grouped), tuple(grouped.values()))

    @property
    def num_voters(self) -> int:
        """How many voters cast these ballots."""
        return sum(self.counts)


@dataclass(frozen=True, slots=True)
class Voter:
    """A row of a pabulib VOTES section: the voter id, the ballot and any extra columns."""

    id: str
    ballot: Ballot
    fields: Mapping[str, str] = field(default_factory=dict, compare=True, hash=False)


@dataclass(frozen=True, slots=True)
class Election:
    """A whole election as read from a pabulib file, money scaled to integers.

    ``scale`` is how many smallest units make one whole currency unit in this election
    (1 when every amount in the file is whole, 100 when the budget has two decimals).
    """

    meta: Mapping[str, str]
    projects: tuple[Project, ...]
    voters: tuple[Voter, ...]
    budget: Money
    kind: BallotKind
    vote_type: str  # as written in the file: approval, choose-1, cumulative, ordinal, scoring
    scale: int = 1
    threshold: int | None = None  # META min_project_score_threshold
    project_columns: tuple[str, ...] = ()
    vote_columns: tuple[str, ...] = ()

    def profile(self) -> Profile:
        """The ballots grouped for counting."""
        return Profile.from_ballots(voter.ballot for voter in self.voters)
