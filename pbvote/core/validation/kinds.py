"""The rules of each ballot kind, applied to an untrusted input, collecting every violation."""

from __future__ import annotations

from collections import Counter

from pbvote.core.types import Ballot, BallotKind, BudgetSpec
from pbvote.core.validation.entries import (
    IdReader,
    as_items,
    as_list,
    count_limits,
    input_limit,
    is_given,
    whole,
)
from pbvote.core.validation.violations import BallotInput, Violation, ViolationCode, clamped, shown, violation

Examined = tuple[list[Violation], Ballot | None]


def examine(spec: BudgetSpec, choice: BallotInput) -> Examined:
    """Check a choice against the rules of its budget's ballot kind.

    Args:
        spec: the budget's frozen ballot rules.
        choice: the untrusted input.

    Returns:
        Every violation, and the canonical Ballot when there is none.
    """
    if spec.kind is BallotKind.CUMULATIVE:
        examined = _cumulative(spec, choice)
    elif spec.kind is BallotKind.RANKED:
        examined = (
            _ranked_by_mapping(spec, choice) if is_given(choice.points) else _ranked_by_order(spec, choice)
        )
    else:
        examined = _chosen(spec, choice)
    return _exclusions(spec, examined)


def _exclusions(spec: BudgetSpec, examined: Examined) -> Examined:
    """Refuse a ballot holding two projects that exclude each other (e.g. two plans for one square)."""
    violations, ballot = examined
    if ballot is None or not spec.exclusive_groups:
        return examined
    chosen = set(ballot.projects)
    clashes = [
        violation(ViolationCode.MUTUALLY_EXCLUSIVE, projects=", ".join(sorted(chosen.intersection(group))))
        for group in spec.exclusive_groups
        if len(chosen.intersection(group)) > 1
    ]
    return (violations + clashes, None) if clashes else examined


def _shape(spec: BudgetSpec) -> Examined:
    return [violation(ViolationCode.WRONG_BALLOT_SHAPE, kind=spec.kind.value)], None


def _oversized(spec: BudgetSpec, size: int, code: ViolationCode, limit: int | None) -> Examined | None:
    """Refuse an input too long to be worth reading entry by entry."""
    if size <= input_limit(spec):
        return None
    return [violation(code, limit=len(spec.projects) if limit is None else limit, actual=size)], None


def _chosen(spec: BudgetSpec, choice: BallotInput) -> Examined:
    """Approval and knapsack: a set of project ids within the count (and, for knapsack, cost) limits."""
    if is_given(choice.points):
        return _shape(spec)
    entries = as_list(choice.projects)
    if entries is None:
        return _shape(spec)
    if oversized := _oversized(spec, len(entries), ViolationCode.TOO_MANY_PROJECTS, spec.max_projects):
        return oversized
    violations: list[Violation] = []
    reader = IdReader(spec, violations)
    ids = reader.read_all(entries)
    count_limits(violations, len(ids), spec.min_projects, spec.max_projects, ViolationCode.TOO_MANY_PROJECTS)
    if spec.kind is BallotKind.KNAPSACK:
        total = sum(reader.projects[project_id].cost for project_id in ids)
        if total > spec.amount:
            violations.append(violation(ViolationCode.OVER_BUDGET, limit=spec.amount, total=total))
        if total < spec.min_spent:
            violations.append(violation(ViolationCode.UNDER_MIN_SPENT, minimum=spec.min_spent, total=total))
    return violations, None if violations else Ballot(tuple(sorted(ids)))


def _ranked_by_order(spec: BudgetSpec, choice: BallotInput) -> Examined:
    """Ranked as a list of ids, best first: 1 to max_projects known projects, none twice."""
    limit = spec.max_projects
    entries = as_list(choice.projects)
    if entries is None:
        return _shape(spec)
    if oversized := _oversized(spec, len(entries), ViolationCode.RANKING_TOO_LONG, limit):
        return oversized
    violations: list[Violation] = []
    reader = IdReader(spec, violations)
    ids = reader.read_all(entries)
    count_limits(violations, len(ids), max(1, spec.min_projects), limit, ViolationCode.RANKING_TOO_LONG)
    return violations, None if violations else Ballot(tuple(ids))


