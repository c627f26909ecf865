"""MES explains itself as data: each round's rho and payers, the shares used, and why a project lost.

``to_dict()`` gives plain JSON: every exact ``Fraction`` appears twice, as ``"p/q"`` text (exact, for
recounting) and as a float rounded to 6 decimals (for display); money is in smallest units.
Per-voter rows are never stored (Wrocław has 131,778 voters): ``payments(round)`` recomputes one
round's payments exactly, per distinct ballot, on demand.
"""

from __future__ import annotations

import enum
import math
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

import numpy as np

from pbvote.core.mes.compiled import Compiled
from pbvote.core.mes.money import TOLERANCE
from pbvote.core.mes.rounds import Run
from pbvote.core.types import Money


class Reason(enum.StrEnum):
    """Why MES left a project out."""

    NO_SUPPORTERS = "no_supporters"  # nobody gave it any utility
    SUPPORTERS_RAN_OUT = "supporters_ran_out"  # its supporters' money left could not pay its cost
    DID_NOT_FIT = "did_not_fit"  # the completion's greedy fill reached it with too little money left


@dataclass(frozen=True, slots=True)
class GroupPayment:
    """What each voter of one distinct ballot paid in a round."""

    group: int  # index into the profile's distinct ballots
    per_voter: Fraction
    voters: int


@dataclass(frozen=True, slots=True)
class MesRound:
    """One funded project: rho is the most any supporter paid per unit of utility."""

    number: int  # 1-based
    project: str
    rho: Fraction
    cost: Money
    payers: int  # voters who paid towards it
    paid_all: int  # of those, voters who paid all the money they had left
    max_payment: Fraction  # the most one voter paid
    tied_with: tuple[str, ...]  # projects with exactly the same rho that the tie-break put after it


@dataclass(frozen=True, slots=True)
class NotFunded:
    """A project MES did not fund, and why."""

    project: str
    reason: Reason
    cost: Money
    supporters_money: Money | None  # what its supporters held when MES stopped, rounded down (None: nobody)


@dataclass(frozen=True, slots=True)
class Share:
    """Each voter's money: B/n, and with completion the raised share the kept outcome was counted at."""

    initial: Fraction
    final: Fraction
    raises: int  # whole-currency-unit raises add1 made (0 without completion)
    runs: int  # MES runs actually computed to find it (completion skips proven-equal shares)


@dataclass(frozen=True, slots=True)
class MesExplanation:
    """The whole account of an MES count."""

    rounds: tuple[MesRound, ...]
    share: Share
    free: tuple[str, ...]  # cost 0 and supported: funded before the first round, nobody pays
    added_by_completion: tuple[str, ...]  # funded by the greedy fill, in order
    not_funded: tuple[NotFunded, ...]
    money_left: Money
    ledger: _Ledger | None = field(default=None, compare=False, repr=False)

    def payments(self, round_number: int) -> tuple[GroupPayment, ...]:
        """Recompute exactly what every paying distinct ballot paid in one round (1-based).

        Raises:
            ValueError: no such round, or the explanation was built without its ledger.
        """
        if self.ledger is None or not 1 <= round_number <= len(self.rounds):
            raise ValueError(f"no payments for round {round_number}")
        return self.ledger.payments(round_number - 1)

    def to_dict(self) -> dict[str, Any]:
        """Give the explanation as JSON-ready data (see the module docstring for the number format)."""
        return {
            "rounds": [
                {
                    "number": r.number,
                    "project": r.project,
                    "rho": _number(r.rho),
                    "cost": r.cost,
                    "payers": r.payers,
                    "paid_all": r.paid_all,
                    "max_payment": _number(r.max_payment),
                    "tied_with": list(r.tied_with),
                }
                for r in self.rounds
            ],
            "share": {
                "initial": _number(self.share.initial),
                "final": _number(self.share.final),
                "raises": self.share.raises,
                "runs": self.share.runs,
            },
            "free": list(self.free),
            "added_by_completion": list(self.added_by_completion),
            "not_funded": [
                {
                    "project": item.project,
                    "reason": str(item.reason),
                    "cost": item.cost,
                    "supporters_money": item.supporters_money,
                }
                for item in self.not_funded
            ],
            "money_left": self.money_left,
        }


def _number(value: Fraction) -> dict[str, Any]:
    """Write an exact number as text and as a rounded float."""
    return {"exact": f"{value.numerator}/{value.denominator}", "approx": round(float(value), 6)}


