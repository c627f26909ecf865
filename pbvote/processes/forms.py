"""Admin forms for processes, phases, budgets and categories; every message is translated.

The coherence of a budget's rules is checked by ``validation.budget_problems``, the same function the
services use, and its messages are attached to the fields they concern.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, FieldList, Form, FormField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, ValidationError

from pbvote.core.types import BallotKind, RuleName, TieBreak
from pbvote.forms_money import MoneyField
from pbvote.i18n import MINOR_UNITS
from pbvote.processes.labels import (
    BALLOT_KIND_LABELS,
    ELIGIBILITY_LABELS,
    RULE_LABELS,
    TIE_BREAK_LABELS,
    choices,
)
from pbvote.processes.models import PHASE_ORDER, Eligibility
from pbvote.processes.validation import (
    BudgetData,
    PhaseData,
    ProcessData,
    budget_problems,
    phase_problems,
    slug_problem,
)

REQUIRED = _l("This field is required.")
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def at_most(n: int) -> Length:
    return Length(max=n, message=_l("At most %(max)d characters.", max=n))


def strip(value: Any) -> Any:
    return value.strip() if isinstance(value, str) else value


class ChoiceField(SelectField):
    """A select whose refusal of an unknown value is translated."""

    def pre_validate(self, form: Any) -> None:
        if self.data not in {choice.value for choice in self.choices}:  # type: ignore[union-attr]
            raise ValidationError(_l("Choose one of the options in the list."))


class WholeNumberField(StringField):
    """A whole number, or None when left empty; the refusal of other text is translated."""

    def __init__(self, label: Any, *, low: int, high: int, **kwargs: Any) -> None:
        kwargs.setdefault("render_kw", {"inputmode": "numeric"})
        super().__init__(label, **kwargs)
        self.low, self.high = low, high

    def process_formdata(self, valuelist: list[Any]) -> None:
        self.raw_text = str(valuelist[0] if valuelist else "").strip().replace(".", "").replace(" ", "")
        self.data = None
        if not self.raw_text:
            return
        if not self.raw_text.isdigit():
            raise ValueError(_l("Write a whole number, e.g. 5."))
        self.data = int(self.raw_text)

    def pre_validate(self, form: Any) -> None:
        if self.data is not None and not self.low <= self.data <= self.high:
            raise ValidationError(_l("Must be between %(low)d and %(high)d.", low=self.low, high=self.high))

    def _value(self) -> str:
        if getattr(self, "raw_text", None) is not None and self.data is None:
            return str(self.raw_text)
        return "" if self.data is None else str(self.data)


class DayField(StringField):
    """A date typed as YYYY-MM-DD (what date inputs send); ``data`` is a date or None."""

    def __init__(self, label: Any, **kwargs: Any) -> None:
        kwargs.setdefault("render_kw", {"type": "date"})
        super().__init__(label, **kwargs)

    def process_formdata(self, valuelist: list[Any]) -> None:
        self.raw_text = str(valuelist[0] if valuelist else "").strip()
        self.data = None
        if not self.raw_text:
            return
        try:
            if not _ISO_DATE.match(self.raw_text):
                raise ValueError(self.raw_text)
            self.data = date.fromisoformat(self.raw_text)
        except ValueError:
            raise ValueError(_l("Write a date as YYYY-MM-DD, e.g. 2027-03-01.")) from None

    def _value(self) -> str:
        if getattr(self, "raw_text", None) is not None and self.data is None:
            return str(self.raw_text)
        return self.data.isoformat() if isinstance(self.data, date) else ""


class PhaseForm(Form):
    """One phase's dates and public text (a sub-form: the CSRF token belongs to the whole form)."""

    starts_on = DayField(_l("Starts"))
    ends_on = DayField(_l("Ends"))
    text_da = TextAreaField(_l("What happens (Danish)"), filters=[strip], validators=[at_most(2000)])
    text_en = TextAreaField(_l("What happens (English)"), filters=[strip], validators=[at_most(2000)])


