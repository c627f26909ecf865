"""A fast float MES run that gives the funded sequence only when floats alone prove every decision.

The completion needs, at each raised share, only which projects MES funds. This run keeps float budgets
and, per group, a proven bound on how far they can be from the exact budgets (``error``). A project's
exact payments ``F(rho) = sum(weight x min(budget, rho x utility))`` differ from the float ones by at most
``sum(weight x error)`` plus the float rounding of the sum (``_slack``), so evaluating ``F`` at two
points brackets the exact rho (F only grows with rho). A round is decided only when the winner's
bracket lies strictly below every rival's proven lower bound, and a project is dropped only when its
supporters' money is proven short of its cost. A rival is first tested in one cheap pass (``_beyond``):
its supporters proven to pay less than its cost at the leader's upper bound put its rho above it, and
only the rivals that test fails are evaluated. Anything closer (a tie, a near miss) returns None and
the caller runs exact MES instead (``rounds.run_mes``). Paying keeps the bound: each supporter
keeps ``max(0, budget - rho x utility)``, which moves by at most the budget's error plus
``utility x`` the bracket's width; a supporter proven unable to pay is left with exactly nothing.
"""

from __future__ import annotations

from collections.abc import Iterable
from fractions import Fraction
from typing import Literal

import numpy as np

from pbvote.core.mes.compiled import Compiled, FloatArray, IntArray
from pbvote.core.types import Money

_EPS = 2.3e-16  # a little above the unit roundoff of float64
_WIDEN = (1.0, 8.0, 64.0)  # bracket widths tried, in units of the estimated error


class Uncertain(Exception):
    """Floats cannot prove a decision of this run; exact arithmetic must settle it."""


def probe_sequence(
    compiled: Compiled, share: Fraction, budget: Money | None = None
) -> tuple[int, ...] | Literal[True] | None:
    """Give the funded sequence MES produces at ``share`` (exactly), or None when floats cannot prove it.

    With a ``budget``, the run may stop early: True when what it funds is proven to cost at most the
    budget and to leave a project unfunded; a sequence already costing more than the budget when it
    does (the rest of the run cannot lower the cost).
    """
    try:
        return _Probe(compiled, share).run(budget)
    except Uncertain:
        return None


