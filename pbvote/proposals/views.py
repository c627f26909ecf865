"""Proposal pages for residents: the list of a process, one proposal, submit, edit, withdraw, follow."""

from __future__ import annotations

from flask import Blueprint, abort, flash, make_response, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user, login_required
from werkzeug.wrappers import Response

from pbvote.core.errors import DomainError
from pbvote.db import utcnow
from pbvote.errors import error_response
from pbvote.extensions import db
from pbvote.markdown import render_markdown
from pbvote.processes.models import Process
from pbvote.processes.queries import process_by_slug
from pbvote.proposals import labels, policies, queries, services
from pbvote.proposals.forms import ConfirmForm, ProposalFilterForm, ProposalForm
from pbvote.proposals.images import image_filename
from pbvote.proposals.models import Proposal, ProposalStatus

bp = Blueprint("proposals", __name__, url_prefix="/forslag", template_folder="templates")

IMAGE_MAX_AGE = 3600  # short, so a picture hidden by moderation soon leaves shared caches

View = Response | str | tuple[Response | str, int]


def locale() -> str:
    return str(get_locale())


def process_or_404(slug: str) -> Process:
    process = process_by_slug(slug)
    if process is None:
        abort(404)
    return process


def proposal_or_404(proposal_id: int) -> Proposal:
    """The proposal if this visitor may see it; hidden ones do not exist for the public."""
    proposal = queries.proposal_by_id(proposal_id)
    if proposal is None or not policies.can_see(current_user, proposal, utcnow()):
        abort(404)
    return proposal


def page_number() -> int:
    raw = request.args.get("page", "1")
    if not raw.isdigit() or not 1 <= int(raw) <= 100_000:
        abort(400)
    return int(raw)


@bp.get("/<slug>/")
def index(slug: str) -> View:
    """The public proposals of a process, filtered, searched, sorted and paged."""
    process = process_or_404(slug)
    form = ProposalFilterForm(process, locale(), formdata=request.args)
    if not form.validate():
        abort(400)
    filters = queries.ProposalFilters(
        budget_id=form.id_of("budget"),
        category_id=form.id_of("category"),
        status=ProposalStatus(form.status.data) if form.status.data else None,
        search=form.q.data or "",
        sort=form.sort.data,
    )
    page = queries.public_proposals_page(process.id, filters, page_number())
    if page.number > page.pages:
        abort(404)
    return render_template("proposals/index.html", process=process, form=form, page=page, now=utcnow())


@bp.route("/<slug>/nyt", methods=["GET", "POST"])
@login_required
def new(slug: str) -> View:
    """Submit a proposal while the process collects them."""
    process = process_or_404(slug)
    now = utcnow()
    if not policies.can_propose(current_user, process, now):
        return error_response(403, str(services.PROPOSALS_CLOSED))
    form = ProposalForm(process, locale())
    if form.validate_on_submit():
        try:
            proposal = services.submit_proposal(
                current_user, process, proposal_data(form), new_images(form), now=now
            )
        except DomainError as exc:
            db.session.rollback()
            form.form_errors.append(str(exc))
        else:
            db.session.commit()
            flash(_("Thank you! Your proposal has been submitted."), "success")
            return redirect(url_for("proposals.detail", proposal_id=proposal.id))
    return render_template("proposals/form.html", form=form, process=process, proposal=None), (
        422 if form.errors else 200
    )


@bp.get("/<int:proposal_id>")
def detail(proposal_id: int) -> View:
    """One proposal with its pictures, place, costs, verdict and review history."""
    proposal = proposal_or_404(proposal_id)
    following = current_user.is_authenticated and queries.follower(proposal.id, current_user.id) is not None
    return render_template(
        "proposals/detail.html", proposal=proposal, following=following, form=ConfirmForm(), now=utcnow()
    )


@bp.route("/<int:proposal_id>/rediger", methods=["GET", "POST"])
@login_required
def edit(proposal_id: int) -> View:
    """Change a proposal until review starts."""
    proposal = proposal_or_404(proposal_id)
    now = utcnow()
    if not policies.can_edit(current_user, proposal, now):
        return error_response(403, str(services.CANNOT_EDIT))
    form = ProposalForm(proposal.process, locale(), proposal=proposal)
    if form.validate_on_submit():
        try:
            services.edit_proposal(
                current_user,
                proposal,
                proposal_data(form),
                new_images(form),
                form.remove_images.data or [],
                now=now,
            )
        except DomainError as exc:
            db.session.rollback()
            form.form_errors.append(str(exc))
        else:
            db.session.commit()
            flash(_("Your changes have been saved."), "success")
            return redirect(url_for("proposals.detail", proposal_id=proposal_id))
    return render_template("proposals/form.html", form=form, process=proposal.process, proposal=proposal), (
        422 if form.errors else 200
    )


