"""The paper ballot station: staff type in paper ballots one by one, fast, from the keyboard.

The page comes back empty after each ballot, with the ballot's number at this station today and the
focus on the first field. The station's name is kept in the staff member's session.
"""

from __future__ import annotations

from flask import flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from werkzeug.datastructures import MultiDict

from pbvote.ballots import paper
from pbvote.ballots.manage import Page, budget_or_404, manage_bp, me
from pbvote.ballots.manage_forms import PaperForm, StationForm
from pbvote.ballots.messages import violation_messages
from pbvote.ballots.policies import can_enter_paper_ballots
from pbvote.ballots.services import DuplicateSubmission
from pbvote.core.errors import DomainError, NotAllowed
from pbvote.core.validation import BallotInvalid
from pbvote.db import utcnow
from pbvote.extensions import db
from pbvote.processes.models import Budget
from pbvote.urls import safe_next

STATION_KEY = "paper_station"


@manage_bp.post("/station")
def station() -> Page:
    """Remember which voting station this staff member is entering ballots at."""
    form = StationForm()
    target = safe_next(form.next.data) or url_for(".index")
    if not form.validate_on_submit():
        session.pop(STATION_KEY, None)
        return redirect(target)
    session[STATION_KEY] = form.station.data
    return redirect(target)


@manage_bp.route("/pulje/<int:budget_id>/papir", methods=["GET", "POST"])
def paper_entry(budget_id: int) -> Page:
    """Enter one paper ballot; on success the empty form comes back for the next one."""
    budget = budget_or_404(budget_id)
    form = PaperForm()
    if not form.is_submitted():
        return entry_page(budget, PaperForm(formdata=None, entry_key=paper.new_entry_key()))
    if not form.validate():  # the CSRF token
        return entry_page(budget, form, 400)
    form.entry_key.data = paper.clean_entry_key(form.entry_key.data)
    projects = budget.projects
    try:
        entry = paper.PaperEntry(
            identity=form.identity.data or "",
            choice=paper.choice_from_form(budget.ballot_kind, projects, request.form),
            entry_key=form.entry_key.data,
            station=session.get(STATION_KEY, ""),
        )
        result = _enter(budget, entry)
    except BallotInvalid as exc:
        db.session.rollback()
        by_code = {project.code: project for project in projects}
        problems = violation_messages(exc.violations, by_code, currency=budget.process.currency)
        return entry_page(budget, form, 422, problems)
    except DomainError as exc:
        db.session.rollback()
        status = 403 if isinstance(exc, NotAllowed) else 422
        return entry_page(budget_or_404(budget_id), form, status, [str(exc)])
    if result.repeated:
        flash(_("Paper ballot no. %(number)d was already registered.", number=result.number), "success")
    else:
        flash(_("Paper ballot no. %(number)d registered.", number=result.number), "success")
    return redirect(url_for(".paper_entry", budget_id=budget_id))


def _enter(budget: Budget, entry: paper.PaperEntry) -> paper.PaperResult:
    """Store the ballot and commit once; a submission that lost a race is resolved as a retry."""
    now = utcnow()
    try:
        result = paper.enter_paper_ballot(me(), budget, entry, now=now)
        db.session.commit()
    except DuplicateSubmission:
        db.session.rollback()
        result = paper.resolve_repeat(budget_or_404(budget.id), entry, now=now)
    return result


def entry_page(
    budget: Budget, form: PaperForm, status: int = 200, problems: list[str] | None = None
) -> tuple[str, int]:
    """The station page: station name, today's count, and the form for the next ballot."""
    now = utcnow()
    station_name = session.get(STATION_KEY, "")
    process = budget.process
    return render_template(
        "ballots/manage/paper.html",
        budget=budget,
        process=process,
        form=form,
        mode=paper.paper_mode(process),
        allowed=can_enter_paper_ballots(me(), process, now),
        station=station_name,
        station_form=StationForm(formdata=None, station=station_name, next=request.path),
        count=paper.station_count(budget, station_name, now) if station_name else 0,
        problems=problems or [],
        values=request.form if status != 200 else MultiDict(),
    ), status
