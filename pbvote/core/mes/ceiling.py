"""A ceiling on what MES can spend at a share, so add1 can skip raises that are proven to fit.

Why this is safe. At share t every voter holds t and MES charges each funded project's cost, exactly,
to its supporters, none paying more than they hold. So the money paid is a flow from voters (each
group can give ``multiplicity x t``) to the projects they support (each taking at most its cost), and a
project whose supporters together hold less than its cost is never funded. Any cut of that network
bounds the flow: for any set Q of affordable projects, MES spends at most
``cost(affordable projects outside Q) + t x (voters supporting some project in Q)``. Both terms only grow
with t, so a cut that fits the budget B at one share fits at every lower share. If it is also below the
cost of every fundable project together, no raise up to that share can overspend or fund everything, and
add1 can start right after it. Floats only choose Q; the bound itself is checked in integers.
"""

from __future__ import annotations

from fractions import Fraction

import numpy as np

from pbvote.core.mes.compiled import BoolArray, Compiled, IntArray
from pbvote.core.types import Money


def fitting_raises(compiled: Compiled, budget: Money, scale: int) -> int:
    """Give the largest raise count up to which every add1 raise is proven to fit and fund less than
    everything (-1 when not even the first share is)."""
    ceiling = _Ceiling(compiled, budget, scale)
    if not ceiling.fits(0):
        return -1
    low, high = 0, 1
    while ceiling.fits(high):
        low, high = high, 2 * high
    while high - low > 1:
        middle = (low + high) // 2
        low, high = (middle, high) if ceiling.fits(middle) else (low, middle)
    return low


class _Ceiling:
    """The election's supporter network and the exact cut check at a raised share."""

    def __init__(self, compiled: Compiled, budget: Money, scale: int) -> None:
        self.compiled, self.budget, self.scale = compiled, budget, scale
        self.everything = sum(compiled.costs)
        self.supporters = [int(x) for x in compiled.supporters_f.tolist()]  # integer counts, exact in floats
        lengths = np.diff(compiled.ptr)
        self.project_of: IntArray = np.repeat(np.arange(len(compiled.ids), dtype=np.int64), lengths)

    def fits(self, raises: int) -> bool:
        """Tell whether a cut proves that MES at ``raises`` whole units above B/n spends at most B and
        less than every fundable project together (so it neither overspends nor funds everything)."""
        compiled = self.compiled
        n = compiled.n
        share = Fraction(self.budget, n) + raises * self.scale
        money = self.budget + n * raises * self.scale  # n x share, an integer
        affordable = np.asarray(
            [s * money >= c * n for s, c in zip(self.supporters, compiled.costs, strict=True)], dtype=np.bool_
        )
        limit = min(self.budget, self.everything - 1)
        outside = sum(c for c, a in zip(compiled.costs, affordable.tolist(), strict=True) if a)
        if outside <= limit:
            return True  # Q empty: every affordable project funded at once still fits
        chosen = self._choose(float(share), affordable)
        covered = self._covered(chosen)
        outside = sum(c for c, a, q in zip(compiled.costs, affordable, chosen, strict=True) if a and not q)
        return outside + share * int(compiled.counts[covered].sum()) <= limit

    def _choose(self, share: float, affordable: BoolArray) -> BoolArray:
        """Pick Q greedily: start from every affordable project and drop those whose own voters hold
        more than they cost (dropping several at once only lowers the cut further)."""
        compiled = self.compiled
        chosen = affordable.copy()
        while True:
            live = chosen[self.project_of]
            cover = np.bincount(compiled.group[live], minlength=len(compiled.counts))
            alone = live & (cover[compiled.group] == 1)
            mass = compiled.weight_f[alone]
            only = np.bincount(self.project_of[alone], weights=mass, minlength=len(chosen))
            drop = chosen & (compiled.cost_f < share * only)
            if not drop.any():
                return chosen
            chosen &= ~drop

    def _covered(self, chosen: BoolArray) -> BoolArray:
        """Mark the groups that support some project in Q."""
        compiled = self.compiled
        covered = np.zeros(len(compiled.counts), dtype=np.bool_)
        covered[compiled.group[chosen[self.project_of]]] = True
        return covered
