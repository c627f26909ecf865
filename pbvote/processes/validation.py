"""The coherence rules of a process's data, shared by the forms (field errors) and the services (refusal).

Each check returns ``{field name: translated message}``; empty means the data is coherent.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date

from flask_babel import lazy_gettext as _l

from pbvote.core.errors import DomainError
from pbvote.core.types import BallotKind, RuleName, TieBreak
from pbvote.processes.models import Eligibility, Phase

SLUG_PATTERN = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
SLUG_MAX = 80
_TRANSLITERATE = str.maketrans({"æ": "ae", "ø": "oe", "å": "aa", "ß": "ss"})


class InvalidData(DomainError):
    """Data that breaks the coherence rules; ``field_errors`` says which field and why."""

    code = "invalid_data"

    def __init__(self, field_errors: Mapping[str, object]) -> None:
        self.field_errors = {name: str(message) for name, message in field_errors.items()}
        super().__init__(" ".join(self.field_errors.values()))


@dataclass
class PhaseData:
    """The dates and public text of one phase, as an admin enters them."""

    phase: Phase
    starts_on: date | None = None
    ends_on: date | None = None
    text_da: str = ""
    text_en: str = ""


@dataclass
class ProcessData:
    """A process's texts and settings, as an admin enters them."""

    title_da: str
    title_en: str = ""
    slug: str = ""
    summary_da: str = ""
    summary_en: str = ""
    description_da: str = ""
    description_en: str = ""
    currency: str = "DKK"
    eligibility: Eligibility = Eligibility.ACCOUNT
    advance_by_date: bool = False
    phases: Sequence[PhaseData] = ()


@dataclass
class BudgetData:
    """A budget's name, amount and ballot rules; money in øre."""

    name_da: str
    amount: int
    name_en: str = ""
    district: str | None = None
    population: int | None = None
    ballot_kind: BallotKind = BallotKind.KNAPSACK
    min_projects: int = 0
    max_projects: int | None = None
    min_spent_percent: int = 0
    points: int | None = None
    max_points_per_project: int | None = None
    rule: RuleName = RuleName.GREEDY
    completion: bool = True
    tie_break: TieBreak = TieBreak.COST

    def normalised(self) -> BudgetData:
        """Drop the limits that do not apply to the ballot kind, so they cannot confuse a count later."""
        kind = self.ballot_kind
        return BudgetData(
            name_da=self.name_da.strip(),
            name_en=self.name_en.strip(),
            district=(self.district or "").strip() or None,
            population=self.population,
            amount=self.amount,
            ballot_kind=kind,
            min_projects=self.min_projects or 0,
            max_projects=self.max_projects,
            min_spent_percent=(self.min_spent_percent or 0) if kind is BallotKind.KNAPSACK else 0,
            points=self.points if kind is BallotKind.CUMULATIVE else None,
            max_points_per_project=self.max_points_per_project if kind is BallotKind.CUMULATIVE else None,
            rule=self.rule,
            completion=self.completion if self.rule is RuleName.MES else True,
            tie_break=self.tie_break,
        )


def budget_problems(data: BudgetData) -> dict[str, object]:
    """What is incoherent in a budget's rules (after :meth:`BudgetData.normalised`)."""
    problems: dict[str, object] = {}
    if not data.name_da.strip():
        problems["name_da"] = _l("Give the budget a Danish name.")
    if data.amount <= 0:
        problems["amount"] = _l("The amount must be more than 0.")
    if data.population is not None and data.population < 0:
        problems["population"] = _l("The population cannot be negative.")
    if data.min_projects < 0:
        problems["min_projects"] = _l("The minimum cannot be negative.")
    if data.max_projects is not None and data.max_projects < 1:
        problems["max_projects"] = _l("The maximum must be at least 1, or leave it empty for no limit.")
    elif data.max_projects is not None and data.max_projects < data.min_projects:
        problems["max_projects"] = _l("The maximum number of projects cannot be less than the minimum.")
    if not 0 <= data.min_spent_percent <= 100:
        problems["min_spent_percent"] = _l("The share must be between 0 and 100 per cent.")
    if data.ballot_kind is BallotKind.CUMULATIVE:
        problems.update(_points_problems(data))
    return problems


def _points_problems(data: BudgetData) -> dict[str, object]:
    if data.points is None or data.points < 1:
        return {
            "points": _l("A cumulative ballot needs the number of points each voter spreads (at least 1).")
        }
    if data.max_points_per_project is not None and data.max_points_per_project < 1:
        return {
            "max_points_per_project": _l("The maximum must be at least 1, or leave it empty for no limit.")
        }
    if data.max_points_per_project is not None and data.max_points_per_project > data.points:
        return {"max_points_per_project": _l("A project cannot get more points than a voter has.")}
    return {}


def phase_problems(phases: Sequence[PhaseData]) -> dict[str, object]:
    """Dates that do not follow each other: keys are ``phases-<index>-starts_on`` / ``-ends_on``."""
    problems: dict[str, object] = {}
    previous_end: date | None = None
    for index, phase in enumerate(phases):
        if phase.starts_on and phase.ends_on and phase.ends_on < phase.starts_on:
            problems[f"phases-{index}-ends_on"] = _l("A phase cannot end before it starts.")
        if phase.starts_on and previous_end and phase.starts_on < previous_end:
            problems[f"phases-{index}-starts_on"] = _l("A phase cannot start before the previous phase ends.")
        previous_end = phase.ends_on or phase.starts_on or previous_end
    return problems


def slug_problem(slug: str) -> object | None:
    """Why a web address (slug) cannot be used, or None."""
    if len(slug) > SLUG_MAX or not SLUG_PATTERN.match(slug):
        return _l("Use only lower-case letters a–z, digits and hyphens, e.g. borgerbudget-2027.")
    return None


def slugify(text: str) -> str:
    """A web address from a title: 'Borgerbudget Søby 2027' → 'borgerbudget-soeby-2027'."""
    lowered = text.lower().translate(_TRANSLITERATE)
    ascii_only = unicodedata.normalize("NFKD", lowered).encode("ascii", "ignore").decode("ascii")
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_only).strip("-")
    return slug[:SLUG_MAX].rstrip("-") or "proces"
