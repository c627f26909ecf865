"""What the voting booth shows: project cards in a voter's own random order, and the budget bar.

Pure view-model code: it reads rows and the selection and says what each card and the bar display
(chosen or not, why a project no longer fits). Which choices are valid is decided by ``core`` alone.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from flask_babel import gettext as _
from flask_babel import ngettext

from pbvote.ballots.queries import Picture
from pbvote.ballots.selection import Selection
from pbvote.core.types import BallotKind
from pbvote.i18n import format_money
from pbvote.processes.models import Budget
from pbvote.proposals.models import Project

EXCERPT_LENGTH = 180
ORDERS = ("random", "cost", "title")


@dataclass(frozen=True)
class Card:
    """One project as the booth shows it."""

    code: str
    title: str
    summary: str
    excerpt: str
    cost: int
    category_id: int | None
    category: str
    district: str
    picture: Picture | None
    proposal_id: int | None  # 'read more' links to the proposal when there is one
    exclusion_group: str | None
    chosen: bool
    rank: int | None
    points: str
    blocked: str | None  # why it cannot be added now (shown on its button)
    random_index: int


@dataclass(frozen=True)
class Bar:
    """The budget bar: money, projects and points so far."""

    kind: BallotKind
    amount: int
    spent: int
    left: int
    count: int
    min_projects: int
    max_projects: int | None
    min_spent: int
    points: int | None
    points_used: int

    @property
    def points_left(self) -> int:
        return max(0, (self.points or 0) - self.points_used)

    @property
    def over_budget(self) -> bool:
        return self.kind is BallotKind.KNAPSACK and self.spent > self.amount


def voter_order(projects: Sequence[Project], seed: str) -> list[Project]:
    """The projects in this voter's order: the budget's own shuffle, started at the place the voter drew,
    so each project comes first (second, ...) for an equal share of voters; a reload keeps it."""
    shuffle = sorted(
        projects, key=lambda p: hashlib.sha256(f"{p.budget_id}\x1f{p.code}".encode()).hexdigest()
    )
    if not shuffle:
        return shuffle
    turn = order_number(seed) % len(shuffle)
    return shuffle[turn:] + shuffle[:turn]


def order_number(seed: str) -> int:
    """The place a voter drew (a seed from an older session, any text, maps to one too)."""
    return int(seed) if seed.isdigit() else int(hashlib.sha256(seed.encode()).hexdigest()[:16], 16)


def sorted_projects(projects: Sequence[Project], seed: str, order: str) -> list[Project]:
    """Random (the default, so no project gains from its place), cheapest first, or by title."""
    shuffled = voter_order(projects, seed)
    if order == "cost":
        return sorted(shuffled, key=lambda p: (p.cost, p.title.casefold()))
    if order == "title":
        return sorted(shuffled, key=lambda p: p.title.casefold())
    return shuffled


def make_bar(budget: Budget, selection: Selection, costs: Mapping[str, int]) -> Bar:
    """Count what the (cleaned) selection spends and uses."""
    chosen = _chosen_codes(selection)
    spent = sum(costs.get(code, 0) for code in chosen)
    min_spent = -(-budget.amount * budget.min_spent_percent // 100)
    return Bar(
        kind=budget.ballot_kind,
        amount=budget.amount,
        spent=spent,
        left=budget.amount - spent,
        count=len(chosen),
        min_projects=budget.min_projects,
        max_projects=budget.max_projects,
        min_spent=min_spent,
        points=budget.points,
        points_used=selection.points_used(),
    )


def make_cards(
    budget: Budget,
    projects: Sequence[Project],
    selection: Selection,
    pictures: Mapping[int, Picture],
    seed: str,
    locale: str,
) -> list[Card]:
    """A card per project in the voter's random order, each knowing whether it can still be added."""
    costs = {p.code: p.cost for p in projects}
    bar = make_bar(budget, selection, costs)
    chosen = _chosen_codes(selection)
    titles = {p.code: p.title for p in projects}
    taken_groups = {p.exclusion_group: p.code for p in projects if p.code in chosen and p.exclusion_group}
    random_index = {p.code: index for index, p in enumerate(voter_order(projects, seed))}
    cards = []
    for project in projects:
        is_chosen = project.code in chosen
        clash = taken_groups.get(project.exclusion_group) if project.exclusion_group else None
        blocked = None if is_chosen else block_reason(bar, project.cost, titles.get(clash or ""), budget)
        cards.append(
            Card(
                code=project.code,
                title=project.title,
                summary=project.summary,
                excerpt=excerpt(project.summary),
                cost=project.cost,
                category_id=project.category_id,
                category=project.category.name(locale) if project.category else "",
                district=project_district(project, budget),
                picture=pictures.get(project.proposal_id) if project.proposal_id else None,
                proposal_id=project.proposal_id if _proposal_visible(project) else None,
                exclusion_group=project.exclusion_group,
                chosen=is_chosen,
                rank=chosen.index(project.code) + 1
                if is_chosen and budget.ballot_kind is BallotKind.RANKED
                else None,
                points=selection.point_text(project.code),
                blocked=blocked,
                random_index=random_index[project.code],
            )
        )
    return cards


