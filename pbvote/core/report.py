"""A counted outcome as the results page's data: every project in one table with its reason, JSON-ready.

The table always reads in greedy order (score descending, then the outcome's published tie-break), for
every rule, so greedy and Equal Shares can be shown side by side. Each row's reason is a code with
integer parameters that the web layer turns into a sentence in the reader's language. The report holds
only ``int``, ``str``, ``bool``, ``None``, lists and dicts: it is stored as JSON in a tally run.

"money_left" in a row is the budget minus the cost of the selected rows down to and including this one,
in table order. For greedy that is the money left after the project was funded; for MES, whose rounds
fund projects in another order, it is the same running sum read down the table, not MES's own order.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from pbvote.core.greedy import Decision, GreedyExplanation
from pbvote.core.mes.explain import MesExplanation, NotFunded, Reason
from pbvote.core.outcome import Outcome
from pbvote.core.scores import Scores, compute_scores
from pbvote.core.tiebreak import order_by_score
from pbvote.core.types import BallotKind, Money, Profile, Project, TieBreak

Params = dict[str, int | str]
ReasonData = dict[str, Any]  # {"code": str, "params": Params}


def build_report(
    outcome: Outcome,
    projects: Sequence[Project],
    kind: BallotKind,
    profile: Profile,
    *,
    threshold: int | None = None,
) -> dict[str, Any]:
    """Give everything the results page shows about one count, so pages never count again.

    Args:
        outcome: the counted outcome (greedy, or MES with or without completion).
        projects: every project on the ballot, as counted (those left out by a threshold included).
        kind: how the ballots expressed a choice; decides the score.
        profile: the ballots counted, grouped with their multiplicities.
        threshold: MES only: the least score a project needed (the projects below it were left out
            before counting). Greedy reads its threshold from its own explanation.

    Returns:
        The report dict described in ``notes/results.md``: rule, tie_break, budget, spent,
        money_left, voters, selected, rows (table order), funding_line, ties, satisfaction and
        explanation.

    Raises:
        ValueError: the outcome names a project not in ``projects``, or leaves a project unexplained.
        TypeError: the outcome's explanation is neither greedy's nor MES's.
    """
    by_id = {project.id: project for project in projects}
    unknown = [code for code in outcome.selected if code not in by_id]
    if unknown:
        raise ValueError(f"selected projects not on the ballot: {', '.join(unknown)}")
    scores = compute_scores(projects, kind, profile)
    ordered = order_by_score(projects, scores.score, scores.votes, TieBreak(outcome.tie_break))
    explanation = outcome.explanation
    line: str | None = None
    if isinstance(explanation, GreedyExplanation):
        reasons = _greedy_reasons(explanation)
        explained = _greedy_explanation(explanation)
        if explanation.funding_line_index is not None:
            line = explanation.steps[explanation.funding_line_index].project
    elif isinstance(explanation, MesExplanation):
        reasons = _mes_reasons(explanation, ordered, scores, outcome.budget, threshold)
        explained = explanation.to_dict()
    else:
        raise TypeError(f"no report for an explanation of type {type(explanation).__name__}")
    rows = _rows(ordered, outcome, scores, reasons)
    return {
        "rule": outcome.rule,
        "tie_break": outcome.tie_break,
        "budget": outcome.budget,
        "spent": outcome.spent,
        "money_left": outcome.budget - outcome.spent,
        "voters": profile.num_voters,
        "selected": list(outcome.selected),
        "rows": rows,
        "funding_line": None if line is None else next(i for i, r in enumerate(rows) if r["code"] == line),
        "ties": [{"stage": tie.stage, "projects": list(tie.projects)} for tie in outcome.ties],
        "satisfaction": satisfaction(profile, {code: by_id[code].cost for code in outcome.selected}),
        "explanation": explained,
    }


def compare_reports(official: Mapping[str, Any], alternative: Mapping[str, Any]) -> dict[str, list[str]]:
    """Say which winners the other rule would change: only official, only alternative, and both.

    Args:
        official: the report of the budget's published rule.
        alternative: the report of the other rule on the same ballots.

    Returns:
        ``{"only_official", "only_alternative", "both"}``, each a list of project codes; the
        ``only_*`` lists in their own report's selection order, ``both`` in the official order.
    """
    first: list[str] = list(official["selected"])
    second: list[str] = list(alternative["selected"])
    in_first, in_second = set(first), set(second)
    return {
        "only_official": [code for code in first if code not in in_second],
        "only_alternative": [code for code in second if code not in in_first],
        "both": [code for code in first if code in in_second],
    }


def satisfaction(profile: Profile, winners: Mapping[str, Money]) -> dict[str, int]:
    """Measure how many voters got a winner, and the money spent on what each voter listed.

    Works per distinct ballot times its multiplicity, so 100,000 voters cost one pass over the
    distinct ballots. A project listed (even with zero points) counts as supported.

    Args:
        profile: the ballots counted.
        winners: each selected project's cost.

    Returns:
        ``voters``; ``with_winner``, voters listing at least one winner;
        ``share_with_winner_permille``, rounded half up; ``avg_money_supported``, the cost of the
        winners a voter listed averaged over all voters, rounded down.
    """
    chosen = set(winners)
    cost_of = winners.__getitem__
    voters = with_winner = money = 0
    for ballot, count in zip(profile.ballots, profile.counts, strict=True):
        voters += count
        listed = chosen.intersection(ballot.projects)
        if listed:
            with_winner += count
            money += count * sum(map(cost_of, listed))
    return {
        "voters": voters,
        "with_winner": with_winner,
        "share_with_winner_permille": (2000 * with_winner + voters) // (2 * voters) if voters else 0,
        "avg_money_supported": money // voters if voters else 0,
    }


def _rows(
    ordered: Sequence[Project], outcome: Outcome, scores: Scores, reasons: Mapping[str, ReasonData]
) -> list[dict[str, Any]]:
    """Lay out the table: one row per project, running money left on the selected rows."""
    position = {code: place for place, code in enumerate(outcome.selected, start=1)}
    money = outcome.budget
    rows = []
    for project in ordered:
        place = position.get(project.id)
        if place is not None:
            money -= project.cost
        rows.append(
            {
                "code": project.id,
                "name": project.name,
                "cost": project.cost,
                "score": scores.score[project.id],
                "supporters": scores.votes[project.id],
                "selected": place is not None,
                "position": place,
                "money_left": None if place is None else money,
                "reason": reasons[project.id],
            }
        )
    return rows


def _reason(code: str, **params: int | str) -> ReasonData:
    """Write one reason as a code and its parameters."""
    return {"code": code, "params": dict(params)}


def _greedy_reasons(explanation: GreedyExplanation) -> dict[str, ReasonData]:
    """Give each project greedy's decision as a reason; money_left is what was left at its turn."""
    reasons = {}
    for step in explanation.steps:
        if step.decision is Decision.SELECTED:
            reason = _reason("won", score=step.score, supporters=step.votes)
        elif step.decision is Decision.DOES_NOT_FIT:
            reason = _reason("did_not_fit", score=step.score, money_left=step.money_left, cost=step.cost)
        else:
            reason = _reason("below_threshold", score=step.score, threshold=explanation.threshold or 0)
        reasons[step.project] = reason
    return reasons