@dataclass(frozen=True, slots=True, eq=False)
class _Ledger:
    """The arrays and the run needed to recompute payments on demand."""

    compiled: Compiled
    run: Run

    def payments(self, index: int) -> tuple[GroupPayment, ...]:
        """Recompute round ``index``'s payments exactly from the share and the earlier rounds."""
        compiled, run = self.compiled, self.run
        done = np.zeros(len(compiled.counts), dtype=np.bool_)
        for earlier in run.rounds[:index]:
            done[earlier.exhausted] = True
        current = run.rounds[index]
        paid_all = set(current.exhausted.tolist())
        start, end = int(compiled.ptr[current.project]), int(compiled.ptr[current.project + 1])
        rows = []
        for group, utility in zip(
            compiled.group[start:end].tolist(), compiled.utility[start:end].tolist(), strict=True
        ):
            if done[group]:
                continue
            amount = self._left_before(group, index) if group in paid_all else current.rho * utility
            if amount > 0:
                rows.append(GroupPayment(group, amount, int(compiled.counts[group])))
        return tuple(rows)

    def _left_before(self, group: int, index: int) -> Fraction:
        """Give a never-exhausted group's exact money before round ``index``."""
        compiled = self.compiled
        start, end = int(compiled.gptr[group]), int(compiled.gptr[group + 1])
        utility_of = dict(
            zip(compiled.gproject[start:end].tolist(), compiled.gutility[start:end].tolist(), strict=True)
        )
        spent = sum(
            (r.rho * utility_of[r.project] for r in self.run.rounds[:index] if r.project in utility_of),
            Fraction(0),
        )
        return self.run.share - spent


def build_explanation(
    compiled: Compiled,
    run: Run,
    share: Share,
    added: tuple[str, ...],
    did_not_fit: frozenset[str],
    budget: Money,
    spent: Money,
) -> MesExplanation:
    """Assemble the explanation of a count from its kept run and the completion's additions."""
    rounds = []
    done = np.zeros(len(compiled.counts), dtype=np.bool_)
    for number, item in enumerate(run.rounds, start=1):
        start, end = int(compiled.ptr[item.project]), int(compiled.ptr[item.project + 1])
        groups = compiled.group[start:end]
        live = ~done[groups]
        done[item.exhausted] = True
        rich = ~done[groups]
        top = int(compiled.utility[start:end][rich].max()) if rich.any() else 0
        rounds.append(
            MesRound(
                number=number,
                project=compiled.ids[item.project],
                rho=item.rho,
                cost=compiled.costs[item.project],
                payers=int(compiled.counts[groups[live]].sum()) - item.empty_handed,
                paid_all=int(compiled.counts[item.exhausted].sum()) - item.empty_handed,
                max_payment=item.rho * top
                if top
                else _largest_left(run, compiled, item.exhausted, number - 1),
                tied_with=tuple(compiled.ids[p] for p in item.tied[1:]),
            )
        )
    return MesExplanation(
        rounds=tuple(rounds),
        share=share,
        free=compiled.free,
        added_by_completion=added,
        not_funded=_not_funded(compiled, run, set(added), did_not_fit),
        money_left=budget - spent,
        ledger=_Ledger(compiled, run),
    )


def _largest_left(run: Run, compiled: Compiled, groups: Any, index: int) -> Fraction:
    """Give the most any of the groups held before round ``index`` (everyone paid all they had)."""
    ledger = _Ledger(compiled, run)
    return max((ledger._left_before(int(group), index) for group in groups), default=Fraction(0))


def _money_floor(compiled: Compiled, run: Run, project: int, estimate: float) -> Money:
    """Round the supporters' money down to a smallest unit, exactly (floats only when clearly safe)."""
    floor = math.floor(estimate)
    slack = float(compiled.supporters_f[project]) * TOLERANCE * max(float(run.share), 1.0)
    if slack < estimate - floor < 1 - slack:
        return floor
    start, end = int(compiled.ptr[project]), int(compiled.ptr[project + 1])
    groups = compiled.group[start:end]
    return math.floor(run.book.money_of(groups[~run.exhausted[groups]]))


def _not_funded(
    compiled: Compiled, run: Run, added: set[str], did_not_fit: frozenset[str]
) -> tuple[NotFunded, ...]:
    """Say for every project left out whether nobody supported it, it did not fit, or money ran out."""
    funded = {compiled.ids[r.project] for r in run.rounds} | added
    held = compiled.weight_f * np.maximum(run.budgets[compiled.group], 0.0)
    estimates = np.add.reduceat(held, compiled.ptr[:-1]) if len(held) else np.zeros(0)
    reasons = []
    for index, project in enumerate(compiled.ids):
        if project in funded:
            continue
        reason = Reason.DID_NOT_FIT if project in did_not_fit else Reason.SUPPORTERS_RAN_OUT
        money = _money_floor(compiled, run, index, float(estimates[index]))
        reasons.append(NotFunded(project, reason, compiled.costs[index], money))
    for project in compiled.unsupported:
        if project not in added:
            cost = compiled.all_costs[project]
            reasons.append(NotFunded(project, Reason.NO_SUPPORTERS, cost, None))
    return tuple(reasons)
