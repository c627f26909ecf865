"""Public pages: how the winning projects are being carried out, their photos, and following the process.

The overview and project pages exist only once a result is published. Following is open from voting on
(the voting receipt links here) and stores nothing but the process and an e-mail address.
"""

from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, make_response, redirect, render_template, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

from pbvote.core.errors import DomainError
from pbvote.db import utcnow
from pbvote.extensions import db, limiter
from pbvote.implementation import labels, queries, services
from pbvote.implementation.forms import ConfirmForm, FollowForm
from pbvote.implementation.policies import can_follow
from pbvote.processes.models import Process
from pbvote.processes.queries import process_by_slug

bp = Blueprint("implementation", __name__, url_prefix="/udfoerelse", template_folder="templates")

PHOTO_MAX_AGE = 3600
View = Response | str | tuple[Response | str, int]


def _follow_limit() -> str:
    return str(current_app.config.get("IMPLEMENTATION_FOLLOW_RATE_LIMIT", "10 per hour"))


def process_or_404(slug: str) -> Process:
    process = process_by_slug(slug)
    if process is None:
        abort(404)
    return process


def published_or_404(slug: str) -> tuple[Process, list[queries.Winner]]:
    """The process and its winners, once a result is public; before that the pages do not exist."""
    process = process_or_404(slug)
    if not queries.published_runs(process):
        abort(404)
    return process, queries.winners(process)


def follow_form() -> FollowForm:
    """The follow form; a logged-in resident's address is filled in for them."""
    return FollowForm(email=current_user.email if current_user.is_authenticated else None)


@bp.get("/<slug>")
def overview(slug: str) -> View:
    """Every winning project with its status, progress and latest update, and the follow form."""
    process, winners = published_or_404(slug)
    return render_template(
        "implementation/overview.html", process=process, winners=winners, form=follow_form()
    )


@bp.get("/<slug>/<key>")
def project(slug: str, key: str) -> View:
    """One winning project: status, progress and the timeline of dated updates with photos."""
    process, winners = published_or_404(slug)
    winner = next((w for w in winners if w.key == key), None)
    if winner is None:
        abort(404)
    updates = queries.updates_of(winner.project.id)
    return render_template("implementation/project.html", process=process, winner=winner, updates=updates)


@bp.get("/foto/<token>")
def photo(token: str) -> Response:
    """A photo of the work, served so no browser can treat it as anything but an image."""
    picture = queries.photo_by_token(token)
    if picture is None:
        abort(404)
    project = picture.update.project
    process = db.session.get(Process, project.budget.process_id)
    if process is None or all(w.project.id != project.id for w in queries.winners(process)):
        abort(404)
    response = make_response(picture.data)
    extension = "png" if picture.mime_type == "image/png" else "jpg"
    response.headers["Content-Type"] = picture.mime_type
    response.headers["Content-Disposition"] = f'inline; filename="udfoerelse-{picture.id}.{extension}"'
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = "default-src 'none'"
    response.headers["Cross-Origin-Resource-Policy"] = "same-origin"
    response.headers["Cache-Control"] = f"public, max-age={PHOTO_MAX_AGE}"
    return response


@bp.route("/<slug>/foelg", methods=["GET", "POST"])
@limiter.limit(_follow_limit, methods=["POST"])
def follow(slug: str) -> View:
    """Ask for e-mails about the winners; a link in the first e-mail confirms the address."""
    process = process_or_404(slug)
    if not can_follow(process):
        abort(404)
    form = follow_form()
    if form.validate_on_submit():
        try:
            services.follow_process(process, form.email.data, locale=str(get_locale()), now=utcnow())
        except DomainError as exc:
            db.session.rollback()
            form.form_errors.append(str(exc))
        else:
            db.session.commit()
            return render_template("implementation/follow_sent.html", process=process, email=form.email.data)
    status = 422 if form.errors else 200
    public = bool(queries.published_runs(process))
    return render_template("implementation/follow.html", process=process, form=form, public=public), status


@bp.route("/bekraeft/<token>", methods=["GET", "POST"])
def confirm(token: str) -> View:
    """Confirm an address by the link in the first e-mail (a button, so mail scanners confirm nothing)."""
    follower = queries.follower_by_token(token)
    if follower is None:
        abort(404)
    process = db.session.get(Process, follower.process_id)
    form = ConfirmForm()
    if form.validate_on_submit():
        services.confirm_follower(token)
        db.session.commit()
        flash(
            _("Thank you. You will get an e-mail when there is news about the winning projects."), "success"
        )
        return redirect(url_for(".follow_done", slug=process.slug if process else ""))
    return render_template("implementation/confirm.html", process=process, form=form, token=token)


@bp.get("/<slug>/foelger")
def follow_done(slug: str) -> View:
    """Where a confirmed follower lands: the overview once public, else a short note."""
    process = process_or_404(slug)
    if queries.published_runs(process):
        return redirect(url_for(".overview", slug=slug))
    return render_template("implementation/follow_done.html", process=process)


@bp.route("/afmeld/<token>", methods=["GET", "POST"])
def unfollow(token: str) -> View:
    """Stop the e-mails: the address is deleted, not just switched off."""
    follower = queries.follower_by_token(token)
    form = ConfirmForm()
    if follower is not None and form.validate_on_submit():
        process = services.unfollow(token)
        db.session.commit()
        return render_template("implementation/unfollowed.html", process=process)
    if follower is None:
        return render_template("implementation/unfollowed.html", process=None, unknown=True), 404
    return render_template("implementation/unfollow.html", form=form, token=token, email=follower.email)


@bp.record_once
def _template_helpers(state: object) -> None:
    """Status words and symbols, as globals so the imported macros see them too."""
    app = state.app  # type: ignore[attr-defined]
    app.jinja_env.globals.update(
        progress_status_label=labels.status_label, progress_status_icon=labels.status_icon
    )
