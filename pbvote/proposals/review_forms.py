"""Forms of the staff side: queue filters, assignment, assessment, merging, the ballot and moderation."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    HiddenField,
    IntegerField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, NumberRange, Optional, ValidationError

from pbvote.auth.models import User
from pbvote.forms_money import MoneyField
from pbvote.processes.models import Budget
from pbvote.proposals.labels import FEASIBILITY_LABELS, status_label
from pbvote.proposals.models import Feasibility, Proposal, ProposalStatus
from pbvote.proposals.review_queries import NO_REVIEWER

REQUIRED = _l("This field is required.")
REASON_NEEDED = _l("Write a public reason when the proposal cannot be carried out as it is.")
MINE = "mine"
SORT_LABELS = {
    "oldest": _l("Oldest first"),
    "newest": _l("Newest first"),
    "title": _l("Title"),
    "cost": _l("Estimated cost, highest first"),
    "status": _l("Status"),
}


def _at_most(n: int) -> Length:
    return Length(max=n, message=_l("At most %(max)d characters.", max=n))


def reviewer_choices(staff: Sequence[User]) -> list[tuple[str, str]]:
    """Staff as (id, name) pairs for a select."""
    return [(str(user.id), f"{user.name} ({user.email})") for user in staff]


class QueueFilterForm(FlaskForm):
    """The queue's filters, read from the query string; an unknown value is a bad request."""

    class Meta:
        csrf = False

    status = SelectField(_l("Status"), default="")
    budget = SelectField(_l("Budget"), default="")
    reviewer = SelectField(_l("Case officer"), default="")
    sort = SelectField(_l("Sort by"), default="oldest")
    page = IntegerField(_l("Page"), default=1, validators=[Optional(), NumberRange(min=1)])

    def set_choices(self, budgets: Sequence[Budget], staff: Sequence[User], locale: str) -> None:
        """Offer only this process's budgets and the current staff."""
        statuses = [(status.value, status_label(status)) for status in ProposalStatus]
        self.status.choices = [("", _l("All statuses")), *statuses]
        self.budget.choices = [("", _l("All budgets")), *((str(b.id), b.name(locale)) for b in budgets)]
        self.sort.choices = list(SORT_LABELS.items())
        self.reviewer.choices = [
            ("", _l("Anyone")),
            (MINE, _l("Assigned to me")),
            (NO_REVIEWER, _l("Not assigned")),
            *reviewer_choices(staff),
        ]


class AssignForm(FlaskForm):
    """Give one or more proposals to a case officer (empty: nobody)."""

    proposal_ids = SelectMultipleField(_l("Proposals"), coerce=int, validate_choice=False)
    reviewer = SelectField(_l("Case officer"), default="", validate_choice=False)
    next = HiddenField()

    def set_choices(self, staff: Sequence[User]) -> None:
        self.reviewer.choices = [("", _l("Nobody")), *reviewer_choices(staff)]

    def validate_proposal_ids(self, field: SelectMultipleField) -> None:
        if not field.data:
            raise ValidationError(_l("Choose at least one proposal."))

    def validate_reviewer(self, field: SelectField) -> None:
        if field.data not in {str(value) for value, _label in field.choices or []}:
            raise ValidationError(_l("Choose a case officer from the list."))


class AssessmentForm(FlaskForm):
    """The vetted cost and the verdict, with the public reason residents read."""

    vetted_cost = MoneyField(_l("Estimated cost (kr.)"))
    feasibility = RadioField(
        _l("Assessment"), validators=[DataRequired(_l("Choose an assessment."))], validate_choice=False
    )
    public_reason = TextAreaField(_l("Public reason"), validators=[_at_most(5000)])

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.feasibility.choices = [(f.value, FEASIBILITY_LABELS[f]) for f in Feasibility]

    def validate_feasibility(self, field: RadioField) -> None:
        if field.data not in {f.value for f in Feasibility}:
            raise ValidationError(_l("Choose an assessment."))

    def validate_public_reason(self, field: TextAreaField) -> None:
        negative = self.feasibility.data in (Feasibility.NOT_FEASIBLE.value, Feasibility.NEEDS_CHANGES.value)
        if negative and not (field.data or "").strip():
            raise ValidationError(REASON_NEEDED)

    def validate_vetted_cost(self, field: MoneyField) -> None:
        if self.feasibility.data == Feasibility.FEASIBLE.value and field.data is None and not field.errors:
            raise ValidationError(_l("Enter the estimated cost before you mark the proposal as feasible."))
        if field.data is not None and field.data < 100:
            raise ValidationError(_l("The estimated cost must be at least 1 krone."))


class MergeForm(FlaskForm):
    """Choose the duplicates to fold into the proposal on the page."""

    duplicates = SelectMultipleField(
        _l("Duplicates to merge into this proposal"), coerce=int, validate_choice=False
    )

    def set_choices(self, candidates: Sequence[Proposal]) -> None:
        self.duplicates.choices = [(p.id, f"#{p.id} {p.title}") for p in candidates]

    def validate_duplicates(self, field: SelectMultipleField) -> None:
        if not field.data:
            raise ValidationError(_l("Choose at least one proposal to merge into this one."))
        if not set(field.data) <= {value for value, _label in field.choices or []}:
            raise ValidationError(_l("Choose proposals from the list."))


class ExclusionForm(FlaskForm):
    """Name a group of projects on one ballot of which at most one can win."""

    budget_id = IntegerField(_l("Budget"), validators=[DataRequired()])
    project_ids = SelectMultipleField(_l("Projects"), coerce=int, validate_choice=False)
    label = StringField(_l("Group name (empty: remove from the group)"), validators=[_at_most(80)])

    def validate_project_ids(self, field: SelectMultipleField) -> None:
        if not field.data:
            raise ValidationError(_l("Choose at least one project."))


class ModerationForm(FlaskForm):
    """Hide or restore a proposal: the reason is mandatory and public."""

    reason = TextAreaField(
        _l("Reason (shown to the authors and the public)"), validators=[DataRequired(REQUIRED), _at_most(500)]
    )


class ReportForm(FlaskForm):
    """Anyone's report that a proposal breaks the rules."""

    reason = TextAreaField(
        _l("What is wrong with the proposal?"),
        validators=[DataRequired(_l("Tell us what is wrong with the proposal.")), _at_most(1000)],
    )


class ActionForm(FlaskForm):
    """A button that changes something: a POST with a CSRF token and nothing else."""