def _ranked_by_mapping(spec: BudgetSpec, choice: BallotInput) -> Examined:
    """Ranked as id -> rank: whole ranks running 1, 2, ..., k with no rank twice."""
    if is_given(choice.projects):
        return _shape(spec)
    limit = spec.max_projects
    items = as_items(choice.points)
    if items is None:
        return _shape(spec)
    if oversized := _oversized(spec, len(items), ViolationCode.RANKING_TOO_LONG, limit):
        return oversized
    violations: list[Violation] = []
    reader = IdReader(spec, violations)
    ranked: list[tuple[int, str]] = []
    ranks: list[int] = []
    known = 0
    for position, (key, value) in enumerate(items, 1):
        project_id = reader.read(position, key)
        known += project_id is not None
        rank = whole(value)
        if rank is None:
            violations.append(violation(ViolationCode.NOT_AN_INTEGER, project=_shown_key(key)))
        elif rank < 1:
            violations.append(
                violation(ViolationCode.INVALID_RANK, project=_shown_key(key), rank=clamped(rank))
            )
        else:
            ranks.append(rank)
            if project_id is not None:
                ranked.append((rank, project_id))
    violations += _rank_sequence_faults(ranks)
    count_limits(violations, known, max(1, spec.min_projects), limit, ViolationCode.RANKING_TOO_LONG)
    return violations, None if violations else Ballot(tuple(project_id for _, project_id in sorted(ranked)))


def _shown_key(key: object) -> str | None:
    return shown(key) if isinstance(key, str) else None


def _rank_sequence_faults(ranks: list[int]) -> list[Violation]:
    """Ranks given twice, and the first rank missing from 1..k (k the number of distinct ranks)."""
    counts = Counter(ranks)
    faults = [
        violation(ViolationCode.DUPLICATE_RANK, rank=clamped(rank))
        for rank in sorted(counts)
        if counts[rank] > 1
    ]
    missing = set(range(1, len(counts) + 1)).difference(counts)
    if missing:
        faults.append(violation(ViolationCode.RANKS_NOT_CONTIGUOUS, missing=min(missing)))
    return faults


def _cumulative(spec: BudgetSpec, choice: BallotInput) -> Examined:
    """Cumulative: whole non-negative points per project, within the per-project and total limits."""
    if is_given(choice.projects):
        return _shape(spec)
    items = as_items(choice.points)
    if items is None:
        return _shape(spec)
    if oversized := _oversized(spec, len(items), ViolationCode.TOO_MANY_PROJECTS, spec.max_projects):
        return oversized
    violations: list[Violation] = []
    reader = IdReader(spec, violations)
    given: list[tuple[str, int]] = []
    total = 0
    for position, (key, value) in enumerate(items, 1):
        project_id = reader.read(position, key)
        points = _points(spec, _shown_key(key), value, violations)
        if points is not None:
            total += clamped(points)
            if project_id is not None and points > 0:
                given.append((project_id, points))
    violations += _total_faults(spec, total)
    count_limits(
        violations, len(given), spec.min_projects, spec.max_projects, ViolationCode.TOO_MANY_PROJECTS
    )
    given.sort()
    ballot = Ballot(tuple(project_id for project_id, _ in given), tuple(points for _, points in given))
    return violations, None if violations else ballot


def _points(spec: BudgetSpec, project: str | None, value: object, violations: list[Violation]) -> int | None:
    """The points given to one project when they are whole and non-negative (recording any excess)."""
    points = whole(value)
    if points is None:
        violations.append(violation(ViolationCode.NOT_AN_INTEGER, project=project))
        return None
    if points < 0:
        violations.append(violation(ViolationCode.NEGATIVE_POINTS, project=project, value=clamped(points)))
        return None
    limit = spec.max_points_per_project
    if limit is not None and points > limit:
        code = ViolationCode.TOO_MANY_POINTS_FOR_PROJECT
        violations.append(violation(code, project=project, limit=limit, value=clamped(points)))
    return points


def _total_faults(spec: BudgetSpec, total: int) -> list[Violation]:
    if spec.points is None:
        return []
    if total > spec.points:
        return [violation(ViolationCode.POINTS_EXCEEDED, limit=spec.points, total=total)]
    if spec.require_all_points and total < spec.points:
        return [violation(ViolationCode.POINTS_NOT_ALL_USED, required=spec.points, total=total)]
    return []