@bp.route("/<int:proposal_id>/traek-tilbage", methods=["GET", "POST"])
@login_required
def withdraw(proposal_id: int) -> View:
    """Ask for confirmation, then withdraw the proposal."""
    proposal = proposal_or_404(proposal_id)
    now = utcnow()
    if not policies.can_withdraw(current_user, proposal, now):
        return error_response(403, str(services.CANNOT_EDIT))
    form = ConfirmForm()
    if form.validate_on_submit():
        services.withdraw_proposal(current_user, proposal, now=now)
        db.session.commit()
        flash(_("Your proposal has been withdrawn."), "success")
        return redirect(url_for("proposals.detail", proposal_id=proposal_id))
    return render_template("proposals/withdraw.html", proposal=proposal, form=form)


@bp.post("/<int:proposal_id>/foelg")
@login_required
def follow(proposal_id: int) -> View:
    """Get an e-mail when the proposal's status changes."""
    proposal = proposal_or_404(proposal_id)
    if ConfirmForm().validate_on_submit():
        services.follow_proposal(current_user, proposal, now=utcnow())
        db.session.commit()
        flash(_("You now follow this proposal. We will e-mail you when its status changes."), "success")
    return redirect(url_for("proposals.detail", proposal_id=proposal_id))


@bp.post("/<int:proposal_id>/stop-foelg")
@login_required
def unfollow(proposal_id: int) -> View:
    """Stop the e-mails about this proposal."""
    proposal = proposal_or_404(proposal_id)
    if ConfirmForm().validate_on_submit():
        services.unfollow_proposal(current_user, proposal, now=utcnow())
        db.session.commit()
        flash(_("You no longer follow this proposal."), "success")
    return redirect(url_for("proposals.detail", proposal_id=proposal_id))


@bp.get("/billede/<token>")
def image(token: str) -> Response:
    """An uploaded picture, served so that no browser can treat it as anything but an image."""
    picture = queries.image_by_token(token)
    if picture is None or not policies.can_see(current_user, picture.proposal, utcnow()):
        abort(404)
    response = make_response(picture.data)
    filename = image_filename(picture.proposal_id, picture.position, picture.mime_type)
    response.headers["Content-Type"] = picture.mime_type
    response.headers["Content-Disposition"] = f'inline; filename="{filename}"'
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = "default-src 'none'"
    response.headers["Cross-Origin-Resource-Policy"] = "same-origin"
    public = policies.can_see(None, picture.proposal, utcnow())  # would an anonymous visitor see it?
    response.headers["Cache-Control"] = f"public, max-age={IMAGE_MAX_AGE}" if public else "private, no-store"
    return response


def proposal_data(form: ProposalForm) -> services.ProposalData:
    """The form's parsed values for the service."""
    return services.ProposalData(
        title=form.title.data,
        summary=form.summary.data,
        description=form.description.data or "",
        budget_id=form.chosen_id("budget") or 0,
        category_id=form.chosen_id("category"),
        cost_guess=form.cost_guess.data,
        address=form.address.data or "",
        latitude=form.latitude.data,
        longitude=form.longitude.data,
    )


def new_images(form: ProposalForm) -> list[services.NewImage]:
    return [services.NewImage(image=prepared, alt_text=alt) for prepared, alt in form.prepared]


@bp.app_template_filter("markdown")
def markdown_filter(text: str | None) -> object:
    """``{{ text|markdown }}``: sanitised HTML from Markdown."""
    return render_markdown(text)


@bp.app_context_processor
def proposal_helpers() -> dict[str, object]:
    """Policies and words that proposal templates (and the process page's partial) use."""
    return {
        "can_propose": policies.can_propose,
        "can_edit_proposal": policies.can_edit,
        "can_withdraw_proposal": policies.can_withdraw,
        "proposal_status_label": labels.status_label,
        "feasibility_label": labels.feasibility_label,
        "proposal_event_label": labels.event_label,
        "utcnow": utcnow,
    }
