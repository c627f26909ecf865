"""The greedy rule most cities use: highest score first, skip what no longer fits, explain every decision.

Matches pabutools' ``greedy_utilitarian_welfare`` with ``Cost_Sat`` (approval) or points × cost
(cumulative, ranked): as there, a project nobody scored is still funded when it fits (it comes after
every scored project), and a project costing nothing is always funded. With a threshold, a project
whose score is below it cannot win, as pabutools' reference does by leaving it out of the instance.
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass

from pbvote.core.outcome import Outcome, Tie
from pbvote.core.scores import compute_scores
from pbvote.core.tiebreak import order_by_score, tied_groups
from pbvote.core.types import BallotKind, Money, Profile, Project, TieBreak

GREEDY_STAGE = "greedy order"


class Decision(enum.StrEnum):
    """What greedy decided for one project, and so what the results page says about it."""

    SELECTED = "selected"
    DOES_NOT_FIT = "does_not_fit"  # costs more than the money left when its turn came
    BELOW_THRESHOLD = "below_threshold"  # its score is below the minimum a winner needs


@dataclass(frozen=True, slots=True)
class GreedyStep:
    """One project's turn: its score, its cost, the money left before its turn, and the decision."""

    project: str
    score: int
    votes: int  # voters who listed it (equal to the score for approval and knapsack)
    cost: Money
    money_left: Money
    decision: Decision


@dataclass(frozen=True, slots=True)
class GreedyExplanation:
    """Greedy's account of a count: one step per project in the order considered, and the funding line.

    The funding line is the first project that did not fit: every project above it was funded
    (or fell below the threshold); below it, only projects cheap enough for what was left.
    """

    steps: tuple[GreedyStep, ...]
    threshold: int | None
    funding_line_index: int | None  # index in ``steps`` of the first project that did not fit
    funding_line_score: int | None  # that project's score
    money_left: Money  # unspent at the end


def greedy_fill(
    projects: Sequence[Project],
    budget: Money,
    kind: BallotKind,
    profile: Profile,
    selected: Sequence[str],
    *,
    tie_break: TieBreak,
    threshold: int | None = None,
) -> tuple[list[str], list[GreedyStep]]:
    """Add the projects not yet selected in greedy order, each one that still fits (pabutools' completion).

    Signature (kept stable for the MES completion)::

        greedy_fill(projects: Sequence[Project], budget: Money, kind: BallotKind, profile: Profile,
                    selected: Sequence[str], *, tie_break: TieBreak, threshold: int | None = None)
            -> tuple[list[str], list[GreedyStep]]

    Equal to pabutools' ``greedy_utilitarian_welfare(..., initial_budget_allocation=selected)``.
    Pass the steps to :func:`greedy_ties` to record the ties that mattered.

    Args:
        projects: every project on the ballot (the selected ones included).
        budget: the whole budget, in smallest units.
        kind: how the ballots express a choice; decides the score.
        profile: the ballots grouped with their multiplicities.
        selected: ids already funded; the money they cost is taken from the budget first.
        tie_break: the published order for equal scores.
        threshold: the least score a project needs to win, or ``None``.

    Returns:
        The ids added, in the order added, and one step per project not already selected, in the
        order considered.

    Raises:
        ValueError: ``selected`` names a project not in ``projects``.
    """
    costs = {project.id: project.cost for project in projects}
    unknown = [project_id for project_id in selected if project_id not in costs]
    if unknown:
        raise ValueError(f"selected projects not on the ballot: {', '.join(unknown)}")
    already = set(selected)
    scores = compute_scores(projects, kind, profile)
    candidates = [project for project in projects if project.id not in already]
    money_left = budget - sum(costs[project_id] for project_id in already)
    added: list[str] = []
    steps: list[GreedyStep] = []
    for project in order_by_score(candidates, scores.score, scores.votes, tie_break):
        score = scores.score[project.id]
        if threshold is not None and score < threshold:
            decision = Decision.BELOW_THRESHOLD
        elif project.cost <= money_left:
            decision = Decision.SELECTED
        else:
            decision = Decision.DOES_NOT_FIT
        steps.append(
            GreedyStep(project.id, score, scores.votes[project.id], project.cost, money_left, decision)
        )
        if decision is Decision.SELECTED:
            added.append(project.id)
            money_left -= project.cost
    return added, steps


def greedy_ties(steps: Sequence[GreedyStep], stage: str = GREEDY_STAGE) -> tuple[Tie, ...]:
    """Record each group of equal-score projects whose order changed which of them were funded.

    A group's funded subset depends on its order exactly when one of its projects did not fit yet
    cost no more than the money left when the group's turn began: considered first, it would have
    been funded. Groups funded whole, rejected whole, or below the threshold are not recorded.

    Args:
        steps: greedy's steps in the order considered.
        stage: where the ties were met, e.g. ``"greedy order"`` or ``"mes completion"``.

    Returns:
        The ties that mattered, each group winner first.
    """
    by_id = {step.project: step for step in steps}
    ties: list[Tie] = []
    for group in tied_groups([step.project for step in steps], lambda project_id: by_id[project_id].score):
        money_at_start = by_id[group[0]].money_left
        if any(
            by_id[project_id].decision is Decision.DOES_NOT_FIT and by_id[project_id].cost <= money_at_start
            for project_id in group
        ):
            ties.append(Tie(stage=stage, projects=group))
    return tuple(ties)


def greedy(
    projects: Sequence[Project],
    budget: Money,
    kind: BallotKind,
    profile: Profile,
    *,
    tie_break: TieBreak,
    threshold: int | None = None,
) -> Outcome:
    """Count by the greedy rule: highest score first, add each project that still fits, skip the rest.

    Args:
        projects: the projects on the ballot.
        budget: the budget, in smallest units.
        kind: how the ballots express a choice; decides the score.
        profile: the ballots grouped with their multiplicities.
        tie_break: the published order for equal scores.
        threshold: the least score a project needs to win (META ``min_project_score_threshold``).

    Returns:
        The outcome, with a :class:`GreedyExplanation`.
    """
    selected, steps = greedy_fill(
        projects, budget, kind, profile, (), tie_break=tie_break, threshold=threshold
    )
    line = next((index for index, step in enumerate(steps) if step.decision is Decision.DOES_NOT_FIT), None)
    spent = sum(step.cost for step in steps if step.decision is Decision.SELECTED)
    explanation = GreedyExplanation(
        steps=tuple(steps),
        threshold=threshold,
        funding_line_index=line,
        funding_line_score=None if line is None else steps[line].score,
        money_left=budget - spent,
    )
    return Outcome(
        rule="greedy",
        budget=budget,
        selected=tuple(selected),
        spent=spent,
        ties=greedy_ties(steps),
        explanation=explanation,
        tie_break=str(tie_break),
    )
