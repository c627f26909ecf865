"""Completion "add1" (equalshares.net Add1U): raise every share by one whole unit while the outcome fits.

Add1 reruns MES at shares B/n, B/n + 1, B/n + 2, … (one whole currency unit, ``scale`` smallest
units, per step), keeps the last outcome whose cost fits the budget B and stops at the first that does
not, or when every supported project is funded. Outcomes are not monotone in the share, so no share
may be skipped on a guess. A share is skipped only when proven to fund the same projects as a run
already made: by that run's certified leap (``margins.py``), or by a proof that every share between
two runs funds the lower one's projects (``rounds.certify_between``). Runs are placed by galloping
and bisection, so the result is exactly add1's, usually with far fewer runs than raises.

Raises that a cut of the supporter network proves to fit are skipped outright (``ceiling.py``). The
next ``SWEEP`` raises are simply tried one by one with the float run of ``probe.py`` (a few
times cheaper than an exact run, and exact whenever it answers; an exact run where it cannot): on
most elections add1 ends within them, and the skip proofs rarely pay for their cost there, except
where the funded sequence stays the same for ``STEADY`` raises in a row: the galloping starts there.
Only the kept share gets an exact run, for the explanation.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

from pbvote.core.mes.ceiling import fitting_raises
from pbvote.core.mes.compiled import Compiled
from pbvote.core.mes.probe import probe_sequence
from pbvote.core.mes.rounds import Run, certify_between, run_mes
from pbvote.core.types import Money

SWEEP = 1000  # raises tried one by one with float runs before the galloping search takes over
STEADY = 16  # ... unless this many raises in a row fund the same sequence: then gallop from there


@dataclass(frozen=True, slots=True)
class Raised:
    """The run add1 keeps, the number of whole-unit raises it took, and how many MES runs we computed."""

    run: Run
    raises: int
    runs: int


def raise_shares(
    compiled: Compiled, budget: Money, scale: int, sweep: int = SWEEP, steady: int = STEADY
) -> Raised:
    """Find the run add1 keeps: the last share (in whole-unit steps) whose outcome still fits.

    Raises proven to fit by ``ceiling.py`` are skipped; the next ``SWEEP`` are tried one by one (float runs,
    exact where floats cannot decide), or fewer when ``STEADY`` raises in a row fund the same sequence.
    Beyond them, runs are placed by galloping and bisection: an interval between two runs needs no run inside
    when the lower run's certified leap covers it, when both runs give the same funded sequence
    and ``certify_between`` proves every share between does too, or when the two raises are adjacent.

    Args:
        compiled: the election's arrays.
        budget: the real budget B, in smallest units.
        scale: smallest units per whole currency unit (one raise adds this to every share).
        sweep: how many raises to try one by one before galloping.
        steady: gallop as soon as this many raises in a row have funded the same sequence.

    Returns:
        The kept run (at the kept share), the raises and the number of runs computed.
    """
    search = _Search(compiled, budget, Fraction(budget, compiled.n) if compiled.n else Fraction(0), scale)
    start = fitting_raises(compiled, budget, scale) + 1  # raises below are proven to fit (``ceiling.py``)
    previous: tuple[int, ...] = ()
    same = 0
    for raises in range(start, start + sweep + 1):
        funded = search.sequence(raises)
        if funded is None:  # proven to fit without funding everything
            same, previous = 0, ()
            continue
        if sum(compiled.costs[project] for project in funded) > budget:
            return Raised(search.run(raises - 1), raises - 1, search.runs)
        if len(funded) == len(compiled.ids):
            return Raised(search.run(raises), raises, search.runs)
        same, previous = (same + 1 if funded == previous else 0), funded
        if same >= steady:
            break
    low, low_run = raises, search.run(raises)
    stride = 1
    while low_run.leap != float("inf"):
        high = low + max(search.vouched(low_run), stride)
        high_run = search.run(high, below=low_run)
        event = search.explore(low, low_run, high, high_run, high_run.same_as_below)
        if event is not None:
            kind, raises = event
            if kind == "all":
                return Raised(search.run(raises), raises, search.runs)
            return Raised(search.run(raises - 1), raises - 1, search.runs)
        stride = 2 * (high - low)
        low, low_run = high, high_run
    return Raised(low_run, low, search.runs)


class _Search:
    """The runs computed so far (by raise count) and the interval logic between them."""

    def __init__(self, compiled: Compiled, budget: Money, base: Fraction, scale: int) -> None:
        self.compiled, self.budget, self.base, self.scale = compiled, budget, base, scale
        self.cache: dict[int, Run] = {}
        self.runs = 0

    def run(self, raises: int, below: Run | None = None) -> Run:
        """Run MES at ``raises`` whole units above B/n (reusing a run already computed there)."""
        if raises in self.cache and below is None:
            return self.cache[raises]
        self.runs += 1
        run = run_mes(self.compiled, self.base + raises * self.scale, leap=True, below=below)
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

    def vouched(self, run: Run) -> int:
        """Give how many raises above ``run`` its leap certifies, plus one (the first it does not)."""
        return int(run.leap // self.scale) + 1

    def all_funded(self, run: Run) -> bool:
        """Tell whether the run funds every project MES could fund."""
        return len(run.rounds) == len(self.compiled.ids)

    def explore(
        self, low: int, low_run: Run, high: int, high_run: Run, proven: bool | None
    ) -> tuple[str, int] | None:
        """Find the first raise in (low, high] where add1 stops: ("infeasible" | "all", raise), or None.

        ``low`` fits and does not fund everything; ``proven`` says whether the shares between are
        already known to give ``low_run``'s sequence (None: not checked yet).
        """
        between = high - low == 1 or high - low <= self.vouched(low_run) or bool(proven)
        if not between and _funded(low_run) == _funded(high_run):  # else the proof must fail at high
            between = certify_between(low_run, high_run)
        if between:
            return self._event(high, high_run)
        middle = min(max((low + high) // 2, low + self.vouched(low_run)), high - 1)
        middle_run = self.run(middle, below=low_run)
        event = self.explore(low, low_run, middle, middle_run, middle_run.same_as_below)
        if event is not None:
            return event
        return self.explore(middle, middle_run, high, high_run, None)

    def _event(self, raises: int, run: Run) -> tuple[str, int] | None:
        """Say whether add1 stops at this run: its outcome does not fit, or it funds everything."""
        if _cost(self.compiled, run) > self.budget:
            return "infeasible", raises
        if self.all_funded(run):
            return "all", raises
        return None


def _funded(run: Run) -> frozenset[int]:
    """Give the set of projects a run funds."""
    return frozenset(r.project for r in run.rounds)


def _cost(compiled: Compiled, run: Run) -> int:
    """Give what a run's funded projects cost together."""
    return sum(compiled.costs[r.project] for r in run.rounds)
