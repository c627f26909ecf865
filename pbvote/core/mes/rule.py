"""The Method of Equal Shares as the facade calls it: one MES run, or add1 completion then greedy fill."""

from __future__ import annotations

from collections.abc import Sequence
from fractions import Fraction

from pbvote.core.greedy import Decision, greedy_fill, greedy_ties
from pbvote.core.mes.compiled import compile_election
from pbvote.core.mes.completion import raise_shares
from pbvote.core.mes.explain import Share, build_explanation
from pbvote.core.mes.rounds import run_mes
from pbvote.core.outcome import Outcome, Tie
from pbvote.core.types import BallotKind, Money, Profile, Project, TieBreak

COMPLETION_STAGE = "mes completion"


def equal_shares(
    projects: Sequence[Project],
    budget: Money,
    kind: BallotKind,
    profile: Profile,
    *,
    completion: bool = True,
    tie_break: TieBreak = TieBreak.COST,
    scale: int = 1,
) -> Outcome:
    """Count by the Method of Equal Shares, with completion "add1" + greedy fill (Add1U) by default.

    Each voter starts with B/n and projects are funded in order of the smallest rho, the most a
    supporter pays per unit of utility (cost for approval and knapsack, points for cumulative,
    ``L - position`` for ranked). With ``completion`` every share is raised by whole currency units
    while the outcome still fits the budget (the last fitting outcome is kept), then the money left
    is filled in greedy order. Decisions are exact (see ``rounds.py``).

    Args:
        projects: the projects on the ballot, costs in smallest units.
        budget: the budget B, in smallest units.
        kind: how the ballots express a choice; decides the utilities.
        profile: the ballots grouped with their multiplicities.
        completion: run add1 and the greedy fill (rule "mes"); otherwise plain MES ("mes-plain").
        tie_break: the published order between equal rhos (and equal greedy scores).
        scale: smallest units per whole currency unit: one add1 raise adds this to every share.

    Returns:
        The outcome: free projects, MES rounds, then greedy additions, with a ``MesExplanation``.

    Raises:
        ValueError: ``scale`` is not positive, or the election overflows 64-bit sums.
    """
    if scale < 1:
        raise ValueError("scale must be a positive number of smallest units")
    compiled = compile_election(projects, kind, profile, tie_break)
    initial = Fraction(budget, compiled.n) if compiled.n else Fraction(0)
    if completion and compiled.n:
        raised = raise_shares(compiled, budget, scale)
        run, share = raised.run, Share(initial, raised.run.share, raised.raises, raised.runs)
    else:
        run = run_mes(compiled, initial)
        share = Share(initial, initial, 0, 1)
    selected = list(compiled.free) + [compiled.ids[r.project] for r in run.rounds]
    ties = [
        Tie(f"mes round {number}", tuple(compiled.ids[p] for p in r.tied))
        for number, r in enumerate(run.rounds, start=1)
        if r.tied
    ]
    added: list[str] = []
    did_not_fit: frozenset[str] = frozenset()
    if completion:
        added, steps = greedy_fill(projects, budget, kind, profile, selected, tie_break=tie_break)
        ties.extend(greedy_ties(steps, stage=COMPLETION_STAGE))
        did_not_fit = frozenset(step.project for step in steps if step.decision is Decision.DOES_NOT_FIT)
    spent = sum(compiled.all_costs[project] for project in selected + added)
    explanation = build_explanation(compiled, run, share, tuple(added), did_not_fit, budget, spent)
    return Outcome(
        rule="mes" if completion else "mes-plain",
        budget=budget,
        selected=tuple(selected + added),
        spent=spent,
        ties=tuple(ties),
        explanation=explanation,
        tie_break=str(tie_break),
    )
