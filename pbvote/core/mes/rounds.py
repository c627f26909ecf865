"""One run of the Method of Equal Shares at a given per-voter share, and certificates between runs.

Each round funds the affordable project with the smallest rho; the money is kept by ``money.py``
(floats to search, exact arithmetic to decide). With ``leap=True`` the run also certifies how far
the share can rise with the same outcome (``margins.py``); ``certify_between`` proves that every share
between two runs funds the same projects. The completion uses both to skip shares (``completion.py``).
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

import numpy as np

from pbvote.core.mes.commute import commutes, exhaustion_rounds
from pbvote.core.mes.compiled import BoolArray, Compiled, FloatArray, IntArray
from pbvote.core.mes.exact import ExactBook
from pbvote.core.mes.margins import rivals_near, round_limits, terminal_leap
from pbvote.core.mes.money import State, estimate, exact_rho, new_state, pay


@dataclass(frozen=True, slots=True)
class Round:
    """One funded project: its exact rho, the groups that paid all they had left, and any tie."""

    project: int
    rho: Fraction
    exhausted: IntArray  # groups that paid their whole remaining money in this round
    tied: tuple[int, ...]  # projects with the same rho, the winner first (empty without a tie)
    empty_handed: int = 0  # voters among ``exhausted`` who had exactly nothing left (so paid nothing)


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
    state = new_state(compiled, share)
    rounds: list[Round] = []
    limits: list[tuple[int, IntArray, FloatArray]] = []
    same = below is not None
    hint = [r.project for r in below.rounds] if below is not None else []
    while True:
        choice = _confirm(state, hint[len(rounds)]) if len(rounds) < len(hint) else None
        choice = choice or _select(state)
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
        empty = _empty_handed(state, exhausted)
        pay(state, winner, rho, exhausted)
        rounds.append(Round(winner, rho, exhausted, tied, empty))
    when = exhaustion_rounds(len(compiled.counts), rounds)
    certified = min(terminal_leap(state), _round_leap(compiled, rounds, when, limits)) if leap else 0.0
    same = same and below is not None and len(below.rounds) == len(rounds)
    return Run(share, tuple(rounds), state.exhausted, state.budgets, state.book, certified, same, when)


def _empty_handed(state: State, groups: IntArray) -> int:
    """Count the voters of these groups who hold exactly nothing (floats only shortlist them)."""
    near_zero = groups[state.budgets[groups] <= state.tolerance]
    book = state.book
    return sum(int(state.compiled.counts[g]) for g in near_zero.tolist() if book.budget_of(g) == 0)


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
    state = new_state(compiled, upper.share)
    for index, below in enumerate(lower.rounds):
        if estimate(state, below.project) is None or not _stays_behind(
            state, below.project, below.rho, lower, index
        ):
            return False  # (the first cannot happen: more money keeps the winner affordable)
        rho, exhausted = exact_rho(state, below.project)
        pay(state, below.project, rho, exhausted)
    return all(estimate(state, project) is None for project in np.flatnonzero(~state.funded).tolist())


def _stays_behind(state: State, winner: int, rho_below: Fraction, lower: Run, index: int) -> bool:
    """Tell whether every rival's rho here is above ``rho_below`` (or equal and behind in the tie-break).

    Rivals that commute with ``lower``'s rounds from ``index`` on cannot change the funded set.
    """
    for rival in rivals_near(state, winner, float(rho_below)).tolist():
        if commutes(state.compiled, lower.rounds, lower.exhausted_when, index, rival, state.exhausted):
            continue
        if _clearly_above(state, rival, rho_below):
            continue  # unaffordable or dearer here, so at every lower share too
        rho = exact_rho(state, rival)[0]
        if rho < rho_below or (rho == rho_below and rival < winner):
            return False
    return True


def _clearly_above(state: State, project: int, rho: Fraction) -> bool:
    """Tell whether floats prove the project unaffordable or its rho above ``rho``."""
    bracket = estimate(state, project)
    return bracket is None or bracket[0] > float(rho) * (1 + 1e-15)


def _confirm(state: State, expected: int) -> tuple[int, Fraction, IntArray, tuple[int, ...]] | None:
    """Check that ``expected`` (a nearby run's winner) wins this round, without searching.

    One vectorised pass finds the rivals that could reach its rho; those are compared exactly.
    Returns the round as ``_select`` would, or None when another project wins (or nobody can pay).
    """
    if state.funded[expected] or estimate(state, expected) is None:
        return None
    rho, exhausted = exact_rho(state, expected)
    tied = [expected]
    for rival in rivals_near(state, expected, float(rho)).tolist():
        if _clearly_above(state, rival, rho):
            continue
        other = exact_rho(state, rival)[0]
        if other < rho or (other == rho and rival < expected):
            return None
        if other == rho:
            tied.append(rival)
    return expected, rho, exhausted, tuple(sorted(tied)) if len(tied) > 1 else ()


def _select(state: State) -> tuple[int, Fraction, IntArray, tuple[int, ...]] | None:
    """Find the affordable project with the smallest exact rho (tie-break: lowest index)."""
    candidates = np.flatnonzero(state.affordable & ~state.funded)
    order = candidates[np.argsort(state.lower[candidates], kind="stable")]
    best_high = float("inf")
    evaluated: list[tuple[int, float, float]] = []
    for project in order.tolist():
        if state.lower[project] > best_high:
            break
        bracket = estimate(state, project)
        if bracket is None:
            state.affordable[project] = False
            continue
        low, high = bracket
        state.lower[project] = max(state.lower[project], low)
        evaluated.append((project, low, high))
        best_high = min(best_high, high)
    contenders = [project for project, low, _ in evaluated if low <= best_high]
    if not contenders:
        return None
    exact = {project: exact_rho(state, project) for project in contenders}
    best = min(rho for rho, _ in exact.values())
    tied = tuple(sorted(project for project, (rho, _) in exact.items() if rho == best))
    return tied[0], best, exact[tied[0]][1], tied if len(tied) > 1 else ()
