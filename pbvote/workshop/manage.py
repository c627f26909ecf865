"""The instructor's side: start a workshop in one click, then run it from a phone or a laptop.

Every control is a CSRF-protected post that calls one service, commits once and comes back to the
controls page; a control that does not fit the state is refused with a message and changes nothing.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, current_app, flash, redirect, render_template, url_for
from flask_babel import get_locale, ngettext
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response
from wtforms import BooleanField, IntegerField, RadioField, SelectField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, NumberRange, Optional

from pbvote.core.errors import DomainError
from pbvote.db import utcnow
from pbvote.extensions import db, login_manager
from pbvote.processes.models import Process
from pbvote.workshop import policies, queries, services
from pbvote.workshop.models import Workshop
from pbvote.workshop.simulate import DEFAULT_SEED, DEFAULT_VOTERS, MAX_VOTERS, add_simulated_ballots
from pbvote.workshop.views import join_address

manage_bp = Blueprint(
    "workshop_manage", __name__, url_prefix="/sagsbehandling/workshops", template_folder="templates"
)

Page = Response | str | tuple[str, int]
TEMPLATE_CHOICES = [
    SelectChoice("da", _l("Danish town (Egeby)")),
    SelectChoice("en", _l("English town (Millbrook)")),
    SelectChoice("copy", _l("A copy of a process")),
]


class NewWorkshopForm(FlaskForm):
    """One click: a template, or a process to copy."""

    template = RadioField(_l("Start from"), choices=TEMPLATE_CHOICES, default="da")
    source = SelectField(_l("Process to copy"), coerce=int, validators=[Optional()])


class ControlForm(FlaskForm):
    """A control button: only the CSRF token."""


class SimulateForm(FlaskForm):
    """How many simulated voters, and the seed that makes them reproducible."""

    voters = IntegerField(_l("Simulated voters"), default=DEFAULT_VOTERS,
                          validators=[InputRequired(), NumberRange(min=1, max=MAX_VOTERS)])  # fmt: skip
    seed = IntegerField(
        _l("Seed"), default=DEFAULT_SEED, validators=[Optional(), NumberRange(min=0, max=10**9)]
    )


class ResetForm(FlaskForm):
    """Resetting deletes every vote: an explicit tick."""

    confirm = BooleanField(
        _l("Yes, delete all votes and joins"),
        validators=[DataRequired(message=_l("Tick the box to confirm that every vote may be deleted."))],
    )


@manage_bp.before_request
def staff_only() -> Response | None:
    """Staff only: anonymous visitors log in, residents get 403."""
    if not current_user.is_authenticated:
        return login_manager.unauthorized()  # type: ignore[no-any-return]
    if not policies.can_run_workshops(current_user):
        abort(403)
    return None


@manage_bp.after_request
def never_cache(response: Response) -> Response:
    """Counts and controls change by the second."""
    response.headers["Cache-Control"] = "no-store"
    return response


def me() -> Any:
    return current_user._get_current_object()


def _new_form() -> NewWorkshopForm:
    form = NewWorkshopForm()
    locale = str(get_locale())
    form.source.choices = [SelectChoice(0, _("Choose a process"))] + [
        SelectChoice(p.id, p.title(locale)) for p in queries.copyable_processes()
    ]
    return form


@manage_bp.get("/")
def index() -> Page:
    """Workshops so far, and the one-click start."""
    return _index_page(_new_form(), 200)


def _index_page(form: NewWorkshopForm, status: int) -> tuple[str, int]:
    return render_template("workshop/manage/index.html", workshops=queries.workshop_list(), form=form), status


@manage_bp.post("/ny")
def create() -> Page:
    """Create a workshop from a template or a copy and open its controls."""
    form = _new_form()
    if not form.validate_on_submit():
        return _index_page(form, 422)
    source = None
    if form.template.data == "copy":
        source = db.session.get(Process, form.source.data or 0)
        if source is None:
            form.source.errors = [_("Choose the process to copy.")]
            return _index_page(form, 422)
    try:
        workshop = services.create_workshop(me(), form.template.data, source=source, now=utcnow())
        db.session.commit()
    except DomainError as exc:
        db.session.rollback()
        flash(str(exc), "error")
        return redirect(url_for("workshop_manage.index"))
    flash(_("The workshop is ready. Its code is %(code)s.", code=workshop.join_code), "success")
    return redirect(url_for("workshop_manage.controls", workshop_id=workshop.id))


@manage_bp.get("/<int:workshop_id>")
def controls(workshop_id: int) -> Page:
    """The instructor's remote: code, QR, live counts and the buttons that fit the state."""
    return _controls_page(_workshop_or_404(workshop_id))


def _controls_page(workshop: Workshop, *, simulate: SimulateForm | None = None,
                   reset: ResetForm | None = None, status: int = 200) -> Page:  # fmt: skip
    page = render_template(
        "workshop/manage/controls.html",
        workshop=workshop,
        status=queries.live_status(workshop),
        address=join_address(workshop),
        control=ControlForm(),
        simulate=simulate or SimulateForm(),
        reset=reset or ResetForm(),
        can=lambda action: policies.can_control(action, workshop.state),
        projector=_projector_url(workshop),
    )
    return page, status


def _projector_url(workshop: Workshop) -> str | None:
    endpoint = "workshop_projector.projector"
    if endpoint not in current_app.view_functions:
        return None
    return url_for(endpoint, code=workshop.join_code)


@manage_bp.post("/<int:workshop_id>/<action>")
def control(workshop_id: int, action: str) -> Page:
    """Run one control: open, close, reveal, forward, back, simulate or reset."""
    workshop = _workshop_or_404(workshop_id)
    if action not in ("open", "close", "reveal", "forward", "back", "simulate", "reset"):
        abort(404)
    form: FlaskForm = {"simulate": SimulateForm, "reset": ResetForm}.get(action, ControlForm)()
    if not form.validate_on_submit():
        keyword = {"simulate": "simulate", "reset": "reset"}.get(action)
        return _controls_page(workshop, status=422, **({keyword: form} if keyword else {}))
    try:
        message = _run(action, workshop, form)
        db.session.commit()
    except DomainError as exc:
        db.session.rollback()
        flash(str(exc), "error")
    else:
        flash(message, "success")
    return redirect(url_for("workshop_manage.controls", workshop_id=workshop.id))


def _run(action: str, workshop: Workshop, form: Any) -> str:
    """Call the service for ``action`` and say what happened."""
    now = utcnow()
    if action == "open":
        services.open_voting(me(), workshop, now=now)
        return _("The voting is open.")
    if action == "close":
        services.close_voting(me(), workshop, now=now)
        return _("The voting is closed.")
    if action == "reveal":
        services.reveal(me(), workshop, now=now)
        return _("The votes are counted. Step forward to show the projects one by one.")
    if action in ("forward", "back"):
        step = services.step(me(), workshop, 1 if action == "forward" else -1, now=now)
        return _("Showing step %(step)d.", step=step)
    if action == "simulate":
        seed = form.seed.data if form.seed.data is not None else DEFAULT_SEED
        added = add_simulated_ballots(me(), workshop, voters=form.voters.data, seed=seed, now=now)
        return ngettext("Added %(num)d simulated ballot.", "Added %(num)d simulated ballots.", added)
    services.reset(me(), workshop, now=now)
    return _("The workshop is reset: no votes, back in the lobby.")


def _workshop_or_404(workshop_id: int) -> Workshop:
    workshop = db.session.get(Workshop, workshop_id)
    if workshop is None:
        abort(404)
    return workshop
