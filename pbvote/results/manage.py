"""The staff side of results: start a count once voting has closed, preview a run, publish it."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import format_decimal
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy import select
from werkzeug.wrappers import Response
from wtforms import BooleanField, SelectField
from wtforms.validators import DataRequired

from pbvote.auth.models import User
from pbvote.auth.policies import can_review
from pbvote.core.errors import DomainError, NotAllowed
from pbvote.core.report import compare_reports
from pbvote.core.types import RuleName, TieBreak
from pbvote.db import utcnow
from pbvote.extensions import db, login_manager
from pbvote.i18n import format_money
from pbvote.processes.labels import RULE_LABELS, TIE_BREAK_LABELS, choices
from pbvote.processes.models import Budget, Process
from pbvote.results import policies, queries
from pbvote.results.models import TallyRun
from pbvote.results.pages import rule_name
from pbvote.results.reasons import reason_text, score_text, uses_points
from pbvote.results.services import publish_run, tally_budget

manage_bp = Blueprint(
    "results_manage", __name__, url_prefix="/sagsbehandling/resultater", template_folder="templates"
)

Page = Response | str | tuple[str, int]


class CountForm(FlaskForm):
    """Start a count of one budget; the budget's own rule and tie-break are the defaults."""

    rule = SelectField(_l("Counting rule"), choices=choices(RULE_LABELS))
    tie_break = SelectField(_l("Tie-break"), choices=choices(TIE_BREAK_LABELS))


class PublishForm(FlaskForm):
    """Publishing needs an explicit confirmation: the result becomes public at once."""

    confirm = BooleanField(
        _l("I have checked this count and want to publish it as the result"),
        validators=[DataRequired(message=_l("Tick the box to confirm that the count may be published."))],
    )


@manage_bp.before_request
def staff_only() -> Response | None:
    """Every page here is for staff: anonymous visitors log in, residents get 403."""
    if not current_user.is_authenticated:
        return login_manager.unauthorized()  # type: ignore[no-any-return]
    if not can_review(current_user):
        abort(403)
    return None


@manage_bp.after_request
def never_cache(response: Response) -> Response:
    """Unpublished counts must not linger in a shared cache."""
    response.headers["Cache-Control"] = "no-store"
    return response


def me() -> Any:
    """The logged-in staff member as a real row (services store their id)."""
    return current_user._get_current_object()


def process_or_404(slug: str) -> Process:
    process = queries.process_for_counting(slug)
    if process is None:
        abort(404)
    return process


def budget_of(process: Process, budget_id: int) -> Budget:
    budget = next((b for b in process.budgets if b.id == budget_id), None)
    if budget is None:
        abort(404)
    return budget


def run_of(process: Process, run_id: int) -> TallyRun:
    run = db.session.get(TallyRun, run_id)
    if run is None or run.budget.process_id != process.id:
        abort(404)
    return run


@manage_bp.get("/")
def index() -> str:
    """Processes whose voting has closed, each with a link to count and publish."""
    return render_template("results/manage/index.html", processes=queries.closed_processes())


@manage_bp.get("/<slug>")
def show(slug: str) -> Page:
    """A process's budgets: their runs, a form to count, and the newest run's preview."""
    return show_page(process_or_404(slug))


def show_page(process: Process, status: int = 200, forms: dict[int, CountForm] | None = None) -> Page:
    runs = queries.runs_by_budget([budget.id for budget in process.budgets])
    forms = forms or {}
    for budget in process.budgets:
        if budget.id not in forms:
            forms[budget.id] = count_form(budget, formdata=None)
    context = {
        "process": process,
        "runs": runs,
        "forms": forms,
        "closed": policies.voting_closed(process),
        "people": people(run for budget_runs in runs.values() for run in budget_runs),
    }
    return render_template("results/manage/show.html", **context, **helpers(process)), status


def count_form(budget: Budget, **kwargs: Any) -> CountForm:
    """The count form of one budget (prefixed: the page holds one per budget)."""
    form = CountForm(prefix=f"b{budget.id}", **kwargs)
    if kwargs.get("formdata", True) is None:
        form.rule.data = str(budget.rule)
        form.tie_break.data = str(budget.tie_break)
    return form


@manage_bp.post("/<slug>/<int:budget_id>/optael")
def count(slug: str, budget_id: int) -> Page:
    """Count one budget's ballots now and show the new run's preview."""
    process = process_or_404(slug)
    budget = budget_of(process, budget_id)
    form = count_form(budget)
    if not form.validate_on_submit():
        flash(_("Choose a counting rule and a tie-break from the lists."), "error")
        return show_page(process, 422, {budget.id: form})
    try:
        run = tally_budget(
            budget,
            actor=me(),
            rule=RuleName(form.rule.data),
            tie_break=TieBreak(form.tie_break.data),
            now=utcnow(),
        )
    except DomainError as exc:
        db.session.rollback()
        flash(str(exc), "error")
        return show_page(process_or_404(slug), 403 if isinstance(exc, NotAllowed) else 422)
    db.session.commit()
    flash(_("The votes have been counted. Check the preview before you publish it."), "success")
    return redirect(url_for(".run", slug=slug, run_id=run.id))


@manage_bp.get("/<slug>/optaelling/<int:run_id>")
def run(slug: str, run_id: int) -> Page:
    """Preview one run as the public will see it, with the publish form."""
    process = process_or_404(slug)
    return run_page(process, run_of(process, run_id))


def run_page(process: Process, tally: TallyRun, status: int = 200, form: PublishForm | None = None) -> Page:
    context = {
        "process": process,
        "budget": tally.budget,
        "run": tally,
        "form": form or PublishForm(formdata=None),
        "may_publish": policies.can_publish(current_user, process, tally),
        "people": people([tally]),
    }
    return render_template("results/manage/run.html", **context, **helpers(process)), status


@manage_bp.post("/<slug>/optaelling/<int:run_id>/offentliggoer")
def publish(slug: str, run_id: int) -> Page:
    """Publish a run as the budget's result (audited)."""
    process = process_or_404(slug)
    tally = run_of(process, run_id)
    form = PublishForm()
    if not form.validate_on_submit():
        return run_page(process, tally, 422, form)
    try:
        publish_run(tally, actor=me(), now=utcnow())
    except DomainError as exc:
        db.session.rollback()
        flash(str(exc), "error")
        process = process_or_404(slug)
        return run_page(process, run_of(process, run_id), 403 if isinstance(exc, NotAllowed) else 422)
    db.session.commit()
    flash(_("The result has been published."), "success")
    return redirect(url_for(".show", slug=slug))


def people(runs: Any) -> dict[int, str]:
    """Names of the staff who counted or published the runs, in one query."""
    ids = {i for r in runs for i in (r.created_by_id, r.published_by_id) if i is not None}
    if not ids:
        return {}
    return {user.id: user.name for user in db.session.scalars(select(User).where(User.id.in_(ids)))}


def helpers(process: Process) -> dict[str, Any]:
    """Formatting for the preview: money in the process's currency, reasons and the rule names."""
    return {
        "money": lambda amount: format_money(int(amount), process.currency),
        "decimal": lambda value: format_decimal(value, format="0.00"),
        "reason_text": reason_text,
        "score_text": score_text,
        "uses_points": uses_points,
        "rule_name": rule_name,
        "rule_labels": RULE_LABELS,
        "tie_break_labels": TIE_BREAK_LABELS,
        "compare_reports": compare_reports,
        "name_list": lambda codes, names: ", ".join(names.get(code, code) for code in codes),
    }
