"""One run of the Method of Equal Shares at a given per-voter share: fast floats, exact decisions.

Floats only *find* things: which project probably has the smallest rho, which supporters probably
cannot pay rho x utility. Every decision is then settled exactly (see ``exact.py``): the winner's rho
is an exact ``Fraction``, a voter is classed as unable to pay only when floats say so by a margin a
million times wider than their rounding error (``TOLERANCE``) or exact arithmetic says so, and near
ties and near-affordable projects are compared exactly. So the outcome is the exact-arithmetic one.

With ``leap=True`` the run also certifies how far the share can rise with the same outcome (see
``margins.py``), which lets the completion skip the shares at which nothing can change.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

import numpy as np

from pbvote.core.mes.compiled import BoolArray, Compiled, FloatArray, IntArray
from pbvote.core.mes.exact import ExactBook
from pbvote.core.mes.commute import commutes, exhaustion_rounds
from pbvote.core.mes.margins import rivals_near, round_limits, terminal_leap

TOLERANCE = 1e-9  # relative to the share; float budgets are off by ~1e-13 of it at most


@dataclass(frozen=True, slots=True)
class Round:
    """One funded project: its exact rho, the groups that paid all they had left, and any tie."""

    project: int
    rho: Fraction
    exhausted: IntArray  # groups that paid their whole remaining money in this round
    tied: tuple[int, ...]  # projects with the same rho, the winner first (empty without a tie)


@dataclass(frozen=True, slots=True, eq=False)
class Run:
    """A whole MES run at one share, and what the explanation and the completion need from it."""

    share: Fraction
    rounds: tuple[Round, ...]
    exhausted: BoolArray
    budgets: FloatArray  # float estimates of what each group holds at the end (exact: ``book``)
    book: ExactBook
    leap: float  # the share can rise by this much (smallest units) with the same outcome
    same_as_below: bool  # same funded sequence as ``below`` and no share between can differ
    exhausted_when: IntArray  # the round index in which each group paid all it had (or NEVER)


@dataclass(slots=True)
class _State:
    """The mutable money of a run: float budgets for search, exact book for decisions."""

    compiled: Compiled
    budgets: FloatArray
    exhausted: BoolArray
    book: ExactBook
    tolerance: float
    lower: FloatArray  # a proven lower bound on each project's rho
    funded: BoolArray
    affordable: BoolArray


def run_mes(compiled: Compiled, share: Fraction, *, leap: bool = False, below: Run | None = None) -> Run:
    """Run MES with every voter starting at ``share``; optionally certify the next share worth trying.

    Args:
        compiled: the election's arrays.
        share: each voter's starting money, in smallest units (may be fractional).
        leap: also compute how far the share can rise without changing the outcome.
        below: a run at a lower share: check that every share between gives its funded sequence
            (each rival's rho here stays above the winner's rho there; both only fall as shares rise).

    Returns:
        The run, rounds in funding order.
    """
    state = _new_state(compiled, share)
    rounds: list[Round] = []
    limits: list[tuple[int, IntArray, FloatArray]] = []
    same = below is not None
    while True:
        choice = _select(state)
        if choice is None:
            break
        winner, rho, exhausted, tied = choice
        if leap:
            limits.append((len(rounds), *round_limits(state, winner, float(rho))))
        if same and below is not None:
            index = len(rounds)
            same = (
                index < len(below.rounds)
                and below.rounds[index].project == winner
                and _stays_behind(state, winner, below.rounds[index].rho, below, index)
            )
        _pay(state, winner, rho, exhausted)
        rounds.append(Round(winner, rho, exhausted, tied))
    when = exhaustion_rounds(len(compiled.counts), rounds)
    certified = min(terminal_leap(state), _round_leap(compiled, rounds, when, limits)) if leap else 0.0
    same = same and below is not None and len(below.rounds) == len(rounds)
    return Run(share, tuple(rounds), state.exhausted, state.budgets, state.book, certified, same, when)


def _round_leap(
    compiled: Compiled, rounds: list[Round], when: IntArray, limits: list[tuple[int, IntArray, FloatArray]]
) -> float:
    """Give the smallest rival leap over all rounds, ignoring rivals that commute with the rounds."""
    if not limits:
        return float("inf")
    index = np.concatenate([np.full(len(rivals), r, dtype=np.int64) for r, rivals, _ in limits])
    rivals = np.concatenate([rivals for _, rivals, _ in limits])
    leaps = np.concatenate([leaps for _, _, leaps in limits])
    for k in np.argsort(leaps, kind="stable").tolist():
        if not commutes(compiled, rounds, when, int(index[k]), int(rivals[k])):
            return float(leaps[k])
    return float("inf")


def certify_between(lower: Run, upper: Run) -> bool:
    """Tell whether every share from ``lower``'s up to ``upper``'s funds ``lower``'s set of projects.

    Replays ``lower``'s rounds at ``upper``'s share: at each round every rival's rho there must stay
    above the winner's rho in ``lower`` (or equal it and come later in the tie-break), unless it
    commutes with the rounds (``commute.py``); after the last round nothing left may be affordable.
    Budgets only grow and rhos only fall as the share rises, so every share between passes too.
    """
    compiled = lower.book.compiled
    state = _new_state(compiled, upper.share)
    for index, below in enumerate(lower.rounds):
        if not _stays_behind(state, below.project, below.rho, lower, index):
            return False
        rho, exhausted = _exact_rho(state, below.project)
        _pay(state, below.project, rho, exhausted)
    return all(_estimate(state, project) is None for project in np.flatnonzero(~state.funded).tolist())


def _new_state(compiled: Compiled, share: Fraction) -> _State:
    """Give every voter ``share`` and no project funded yet."""
    groups, projects = len(compiled.counts), len(compiled.ids)
    share_f = float(share)
    lower = compiled.cost_f / compiled.total_utility_f if projects else np.zeros(0)
    return _State(
        compiled=compiled,
        budgets=np.full(groups, share_f),
        exhausted=np.zeros(groups, dtype=np.bool_),
        book=ExactBook(compiled, share),
        tolerance=TOLERANCE * max(share_f, 1.0),
        lower=lower * (1 - 1e-12),
        funded=np.zeros(projects, dtype=np.bool_),
        affordable=np.ones(projects, dtype=np.bool_),
    )


def _stays_behind(state: _State, winner: int, rho_below: Fraction, lower: Run, index: int) -> bool:
    """Tell whether every rival's rho here is above ``rho_below`` (or equal and behind in the tie-break).

    Rivals that commute with ``lower``'s rounds from ``index`` on cannot change the funded set.
    """
    for rival in rivals_near(state, winner, float(rho_below)).tolist():
        if commutes(state.compiled, lower.rounds, lower.exhausted_when, index, rival, state.exhausted):
            continue
        if _estimate(state, rival) is None:
            continue  # unaffordable here, so at every lower share too
        rho = _exact_rho(state, rival)[0]
        if rho < rho_below or (rho == rho_below and rival < winner):
            return False
    return True


def _select(state: _State) -> tuple[int, Fraction, IntArray, tuple[int, ...]] | None:
    """Find the affordable project with the smallest exact rho (tie-break: lowest index)."""
    candidates = np.flatnonzero(state.affordable & ~state.funded)
    order = candidates[np.argsort(state.lower[candidates], kind="stable")]
    best_high = float("inf")
    evaluated: list[tuple[int, float, float]] = []
    for project in order.tolist():
        if state.lower[project] > best_high:
            break
        estimate = _estimate(state, project)
        if estimate is None:
            state.affordable[project] = False
            continue
        low, high = estimate
        state.lower[project] = max(state.lower[project], low)
        evaluated.append((project, low, high))
        best_high = min(best_high, high)
    contenders = [project for project, low, _ in evaluated if low <= best_high]
    if not contenders:
        return None
    exact = {project: _exact_rho(state, project) for project in contenders}
    best = min(rho for rho, _ in exact.values())
    tied = tuple(sorted(project for project, (rho, _) in exact.items() if rho == best))
    return tied[0], best, exact[tied[0]][1], tied if len(tied) > 1 else ()


def _supporters(state: _State, project: int) -> tuple[IntArray, FloatArray, FloatArray, IntArray]:
    """Give the project's never-exhausted supporting groups, their budgets, utilities and entries."""
    compiled = state.compiled
    start, end = int(compiled.ptr[project]), int(compiled.ptr[project + 1])
    groups = compiled.group[start:end]
    live = np.flatnonzero(~state.exhausted[groups])
    entries = live + start
    return groups[live], np.maximum(state.budgets[groups[live]], 0.0), compiled.utility_f[entries], entries


