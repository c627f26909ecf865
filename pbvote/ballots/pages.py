"""Rendering helpers for the voting pages: the booth view, the landing rows, closed and refused pages."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from flask import abort, render_template
from flask_babel import get_locale, ngettext
from flask_babel import gettext as _
from werkzeug.datastructures import MultiDict

from pbvote.ballots import access, booth, queries
from pbvote.ballots.messages import violation_messages
from pbvote.ballots.selection import Selection, read_selection
from pbvote.ballots.services import Voter
from pbvote.core.types import BallotKind
from pbvote.core.validation import Violation
from pbvote.errors import error_response
from pbvote.i18n import format_money
from pbvote.processes.models import PHASE_ORDER, Budget, Eligibility, Phase, Process
from pbvote.processes.rules_text import rules_text
from pbvote.proposals.models import Project

Page = tuple[str, int]


@dataclass(frozen=True)
class Filters:
    """The booth's filters and order, each checked against what the ballot offers."""

    category: str = ""
    district: str = ""
    order: str = "random"

    def shows(self, card: booth.Card) -> bool:
        return (not self.category or str(card.category_id) == self.category) and (
            not self.district or card.district == self.district
        )


@dataclass
class BoothView:
    """A budget's ballot as one request sees it: projects, the selection sent, the filters chosen."""

    budget: Budget
    projects: list[Project]
    selection: Selection
    filters: Filters

    @classmethod
    def load(cls, budget: Budget, formdata: MultiDict[str, str]) -> BoothView:
        """Read the projects, and from the form the selection and the filters (400 for unknown filters)."""
        projects = queries.ballot_projects(budget.id)
        view = cls(budget, projects, read_selection(budget.ballot_kind, formdata), Filters())
        view.filters = view.read_filters(formdata)
        return view

    @property
    def codes(self) -> list[str]:
        return [project.code for project in self.projects]

    @property
    def currency(self) -> str:
        return self.budget.process.currency

    def categories(self) -> list[tuple[str, str]]:
        locale = str(get_locale())
        seen = {p.category.id: p.category for p in self.projects if p.category is not None}
        ordered = sorted(seen.values(), key=lambda c: (c.position, c.id))
        return [(str(category.id), category.name(locale)) for category in ordered]

    def districts(self) -> list[str]:
        """Districts among the projects: a filter only where a ballot spans more than one."""
        found = sorted({booth.project_district(p, self.budget) for p in self.projects} - {""})
        return found if len(found) > 1 else []

    def read_filters(self, formdata: MultiDict[str, str]) -> Filters:
        category = formdata.get("category", "")
        district = formdata.get("district", "")
        order = formdata.get("order", "random") or "random"
        if category and category not in dict(self.categories()):
            abort(400)
        if district and district not in self.districts():
            abort(400)
        if order not in booth.ORDERS:
            abort(400)
        return Filters(category, district, order)

    def messages(self, violations: Sequence[Violation]) -> list[str]:
        by_code = {project.code: project for project in self.projects}
        return violation_messages(violations, by_code, currency=self.currency)

    def render(self, selection: Selection, *, errors: Sequence[str] = (), status: int = 200) -> Page:
        """The booth page for this selection (cleaned of unknown and repeated ids)."""
        selection = selection.cleaned(self.codes)
        seed = access.booth_seed()
        ordered = booth.sorted_projects(self.projects, seed, self.filters.order)
        pictures = queries.first_pictures(p.proposal_id for p in ordered if p.proposal_id)
        cards = booth.make_cards(self.budget, ordered, selection, pictures, seed, str(get_locale()))
        costs = {project.code: project.cost for project in self.projects}
        return ballot_page(
            "ballots/booth.html",
            self.budget,
            status=status,
            view=self,
            cards=cards,
            shown={card.code for card in cards if self.filters.shows(card)},
            bar=booth.make_bar(self.budget, selection, costs),
            selection=selection,
            ranking=booth.chosen_projects(self.projects, selection)
            if selection.kind is BallotKind.RANKED
            else [],
            errors=list(errors),
            rules=rules_text(self.budget, lambda amount: format_money(amount, self.currency)).ballot,
            texts=script_texts(self.budget),
        )


def script_texts(budget: Budget) -> dict[str, str]:
    """The words booth.js shows when it updates the page without asking the server ({…} filled in)."""
    limit = budget.max_projects or 0
    full = (
        ngettext("Your ranking is full (%(num)d project)", "Your ranking is full (%(num)d projects)", limit)
        if budget.ballot_kind is BallotKind.RANKED
        else ngettext(
            "You have chosen the most allowed (%(num)d project)",
            "You have chosen the most allowed (%(num)d projects)",
            limit,
        )
    )
    return {
        "nofit": booth.does_not_fit("{left}"),
        "full": full,
        "clash": _("Cannot be combined with “%(title)s”, which you have chosen", title="{title}"),
        "add": _("Add"),
        "left": _("Left"),
        "over_label": _("Over the budget by"),
        "place": _("No. %(place)s", place="{place}"),
        "chosen": _("Chosen"),
        "points_over": _("%(num)s points too many", num="{num}"),
    }


def ballot_page(template: str, budget: Budget, *, status: int = 200, **context: Any) -> Page:
    """A voting page of one budget (the open-voting banner comes with the process)."""
    return render_template(template, budget=budget, process=budget.process, **context), status


def closed(process: Process) -> Page:
    """403 with why voting is not possible now: not started, or over."""
    if PHASE_ORDER.index(process.phase) > PHASE_ORDER.index(Phase.VOTING):
        message = _(
            "The voting in %(process)s has closed. Thank you to everyone who voted.", process=_title(process)
        )
    else:
        message = _("The voting in %(process)s has not opened yet.", process=_title(process))
    response, status = error_response(403, message)
    return str(response), status


def _title(process: Process) -> str:
    return process.title(str(get_locale()))


@dataclass(frozen=True)
class LandingRow:
    """One budget on a process's voting page and what the visitor can do there."""

    budget: Budget
    state: str  # "vote", "voted", "code" (type a code first), "other_district" (voted in another)
    own_district: bool


def landing_rows(process: Process, match: access.CensusMatch | None) -> list[LandingRow]:
    """The process's budgets for this visitor: own district first, then citywide, then the others."""
    district = match.district if match else None
    voter = access.process_voter(process)
    voted = queries.voted_budget_ids(voter.key, [b.id for b in process.budgets]) if voter else set()
    voted_district = any(b.district for b in process.budgets if b.id in voted)
    rows = []
    for budget in process.budgets:
        if process.eligibility is Eligibility.CODE:
            receipt = access.session_receipt(budget.id)
            state = "voted" if receipt else ("vote" if access.session_code(budget.id) else "code")
        elif budget.id in voted:
            state = "voted"
        elif budget.district and voted_district:
            state = "other_district"
        else:
            state = "vote"
        rows.append(LandingRow(budget, state, bool(district) and budget.district == district))
    return sorted(
        rows, key=lambda row: (not row.own_district, row.budget.district is not None, row.budget.position)
    )


def district_refusal(process: Process, budget: Budget, voter: Voter) -> str | None:
    """Why this voter may not vote in this district budget: they voted in another district already."""
    if budget.district is None or process.eligibility is Eligibility.CODE:
        return None
    others = {b.id: b for b in process.budgets if b.district and b.id != budget.id}
    voted = queries.voted_budget_ids(voter.key, others)
    if not voted:
        return None
    other = others[min(voted)]
    return _(
        "You have already voted in %(district)s. You can vote in the whole municipality and in one district.",
        district=other.name(str(get_locale())),
    )
