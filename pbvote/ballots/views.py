"""The voting booth: prove the right to vote, choose, review, cast, and get a receipt.

Every page works as plain form posts; ``static/js/booth.js`` only makes the booth live. Ballot pages
are never cached. Nothing here logs who voted or what was chosen.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass

from flask import Blueprint, abort, current_app, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from werkzeug.wrappers import Response

from pbvote.ballots import access, keys, queries
from pbvote.ballots.access import NeedsProof
from pbvote.ballots.booth import chosen_projects
from pbvote.ballots.eligibility import NotEligible
from pbvote.ballots.limits import booth_key, booth_limit
from pbvote.ballots.loaders import rules_for
from pbvote.ballots.pages import BoothView, ballot_page, closed, district_refusal
from pbvote.ballots.policies import can_vote
from pbvote.ballots.selection import apply_move, read_move
from pbvote.ballots.services import (
    AlreadyVoted,
    DuplicateSubmission,
    Voter,
    cast_ballot,
    has_voted,
    receipt_counted,
    resolve_retry,
)
from pbvote.core.errors import DomainError
from pbvote.core.validation import BallotInvalid, validate_ballot
from pbvote.db import utcnow
from pbvote.errors import error_response
from pbvote.extensions import db, limiter
from pbvote.processes.models import Budget, Process

bp = Blueprint("ballots", __name__, url_prefix="/stem", template_folder="templates")

View = Response | str | tuple[Response | str, int]
RETRY_KEY = re.compile(r"^[A-Za-z0-9_-]{32}$")
ALREADY_VOTED = _l("You have already voted in this budget. Each person can vote once.")


@dataclass(frozen=True)
class Opened:
    """The booth may open: this budget, for this voter."""

    budget: Budget
    voter: Voter


@bp.record_once
def _guard_the_freeze(_state: object) -> None:
    """Tell the processes feature how many ballots exist, so it refuses to unfreeze once voting started."""
    from pbvote.ballots.services import process_ballot_count
    from pbvote.processes.freeze import BALLOT_COUNTERS

    if process_ballot_count not in BALLOT_COUNTERS:
        BALLOT_COUNTERS.append(process_ballot_count)


@bp.after_request
def _never_cache(response: Response) -> Response:
    """Ballot and receipt pages stay out of every cache; a new open-voting cookie goes out here."""
    response.headers["Cache-Control"] = "no-store"
    return access.set_browser_cookie(response)


@bp.route("/pulje/<int:budget_id>", methods=["GET", "POST"])
@limiter.limit(booth_limit, key_func=booth_key, methods=["POST"], scope="booth")
def booth(budget_id: int) -> View:
    """The booth: cards, filters and the budget bar; each Add/Remove/Up/Down post shows it again."""
    opened = _open_booth(budget_id)
    if not isinstance(opened, Opened):
        return opened
    view = BoothView.load(opened.budget, request.form if request.method == "POST" else request.args)
    selection = view.selection
    if request.method == "POST":
        move = read_move(request.form)
        if move is not None:
            selection = apply_move(selection, move, view.codes)
    return view.render(selection)


@bp.post("/pulje/<int:budget_id>/gennemse")
@limiter.limit(booth_limit, key_func=booth_key, scope="booth")
def review(budget_id: int) -> View:
    """Check the choice with core, then ask for confirmation with a fresh retry key."""
    opened = _open_booth(budget_id)
    if not isinstance(opened, Opened):
        return opened
    budget = opened.budget
    view = BoothView.load(budget, request.form)
    violations = validate_ballot(rules_for(budget).spec, view.selection.as_input())
    if violations:
        return view.render(view.selection, errors=view.messages(violations), status=422)
    chosen = chosen_projects(view.projects, view.selection)
    return ballot_page(
        "ballots/review.html",
        budget,
        view=view,
        chosen=chosen,
        total=sum(project.cost for project, _value in chosen),
        retry_key=secrets.token_urlsafe(24),
    )


@bp.post("/pulje/<int:budget_id>/afgiv")
@limiter.limit(booth_limit, key_func=booth_key, scope="booth")
def cast(budget_id: int) -> View:
    """Store the ballot once (a repeated submission gets the same receipt) and show the receipt."""
    budget = _budget_or_404(budget_id)
    retry_key = request.form.get("retry_key", "")
    if RETRY_KEY.match(retry_key) and access.session_receipt(budget.id) == keys.receipt_for(
        budget.id, retry_key
    ):
        return redirect(url_for("ballots.receipt", budget_id=budget.id))
    opened = _open_booth(budget_id, for_cast=True)
    if not isinstance(opened, Opened):
        return opened
    voter = opened.voter
    view = BoothView.load(budget, request.form)
    if not RETRY_KEY.match(retry_key):
        message = _("Your confirmation was incomplete. Check your choices and confirm again.")
        return view.render(view.selection.cleaned(view.codes), errors=[message], status=422)
    try:
        receipt = cast_ballot(voter, budget, view.selection.as_input(), retry_key=retry_key, now=utcnow())
        db.session.commit()
    except DuplicateSubmission:
        db.session.rollback()
        try:
            receipt = resolve_retry(voter, budget, retry_key)
        except AlreadyVoted as exc:
            return ballot_page("ballots/already_voted.html", budget, message=str(exc), status=409)
    except BallotInvalid as exc:
        db.session.rollback()
        return view.render(
            view.selection.cleaned(view.codes), errors=view.messages(exc.violations), status=422
        )
    except DomainError as exc:
        db.session.rollback()
        return error_response(403, str(exc))
    return _after_cast(budget, receipt)


@bp.get("/pulje/<int:budget_id>/kvittering")
def receipt(budget_id: int) -> View:
    """The receipt of the ballot this browser just cast, and how to check it later."""
    budget = _budget_or_404(budget_id)
    code = access.session_receipt(budget.id)
    if code is None:
        return redirect(url_for("ballots.receipts", budget_id=budget.id))
    counted = receipt_counted(budget.id, code)
    return ballot_page("ballots/receipt.html", budget, receipt=code, counted=counted)


def _after_cast(budget: Budget, receipt: str) -> Response:
    """Forget the code, keep the receipt for the receipt page, and go there."""
    access.forget_code(budget.id)
    access.remember_receipt(budget.id, receipt)
    return redirect(url_for("ballots.receipt", budget_id=budget.id))


def _budget_or_404(budget_id: int) -> Budget:
    budget = queries.public_budget(budget_id)
    if budget is None:
        abort(404)
    return budget


def _open_booth(budget_id: int, *, for_cast: bool = False) -> Opened | View:
    """The budget and the voter, or the page that comes first: 404, closed, log in, type a code, voted."""
    budget = _budget_or_404(budget_id)
    process = budget.process
    if not can_vote(process, utcnow()):
        return closed(process)
    try:
        voter = access.booth_voter(process, budget)
    except NeedsProof as need:
        return _ask_for_proof(process, budget, need.step)
    except NotEligible as exc:
        if for_cast and (answer := _repeated_code_cast(budget)) is not None:
            return answer
        access.forget_code(budget.id)
        return error_response(403, str(exc))
    refusal = district_refusal(process, budget, voter)
    if refusal is not None:
        return error_response(403, refusal)
    if not for_cast and has_voted(voter.key, budget):
        return ballot_page("ballots/already_voted.html", budget, message=str(ALREADY_VOTED))
    return Opened(budget, voter)


def _repeated_code_cast(budget: Budget) -> Response | None:
    """A confirm form sent again after its code was burnt: the same receipt if it is the same submission."""
    voter = access.spent_code_voter(budget)
    retry_key = request.form.get("retry_key", "")
    if voter is None or not RETRY_KEY.match(retry_key):
        return None
    try:
        receipt = resolve_retry(voter, budget, retry_key)
    except AlreadyVoted:
        return None
    return _after_cast(budget, receipt)


def _ask_for_proof(process: Process, budget: Budget, step: str) -> Response:
    if step == "login":
        return redirect(url_for("auth.login", next=url_for("ballots.booth", budget_id=budget.id)))
    if step == "census":
        flash(_("Type your person number to vote."), "info")
    else:
        flash(_("Type your voting code to vote."), "info")
    return redirect(url_for("ballots.landing", slug=process.slug))


@bp.app_context_processor
def voting_helpers() -> dict[str, object]:
    """What the process page's voting links and the receipt page need."""
    return {"voting_open": lambda process: can_vote(process, utcnow()), "survey_url": _survey_url}


def _survey_url(process: Process) -> str | None:
    """The optional questions after voting, when the process asks them."""
    endpoint = "ballots_survey.answer"
    if not process.ask_questions or endpoint not in current_app.view_functions:
        return None
    return url_for(endpoint, process_id=process.id)


from pbvote.ballots import proof_views, receipt_views  # noqa: E402, F401  (routes on this blueprint)
