"""The one entry point the app and the CLI count through, and the outcome as the CLI's JSON."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from pbvote.core.greedy import greedy
from pbvote.core.outcome import Outcome
from pbvote.core.scores import compute_scores
from pbvote.core.types import BallotKind, Election, Money, Profile, Project, RuleName, TieBreak


def count(
    projects: Sequence[Project],
    budget: Money,
    kind: BallotKind,
    profile: Profile,
    *,
    rule: RuleName,
    completion: bool = True,
    tie_break: TieBreak = TieBreak.COST,
    threshold: int | None = None,
    scale: int = 1,
) -> Outcome:
    """Count one budget's ballots by its published rule.

    Args:
        projects: the projects on the ballot, costs in smallest units.
        budget: the budget, in smallest units.
        kind: how the ballots express a choice.
        profile: the ballots grouped with their multiplicities.
        rule: greedy or Method of Equal Shares.
        completion: MES only: raise the voters' shares and fill the rest greedily (equalshares.net Add1U).
        tie_break: the published order for equal scores.
        threshold: the least greedy score a project needs to win; for MES, projects below it are left
            out before counting.
        scale: smallest units per whole currency unit (MES completion raises each share by one whole unit).

    Returns:
        The outcome, with the rule's own explanation.
    """
    if rule is RuleName.GREEDY:
        return greedy(projects, budget, kind, profile, tie_break=tie_break, threshold=threshold)
    from pbvote.core.mes import equal_shares  # loaded on use: MES is a separate package

    if threshold is not None:
        score = compute_scores(projects, kind, profile).score
        projects = [project for project in projects if score[project.id] >= threshold]
    return equal_shares(
        projects, budget, kind, profile, completion=completion, tie_break=tie_break, scale=scale
    )


def count_election(
    election: Election,
    *,
    rule: RuleName,
    completion: bool = True,
    tie_break: TieBreak = TieBreak.COST,
    use_threshold: bool = True,
) -> Outcome:
    """Count a whole election (e.g. a pabulib file) with its own threshold and money scale.

    Args:
        election: the election to count.
        rule: greedy or Method of Equal Shares.
        completion: MES only: complete the outcome as :func:`count` does.
        tie_break: the published order for equal scores.
        use_threshold: apply the file's ``min_project_score_threshold`` when it sets one.

    Returns:
        The outcome, with the rule's own explanation.
    """
    return count(
        election.projects,
        election.budget,
        election.kind,
        election.profile(),
        rule=rule,
        completion=completion,
        tie_break=tie_break,
        threshold=election.threshold if use_threshold else None,
        scale=election.scale,
    )


def outcome_to_json(outcome: Outcome) -> dict[str, Any]:
    """Give the outcome as the CLI's ``--json`` prints it; the explanation is left out.

    Args:
        outcome: a counted outcome.

    Returns:
        ``{"rule", "budget", "spent", "selected", "ties", "tie_break"}``, money in smallest units,
        ``selected`` in selection order, each tie as ``{"stage", "projects"}`` (winner first).
    """
    return {
        "rule": outcome.rule,
        "budget": outcome.budget,
        "spent": outcome.spent,
        "selected": list(outcome.selected),
        "ties": [{"stage": tie.stage, "projects": list(tie.projects)} for tie in outcome.ties],
        "tie_break": outcome.tie_break,
    }
