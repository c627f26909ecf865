"""The admin side of processes: create and edit, phases, budgets, categories, freeze and duplicate."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Blueprint, current_app, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response

from pbvote.auth.decorators import role_required
from pbvote.auth.models import Role
from pbvote.core.errors import DomainError
from pbvote.db import utcnow
from pbvote.extensions import db
from pbvote.processes import policies, services
from pbvote.processes.forms import BudgetForm, CategoryForm, ConfirmForm, ProcessForm
from pbvote.processes.labels import phase_label
from pbvote.processes.models import PHASE_ORDER, Process
from pbvote.processes.queries import all_processes, budget_or_404, category_or_404, process_or_404
from pbvote.processes.validation import InvalidData

manage_bp = Blueprint(
    "processes_manage", __name__, url_prefix="/admin/processer", template_folder="templates"
)

Page = Response | str | tuple[str, int]


def actor() -> Any:
    """The logged-in user as a plain object for services."""
    return current_user._get_current_object()


def show_error(form: FlaskForm, exc: DomainError) -> None:
    """Put a refusal next to the fields it concerns, or at the top of the page."""
    if isinstance(exc, InvalidData):
        for key, message in exc.field_errors.items():
            if key.startswith("phases-"):
                _prefix, index, name = key.split("-")
                form.phases.entries[int(index)].form[name].errors.append(message)
            elif key in form:
                form[key].errors.append(message)
            else:
                flash(message, "error")
        return
    flash(str(exc), "error")


def write_or_render(
    form: FlaskForm, write: Callable[[], Any], done: Callable[[Any], Response], template: str, **context: Any
) -> Page:
    """Validate, call the service, commit once on success; otherwise re-render with the reasons (422)."""
    if form.validate_on_submit():
        try:
            result = write()
        except DomainError as exc:
            db.session.rollback()
            show_error(form, exc)
        else:
            db.session.commit()
            return done(result)
    return render_template(template, form=form, **context), 422 if form.is_submitted() else 200


def act(write: Callable[[], Any], success: str, process_id: int) -> Response:
    """Run a one-button action (phase move, unfreeze, duplicate) and go back to the process."""
    if ConfirmForm().validate_on_submit():
        try:
            result = write()
        except DomainError as exc:
            db.session.rollback()
            flash(str(exc), "error")
        else:
            db.session.commit()
            flash(success, "success")
            if isinstance(result, Process):
                process_id = result.id
    return redirect(url_for(".show", process_id=process_id))


@manage_bp.get("/")
@role_required(Role.ADMIN)
def index() -> str:
    """Every process, drafts included."""
    return render_template("processes/manage/index.html", processes=all_processes())


@manage_bp.route("/ny", methods=["GET", "POST"])
@role_required(Role.ADMIN)
def create() -> Page:
    """Start a new process as a draft."""
    form = ProcessForm()

    def write() -> Any:
        config = current_app.config
        municipality = services.site_municipality_or_new(config["MUNICIPALITY_NAME"], config["CURRENCY"])
        return services.create_process(actor(), municipality, form.to_data(), now=utcnow())

    def done(process: Any) -> Response:
        flash(_("The process has been created as a draft. Add its budgets and categories."), "success")
        return redirect(url_for(".show", process_id=process.id))

    return write_or_render(
        form, write, done, "processes/manage/process_form.html", process=None, phases=PHASE_ORDER
    )


@manage_bp.get("/<int:process_id>")
@role_required(Role.ADMIN)
def show(process_id: int) -> str:
    """One process: phase controls, freeze, budgets and categories."""
    process = process_or_404(process_id)
    return render_template(
        "processes/manage/show.html",
        process=process,
        category_form=CategoryForm(formdata=None),
        ballots_cast=services.count_ballots(process),
        policies=policies,
    )


@manage_bp.route("/<int:process_id>/rediger", methods=["GET", "POST"])
@role_required(Role.ADMIN)
def edit(process_id: int) -> Page:
    """Change the texts, settings and phase dates."""
    process = process_or_404(process_id)
    form = ProcessForm(obj=process)

    def done(_result: Any) -> Response:
        flash(_("The process has been saved."), "success")
        return redirect(url_for(".show", process_id=process_id))

    return write_or_render(
        form,
        lambda: services.update_process(actor(), process, form.to_data(), now=utcnow()),
        done,
        "processes/manage/process_form.html",
        process=process,
        phases=PHASE_ORDER,
    )


@manage_bp.post("/<int:process_id>/fase/frem")
@role_required(Role.ADMIN)
def advance(process_id: int) -> Response:
    """Move the process on to the next phase (opening voting freezes the ballots)."""
    process = process_or_404(process_id)
    target = policies.next_phase(process)
    message = _("The process is now in the phase: %(phase)s.", phase=phase_label(target)) if target else ""
    return act(lambda: services.advance_phase(actor(), process, now=utcnow()), message, process_id)


@manage_bp.post("/<int:process_id>/fase/tilbage")
@role_required(Role.ADMIN)
def move_back(process_id: int) -> Response:
    """Step back one phase."""
    process = process_or_404(process_id)
    target = policies.previous_phase(process)
    message = _("The process is now in the phase: %(phase)s.", phase=phase_label(target)) if target else ""
    return act(lambda: services.move_phase_back(actor(), process, now=utcnow()), message, process_id)


@manage_bp.post("/<int:process_id>/laas-op")
@role_required(Role.ADMIN)
def unfreeze(process_id: int) -> Response:
    """Lift the freeze while nobody has voted yet."""
    process = process_or_404(process_id)
    message = _("The ballots are no longer frozen. They freeze again when voting opens.")
    return act(lambda: services.unfreeze_ballots(actor(), process, now=utcnow()), message, process_id)


@manage_bp.post("/<int:process_id>/kopier")
@role_required(Role.ADMIN)
def duplicate(process_id: int) -> Response:
    """Copy the process as a draft for next year."""
    process = process_or_404(process_id)
    message = _("This is a copy for next year. Check the dates and texts before you publish it.")
    return act(lambda: services.duplicate_process(actor(), process, now=utcnow()), message, process_id)


@manage_bp.route("/<int:process_id>/budgetter/ny", methods=["GET", "POST"])
@role_required(Role.ADMIN)
def budget_create(process_id: int) -> Page:
    """Add a budget with its ballot rules."""
    process = process_or_404(process_id)
    form = BudgetForm()
    return write_or_render(
        form,
        lambda: services.add_budget(actor(), process, form.to_data(), now=utcnow()),
        _back_to(process_id, _("The budget has been added.")),
        "processes/manage/budget_form.html",
        process=process,
        budget=None,
    )


@manage_bp.route("/<int:process_id>/budgetter/<int:budget_id>", methods=["GET", "POST"])
@role_required(Role.ADMIN)
def budget_edit(process_id: int, budget_id: int) -> Page:
    """Change a budget's amount or rules (refused and logged once the ballots are frozen)."""
    process = process_or_404(process_id)
    budget = budget_or_404(process, budget_id)
    form = BudgetForm(obj=budget)
    return write_or_render(
        form,
        lambda: services.update_budget(actor(), budget, form.to_data(), now=utcnow()),
        _back_to(process_id, _("The budget has been saved.")),
        "processes/manage/budget_form.html",
        process=process,
        budget=budget,
    )


