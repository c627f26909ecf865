"""Staff pages: per process the winning projects with their status; per project the status, progress and
dated updates with photos. Every change is audited and e-mailed to the process's followers.
"""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from werkzeug.wrappers import Response

from pbvote.auth.models import User
from pbvote.core.errors import DomainError, NotAllowed
from pbvote.db import utcnow
from pbvote.extensions import db, login_manager
from pbvote.implementation import queries, services
from pbvote.implementation.forms import ProgressForm, UpdateForm
from pbvote.implementation.models import ProgressStatus
from pbvote.implementation.policies import can_manage_implementation
from pbvote.processes.models import PHASE_ORDER, Phase, Process

manage_bp = Blueprint(
    "implementation_manage", __name__, url_prefix="/sagsbehandling/udfoerelse", template_folder="templates"
)

View = Response | str | tuple[Response | str, int]


@manage_bp.before_request
def staff_only() -> Response | None:
    """Every page here is for staff: anonymous visitors log in, residents get 403."""
    if not current_user.is_authenticated:
        return login_manager.unauthorized()  # type: ignore[no-any-return]
    if not can_manage_implementation(current_user):
        abort(403)
    return None


def me() -> User:
    return current_user._get_current_object()  # type: ignore[no-any-return]


def process_or_404(slug: str) -> Process:
    process = db.session.scalar(select(Process).where(Process.slug == slug))
    if process is None:
        abort(404)
    return process


def winner_or_404(process: Process, key: str) -> queries.Winner:
    winner = queries.winner_by_key(process, key)
    if winner is None:
        abort(404)
    return winner


@manage_bp.get("/")
def index() -> str:
    """The processes whose voting has closed, each with a link to its winners."""
    counted = [p for p in PHASE_ORDER if PHASE_ORDER.index(p) >= PHASE_ORDER.index(Phase.COUNTING)]
    query = select(Process).where(Process.phase.in_(counted)).order_by(Process.id.desc())
    return render_template("implementation/manage/index.html", processes=list(db.session.scalars(query)))


@manage_bp.get("/<slug>")
def process(slug: str) -> str:
    """The winners of the process's published counts with their status and progress."""
    process = process_or_404(slug)
    winners = queries.winners(process)
    return render_template("implementation/manage/process.html", process=process, winners=winners)


@manage_bp.get("/<slug>/<key>")
def project(slug: str, key: str) -> View:
    """One winner: the status form, the update form and the updates posted so far."""
    process = process_or_404(slug)
    return project_page(process, winner_or_404(process, key))


def project_page(process: Process, winner: queries.Winner, status: int = 200, **forms: object) -> View:
    """Render the staff project page; forms given (with their errors) replace the fresh ones."""
    progress = winner.progress
    context = {
        "process": process,
        "winner": winner,
        "updates": queries.updates_of(winner.project.id),
        "progress_form": ProgressForm(
            formdata=None,
            status=(progress.status if progress else ProgressStatus.PLANNED).value,
            percent=progress.percent if progress else 0,
            cancel_reason=progress.cancel_reason if progress else "",
        ),
        "update_form": UpdateForm(formdata=None, happened_on=utcnow().date()),
        **forms,
    }
    return render_template("implementation/manage/project.html", **context), status


def refused(exc: DomainError) -> int:
    """Undo the attempt, show why, and pick the status: 403 when not allowed, else 422."""
    db.session.rollback()
    flash(str(exc), "error")
    return 403 if isinstance(exc, NotAllowed) else 422


@manage_bp.post("/<slug>/<key>/status")
def set_status(slug: str, key: str) -> View:
    """Save the status, progress and (for a cancelled project) the public reason."""
    process = process_or_404(slug)
    winner = winner_or_404(process, key)
    form = ProgressForm()
    if not form.validate():
        return project_page(process, winner, 422, progress_form=form)
    try:
        changed = services.set_progress(
            me(),
            process,
            winner,
            status=ProgressStatus(form.status.data),
            percent=int(form.percent.data),
            cancel_reason=form.cancel_reason.data or "",
            now=utcnow(),
        )
    except DomainError as exc:
        status = refused(exc)
        return project_page(process, winner_or_404(process_or_404(slug), key), status, progress_form=form)
    db.session.commit()
    flash(_("The status has been saved.") if changed else _("Nothing was changed."), "success")
    return redirect(url_for(".project", slug=slug, key=key))


@manage_bp.post("/<slug>/<key>/opdatering")
def add_update(slug: str, key: str) -> View:
    """Post a dated update with optional photos; followers get it by e-mail."""
    process = process_or_404(slug)
    winner = winner_or_404(process, key)
    form = UpdateForm()
    if not form.validate():
        return project_page(process, winner, 422, update_form=form)
    try:
        services.add_update(
            me(),
            process,
            winner,
            happened_on=form.happened_on.data,
            text=form.text.data,
            photos=form.prepared,
            now=utcnow(),
        )
    except DomainError as exc:
        status = refused(exc)
        return project_page(process, winner_or_404(process_or_404(slug), key), status, update_form=form)
    db.session.commit()
    flash(_("The update has been published."), "success")
    return redirect(url_for(".project", slug=slug, key=key))
