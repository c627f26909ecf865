"""A process's voting page: prove the right to vote (log in, person number or voting code), pick a budget.

Typed codes and person numbers are rate-limited per address (PBVOTE_VOTING_PROOF_RATE_LIMIT, default 20
per minute; shared across workers when Redis is configured). Only a code's normalised text (until the
ballot is cast) and a person number's keyed hash are kept in the signed session.
"""

from __future__ import annotations

from flask import abort, current_app, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user

from pbvote.ballots import access, keys, queries
from pbvote.ballots.census import match_person, old_enough
from pbvote.ballots.eligibility import NotEligible
from pbvote.ballots.forms import PersonNumberForm, VotingCodeForm
from pbvote.ballots.pages import closed, landing_rows
from pbvote.ballots.policies import can_vote
from pbvote.ballots.views import View, bp
from pbvote.db import utcnow
from pbvote.extensions import limiter
from pbvote.processes.models import Eligibility, Process

PROOF_LIMIT = "20 per minute"


def _proof_limit() -> str:
    return str(current_app.config.get("VOTING_PROOF_RATE_LIMIT") or PROOF_LIMIT)


@bp.get("/<slug>/")
def landing(slug: str) -> View:
    """A process's voting page: prove the right to vote, then pick a budget (own district first)."""
    process = _voting_process_or_404(slug)
    if not can_vote(process, utcnow()):
        return closed(process)
    if process.eligibility is Eligibility.ACCOUNT and not current_user.is_authenticated:
        return redirect(url_for("auth.login", next=url_for("ballots.landing", slug=slug)))
    return _render_landing(process)


@bp.post("/<slug>/kode")
@limiter.limit(_proof_limit, methods=["POST"])
def enter_code(slug: str) -> View:
    """Check a typed voting code and open the booth of its budget."""
    process = _voting_process_or_404(slug)
    if not can_vote(process, utcnow()):
        return closed(process)
    if process.eligibility is not Eligibility.CODE:
        abort(404)
    form = VotingCodeForm()
    if form.validate_on_submit():
        try:
            budget = access.code_budget(process, form.code.data)
        except NotEligible as exc:
            form.code.errors.append(str(exc))
        else:
            access.remember_code(budget.id, keys.normalise_code(form.code.data))
            return redirect(url_for("ballots.booth", budget_id=budget.id))
    return _render_landing(process, code_form=form), 422


@bp.post("/<slug>/cpr")
@limiter.limit(_proof_limit, methods=["POST"])
def enter_person_number(slug: str) -> View:
    """Match the person number against the census list once per session; only its hash is kept."""
    process = _voting_process_or_404(slug)
    if not can_vote(process, utcnow()):
        return closed(process)
    if process.eligibility is not Eligibility.ACCOUNT or not process.census_required:
        abort(404)
    if not current_user.is_authenticated:
        return redirect(url_for("auth.login", next=url_for("ballots.landing", slug=slug)))
    form = PersonNumberForm()
    if form.validate_on_submit():
        entry = match_person(process, form.person_number.data)
        if entry is None:
            form.person_number.errors.append(
                _("This person number is not on the list of voters for this vote.")
            )
        elif not old_enough(entry, process, utcnow().date()):
            form.person_number.errors.append(
                _("You must be at least %(age)d years old to vote.", age=process.min_age)
            )
        else:
            access.remember_census(process.id, access.CensusMatch(entry.person_hash, entry.district))
            return redirect(url_for("ballots.landing", slug=slug))
    return _render_landing(process, census_form=form), 422


def _voting_process_or_404(slug: str) -> Process:
    process = queries.voting_process_by_slug(slug)
    if process is None:
        abort(404)
    return process


def _code_form_for(process: Process) -> VotingCodeForm | None:
    """The code form (code processes only), filled in from the letter's QR code (`?kode=…`)."""
    if process.eligibility is not Eligibility.CODE:
        return None
    form = VotingCodeForm()
    scanned = request.args.get("kode", "")
    if scanned and not form.code.data and len(scanned) <= 40:
        form.code.data = scanned
    return form


def _render_landing(
    process: Process, *, code_form: VotingCodeForm | None = None, census_form: PersonNumberForm | None = None
) -> str:
    locale = str(get_locale())
    match = access.census_match(process.id) if process.census_required else None
    needs_census = process.eligibility is Eligibility.ACCOUNT and process.census_required and match is None
    return render_template(
        "ballots/landing.html",
        process=process,
        rows=[] if needs_census else landing_rows(process, match),
        code_form=code_form or _code_form_for(process),
        census_form=census_form or (PersonNumberForm() if needs_census else None),
        locale=locale,
    )