class ProcessForm(FlaskForm):
    """A process's texts, settings and phase plan."""

    title_da = StringField(
        _l("Title (Danish)"), filters=[strip], validators=[DataRequired(REQUIRED), at_most(200)]
    )
    title_en = StringField(_l("Title (English)"), filters=[strip], validators=[at_most(200)])
    slug = StringField(_l("Web address"), filters=[strip], validators=[at_most(80)])
    summary_da = TextAreaField(_l("Summary (Danish)"), filters=[strip], validators=[at_most(1000)])
    summary_en = TextAreaField(_l("Summary (English)"), filters=[strip], validators=[at_most(1000)])
    description_da = TextAreaField(_l("Description (Danish)"), filters=[strip], validators=[at_most(20000)])
    description_en = TextAreaField(_l("Description (English)"), filters=[strip], validators=[at_most(20000)])
    currency = ChoiceField(_l("Currency"), choices=[SelectChoice(c) for c in MINOR_UNITS], default="DKK")
    eligibility = ChoiceField(
        _l("Who may vote, and how"), choices=choices(ELIGIBILITY_LABELS), default="account"
    )
    advance_by_date = BooleanField(_l("Move on to the next phase automatically when its date comes"))
    phases = FieldList(FormField(PhaseForm), min_entries=len(PHASE_ORDER), max_entries=len(PHASE_ORDER))

    def validate_slug(self, field: StringField) -> None:
        if field.data and (problem := slug_problem(field.data)) is not None:
            raise ValidationError(str(problem))

    def validate(self, extra_validators: Any = None) -> bool:
        valid = super().validate(extra_validators)
        for key, message in phase_problems(self.phase_data()).items():
            _prefix, index, name = key.split("-")
            self.phases.entries[int(index)].form[name].errors.append(str(message))
            valid = False
        return valid

    def phase_data(self) -> list[PhaseData]:
        return [
            PhaseData(
                phase=phase,
                starts_on=entry.form.starts_on.data,
                ends_on=entry.form.ends_on.data,
                text_da=entry.form.text_da.data or "",
                text_en=entry.form.text_en.data or "",
            )
            for phase, entry in zip(PHASE_ORDER, self.phases.entries, strict=True)
        ]

    def to_data(self) -> ProcessData:
        return ProcessData(
            title_da=self.title_da.data or "",
            title_en=self.title_en.data or "",
            slug=self.slug.data or "",
            summary_da=self.summary_da.data or "",
            summary_en=self.summary_en.data or "",
            description_da=self.description_da.data or "",
            description_en=self.description_en.data or "",
            currency=self.currency.data,
            eligibility=Eligibility(self.eligibility.data),
            advance_by_date=bool(self.advance_by_date.data),
            phases=self.phase_data(),
        )


class BudgetForm(FlaskForm):
    """A budget's name, amount and ballot rules."""

    name_da = StringField(
        _l("Name (Danish)"), filters=[strip], validators=[DataRequired(REQUIRED), at_most(120)]
    )
    name_en = StringField(_l("Name (English)"), filters=[strip], validators=[at_most(120)])
    district = StringField(_l("District"), filters=[strip], validators=[at_most(120)])
    population = WholeNumberField(_l("Population"), low=0, high=100_000_000)
    amount = MoneyField(_l("Amount in kroner"), validators=[InputRequired(REQUIRED)])  # keeps the parse error
    ballot_kind = ChoiceField(_l("Kind of ballot"), choices=choices(BALLOT_KIND_LABELS), default="knapsack")
    min_projects = WholeNumberField(_l("Least number of projects on a ballot"), low=0, high=10_000)
    max_projects = WholeNumberField(_l("Largest number of projects on a ballot"), low=0, high=10_000)
    min_spent_percent = WholeNumberField(
        _l("Least share of the budget a ballot must spend (%)"), low=0, high=100
    )
    points = WholeNumberField(_l("Points each voter spreads"), low=0, high=1_000_000)
    max_points_per_project = WholeNumberField(_l("Most points for one project"), low=0, high=1_000_000)
    rule = ChoiceField(_l("Counting rule"), choices=choices(RULE_LABELS), default="greedy")
    completion = BooleanField(_l("Equal Shares: use the leftover money (completion)"), default=True)
    tie_break = ChoiceField(_l("Tie-break"), choices=choices(TIE_BREAK_LABELS), default="cost")

    def validate(self, extra_validators: Any = None) -> bool:
        if not super().validate(extra_validators):
            return False
        problems = budget_problems(self.to_data().normalised())
        for name, message in problems.items():
            self[name].errors.append(str(message))
        return not problems

    def to_data(self) -> BudgetData:
        return BudgetData(
            name_da=self.name_da.data or "",
            name_en=self.name_en.data or "",
            district=self.district.data or None,
            population=self.population.data,
            amount=self.amount.data or 0,
            ballot_kind=BallotKind(self.ballot_kind.data),
            min_projects=self.min_projects.data or 0,
            max_projects=self.max_projects.data,
            min_spent_percent=self.min_spent_percent.data or 0,
            points=self.points.data,
            max_points_per_project=self.max_points_per_project.data,
            rule=RuleName(self.rule.data),
            completion=bool(self.completion.data),
            tie_break=TieBreak(self.tie_break.data),
        )


class CategoryForm(FlaskForm):
    """A category's names."""

    name_da = StringField(
        _l("Name (Danish)"), filters=[strip], validators=[DataRequired(REQUIRED), at_most(80)]
    )
    name_en = StringField(_l("Name (English)"), filters=[strip], validators=[at_most(80)])


class ConfirmForm(FlaskForm):
    """A button that changes something: a POST with a CSRF token and nothing else."""
