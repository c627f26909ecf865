"""Completion "add1" (equalshares.net Add1U): raise every share by one whole unit while the outcome fits.

Add1 reruns MES at shares B/n, B/n + 1, B/n + 2, … (one whole currency unit, ``scale`` smallest
units, per step), keeps the last outcome whose cost fits the budget B and stops at the first that does
not, or when every supported project is funded. Outcomes are not monotone in the share, so nothing may
be skipped blindly; instead every run certifies (``margins.py``) a rise of the share over which its
funded sequence provably stays the same, and the next run is at the first whole step beyond it. The
result is the same as trying every step, with a handful of runs instead of thousands.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

from pbvote.core.mes.compiled import Compiled
from pbvote.core.mes.rounds import Run, run_mes
from pbvote.core.types import Money


@dataclass(frozen=True, slots=True)
class Raised:
    """The run add1 keeps, the number of whole-unit raises it took, and how many MES runs we computed."""

    run: Run
    raises: int
    runs: int


def raise_shares(compiled: Compiled, budget: Money, scale: int) -> Raised:
    """Find the run add1 keeps: the last share (in whole-unit steps) whose outcome still fits.

    Args:
        compiled: the election's arrays.
        budget: the real budget B, in smallest units.
        scale: smallest units per whole currency unit (one raise adds this to every share).

    Returns:
        The kept run (at the kept share), the raises and the number of runs computed.
    """
    base = Fraction(budget, compiled.n) if compiled.n else Fraction(0)
    kept, kept_raises = run_mes(compiled, base, leap=True), 0
    runs, stride = 1, 1
    while len(kept.rounds) < len(compiled.ids) and kept.leap != float("inf"):
        certain = int(kept.leap // scale) + 1  # the first raise the kept run does not vouch for
        tried = max(certain, stride)
        trial = run_mes(compiled, base + (kept_raises + tried) * scale, leap=True, below=kept)
        runs += 1
        fits = _cost(compiled, trial) <= budget
        if tried > certain and not (fits and trial.same_as_below):
            stride = max(certain, tried // 4)  # the long stride proved nothing: shorten it, try again
            continue
        if not fits:
            return _settle(compiled, base, scale, kept, kept_raises + tried - 1, runs)
        kept, kept_raises = trial, kept_raises + tried
        stride = 2 * tried if trial.same_as_below else 1
    return Raised(kept, kept_raises, runs)


def _settle(compiled: Compiled, base: Fraction, scale: int, kept: Run, raises: int, runs: int) -> Raised:
    """Rerun at the last share that fits (its outcome is the kept one's, proven) for exact payments."""
    share = base + raises * scale
    if kept.share == share:
        return Raised(kept, raises, runs)
    final = run_mes(compiled, share)
    if [r.project for r in final.rounds] != [r.project for r in kept.rounds]:
        raise AssertionError("add1: a share range proven to keep the outcome did not")
    return Raised(final, raises, runs + 1)


def _cost(compiled: Compiled, run: Run) -> int:
    """Give what a run's funded projects cost together."""
    return sum(compiled.costs[r.project] for r in run.rounds)
