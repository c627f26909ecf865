"""When a rival overtaking a round's winner cannot change what MES funds: it commutes with the rounds.

Say the run funds w_r, ..., w_{r'-1} and then q = w_{r'}. If every voter who supports q and one of
those projects pays rho x utility in each of them (never has to pay all they have left, up to and
including q's round), then funding q earlier charges everyone exactly the same: q's payers are the
same voters at the same rho, the others' rhos are unchanged and their payers stay rich, and every
other rival only gets poorer. So the funded set is the same whichever of them goes first, and such a
q need not be beaten in rounds r .. r'-1 (proof by induction over the rounds it moves past).

Being rich only gets easier as the share rises, so a pair found to commute at a share commutes at
every higher share: the certificates use the lower run's facts.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np

from pbvote.core.mes.compiled import BoolArray, Compiled, IntArray

if TYPE_CHECKING:
    from pbvote.core.mes.rounds import Round

NEVER = np.iinfo(np.int64).max


def exhaustion_rounds(groups: int, rounds: Sequence[Round]) -> IntArray:
    """Give the round index in which each group paid all it had left (NEVER if it never did)."""
    when = np.full(groups, NEVER, dtype=np.int64)
    for index, round_ in enumerate(rounds):
        when[round_.exhausted] = index
    return when


def commutes(
    compiled: Compiled,
    rounds: Sequence[Round],
    when: IntArray,
    index: int,
    rival: int,
    dead: BoolArray | None = None,
) -> bool:
    """Tell whether ``rival``, funded later in ``rounds``, commutes with rounds ``index`` .. its own.

    ``dead`` marks groups known to hold nothing from round ``index`` on at every share considered
    (exhausted at the highest one): they pay nothing in any order.
    """
    return commutes_in(compiled, [r.project for r in rounds], when, index, rival, dead)


def commutes_in(
    compiled: Compiled,
    sequence: Sequence[int],
    when: IntArray,
    index: int,
    rival: int,
    dead: BoolArray | None = None,
) -> bool:
    """``commutes`` for a funded sequence of project indexes; ``when`` may mark a group earlier than
    it paid all it had (a bound from floats): that only makes the answer more cautious."""
    later = next((i for i in range(index + 1, len(sequence)) if sequence[i] == rival), None)
    if later is None:
        return False
    groups = _supporters(compiled, rival)
    risky = groups[(when[groups] <= later) & (True if dead is None else ~dead[groups])]
    if len(risky) == 0:
        return True
    marked = np.zeros(len(compiled.counts), dtype=np.bool_)
    marked[risky] = True
    return not any(marked[_supporters(compiled, sequence[i])].any() for i in range(index, later))


def _supporters(compiled: Compiled, project: int) -> IntArray:
    """Give the groups supporting a project."""
    return compiled.group[int(compiled.ptr[project]) : int(compiled.ptr[project + 1])]
