"""Moderation: anyone reports a proposal (a public page, rate-limited per address); staff see the open
reports and hide, restore or keep the proposal.
"""

from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

from pbvote.core.errors import DomainError
from pbvote.db import utcnow
from pbvote.extensions import db, limiter
from pbvote.proposals import moderation
from pbvote.proposals.manage import Page, manage_bp, me, proposal_or_404, refused, review_page
from pbvote.proposals.review_forms import ModerationForm, ReportForm
from pbvote.proposals.review_queries import open_reports, visible_proposal

reports_bp = Blueprint("proposal_reports", __name__, url_prefix="/forslag", template_folder="templates")
DEFAULT_REPORT_LIMIT = "5 per hour"


def _report_limit() -> str:
    return str(current_app.config.get("PROPOSAL_REPORT_RATE_LIMIT", DEFAULT_REPORT_LIMIT))


@manage_bp.get("/rapporter")
def reports() -> str:
    """Every open report, oldest first, with a link to the proposal's review page."""
    return render_template("proposals/manage/reports.html", reports=open_reports())


@manage_bp.post("/forslag/<int:proposal_id>/skjul")
def hide(proposal_id: int) -> Response | Page:
    """Hide a proposal from the public, with a reason the authors and the public see."""
    return _moderate(proposal_id, moderation.hide_proposal, _("The proposal is now hidden."))


@manage_bp.post("/forslag/<int:proposal_id>/gendan")
def restore(proposal_id: int) -> Response | Page:
    """Show a hidden proposal again, with a reason."""
    return _moderate(proposal_id, moderation.restore_proposal, _("The proposal is shown again."))


def _moderate(proposal_id: int, action: object, done: str) -> Response | Page:
    proposal = proposal_or_404(proposal_id)
    form = ModerationForm()
    if not form.validate():
        return review_page(proposal, 422, moderation=form)
    try:
        action(me(), proposal, form.reason.data or "", now=utcnow())  # type: ignore[operator]
    except DomainError as exc:
        status = refused(exc)
        return review_page(proposal_or_404(proposal_id), status, moderation=form)
    db.session.commit()
    flash(done, "success")
    return redirect(url_for(".proposal", proposal_id=proposal_id))


@manage_bp.post("/forslag/<int:proposal_id>/rapporter/afvis")
def dismiss(proposal_id: int) -> Response | Page:
    """Keep the proposal as it is and close its open reports."""
    proposal = proposal_or_404(proposal_id)
    try:
        moderation.dismiss_reports(me(), proposal, now=utcnow())
    except DomainError as exc:
        return review_page(proposal_or_404(proposal_id), refused(exc))
    db.session.commit()
    flash(_("The reports are closed and the proposal stays as it is."), "success")
    return redirect(url_for(".proposal", proposal_id=proposal_id))


@reports_bp.route("/<int:proposal_id>/rapporter", methods=["GET", "POST"])
@limiter.limit(_report_limit, methods=["POST"])
def report(proposal_id: int) -> Response | Page:
    """Anyone may tell the municipality that a proposal breaks the rules."""
    proposal = visible_proposal(proposal_id)
    if proposal is None:
        abort(404)
    form = ReportForm()
    if form.validate_on_submit():
        try:
            moderation.report_proposal(current_user, proposal, form.reason.data or "", now=utcnow())
        except DomainError as exc:
            db.session.rollback()
            form.reason.errors = [*form.reason.errors, str(exc)]
        else:
            db.session.commit()
            flash(_("Thank you. The municipality will look at your report."), "success")
            return redirect(url_for("proposals.detail", proposal_id=proposal_id))
    page = render_template("proposals/manage/report_form.html", form=form, proposal=proposal)
    return page, 422 if form.errors else 200
