"""Completion "add1" (equalshares.net Add1U): raise every share by one whole unit while the outcome fits.

Add1 reruns MES at shares B/n, B/n + 1, B/n + 2, … (one whole currency unit, ``scale`` smallest
units, per step), keeps the last outcome whose cost fits the budget B and stops at the first that does
not, or when every supported project is funded. Outcomes are not monotone in the share, so no share
may be skipped on a guess. A share is skipped only when proven to fit the budget and to leave a
project unfunded, whatever it funds: by a cut of the supporter network (``ceiling.py``), or by a
float proof from a run below it (``between.py``). Proven ranges are found by galloping and bisection,
so the result is exactly add1's, usually with far fewer runs than raises.

Raises that a cut of the supporter network proves to fit are skipped outright (``ceiling.py``). The
next ``SWEEP`` raises are simply tried one by one with the float run of ``probe.py`` (a few
times cheaper than an exact run, and exact whenever it answers; an exact run where it cannot): on
most elections add1 ends within them, and the skip proofs rarely pay for their cost there, except
where the funded sequence stays the same (or is proven to fit) for ``STEADY`` raises in a row: the
galloping starts there.
Only the kept share gets an exact run, for the explanation.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

from pbvote.core.mes.between import Rounds, certify_range, exact_rounds, probe_rounds
from pbvote.core.mes.ceiling import fitting_raises
from pbvote.core.mes.compiled import Compiled
from pbvote.core.mes.probe import probe_sequence
from pbvote.core.mes.rounds import Run, run_mes
from pbvote.core.types import Money

SWEEP = 1000  # raises tried one by one with float runs before the galloping search takes over
STEADY = 16  # ... unless this many raises in a row fund the same sequence: then gallop from there
PRECISION = 2  # past the sweep, bisect a proven range to within 1/PRECISION of its length


@dataclass(frozen=True, slots=True)
class Raised:
    """The run add1 keeps, the number of whole-unit raises it took, and how many MES runs we computed."""

    run: Run
    raises: int
    runs: int


def raise_shares(
    compiled: Compiled,
    budget: Money,
    scale: int,
    sweep: int = SWEEP,
    steady: int = STEADY,
    precision: int = PRECISION,
) -> Raised:
    """Find the run add1 keeps: the last share (in whole-unit steps) whose outcome still fits.

    Raises proven to fit by ``ceiling.py`` are skipped; the next ``SWEEP`` are tried one by one (float runs,
    exact where floats cannot decide), or fewer when ``STEADY`` raises in a row fund the same sequence.
    Beyond them, from each fitting raise, the longest range ``between.certify_range`` proves to fit (and
    to fund less than everything) is found by galloping and bisection; the raise just past it is run.

    Args:
        compiled: the election's arrays.
        budget: the real budget B, in smallest units.
        scale: smallest units per whole currency unit (one raise adds this to every share).
        sweep: how many raises to try one by one before galloping.
        steady: gallop as soon as this many raises in a row have funded the same sequence.
        precision: bisect each proven range to within 1/precision of its length.

    Returns:
        The kept run (at the kept share), the raises and the number of runs computed.
    """
    search = _Search(compiled, budget, Fraction(budget, compiled.n) if compiled.n else Fraction(0), scale)
    start = fitting_raises(compiled, budget, scale) + 1  # raises below are proven to fit (``ceiling.py``)
    previous: tuple[int, ...] = ()
    same = 0
    for raises in range(start, start + sweep + 1):
        funded = search.sequence(raises)
        if funded is None:  # proven to fit without funding everything: as steady as the same sequence
            same += 1
        elif sum(compiled.costs[project] for project in funded) > budget:
            return Raised(search.run(raises - 1), raises - 1, search.runs)
        elif len(funded) == len(compiled.ids):
            return Raised(search.run(raises), raises, search.runs)
        else:
            same, previous = (same + 1 if funded == previous else 0), funded
        if same >= steady:
            break
    return _gallop(search, raises, precision)


def _gallop(search: _Search, low: int, precision: int) -> Raised:
    """Search past the sweep: from a fitting raise, prove as long a range above it as floats can
    (``between.certify_range``, galloping then bisecting), then run the first raise past it."""
    stride = 1
    rounds = search.rounds(low)
    while True:
        good, bad, step = low, None, stride
        while bad is None or bad - good > max(1, (good - low) // precision):
            high = good + step if bad is None else (good + bad) // 2
            if search.certified(rounds, high):
                good, step = high, 2 * step
            else:
                bad = high
        stride = max(1, good - low)
        low = good + 1
        rounds = search.rounds(low)
        funded = rounds.sequence
        if sum(search.compiled.costs[project] for project in funded) > search.budget:
            return Raised(search.run(low - 1), low - 1, search.runs)
        if len(funded) == len(search.compiled.ids):
            return Raised(search.run(low), low, search.runs)


class _Search:
    """The runs computed so far (by raise count) and the interval logic between them."""

    def __init__(self, compiled: Compiled, budget: Money, base: Fraction, scale: int) -> None:
        self.compiled, self.budget, self.base, self.scale = compiled, budget, base, scale
        self.cache: dict[int, Run] = {}
        self.runs = 0

    def run(self, raises: int) -> Run:
        """Run MES exactly at ``raises`` whole units above B/n (reusing a run already computed there)."""
        if raises in self.cache:
            return self.cache[raises]
        self.runs += 1
        run = run_mes(self.compiled, self.base + raises * self.scale)
        if len(self.cache) > 64:
            self.cache.clear()
        self.cache[raises] = run
        return run

    def sequence(self, raises: int) -> tuple[int, ...] | None:
        """Give the projects MES funds at ``raises`` whole units above B/n, in order (a float run,
        or an exact one when floats cannot prove every decision); None when the float run proves
        early that they fit the budget and leave a project unfunded. A sequence may stop early
        once it costs more than the budget."""
        self.runs += 1
        sequence = probe_sequence(self.compiled, self.base + raises * self.scale, self.budget)
        if sequence is None:
            self.runs -= 1
            return tuple(r.project for r in self.run(raises).rounds)
        return None if sequence is True else sequence

    def rounds(self, raises: int) -> Rounds:
        """Give the funded sequence at ``raises`` with proven upper bounds on its rhos, and its exact
        rhos where known (a float run, or an exact one when floats cannot prove every decision)."""
        self.runs += 1
        share = self.base + raises * self.scale
        found = probe_rounds(self.compiled, share)
        if found is None:
            self.runs -= 1
            return exact_rounds(self.run(raises))
        return found

    def certified(self, rounds: Rounds, raises: int) -> bool:
        """Tell whether every raise from the run ``rounds`` up to ``raises`` is proven to fit and to
        fund less than everything."""
        share = self.base + raises * self.scale
        return certify_range(self.compiled, rounds, share, self.budget)