class _Probe:
    """The float budgets, their error bounds and the proven lower bounds on each project's rho."""

    def __init__(self, compiled: Compiled, share: Fraction) -> None:
        groups = len(compiled.counts)
        share_f = float(share)
        self.compiled = compiled
        self.budgets = np.full(groups, share_f)
        self.error = np.full(groups, abs(share_f) * 2 * _EPS + 1e-300)
        self.lower: FloatArray = compiled.cost_f / compiled.total_utility_f * (1 - 1e-12)
        self.alive = np.ones(len(compiled.ids), dtype=np.bool_)  # neither funded nor proven unaffordable
        self.funded = np.zeros(len(compiled.ids), dtype=np.bool_)

    def run(self, budget: Money | None) -> tuple[int, ...] | Literal[True]:
        """Fund projects round by round until nothing left is affordable (proven), or until the cost
        is proven to stay within ``budget`` (True) or proven to exceed it (the sequence so far)."""
        sequence: list[int] = []
        spent, check, gap = 0, 1, 1  # the fit check runs after rounds 1, 2, 4, 8, ... while it fails
        while True:
            winner = self._round()
            if winner is None:
                return tuple(sequence)
            sequence.append(winner[0])
            self._pay(*winner)
            spent += self.compiled.costs[winner[0]]
            if budget is not None and spent > budget:
                return tuple(sequence)
            if budget is not None and len(sequence) >= check:
                if self._fits(budget - spent):
                    return True
                check, gap = len(sequence) + gap, 2 * gap

    def _fits(self, room: int) -> bool:
        """Tell whether the rest of the run is proven to cost at most ``room`` and to leave a project out.

        Later rounds fund only projects still affordable now (budgets only shrink), paid only by their
        supporters out of what they hold now; so their cost is at most both the projects' total cost
        and the money their supporters hold. One pass over all supporters also proves which projects
        are unaffordable already (they drop out of the search).
        """
        compiled = self.compiled
        costs = compiled.costs
        if (~self.alive & ~self.funded).any() and sum(costs[p] for p in np.flatnonzero(self.alive)) <= room:
            return True
        project_of, counts = self._election_arrays()
        weights, starts = compiled.weight_f, compiled.ptr[:-1]  # entries sorted by project, none empty
        money = np.add.reduceat(weights * self.budgets[compiled.group], starts)
        unsure = float(self.error.max()) * compiled.supporters_f * (1 + 4 * _EPS)
        most = money + unsure + 2 * (np.diff(compiled.ptr) + 2) * _EPS * (money + unsure)  # exact <= most
        self.alive &= most >= compiled.cost_f
        if not (~self.alive & ~self.funded).any():
            return False
        if sum(costs[p] for p in np.flatnonzero(self.alive)) <= room:
            return True
        if float(most[self.alive].sum()) * (1 + 2 * (len(costs) + 2) * _EPS) < room * (1 - 4 * _EPS):
            return True  # each voter counted once per project still open: at least what they hold
        covered = np.zeros(len(compiled.counts), dtype=np.bool_)
        covered[compiled.group[self.alive[project_of]]] = True
        held = _dot(counts[covered], self.budgets[covered] + self.error[covered])
        return held * (1 + 2 * (int(covered.sum()) + 2) * _EPS) < room * (1 - 4 * _EPS)

    def _election_arrays(self) -> tuple[IntArray, FloatArray]:
        """Give each supporter entry's project and each group's multiplicity as floats, once per election."""
        compiled = self.compiled
        cached = _ARRAYS.get(id(compiled))
        if cached is None or cached[0] is not compiled:
            _ARRAYS.clear()
            lengths = np.diff(compiled.ptr)
            project_of = np.repeat(np.arange(len(lengths), dtype=np.int64), lengths)
            cached = _ARRAYS[id(compiled)] = (compiled, project_of, compiled.counts.astype(np.float64))
        return cached[1], cached[2]

    def _round(self) -> tuple[int, float, float, float] | None:
        """Find this round's winner (project, rho, low, high), proven to beat every rival, or None."""
        candidates = np.flatnonzero(self.alive)
        order = candidates[np.argsort(self.lower[candidates], kind="stable")].tolist()
        best: tuple[int, float, float, float] | None = None
        evaluated: list[tuple[int, float, float]] = []
        passed = float("inf")  # the lowest rho a rival was proven to exceed without being evaluated
        for project in order:
            if best is not None and self.lower[project] > best[3]:
                break
            if best is not None and self._beyond(project, best[3]):
                self.lower[project] = max(self.lower[project], best[3])
                passed = min(passed, best[3])
                continue
            bracket = self._evaluate(project)
            if bracket is None:
                self.alive[project] = False
                continue
            rho, low, high = bracket
            self.lower[project] = max(self.lower[project], low)
            evaluated.append((project, low, high))
            if best is None or rho < best[1]:
                best = (project, rho, low, high)
        if best is None:
            return None
        if passed < best[3]:  # a rival passed over might come close to the final winner after all
            raise Uncertain
        close = [(p, high) for p, low, high in evaluated if p == best[0] or low <= best[3]]
        proofs = [self._above(project, high) for project, high in close]
        if not all(proven for proven, _ in proofs):
            raise Uncertain
        if len(close) == 1:
            return best
        return self._tie(
            project for (project, _), (_, rich) in zip(close, proofs, strict=True) if rich or _raise()
        )

    def _tie(self, projects: Iterable[int]) -> tuple[int, float, float, float]:
        """Settle projects too close for floats whose supporters pay in full or hold exactly nothing.

        Then rho is the cost over the payers' utility, exactly. Equal rhos go to the lowest index (the
        tie-break order), as in exact MES.
        """
        rho, winner = min((self._exact_rho(project), project) for project in projects)
        rho_f = float(rho)
        return winner, rho_f, rho_f * (1 - 2 * _EPS), rho_f * (1 + 2 * _EPS)

    def _exact_rho(self, project: int) -> Fraction:
        """Give the exact rho of a project whose supporters pay in full or hold exactly nothing."""
        compiled = self.compiled
        start, end = int(compiled.ptr[project]), int(compiled.ptr[project + 1])
        groups = compiled.group[start:end]
        paying = (self.budgets[groups] > 0) | (self.error[groups] > 0)
        mass = int(np.dot(compiled.counts[groups[paying]], compiled.utility[start:end][paying]))
        return Fraction(compiled.costs[project], mass)

    def _beyond(self, project: int, rho: float) -> bool:
        """Tell whether the project's supporters are proven to pay less than its cost at ``rho`` (so its
        exact rho is above it), in one pass over them: far cheaper than evaluating the project."""
        compiled = self.compiled
        start, end = int(compiled.ptr[project]), int(compiled.ptr[project + 1])
        groups = compiled.group[start:end]
        weights = compiled.weight_f[start:end]
        paid = _dot(weights, np.minimum(self.budgets[groups], rho * compiled.utility_f[start:end]))
        unsure = _dot(weights, self.error[groups]) * (1 + 4 * _EPS)
        rounding = _slack(unsure, rho * float(compiled.total_utility_f[project]), end - start)
        return paid + unsure + rounding < float(compiled.cost_f[project])

    def _evaluate(self, project: int) -> tuple[float, float, float] | None:
        """Estimate the project's rho with a proven lower bound and a likely upper bound (rho, low, high),
        or None when it is proven unaffordable. ``_above`` proves the upper bound where it matters."""
        compiled = self.compiled
        start, end = int(compiled.ptr[project]), int(compiled.ptr[project + 1])
        groups = compiled.group[start:end]
        budgets = self.budgets[groups]
        weights = compiled.weight_f[start:end]
        held = weights * budgets
        money = float(held.sum())
        cost = float(compiled.cost_f[project])
        slack = _slack(_dot(weights, self.error[groups]), money, end - start)
        if money + slack < cost:
            return None
        if money - slack <= cost:
            raise Uncertain
        utilities = compiled.utility_f[start:end]
        error = self.error[groups]
        rounding = _slack(0.0, money + _dot(weights, error), end - start)
        weighted = compiled.weighted_utility_f[start:end]
        rho, slope = _float_rho(budgets / utilities, held, weighted, cost)
        near = _dot(weights, np.where(budgets - error < rho * 1.01 * utilities, error, 0.0))
        for widen in _WIDEN:
            width = widen * (2 * (near + rounding) / slope + 4 * _EPS * rho)
            paid_low, error_low, _ = _paid(rho - width, budgets, error, weights, utilities)
            if paid_low + error_low + rounding < cost:
                return rho, rho - width, rho + width
        raise Uncertain

    def _above(self, project: int, high: float) -> tuple[bool, bool]:
        """Tell whether the project's exact rho is proven below ``high``, and whether every supporter
        is then proven to pay rho x utility in full or to hold exactly nothing."""
        compiled = self.compiled
        start, end = int(compiled.ptr[project]), int(compiled.ptr[project + 1])
        groups = compiled.group[start:end]
        budgets, error = self.budgets[groups], self.error[groups]
        weights = compiled.weight_f[start:end]
        money = _dot(weights, budgets) + _dot(weights, error)
        rounding = _slack(0.0, money, end - start)
        paid, unsure, rich = _paid(high, budgets, error, weights, compiled.utility_f[start:end])
        return float(compiled.cost_f[project]) < paid - unsure - rounding, rich

    def _pay(self, project: int, rho: float, low: float, high: float) -> None:
        """Charge the winner's supporters min(budget, rho x utility), widening their error bounds."""
        compiled = self.compiled
        start, end = int(compiled.ptr[project]), int(compiled.ptr[project + 1])
        groups = compiled.group[start:end]
        budgets = self.budgets[groups]
        error = self.error[groups]
        utilities = compiled.utility_f[start:end]
        caps = rho * utilities
        left = np.maximum(budgets - caps, 0.0)
        grown = (error + utilities * max(high - rho, rho - low) + (budgets + caps) * _EPS) * (1 + 4 * _EPS)
        poor = budgets + error < low * utilities * (1 - 4 * _EPS)  # proven: pays all, keeps exactly 0
        self.budgets[groups] = np.where(poor, 0.0, left)
        self.error[groups] = np.where(poor, 0.0, grown)
        self.alive[project] = False
        self.funded[project] = True


