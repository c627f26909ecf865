"""The staff side of voting: an overview per process, the census list and voting settings (admins),
letters with voting codes and the paper ballot station (staff; in manage_letters and manage_paper).
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user
from sqlalchemy import func, select
from werkzeug.wrappers import Response

from pbvote.auth.decorators import role_required
from pbvote.auth.models import Role
from pbvote.auth.policies import can_review
from pbvote.ballots import census, codes, paper
from pbvote.ballots.manage_forms import CensusUploadForm, VotingSettingsForm
from pbvote.ballots.models import Ballot, Channel, SurveyResponse
from pbvote.ballots.policies import can_vote
from pbvote.core.errors import DomainError, NotAllowed
from pbvote.db import utcnow
from pbvote.extensions import db, login_manager
from pbvote.processes.labels import ELIGIBILITY_LABELS
from pbvote.processes.models import Budget, Eligibility, Process
from pbvote.processes.queries import all_processes, process_or_404

manage_bp = Blueprint(
    "ballots_manage", __name__, url_prefix="/sagsbehandling/afstemning", template_folder="templates"
)

Page = Response | str | tuple[str, int]


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
    """Letters hold plain voting codes and the paper station person numbers: keep them out of caches."""
    response.headers["Cache-Control"] = "no-store"
    return response


@manage_bp.context_processor
def helpers() -> dict[str, object]:
    """What the voting staff pages need besides their own context."""
    return {"eligibility_label": lambda value: ELIGIBILITY_LABELS[value], "paper_mode": paper.paper_mode}


def me() -> Any:
    """The logged-in staff member as a real row (services store their id)."""
    return current_user._get_current_object()


def refused(exc: DomainError) -> int:
    """Undo the attempt, show why, and pick the status: 403 when not allowed now, else 422."""
    db.session.rollback()
    flash(str(exc), "error")
    return 403 if isinstance(exc, NotAllowed) else 422


def budget_or_404(budget_id: int) -> Budget:
    budget = db.session.get(Budget, budget_id)
    if budget is None:
        abort(404)
    return budget


@manage_bp.get("/")
def index() -> str:
    """Every process, with a link to its voting page."""
    return render_template("ballots/manage/index.html", processes=all_processes())


@manage_bp.get("/<int:process_id>")
def show(process_id: int) -> str:
    """A process's voting: codes and paper ballots per budget, census list and settings, questions."""
    return show_page(process_or_404(process_id))[0]


def show_page(
    process: Process, status: int = 200, settings: VotingSettingsForm | None = None
) -> tuple[str, int]:
    """Render the overview of a process."""
    budget_ids = [budget.id for budget in process.budgets]
    context = {
        "process": process,
        "code_counts": codes.code_counts(budget_ids),
        "paper_counts": _paper_counts(budget_ids),
        "census_count": census.census_count(process),
        "survey_count": _survey_count(process),
        "voting_open": can_vote(process, utcnow()),
        "may_change_census": census.can_change_census(current_user, process),
        "census_form": CensusUploadForm(formdata=None),
        "settings_form": settings or VotingSettingsForm(formdata=None, obj=process),
        "max_codes": codes.MAX_CODES,
    }
    return render_template("ballots/manage/show.html", **context), status


def _paper_counts(budget_ids: list[int]) -> dict[int, int]:
    """Paper ballots per budget, in one query."""
    if not budget_ids:
        return {}
    query = (
        select(Ballot.budget_id, func.count())
        .where(Ballot.budget_id.in_(budget_ids), Ballot.channel == Channel.PAPER)
        .group_by(Ballot.budget_id)
    )
    return dict(db.session.execute(query).tuples().all())


def _survey_count(process: Process) -> int:
    query = select(func.count()).select_from(SurveyResponse).where(SurveyResponse.process_id == process.id)
    return db.session.scalar(query) or 0


@manage_bp.post("/<int:process_id>/valgliste")
@role_required(Role.ADMIN)
def census_upload(process_id: int) -> Page:
    """Replace the census list with an uploaded CSV file; a bad line refuses the whole file."""
    process = process_or_404(process_id)
    form = CensusUploadForm()
    if not form.validate_on_submit():
        for error in form.file.errors:
            flash(str(error), "error")
        return show_page(process, 422)
    try:
        rows = census.read_census_file(form.file.data.read(), this_year=utcnow().year)
        count = census.replace_census(me(), process, rows, now=utcnow())
    except census.CensusFileInvalid as exc:
        db.session.rollback()
        return render_template(
            "ballots/manage/census_refused.html", process=process, problems=exc.problems, more=exc.more
        ), 422
    except DomainError as exc:
        return show_page(process_or_404(process_id), refused(exc))
    db.session.commit()
    flash(
        ngettext(
            "The census list now holds %(num)d person.", "The census list now holds %(num)d people.", count
        ),
        "success",
    )
    return redirect(url_for(".show", process_id=process_id))


@manage_bp.post("/<int:process_id>/valgliste/slet")
@role_required(Role.ADMIN)
def census_delete(process_id: int) -> Page:
    """Delete the census list, e.g. once the voting is over."""
    process = process_or_404(process_id)
    try:
        census.delete_census(me(), process, now=utcnow())
    except DomainError as exc:
        return show_page(process_or_404(process_id), refused(exc))
    db.session.commit()
    flash(_("The census list has been deleted."), "success")
    return redirect(url_for(".show", process_id=process_id))


@manage_bp.post("/<int:process_id>/indstillinger")
@role_required(Role.ADMIN)
def settings(process_id: int) -> Page:
    """Save who must be on the census list, the minimum age and the optional questions."""
    process = process_or_404(process_id)
    form = VotingSettingsForm()
    if not form.validate_on_submit():
        return show_page(process, 422, form)
    asks_census = process.eligibility is Eligibility.ACCOUNT  # only then does the page show those fields
    try:
        census.update_voting_settings(
            me(),
            process,
            census_required=form.census_required.data if asks_census else process.census_required,
            min_age=form.min_age.data if asks_census else process.min_age,
            ask_questions=form.ask_questions.data,
            now=utcnow(),
        )
    except DomainError as exc:
        return show_page(process_or_404(process_id), refused(exc), form)
    db.session.commit()
    flash(_("The voting settings have been saved."), "success")
    return redirect(url_for(".show", process_id=process_id))


from pbvote.ballots import manage_letters, manage_paper  # noqa: E402, F401  (they add their routes)