def _estimate(state: _State, project: int) -> tuple[float, float] | None:
    """Bracket rho in floats with proven bounds (low, high), or None when the project is unaffordable.

    Exhausted supporters hold 0 and so simply count as paying nothing.
    """
    compiled = state.compiled
    start, end = int(compiled.ptr[project]), int(compiled.ptr[project + 1])
    budgets = np.maximum(state.budgets[compiled.group[start:end]], 0.0)
    held = compiled.weight_f[start:end] * budgets
    cost = float(compiled.costs[project])
    money = float(held.sum())
    slack = float(compiled.supporters_f[project]) * state.tolerance
    if money < cost - slack:
        return None
    if money < cost + slack:  # too close to call in floats: settle it exactly
        groups = compiled.group[start:end]
        live = groups[~state.exhausted[groups]]
        if state.book.money_of(live) < compiled.costs[project]:
            return None
        exact = float(_exact_rho(state, project)[0])
        return exact * (1 - 1e-15), exact * (1 + 1e-15)
    ratios = budgets * compiled.inverse_utility_f[start:end]
    weighted = compiled.weighted_utility_f[start:end]
    rho, slope = _float_rho(ratios, held, weighted, cost)
    width = 2 * slack / slope + 1e-12 * rho
    # Left of rho the payments fall at least as fast as the payers' slope (they are concave in rho),
    # so ``low`` is proven; right of rho they rise at that slope until the next voter runs short.
    low, high = rho - width, rho + width
    if np.any((ratios > rho) & (ratios <= high)):
        while _paid_at(high, budgets, weighted, held, ratios) < cost + slack:
            high = rho + 4 * (high - rho)
    return low, high


