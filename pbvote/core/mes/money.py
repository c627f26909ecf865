"""The money of one MES run: float budgets to search fast, an exact book to decide.

Floats only *find* things: which project probably has the smallest rho, which supporters probably
cannot pay rho x utility. Every decision is settled exactly (see ``exact.py``): the winner's rho is an
exact ``Fraction``; a voter is classed as unable to pay only when floats say so by a margin a million
times wider than their rounding error (``TOLERANCE``) or exact arithmetic says so; near ties and
near-affordable projects are compared exactly. So the outcome is the exact-arithmetic one.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

import numpy as np

from pbvote.core.mes.compiled import BoolArray, Compiled, FloatArray, IntArray
from pbvote.core.mes.exact import ExactBook

TOLERANCE = 1e-9  # relative to the share; float budgets are off by ~1e-13 of it at most


@dataclass(slots=True)
class State:
    """The mutable money of a run: float budgets for search, exact book for decisions."""

    compiled: Compiled
    budgets: FloatArray
    exhausted: BoolArray
    book: ExactBook
    tolerance: float
    lower: FloatArray  # a proven lower bound on each project's rho
    funded: BoolArray
    affordable: BoolArray
    memo: dict[tuple[int, float], Any] = field(default_factory=dict)  # this round's rival payments


def new_state(compiled: Compiled, share: Fraction) -> State:
    """Give every voter ``share`` and no project funded yet."""
    groups, projects = len(compiled.counts), len(compiled.ids)
    share_f = float(share)
    lower = compiled.cost_f / compiled.total_utility_f if projects else np.zeros(0)
    return State(
        compiled=compiled,
        budgets=np.full(groups, share_f),
        exhausted=np.zeros(groups, dtype=np.bool_),
        book=ExactBook(compiled, share),
        tolerance=TOLERANCE * max(share_f, 1.0),
        lower=lower * (1 - 1e-12),
        funded=np.zeros(projects, dtype=np.bool_),
        affordable=np.ones(projects, dtype=np.bool_),
    )


def _supporters(state: State, project: int) -> tuple[IntArray, FloatArray, FloatArray, IntArray]:
    """Give the project's never-exhausted supporting groups, their budgets, utilities and entries."""
    compiled = state.compiled
    start, end = int(compiled.ptr[project]), int(compiled.ptr[project + 1])
    groups = compiled.group[start:end]
    live = np.flatnonzero(~state.exhausted[groups])
    entries = live + start
    return groups[live], np.maximum(state.budgets[groups[live]], 0.0), compiled.utility_f[entries], entries


def estimate(state: State, project: int) -> tuple[float, float] | None:
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
        exact = float(exact_rho(state, project)[0])
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
    short = np.zeros(len(ratios), dtype=np.bool_)
    while True:
        newly = ~short & (ratios < rho)  # only ever grows, so the loop ends even if floats wobble
        if not newly.any():
            return rho, rest
        short |= newly
        rest = float(np.sum(weighted, where=~short))
        if rest <= 0:
            last = int(np.argmax(ratios))
            return float(ratios[last]), float(weighted[last])
        rho = (cost - float(np.sum(held, where=short))) / rest


def exact_rho(state: State, project: int) -> tuple[Fraction, IntArray]:
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


def pay(state: State, project: int, rho: Fraction, exhausted: IntArray) -> None:
    """Charge the supporters rho x utility each, or all they have (the ``exhausted`` groups)."""
    groups, _, utilities, _ = _supporters(state, project)
    state.budgets[groups] -= float(rho) * utilities
    state.budgets[exhausted] = 0.0
    state.exhausted[exhausted] = True
    state.book.record(project, rho)
    state.funded[project] = True
    state.memo.clear()