_ARRAYS: dict[int, tuple[Compiled, IntArray, FloatArray]] = {}  # the last election's ``_election_arrays``


def _dot(left: FloatArray, right: FloatArray) -> float:
    """Sum the products without BLAS, whose threads spin and stall a loaded machine on long vectors."""
    return float(np.einsum("i,i->", left, right))


def _raise() -> bool:
    """Give up on this run: floats cannot settle a decision (used inside expressions)."""
    raise Uncertain


def _slack(error_mass: float, money: float, terms: int) -> float:
    """Bound how far a float sum of payments can be from the exact one (budget errors plus rounding)."""
    return error_mass + 2 * (terms + 2) * _EPS * (money + error_mass)


def _paid(
    rho: float, budgets: FloatArray, error: FloatArray, weights: FloatArray, utilities: FloatArray
) -> tuple[float, float, bool]:
    """Return what the supporters pay at ``rho`` in floats, how far the exact payments can differ,
    and whether every supporter is proven to afford rho x utility or holds exactly nothing.

    A supporter whose budget is proven to cover rho x utility pays exactly that, so only the others'
    budget errors count.
    """
    caps = rho * utilities
    paid = _dot(weights, np.minimum(budgets, caps))
    short = budgets - error < caps * (1 + 4 * _EPS)
    unsure = _dot(weights, np.where(short, error, 0.0))
    return paid, unsure * (1 + 4 * _EPS), not (short & ((budgets > 0) | (error > 0))).any()


def _float_rho(
    ratios: FloatArray, held: FloatArray, weighted: FloatArray, cost: float
) -> tuple[float, float]:
    """Solve the payments for rho in floats (poor/rich iteration); also give the payers' slope there."""
    total = float(weighted.sum())
    rho, rest = cost / total, total
    short = np.zeros(len(ratios), dtype=np.bool_)
    while True:
        newly = ~short & (ratios < rho)
        if not newly.any():
            return rho, rest
        short |= newly
        rest = float(np.sum(weighted, where=~short))
        if rest <= 0:
            raise Uncertain
        rho = (cost - float(np.sum(held, where=short))) / rest