@manage_bp.post("/<int:process_id>/budgetter/<int:budget_id>/slet")
@role_required(Role.ADMIN)
def budget_delete(process_id: int, budget_id: int) -> Response:
    """Delete a budget that has no projects or proposals."""
    process = process_or_404(process_id)
    budget = budget_or_404(process, budget_id)
    message = _("The budget has been deleted.")
    return act(lambda: services.delete_budget(actor(), budget, now=utcnow()), message, process_id)


@manage_bp.post("/<int:process_id>/kategorier")
@role_required(Role.ADMIN)
def category_create(process_id: int) -> Page:
    """Add a category."""
    process = process_or_404(process_id)
    form = CategoryForm()
    return write_or_render(
        form,
        lambda: services.add_category(actor(), process, _category_data(form), now=utcnow()),
        _back_to(process_id, _("The category has been added.")),
        "processes/manage/category_form.html",
        process=process,
        category=None,
    )


@manage_bp.route("/<int:process_id>/kategorier/<int:category_id>", methods=["GET", "POST"])
@role_required(Role.ADMIN)
def category_edit(process_id: int, category_id: int) -> Page:
    """Rename a category."""
    process = process_or_404(process_id)
    category = category_or_404(process, category_id)
    form = CategoryForm(obj=category)
    return write_or_render(
        form,
        lambda: services.update_category(actor(), category, _category_data(form), now=utcnow()),
        _back_to(process_id, _("The category has been saved.")),
        "processes/manage/category_form.html",
        process=process,
        category=category,
    )


@manage_bp.post("/<int:process_id>/kategorier/<int:category_id>/slet")
@role_required(Role.ADMIN)
def category_delete(process_id: int, category_id: int) -> Response:
    """Delete a category nothing is filed under."""
    process = process_or_404(process_id)
    category = category_or_404(process, category_id)
    message = _("The category has been deleted.")
    return act(lambda: services.delete_category(actor(), category, now=utcnow()), message, process_id)


def _category_data(form: CategoryForm) -> services.CategoryData:
    return services.CategoryData(name_da=form.name_da.data or "", name_en=form.name_en.data or "")


def _back_to(process_id: int, message: str) -> Callable[[Any], Response]:
    def done(_result: Any) -> Response:
        flash(message, "success")
        return redirect(url_for(".show", process_id=process_id))

    return done
