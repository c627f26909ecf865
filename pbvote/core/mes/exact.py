"""Exact money for MES decisions: every voter's budget is the share minus sum(rho_p x utility).

A voter who never had to pay all they had left (a "rich" voter) holds exactly
``share - sum over funded projects p they support of rho_p * u_p``; one who did holds nothing.
The rho values are kept over one common denominator, so the money of any set of rich voters is
``mass * share - (sum_p N_p * W_p) / D`` with integer weights ``W_p`` computed by numpy: a handful of
big-integer products per decision, whatever the number of voters.
"""

from __future__ import annotations

from fractions import Fraction
from math import lcm

import numpy as np

from pbvote.core.mes.compiled import BoolArray, Compiled, IntArray


class ExactBook:
    """The exact rho of every funded project so far, over one common denominator."""

    def __init__(self, compiled: Compiled, share: Fraction) -> None:
        self.compiled = compiled
        self.share = share
        self.denominator = 1
        self.numerators = np.zeros(len(compiled.ids), dtype=object)
        self.funded = np.zeros(len(compiled.ids), dtype=np.bool_)
        self.rhos: dict[int, Fraction] = {}

    def record(self, project: int, rho: Fraction) -> None:
        """Add a funded project's rho, rescaling the others to the new common denominator."""
        common = lcm(self.denominator, rho.denominator)
        if common != self.denominator:
            factor = common // self.denominator
            self.numerators[self.funded] *= factor
            self.denominator = common
        self.numerators[project] = rho.numerator * (common // rho.denominator)
        self.funded[project] = True
        self.rhos[project] = rho

    def money_of(self, groups: IntArray) -> Fraction:
        """Return the exact money held by the given rich (never exhausted) groups, all voters counted."""
        if len(groups) == 0:
            return Fraction(0)
        compiled = self.compiled
        mass = int(compiled.counts[groups].sum())
        spent = self._spent_numerator(groups)
        share = self.share
        return Fraction(
            mass * share.numerator * self.denominator - spent * share.denominator,
            share.denominator * self.denominator,
        )

    def budget_of(self, group: int) -> Fraction:
        """Return one rich voter's exact remaining money."""
        return self.share - Fraction(self._spent_of(group), self.denominator)

    def _spent_of(self, group: int) -> int:
        """Give what one voter of the group paid so far, times the common denominator D."""
        compiled = self.compiled
        start, end = int(compiled.gptr[group]), int(compiled.gptr[group + 1])
        spent = 0
        for project, utility in zip(
            compiled.gproject[start:end].tolist(), compiled.gutility[start:end].tolist(), strict=True
        ):
            if self.funded[project]:
                spent += self.numerators[project] * utility
        return spent

    def _spent_numerator(self, groups: IntArray) -> int:
        """Sum multiplicity x utility x N_p over the groups' funded projects (times D, as an integer)."""
        compiled = self.compiled
        if len(groups) <= 16:  # a few groups: plain Python beats a dozen numpy calls
            return sum(int(compiled.counts[group]) * self._spent_of(int(group)) for group in groups.tolist())
        starts = compiled.gptr[groups]
        lengths = compiled.gptr[groups + 1] - starts
        total = int(lengths.sum())
        if total == 0:
            return 0
        offsets = np.repeat(starts - (np.cumsum(lengths) - lengths), lengths)
        entries = np.arange(total, dtype=np.int64) + offsets
        projects = compiled.gproject[entries]
        mask: BoolArray = self.funded[projects]
        if not mask.any():
            return 0
        weights = np.repeat(compiled.counts[groups], lengths)[mask] * compiled.gutility[entries][mask]
        per_project = _exact_bincount(projects[mask], weights, len(compiled.ids))
        used = np.flatnonzero(per_project)
        return sum(per_project[p] * self.numerators[p] for p in used.tolist())


def _exact_bincount(keys: IntArray, values: IntArray, size: int) -> list[int]:
    """Sum non-negative int64 values per key exactly: bincount on 21-bit slices stays below 2**53."""
    total = [0] * size
    for shift in (0, 21, 42):
        part = np.bincount(keys, weights=(values >> shift) & 0x1FFFFF, minlength=size)
        for index in np.flatnonzero(part).tolist():
            total[index] += int(part[index]) << shift
    return total