def _greedy_explanation(explanation: GreedyExplanation) -> dict[str, Any]:
    """Give greedy's explanation as JSON-ready data; a step's money_left is the money before its turn."""
    return {
        "steps": [
            {
                "project": step.project,
                "score": step.score,
                "votes": step.votes,
                "cost": step.cost,
                "money_left": step.money_left,
                "decision": str(step.decision),
            }
            for step in explanation.steps
        ],
        "funding_line_index": explanation.funding_line_index,
        "funding_line_score": explanation.funding_line_score,
        "money_left": explanation.money_left,
        "threshold": explanation.threshold,
    }


def _mes_reasons(
    explanation: MesExplanation,
    ordered: Sequence[Project],
    scores: Scores,
    budget: Money,
    threshold: int | None,
) -> dict[str, ReasonData]:
    """Give each project MES's account as a reason.

    The completion's greedy fill is walked again in table order (the fill's own order) to find the
    money left at each project's turn, which the explanation does not keep.
    """
    cost = {project.id: project.cost for project in ordered}
    reasons = {code: _reason("won_free") for code in explanation.free}
    for funded in explanation.rounds:
        reasons[funded.project] = _reason(
            "won_round", round=funded.number, payers=funded.payers, supporters=scores.votes[funded.project]
        )
    money = budget - sum(cost[code] for code in reasons)
    added = set(explanation.added_by_completion)
    not_funded = {item.project: item for item in explanation.not_funded}
    for project in ordered:
        code, score = project.id, scores.score[project.id]
        if code in reasons:
            continue
        if code in added:
            reasons[code] = _reason("won_fill", score=score, money_left=money)
            money -= project.cost
        elif code in not_funded:
            item = not_funded[code]
            if item.reason is Reason.DID_NOT_FIT and not _ran_out(item, project.cost):
                reasons[code] = _reason("did_not_fit", money_left=money, cost=project.cost)
            elif item.reason is Reason.DID_NOT_FIT:  # the fill could not rescue it either
                reasons[code] = _reason(
                    "supporters_ran_out",
                    supporters=scores.votes[code],
                    supporters_money=item.supporters_money or 0,
                    cost=project.cost,
                    money_left=money,
                )
            elif item.reason is Reason.SUPPORTERS_RAN_OUT:
                reasons[code] = _reason(
                    "supporters_ran_out",
                    supporters=scores.votes[code],
                    supporters_money=item.supporters_money or 0,
                    cost=project.cost,
                )
            else:
                reasons[code] = _reason("no_supporters")
        elif threshold is not None and score < threshold:
            reasons[code] = _reason("below_threshold", score=score, threshold=threshold)
        else:
            raise ValueError(f"project {code} is neither funded nor explained by the MES outcome")
    return reasons


def _ran_out(item: NotFunded, cost: Money) -> bool:
    """Tell whether the project's supporters held too little for it when the MES stage ended."""
    return item.supporters_money is not None and item.supporters_money < cost
