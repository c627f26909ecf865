"""The election turned into integer arrays once, so every MES run (and every completion rerun) is cheap.

Utilities follow DESIGN.md: the project's cost for approval and knapsack ballots (pabutools'
``Cost_Sat``), the points given for cumulative ballots, and ``L - position`` for a ranking of length L.
Voters with identical ballots stay one group with a multiplicity; nothing is stored per voter.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from itertools import chain, repeat

import numpy as np
import numpy.typing as npt

from pbvote.core.tiebreak import tie_break_key
from pbvote.core.types import Ballot, BallotKind, Money, Profile, Project, TieBreak

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]

# Sums of multiplicity × utility must stay exact in int64 (and in float64 where they are compared).
_INT64_SAFE = 2**62


@dataclass(frozen=True, slots=True, eq=False)
class Compiled:
    """The counting arrays of one election; project indices follow ``ids``, groups follow the profile.

    ``ptr``/``group``/``utility`` list each project's supporters (CSR by project);
    ``gptr``/``gproject``/``gutility`` list each group's supported projects (CSR by group).
    """

    ids: tuple[str, ...]  # projects MES can fund (cost > 0, a supporter), in tie-break order
    costs: tuple[Money, ...]
    cost_f: FloatArray
    counts: IntArray  # voters per group
    n: int  # voters in all
    ptr: IntArray
    group: IntArray
    utility: IntArray
    utility_f: FloatArray
    weight_f: FloatArray  # the supporting group's multiplicity, per entry
    weighted_utility_f: FloatArray  # multiplicity x utility, per entry
    inverse_utility_f: FloatArray  # 1 / utility, per entry
    supporters_f: FloatArray  # per project: voters who support it
    total_utility_f: FloatArray  # per project: sum of multiplicity x utility
    total_utility: tuple[int, ...]  # per project: sum of multiplicity × utility
    gptr: IntArray
    gproject: IntArray
    gutility: IntArray
    free: tuple[str, ...]  # cost 0 with a supporter: funded before the first round
    unsupported: tuple[str, ...]  # nobody gives these any utility
    all_costs: dict[str, Money]


def ballot_utility_map(ballot: Ballot, kind: BallotKind, costs: Mapping[str, Money]) -> dict[str, int]:
    """Give the utility one ballot draws from each known project it lists (the rule's definition)."""
    if kind is BallotKind.CUMULATIVE:
        pairs = zip(ballot.projects, ballot.points, strict=True)
        return {project: points for project, points in pairs if project in costs and points > 0}
    if kind is BallotKind.RANKED:
        length = len(ballot.projects)
        return {p: length - place for place, p in enumerate(ballot.projects) if p in costs}
    return {project: costs[project] for project in ballot.projects if project in costs and costs[project] > 0}


def compile_election(
    projects: Sequence[Project], kind: BallotKind, profile: Profile, tie_break: TieBreak
) -> Compiled:
    """Build the arrays one MES run needs from the projects and the grouped ballots, vectorised.

    Ids on a ballot that name no project are ignored (for a ranking they still count towards L);
    a project listed twice on one ballot counts once; zero points give no utility.

    Raises:
        ValueError: the sums would overflow 64-bit integers.
    """
    costs = {project.id: project.cost for project in projects}
    counts = np.asarray(profile.counts, dtype=np.int64)
    n = int(counts.sum())
    if n * max(costs.values(), default=0) >= _INT64_SAFE:
        raise ValueError("election too large for exact 64-bit sums")
    group, column, utility, listed = _entries(projects, kind, profile)
    votes = np.bincount(listed, weights=counts[group], minlength=len(projects)) if len(group) else None
    present = np.zeros(len(projects), dtype=np.bool_)
    present[column[utility > 0]] = True
    free_cost = np.asarray([p.cost == 0 for p in projects] + [False], dtype=np.bool_)
    listed_free = np.zeros(len(projects), dtype=np.bool_)
    listed_free[column[free_cost[column] & ((utility > 0) | (kind is not BallotKind.CUMULATIVE))]] = True
    fundable = sorted(
        (index for index, p in enumerate(projects) if p.cost > 0 and present[index]),
        key=lambda index: tie_break_key(
            projects[index], int(votes[index]) if votes is not None else 0, tie_break
        ),
    )
    renumber = np.full(len(projects), -1, dtype=np.int64)
    renumber[fundable] = np.arange(len(fundable), dtype=np.int64)
    keep = (utility > 0) & (renumber[column] >= 0)
    group, column, utility = group[keep], renumber[column[keep]], utility[keep]
    order = _by_project(column, len(fundable))
    repeats = _repeats(group[order], column[order])
    if repeats.any():  # a project listed twice on one ballot counts once, the first time
        unique = np.sort(order[~repeats])
        group, column, utility = group[unique], column[unique], utility[unique]
        order = _by_project(column, len(fundable))
    gptr = _pointers(group, len(counts))
    pgroup, pcolumn, putility = group[order], column[order], utility[order]
    ptr = _pointers(pcolumn, len(fundable))
    weights = counts[pgroup]
    totals = np.add.reduceat(weights * putility, ptr[:-1]) if len(fundable) else np.zeros(0, np.int64)
    chosen = [projects[index] for index in fundable]
    return Compiled(
        ids=tuple(p.id for p in chosen),
        costs=tuple(p.cost for p in chosen),
        cost_f=np.asarray([float(p.cost) for p in chosen], dtype=np.float64),
        counts=counts,
        n=n,
        ptr=ptr,
        group=pgroup,
        utility=putility,
        utility_f=putility.astype(np.float64),
        weight_f=weights.astype(np.float64),
        weighted_utility_f=(weights * putility).astype(np.float64),
        inverse_utility_f=1.0 / putility.astype(np.float64),
        supporters_f=np.add.reduceat(weights, ptr[:-1]).astype(np.float64) if len(fundable) else np.zeros(0),
        total_utility=tuple(int(x) for x in totals),
        total_utility_f=totals.astype(np.float64),
        gptr=gptr,
        gproject=column,
        gutility=utility,
        free=tuple(p.id for index, p in enumerate(projects) if listed_free[index]),
        unsupported=tuple(
            p.id for index, p in enumerate(projects) if not present[index] and not listed_free[index]
        ),
        all_costs=costs,
    )


def _entries(
    projects: Sequence[Project], kind: BallotKind, profile: Profile
) -> tuple[IntArray, IntArray, IntArray, IntArray]:
    """Flatten the ballots into (group, project index, utility) triples, one per project on a ballot.

    Also returns the project index of every listing (for the vote counts the tie-break uses).
    """
    lookup = {project.id: index for index, project in enumerate(projects)}
    listed = [ballot.projects for ballot in profile.ballots]
    lengths = np.fromiter(map(len, listed), dtype=np.int64, count=len(listed))
    flat = list(chain.from_iterable(listed))
    column = np.fromiter(map(lookup.get, flat, repeat(-1)), dtype=np.int64, count=len(flat))
    group = np.repeat(np.arange(len(listed), dtype=np.int64), lengths)
    if kind is BallotKind.CUMULATIVE:
        points = [ballot.points for ballot in profile.ballots]
        if any(len(p) != length for p, length in zip(points, lengths.tolist(), strict=True)):
            raise ValueError("a cumulative ballot's points do not align with its projects")
        utility = np.fromiter(chain.from_iterable(points), dtype=np.int64, count=len(flat))
    elif kind is BallotKind.RANKED:
        starts = np.repeat(np.cumsum(lengths) - lengths, lengths)
        utility = np.repeat(lengths, lengths) - (np.arange(len(flat), dtype=np.int64) - starts)
    else:
        cost_of = np.asarray([p.cost for p in projects] + [0], dtype=np.int64)
        utility = cost_of[column]
    known = column >= 0
    return group[known], column[known], utility[known], column[known]


def _by_project(column: IntArray, size: int) -> IntArray:
    """Order entries by project, keeping ballot order inside a project (a radix sort when it can)."""
    keys = column.astype(np.int16) if size < 2**15 else column
    return np.argsort(keys, kind="stable")


def _repeats(sorted_group: IntArray, sorted_column: IntArray) -> BoolArray:
    """Mark entries (sorted by project) that repeat the previous entry's group and project."""
    repeat_ = np.zeros(len(sorted_group), dtype=np.bool_)
    repeat_[1:] = (sorted_group[1:] == sorted_group[:-1]) & (sorted_column[1:] == sorted_column[:-1])
    return repeat_


def _pointers(sorted_keys: IntArray, size: int) -> IntArray:
    """Give CSR row pointers for keys already sorted ascending."""
    ptr = np.zeros(size + 1, dtype=np.int64)
    ptr[1:] = np.cumsum(np.bincount(sorted_keys, minlength=size), dtype=np.int64)
    return ptr
