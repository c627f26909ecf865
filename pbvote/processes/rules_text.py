"""A budget's ballot and counting rules in plain words, for the public process page.

Pure: it reads the rule fields of a budget-like object and formats money with the function it is given;
it touches no database and no request.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from flask_babel import gettext as _
from flask_babel import ngettext

from pbvote.core.types import BallotKind, RuleName, TieBreak


class BudgetRulesLike(Protocol):
    """The fields of a budget that the rules text is made from."""

    amount: int
    ballot_kind: BallotKind
    min_projects: int
    max_projects: int | None
    min_spent_percent: int
    points: int | None
    max_points_per_project: int | None
    rule: RuleName
    completion: bool
    tie_break: TieBreak


@dataclass(frozen=True)
class RulesText:
    """How to fill in the ballot, and how the votes are counted."""

    ballot: list[str]
    counting: list[str]


def rules_text(budget: BudgetRulesLike, money: Callable[[int], str]) -> RulesText:
    """Describe a budget's rules in the reader's language.

    Args:
        budget: the budget (or anything with its rule fields).
        money: formats an amount in the smallest currency unit ('500.000 kr.').

    Returns:
        The sentences about the ballot and about the counting.
    """
    ballot = [end_sentence(sentence) for sentence in ballot_sentences(budget, money)]
    return RulesText(ballot=ballot, counting=counting_sentences(budget))


def end_sentence(sentence: str) -> str:
    """One full stop at the end, even when the sentence ends in an abbreviation ('500.000 kr.')."""
    return sentence[:-1] if sentence.endswith("..") else sentence


def ballot_sentences(budget: BudgetRulesLike, money: Callable[[int], str]) -> list[str]:
    """What a voter may put on the ballot."""
    kind = BallotKind(budget.ballot_kind)
    sentences: list[str] = []
    if kind is BallotKind.KNAPSACK:
        sentences.append(_("You can choose projects for up to %(amount)s.", amount=money(budget.amount)))
        sentences += _project_limits(budget)
        if budget.min_spent_percent:
            least = -(-budget.amount * budget.min_spent_percent // 100)
            sentences.append(
                _(
                    "The projects you choose must together cost at least %(amount)s "
                    "(%(percent)d%% of the budget).",
                    amount=money(least),
                    percent=budget.min_spent_percent,
                )
            )
    elif kind is BallotKind.APPROVAL:
        if budget.max_projects:
            sentences.append(
                ngettext(
                    "You can choose up to %(num)d project.",
                    "You can choose up to %(num)d projects.",
                    budget.max_projects,
                )
            )
        else:
            sentences.append(_("You can choose as many projects as you like."))
        sentences += _minimum(budget)
    elif kind is BallotKind.CUMULATIVE:
        sentences.append(_("You have %(num)d points to spread over the projects.", num=budget.points or 0))
        if budget.max_points_per_project:
            sentences.append(
                ngettext(
                    "You can give at most %(num)d point to one project.",
                    "You can give at most %(num)d points to one project.",
                    budget.max_points_per_project,
                )
            )
        sentences += _project_limits(budget)
    else:
        if budget.max_projects:
            sentences.append(
                ngettext(
                    "You can rank up to %(num)d project.",
                    "You can rank up to %(num)d projects.",
                    budget.max_projects,
                )
            )
        else:
            sentences.append(_("You can rank as many projects as you like."))
        sentences.append(_("Put your favourite first."))
        sentences += _minimum(budget)
    return sentences


def _project_limits(budget: BudgetRulesLike) -> list[str]:
    """The optional cap and floor on the number of projects."""
    sentences: list[str] = []
    if budget.max_projects:
        sentences.append(
            ngettext(
                "You can choose at most %(num)d project.",
                "You can choose at most %(num)d projects.",
                budget.max_projects,
            )
        )
    return sentences + _minimum(budget)


def _minimum(budget: BudgetRulesLike) -> list[str]:
    if not budget.min_projects:
        return []
    return [
        ngettext("Choose at least %(num)d project.", "Choose at least %(num)d projects.", budget.min_projects)
    ]


def counting_sentences(budget: BudgetRulesLike) -> list[str]:
    """How the votes become winners, and how ties are settled."""
    kind = BallotKind(budget.ballot_kind)
    sentences: list[str] = []
    if kind is BallotKind.RANKED:
        sentences.append(
            _("Each ballot gives its first choice the most points and its last choice one point.")
        )
    if RuleName(budget.rule) is RuleName.GREEDY:
        if kind in (BallotKind.CUMULATIVE, BallotKind.RANKED):
            sentences.append(_("The projects with the most points win, as long as there is money."))
        else:
            sentences.append(_("The projects with the most votes win, as long as there is money."))
        sentences.append(
            _("A project that costs more than the money left is skipped, and the next one is tried.")
        )
    else:
        sentences.append(
            _(
                "The budget is divided equally among everyone who votes, and each person's share can only "
                "be spent on the projects that person voted for (the Method of Equal Shares)."
            )
        )
        sentences.append(
            _(
                "Projects are funded one at a time, first the one whose supporters each need to pay the "
                "least. This way a group of voters gets projects in proportion to its size, and no group "
                "can take the whole budget."
            )
        )
        if budget.completion:
            sentences.append(
                _(
                    "If money is left over, every share is raised a little at a time, and what still remains "
                    "goes to the projects with the most votes that can still be afforded."
                )
            )
    if TieBreak(budget.tie_break) is TieBreak.COST:
        sentences.append(
            _(
                "If projects are tied, the cheaper one wins, then the one with more votes, "
                "then the lower project number."
            )
        )
    else:
        sentences.append(_("If projects are tied, the lower project number wins."))
    return sentences