def _paid_at(
    rho: float, budgets: FloatArray, weighted: FloatArray, held: FloatArray, ratios: FloatArray
) -> float:
    """Return what the supporters would pay at ``rho``: sum(weight x min(budget, rho x utility))."""
    short = ratios < rho
    return float(np.sum(held, where=short) + rho * np.sum(weighted, where=~short))


def _float_rho(
    ratios: FloatArray, held: FloatArray, weighted: FloatArray, cost: float
) -> tuple[float, float]:
    """Solve sum(weight x min(budget, rho x utility)) = cost in floats by the poor/rich iteration.

    Returns rho and the slope there (the payers' weighted utility).
    """
    total = float(weighted.sum())
    rho, rest = cost / total, total
    count = -1
    while True:
        short = ratios < rho
        now = int(np.count_nonzero(short))
        if now == count:
            return rho, rest
        count = now
        rest = total - float(np.sum(weighted, where=short))
        if now == len(ratios) or rest <= 0:
            last = int(np.argmax(ratios))
            return float(ratios[last]), float(weighted[last])
        rho = (cost - float(np.sum(held, where=short))) / rest


def _exact_rho(state: _State, project: int) -> tuple[Fraction, IntArray]:
    """Compute the exact rho and the groups that pay all they have (see the module docstring)."""
    compiled = state.compiled
    book = state.book
    groups, budgets, utilities, entries = _supporters(state, project)
    utility_int = compiled.utility[entries]
    mass_int = compiled.counts[groups] * utility_int
    cost = compiled.costs[project]
    rho_f, _ = _float_rho(
        budgets / utilities,
        compiled.weight_f[entries] * budgets,
        compiled.weighted_utility_f[entries],
        float(cost),
    )
    unsure = np.zeros(len(groups), dtype=np.bool_)
    while True:
        diff = budgets - rho_f * utilities
        unsure |= np.abs(diff) <= state.tolerance
        poor = (diff < 0) & ~unsure
        if poor.all():
            unsure[:] = True
            poor[:] = False
        rho = _settle(book, groups, utility_int, mass_int, cost, poor, np.flatnonzero(unsure))
        rho_f = float(rho)
        diff = budgets - rho_f * utilities
        wrong = ~unsure & ((poor & (diff > -state.tolerance / 2)) | (~poor & (diff < state.tolerance / 2)))
        if not wrong.any():
            return rho, groups[poor]
        unsure |= wrong


def _settle(
    book: ExactBook,
    groups: IntArray,
    utilities: IntArray,
    masses: IntArray,
    cost: int,
    poor: BoolArray,
    unsure: IntArray,
) -> Fraction:
    """Iterate the exact poor/rich split from below, checking unsure voters with exact budgets.

    ``poor`` is updated in place with the unsure voters found unable to pay rho x utility.
    """
    exact_budgets = {int(index): book.budget_of(int(groups[index])) for index in unsure}
    poor[unsure] = False
    while True:
        rich_mass = int(masses[~poor].sum())
        paid = book.money_of(groups[poor])
        if rich_mass == 0:
            raise AssertionError("an affordable project always keeps a supporter who can pay rho")
        rho = (cost - paid) / rich_mass
        moved = [i for i, budget in exact_budgets.items() if not poor[i] and budget < rho * int(utilities[i])]
        if not moved:
            return rho
        poor[moved] = True


def _pay(state: _State, project: int, rho: Fraction, exhausted: IntArray) -> None:
    """Charge the supporters rho x utility each, or all they have (the ``exhausted`` groups)."""
    groups, _, utilities, _ = _supporters(state, project)
    state.budgets[groups] -= float(rho) * utilities
    state.budgets[exhausted] = 0.0
    state.exhausted[exhausted] = True
    state.book.record(project, rho)
    state.funded[project] = True
