"""Float proofs, for add1's search, that every share in a range fits the budget without funding everything.

Why this is safe. Take a run at share ``lo`` funding w_1, w_2, ... with proven upper bounds U_r on each
winner's rho, and a higher share ``hi``. Replay the same rounds at ``hi``. While the sequence is fixed,
every budget only grows and every rho only falls as the share rises (``margins.py``), so at any share s
between, a rival's rho at s is at least its rho at ``hi``, and w_r's rho at s at most its rho at ``lo``.
If every rival's rho at ``hi`` is proven above U_r, w_r wins round r at s too (strictly, so no tie). Once
a round cannot be certified (or the rounds run out), the rest of the run at s is bounded by what the
replay at ``hi`` still holds: budgets there are at least those at s, a project unaffordable there is
unaffordable at s, and later rounds are paid only by supporters out of what they hold (``probe._fits``).
If the certified rounds plus that bound fit the budget and some project is proven left out, every share
in ``[lo, hi]`` fits and funds less than everything, whatever sequence it funds. Floats decide nothing
unproven: any doubt gives "not certified", and the search just runs more shares.

Exact ties. No rho is ever below its floor, cost over the supporters' whole utility (they pay at most
rho x utility each). When the winner's rho at ``lo`` is known exactly (``Rounds.exact``), a rival whose
floor is above it, or equal to it and later in the tie-break order, cannot win the round at any share
in the range: the winner's rho there is at most its rho at ``lo``. Equal projects fully paid by equal
splits (small rooms, knapsack ballots) tie forever at their floors, and only this settles them.

Commuting rivals. A rival that the run at ``lo`` funds later, and that commutes with the rounds up to
its own (``commute.py``: its supporters who also back those winners never pay all they have there, and
being rich only gets easier as the share rises), may overtake them at a higher share without changing
what is funded by its round. Until the replay has passed that round, the first rounds at s may be a
different set from those replayed, so the bound on the rest is not used before it.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

import numpy as np

from pbvote.core.mes.commute import NEVER, commutes_in
from pbvote.core.mes.compiled import Compiled, IntArray
from pbvote.core.mes.probe import _EPS, Uncertain, _Probe
from pbvote.core.mes.rounds import Run
from pbvote.core.types import Money


@dataclass(frozen=True, slots=True, eq=False)
class Rounds:
    """A run at the range's lowest share: what the range proof needs from it."""

    sequence: tuple[int, ...]  # the funded projects in order
    highs: tuple[float, ...]  # proven upper bounds on their rhos
    exact: tuple[Fraction | None, ...]  # their exact rhos, where known
    when: IntArray  # per group, the first round in which it may have paid all it had (NEVER: it never did)


_REACH = 4.0  # a rival is first proven dearer than this multiple of the winner's rho bound
_UP = 1 + 1e-15  # lifts a correctly rounded float of an exact rho above it


def probe_rounds(compiled: Compiled, share: Fraction) -> Rounds | None:
    """Give the funded sequence at ``share`` with a proven upper bound on each round's rho (float run),
    its exact rho where every supporter is proven to pay in full, and when each group may have paid all
    it had; None when floats cannot prove a decision."""
    probe = _Probe(compiled, share)
    sequence: list[int] = []
    highs: list[float] = []
    exact: list[Fraction | None] = []
    when = np.full(len(compiled.counts), NEVER, dtype=np.int64)
    try:
        while (winner := probe._round()) is not None:
            project, high = winner[0], winner[3]
            _mark_short(probe, project, high, len(sequence), when)
            sequence.append(project)
            highs.append(high)
            exact.append(probe._exact_rho(project) if probe._above(project, high)[1] else None)
            probe._pay(*winner)
    except Uncertain:
        return None
    return Rounds(tuple(sequence), tuple(highs), tuple(exact), when)


def _mark_short(probe: _Probe, project: int, high: float, index: int, when: IntArray) -> None:
    """Mark the supporters not proven to afford ``high`` x utility as possibly paying all they had."""
    compiled = probe.compiled
    start, end = int(compiled.ptr[project]), int(compiled.ptr[project + 1])
    groups = compiled.group[start:end]
    caps = high * compiled.utility_f[start:end] * (1 + 4 * _EPS)
    short = groups[probe.budgets[groups] - probe.error[groups] < caps]
    when[short] = np.minimum(when[short], index)


def exact_rounds(run: Run) -> Rounds:
    """Give an exact run's sequence with upper bounds on its rhos and the rhos, as ``probe_rounds`` does."""
    rounds = run.rounds
    return Rounds(
        tuple(r.project for r in rounds),
        tuple(float(r.rho) * _UP for r in rounds),
        tuple(r.rho for r in rounds),
        run.exhausted_when,
    )


def certify_range(compiled: Compiled, rounds: Rounds, share: Fraction, budget: Money) -> bool:
    """Tell whether every share from the run of ``rounds`` (sequence, rho bounds, exact rhos) up to
    ``share`` is proven to fit ``budget`` and to leave a project unfunded."""
    probe = _Probe(compiled, share)
    spent = 0
    try:
        proven = zip(rounds.sequence, rounds.highs, rounds.exact, strict=True)
        pending = -1  # a rival let past by commuting is funded by this round: no bound on the rest before it
        for index, (winner, high, exact) in enumerate(proven):
            reach = _stays_ahead(probe, rounds, index, high, exact)
            if reach is None:
                if index <= pending:
                    return False
                break
            pending = max(pending, reach)
            bracket = probe._evaluate(winner)
            if bracket is None or not probe._above(winner, bracket[2])[0]:
                return False
            probe._pay(winner, *bracket)
            spent += compiled.costs[winner]
        return spent <= budget and probe._fits(budget - spent)
    except Uncertain:
        return False


def _stays_ahead(
    probe: _Probe, rounds: Rounds, index: int, high: float, exact: Fraction | None
) -> int | None:
    """Tell whether every other project still open is proven unaffordable or dearer than ``high``, or
    (with the winner's ``exact`` rho) floored at or behind it, or commutes with the rounds up to its
    own (``commute.py``, with the lowest share's facts): the last round a commuting rival is funded in
    (-1 for none), or None when a rival may win this round (the likeliest are tried first)."""
    winner = rounds.sequence[index]
    open_ = probe.alive & (probe.lower <= high)
    open_[winner] = False
    rivals = np.flatnonzero(open_)
    reach = -1
    for rival in rivals[np.argsort(probe.lower[rivals], kind="stable")].tolist():
        if probe._beyond(rival, _REACH * high):  # then it need not be checked again for a while
            probe.lower[rival] = _REACH * high
        elif probe._beyond(rival, high):
            probe.lower[rival] = high
        elif exact is not None and _floored_behind(probe.compiled, rival, winner, exact):
            continue
        elif commutes_in(probe.compiled, rounds.sequence, rounds.when, index, rival):
            reach = max(reach, rounds.sequence.index(rival, index + 1))
        else:
            return None
    return reach


def _floored_behind(compiled: Compiled, rival: int, winner: int, rho: Fraction) -> bool:
    """Tell whether the rival's floor (cost over its supporters' whole utility) keeps it from beating
    a winner whose rho is at most ``rho``: above it, or equal and later in the tie-break order."""
    floor = Fraction(compiled.costs[rival], compiled.total_utility[rival])
    return floor > rho or (floor == rho and rival > winner)