def block_reason(bar: Bar, cost: int, clash_title: str | None, budget: Budget) -> str | None:
    """Why a project cannot be added now, in words for its button; None when it can."""
    if bar.kind is BallotKind.CUMULATIVE:
        return None
    if clash_title:
        return _("Cannot be combined with “%(title)s”, which you have chosen", title=clash_title)
    if bar.max_projects is not None and bar.count >= bar.max_projects:
        if bar.kind is BallotKind.RANKED:
            return ngettext(
                "Your ranking is full (%(num)d project)", "Your ranking is full (%(num)d projects)", bar.count
            )
        return ngettext(
            "You have chosen the most allowed (%(num)d project)",
            "You have chosen the most allowed (%(num)d projects)",
            bar.count,
        )
    if bar.kind is BallotKind.KNAPSACK and cost > bar.left:
        return does_not_fit(format_money(max(bar.left, 0), budget.process.currency))
    return None


def does_not_fit(left: str) -> str:
    """The button of a project that costs more than is left: 'Passer ikke – der er 12.000 kr. tilbage'."""
    return _("Does not fit – there is %(left)s left", left=left)


def excerpt(text: str) -> str:
    """The start of a summary for a card, cut at a word."""
    if len(text) <= EXCERPT_LENGTH:
        return text
    return text[:EXCERPT_LENGTH].rsplit(" ", 1)[0].rstrip(",.;:–- ") + " …"


def chosen_projects(projects: Sequence[Project], selection: Selection) -> list[tuple[Project, int | None]]:
    """The chosen projects in ballot order (ranked: best first) with their points or place, for the review."""
    by_code = {p.code: p for p in projects}
    if selection.kind is BallotKind.CUMULATIVE:
        given = [(by_code[code], value) for code, value in selection.points.items() if code in by_code]
        return [(project, value) for project, value in given if isinstance(value, int) and value > 0]
    if selection.kind is BallotKind.RANKED:
        return [(by_code[code], place) for place, code in enumerate(selection.projects, 1) if code in by_code]
    return [(by_code[code], None) for code in selection.projects if code in by_code]


def project_district(project: Project, budget: Budget) -> str:
    """The district a project lies in: its own when the model records one, else its budget's."""
    return str(getattr(project, "district", None) or budget.district or "")


def _chosen_codes(selection: Selection) -> list[str]:
    if selection.kind is BallotKind.CUMULATIVE:
        return [code for code, value in selection.points.items() if isinstance(value, int) and value > 0]
    return list(selection.projects)


def _proposal_visible(project: Project) -> bool:
    return project.proposal is not None and not project.proposal.hidden
