"""Staff pages for the ballot of a process: place accepted proposals, take projects off, mark projects
that exclude each other, and publish all prices at once.
"""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from werkzeug.wrappers import Response

from pbvote.core.errors import DomainError
from pbvote.db import utcnow
from pbvote.extensions import db
from pbvote.processes.models import Process
from pbvote.proposals import placement, review
from pbvote.proposals.manage import Page, manage_bp, me, process_or_404, proposal_or_404, refused
from pbvote.proposals.review_forms import ActionForm, ExclusionForm
from pbvote.proposals.review_queries import (
    accepted_proposals,
    project_or_none,
    projects_by_budget,
    projects_by_id,
    unpublished_prices,
)
from pbvote.urls import safe_next


def ballot_page(
    process: Process, status: int = 200, exclusion: ExclusionForm | None = None
) -> tuple[str, int]:
    """Render the ballot page of a process."""
    context = {
        "process": process,
        "ballot": projects_by_budget(process),
        "accepted": accepted_proposals(process.id),
        "unpublished": len(unpublished_prices(process.id)),
        "action": ActionForm(),
        "exclusion": exclusion or ExclusionForm(formdata=None),
    }
    return render_template("proposals/manage/ballot.html", **context), status


@manage_bp.get("/<int:process_id>/stemmeseddel")
def ballot(process_id: int) -> str:
    """Each budget's ballot, and the accepted proposals waiting to go on it."""
    return ballot_page(process_or_404(process_id))[0]


@manage_bp.post("/forslag/<int:proposal_id>/stemmeseddel")
def place(proposal_id: int) -> Response | Page:
    """Put one accepted proposal on its budget's ballot."""
    proposal = proposal_or_404(proposal_id)
    process_id = proposal.process_id
    try:
        project = placement.place_on_ballot(me(), proposal, now=utcnow())
    except DomainError as exc:
        return ballot_page(process_or_404(process_id), refused(exc))
    db.session.commit()
    flash(_("The proposal is now on the ballot as %(code)s.", code=project.code), "success")
    return redirect(safe_next(request.form.get("next")) or url_for(".ballot", process_id=process_id))


@manage_bp.post("/<int:process_id>/stemmeseddel/alle")
def place_all(process_id: int) -> Response | Page:
    """Put every accepted proposal of the process on its ballot."""
    process = process_or_404(process_id)
    try:
        projects = placement.place_all_accepted(me(), process, now=utcnow())
    except DomainError as exc:
        return ballot_page(process_or_404(process_id), refused(exc))
    db.session.commit()
    count = len(projects)
    flash(
        ngettext(
            "%(num)d project was placed on the ballot.", "%(num)d projects were placed on the ballot.", count
        ),
        "success",
    )
    return redirect(url_for(".ballot", process_id=process_id))


@manage_bp.post("/projekter/<int:project_id>/fjern")
def remove(project_id: int) -> Response | Page:
    """Take a project off its ballot again."""
    project = project_or_none(project_id)
    if project is None:
        abort(404)
    process_id = project.budget.process_id
    try:
        placement.remove_from_ballot(me(), project, now=utcnow())
    except DomainError as exc:
        return ballot_page(process_or_404(process_id), refused(exc))
    db.session.commit()
    flash(_("The project was taken off the ballot."), "success")
    return redirect(url_for(".ballot", process_id=process_id))


@manage_bp.post("/<int:process_id>/udelukker")
def exclusion(process_id: int) -> Response | Page:
    """Name (or clear) a group of projects of one budget of which at most one can win."""
    process = process_or_404(process_id)
    form = ExclusionForm()
    if not form.validate():
        return ballot_page(process, 422, form)
    budget = next((b for b in process.budgets if b.id == form.budget_id.data), None)
    projects = projects_by_id(form.project_ids.data)
    if budget is None or len(projects) != len(set(form.project_ids.data)):
        abort(404)
    try:
        placement.set_exclusion_group(me(), budget, projects, form.label.data, now=utcnow())
    except DomainError as exc:
        return ballot_page(process_or_404(process_id), refused(exc), form)
    db.session.commit()
    flash(_("The projects' group has been saved."), "success")
    return redirect(url_for(".ballot", process_id=process_id))


@manage_bp.post("/<int:process_id>/priser")
def publish_prices(process_id: int) -> Response | Page:
    """Make every vetted cost of the process public at once."""
    process = process_or_404(process_id)
    try:
        count = review.publish_prices(me(), process, now=utcnow())
    except DomainError as exc:
        return ballot_page(process_or_404(process_id), refused(exc))
    db.session.commit()
    flash(ngettext("%(num)d price was published.", "%(num)d prices were published.", count), "success")
    return redirect(url_for(".ballot", process_id=process_id))
