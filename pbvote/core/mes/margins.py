"""How far the per-voter share can rise before a MES run could fund a different sequence of projects.

Why this is safe. Keep the funded sequence fixed and raise the share from s to x = s + d.
(1) Every budget at every round can only grow, and every rho can only fall: more money for each
voter lowers the rho that solves sum(min(budget, rho x utility)) = cost, and a voter keeps
max(0, budget - rho x utility). (2) Each funded project is paid exactly its cost, so the voters' money
at any round grows by exactly n x d in all. (3) A voter who never had to pay all they had gains at
least d (they hold x - sum(rho x utility) and the rhos fell). So the supporters of a project q gain at
most d x (exhausted voters' mass + q's never-exhausted supporters below the cap), and only supporters
paying less than the cap rho x utility can add to q's payments at that rho.

Hence q cannot overtake the winner w of round r while
``f_q(rho_w) + min(cap shortfall, d x gain rate) < cost_q`` (f at the rho w had at share s, which only
falls), and a project unaffordable after the last round stays so while its supporters' money plus
``d x gain rate`` stays below its cost. Money is compared with a tolerance far above float error, so
a near miss gives a leap of zero: the completion then simply tries the next whole unit.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from pbvote.core.mes.money import State

INFINITE = float("inf")


def round_limits(state: State, winner: int, rho: float) -> tuple[np.ndarray, np.ndarray]:
    """Certify, per rival, how far the share can rise before it could beat ``winner`` this round.

    Returns the rivals that could ever catch up and their leaps (zero for a near miss).
    """
    rivals = _reachable(state, winner, rho)
    if len(rivals) == 0:
        return rivals, np.zeros(0)
    paid, shortfall, rich_short, slack = _payments_at(state, winner, rho, rivals)
    cost = state.compiled.cost_f[rivals]
    margin = cost - paid - slack
    rate = np.where(shortfall > 0, _exhausted_mass(state) + rich_short, 0.0)
    open_ = ~(cost - paid - shortfall > slack) & (rate > 0)  # else even unlimited money cannot catch up
    leaps = np.maximum(margin[open_], 0.0) / rate[open_]
    return rivals[open_], leaps


def rivals_near(state: State, winner: int, rho: float) -> np.ndarray:
    """Give the rivals whose supporters might pay their cost at ``rho`` (floats cannot rule it out).

    Used with the winner's rho at a lower share: a rival not listed cannot beat the winner there.
    """
    rivals = _reachable(state, winner, rho)
    if len(rivals) == 0:
        return rivals
    paid, _, _, slack = _payments_at(state, winner, rho, rivals)
    near: np.ndarray = rivals[paid + slack >= state.compiled.cost_f[rivals]]
    return near


def _reachable(state: State, winner: int, rho: float) -> np.ndarray:
    """Give the unfunded rivals that could pay their cost at ``rho`` if every supporter paid in full."""
    compiled = state.compiled
    rivals = ~state.funded
    rivals[winner] = False
    full = rho * compiled.total_utility_f
    return np.flatnonzero(rivals & (full + compiled.supporters_f * state.tolerance >= compiled.cost_f))


def _payments_at(
    state: State, winner: int, rho: float, projects: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """For the given projects at ``rho``: what supporters would pay, their shortfall below the cap,
    the mass of never-exhausted supporters short of the cap, and the float slack.

    Remembered for the round (``winner`` and ``rho``), as the check and the leap both need it.
    """
    key = (winner, rho)
    if key not in state.memo:
        state.memo.clear()
        state.memo[key] = _compute_payments(state, rho, projects)
    result: tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray] = state.memo[key]
    return result


def _compute_payments(
    state: State, rho: float, projects: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Compute what ``_payments_at`` gives, in one vectorised pass over the projects' supporters."""
    compiled = state.compiled
    starts, ends = compiled.ptr[projects], compiled.ptr[projects + 1]
    lengths = ends - starts
    offsets = np.cumsum(lengths) - lengths
    entries = np.arange(int(lengths.sum()), dtype=np.int64) + np.repeat(starts - offsets, lengths)
    groups = compiled.group[entries]
    budgets = np.maximum(state.budgets[groups], 0.0)
    caps = rho * compiled.utility_f[entries]
    short = budgets < caps
    weights = compiled.weight_f[entries]
    paid = np.add.reduceat(weights * np.minimum(budgets, caps), offsets)
    shortfall = np.add.reduceat(weights * np.where(short, caps - budgets, 0.0), offsets)
    rich_short = np.add.reduceat(weights * (short & ~state.exhausted[groups]), offsets)
    return paid, shortfall, rich_short, compiled.supporters_f[projects] * state.tolerance


def terminal_leap(state: State) -> float:
    """Certify how far the share can rise before a project left over becomes affordable."""
    compiled = state.compiled
    if state.funded.all():
        return INFINITE
    budgets = np.maximum(state.budgets[compiled.group], 0.0)
    weights = compiled.weight_f
    starts = compiled.ptr[:-1]
    money = np.add.reduceat(weights * budgets, starts)  # all projects: one pass, once per run
    rich = np.add.reduceat(weights * ~state.exhausted[compiled.group], starts)
    slack = np.add.reduceat(weights, starts) * state.tolerance
    margin = compiled.cost_f - money - slack
    rate = _exhausted_mass(state) + rich
    left = ~state.funded
    return _smallest_leap(margin[left], rate[left], np.zeros(int(left.sum()), dtype=np.bool_))


def _exhausted_mass(state: State) -> float:
    """Count the voters who have paid all they had (their gain is bounded only by the total)."""
    return float(state.compiled.counts[state.exhausted].sum())


def _smallest_leap(margin: np.ndarray, rate: np.ndarray, capped: np.ndarray) -> float:
    """Give min(margin / rate) over the projects that could still catch up (zero for a near miss)."""
    open_ = ~capped
    if not open_.any():
        return INFINITE
    margin, rate = margin[open_], rate[open_]
    growing = rate > 0  # a rival whose supporters cannot gain keeps losing (the winner won at s)
    if not growing.any():
        return INFINITE
    if (margin[growing] <= 0).any():
        return 0.0
    return float(np.min(margin[growing] / rate[growing]))
