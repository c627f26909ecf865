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
"""

from __future__ import annotations

from fractions import Fraction

import numpy as np

from pbvote.core.mes.compiled import Compiled
from pbvote.core.mes.probe import Uncertain, _Probe
from pbvote.core.mes.rounds import Run
from pbvote.core.types import Money

Rounds = tuple[tuple[int, ...], tuple[float, ...], tuple[Fraction | None, ...]]

_REACH = 4.0  # a rival is first proven dearer than this multiple of the winner's rho bound
_UP = 1 + 1e-15  # lifts a correctly rounded float of an exact rho above it


def probe_rounds(compiled: Compiled, share: Fraction) -> Rounds | None:
    """Give the funded sequence at ``share`` with a proven upper bound on each round's rho (float run)
    and its exact rho where every supporter is proven to pay in full; None when floats cannot prove a
    decision."""
    probe = _Probe(compiled, share)
    sequence: list[int] = []
    highs: list[float] = []
    exact: list[Fraction | None] = []
    try:
        while (winner := probe._round()) is not None:
            sequence.append(winner[0])
            highs.append(winner[3])
            exact.append(probe._exact_rho(winner[0]) if probe._above(winner[0], winner[3])[1] else None)
            probe._pay(*winner)
    except Uncertain:
        return None
    return tuple(sequence), tuple(highs), tuple(exact)


def exact_rounds(run: Run) -> Rounds:
    """Give an exact run's sequence with upper bounds on its rhos and the rhos, as ``probe_rounds`` does."""
    rounds = run.rounds
    return (
        tuple(r.project for r in rounds),
        tuple(float(r.rho) * _UP for r in rounds),
        tuple(r.rho for r in rounds),
    )


def certify_range(compiled: Compiled, rounds: Rounds, share: Fraction, budget: Money) -> bool:
    """Tell whether every share from the run of ``rounds`` (sequence, rho bounds, exact rhos) up to
    ``share`` is proven to fit ``budget`` and to leave a project unfunded."""
    probe = _Probe(compiled, share)
    spent = 0
    try:
        for winner, high, exact in zip(*rounds, strict=True):
            if not _stays_ahead(probe, winner, high, exact):
                break
            bracket = probe._evaluate(winner)
            if bracket is None or not probe._above(winner, bracket[2])[0]:
                return False
            probe._pay(winner, *bracket)
            spent += compiled.costs[winner]
        return spent <= budget and probe._fits(budget - spent)
    except Uncertain:
        return False


def _stays_ahead(probe: _Probe, winner: int, high: float, exact: Fraction | None) -> bool:
    """Tell whether every other project still open is proven unaffordable or dearer than ``high``, or
    (with the winner's ``exact`` rho) floored at or behind it (the likeliest to fail first: a failure
    ends the check early)."""
    open_ = probe.alive & (probe.lower <= high)
    open_[winner] = False
    rivals = np.flatnonzero(open_)
    for rival in rivals[np.argsort(probe.lower[rivals], kind="stable")].tolist():
        if probe._beyond(rival, _REACH * high):  # then it need not be checked again for a while
            probe.lower[rival] = _REACH * high
        elif probe._beyond(rival, high):
            probe.lower[rival] = high
        elif exact is None or not _floored_behind(probe.compiled, rival, winner, exact):
            return False
    return True


def _floored_behind(compiled: Compiled, rival: int, winner: int, rho: Fraction) -> bool:
    """Tell whether the rival's floor (cost over its supporters' whole utility) keeps it from beating
    a winner whose rho is at most ``rho``: above it, or equal and later in the tie-break order."""
    floor = Fraction(compiled.costs[rival], compiled.total_utility[rival])
    return floor > rho or (floor == rho and rival > winner)
