"""The voting booth: prove the right to vote, choose, review, cast, and get a receipt.

Every page works as plain form posts; ``static/js/booth.js`` only makes the booth live. Ballot pages
are never cached. Nothing here logs who voted or what was chosen.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Sequence
from dataclasses import dataclass

from flask import Blueprint, abort, current_app, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from werkzeug.wrappers import Response

from pbvote.ballots import access, keys, queries
from pbvote.ballots.access import NeedsProof
from pbvote.ballots.booth import chosen_projects
from pbvote.ballots.eligibility import NotEligible, code_voter
from pbvote.ballots.firstview import first_view
from pbvote.ballots.limits import booth_key, booth_limit
from pbvote.ballots.loaders import rules_for
from pbvote.ballots.pages import BoothView, ballot_page, closed, district_refusal
from pbvote.ballots.policies import can_vote
from pbvote.ballots.selection import apply_move, read_move, read_selection
from pbvote.ballots.services import (
    AlreadyVoted,
    DuplicateSubmission,
    Voter,
    cast_ballot,
    has_voted,
    receipt_counted,
    resolve_retry,
    voting_budget,
)
from pbvote.core.errors import DomainError
from pbvote.core.validation import BallotInvalid, Violation, validate_ballot
from pbvote.db import utcnow
from pbvote.errors import error_response
from pbvote.extensions import db, limiter
from pbvote.processes.models import Budget, Eligibility, Process

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
    if request.method == "GET" and (cached := first_view(budget_id, lambda: _booth(budget_id))) is not None:
        return cached
    return _booth(budget_id)


def _booth(budget_id: int) -> View:
    """The booth rendered for this visitor and what they sent."""
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
    budget = voting_budget(budget_id)  # the budget and its process only: the success path reads no more
    if budget is None:
        abort(404)
    retry_key = request.form.get("retry_key", "")
    if RETRY_KEY.match(retry_key) and access.session_receipt(budget_id) == keys.receipt_for(
        budget_id, retry_key
    ):
        return redirect(url_for("ballots.receipt", budget_id=budget_id))
    opened = _open_for_cast(budget)
    if not isinstance(opened, Opened):
        return opened
    voter = opened.voter
    selection = read_selection(budget.ballot_kind, request.form)
    if not RETRY_KEY.match(retry_key):
        message = _("Your confirmation was incomplete. Check your choices and confirm again.")
        return _booth_again(budget_id, [message])
    try:
        receipt = cast_ballot(voter, budget, selection.as_input(), retry_key=retry_key, now=utcnow())
        db.session.commit()
    except DuplicateSubmission:
        db.session.rollback()
        return _refused_cast(budget_id, voter, retry_key)
    except BallotInvalid as exc:
        db.session.rollback()
        opened = _open_booth(budget_id, for_cast=True)  # a used or unknown code answers first
        return opened if not isinstance(opened, Opened) else _booth_again(budget_id, exc.violations)
    except DomainError as exc:
        db.session.rollback()
        return error_response(403, str(exc))
    return _after_cast(budget_id, receipt)


def _open_for_cast(budget: Budget) -> Opened | View:
    """The voter of a cast; a code from the session is checked by the write itself (it burns the code)."""
    process = budget.process
    if process.eligibility is not Eligibility.CODE or not can_vote(process, utcnow()):
        return _open_booth(budget.id, for_cast=True, budget=budget)
    code = access.session_code(budget.id)
    if code is None:
        return _ask_for_proof(process, budget, "code")
    return Opened(budget, code_voter(code))


def _refused_cast(budget_id: int, voter: Voter, retry_key: str) -> View:
    """The write found the voter voted or the code used or unknown: the same receipt for a retry, else why."""
    opened = _open_booth(budget_id, for_cast=True)  # a used or unknown code is answered here
    if not isinstance(opened, Opened):
        return opened
    try:
        receipt = resolve_retry(voter, opened.budget, retry_key)
    except AlreadyVoted as exc:
        return ballot_page("ballots/already_voted.html", opened.budget, message=str(exc), status=409)
    return _after_cast(budget_id, receipt)


def _booth_again(budget_id: int, problems: Sequence[str] | Sequence[Violation]) -> View:
    """The booth with the selection sent, and what to correct (422)."""
    budget = _budget_or_404(budget_id)
    view = BoothView.load(budget, request.form)
    errors = [p for p in problems if isinstance(p, str)] or view.messages(
        [p for p in problems if isinstance(p, Violation)]
    )
    return view.render(view.selection.cleaned(view.codes), errors=errors, status=422)


@bp.get("/pulje/<int:budget_id>/kvittering")
def receipt(budget_id: int) -> View:
    """The receipt of the ballot this browser just cast, and how to check it later."""
    budget = _budget_or_404(budget_id)
    code = access.session_receipt(budget.id)
    if code is None:
        return redirect(url_for("ballots.receipts", budget_id=budget.id))
    counted = receipt_counted(budget.id, code)
    return ballot_page("ballots/receipt.html", budget, receipt=code, counted=counted)


def _after_cast(budget_id: int, receipt: str) -> Response:
    """Forget the code, keep the receipt for the receipt page, and go there (no read after the commit)."""
    access.forget_code(budget_id)
    access.remember_receipt(budget_id, receipt)
    return redirect(url_for("ballots.receipt", budget_id=budget_id))


def _budget_or_404(budget_id: int) -> Budget:
    budget = queries.public_budget(budget_id)
    if budget is None:
        abort(404)
    return budget


def _open_booth(budget_id: int, *, for_cast: bool = False, budget: Budget | None = None) -> Opened | View:
    """The budget and the voter, or the page that comes first: 404, closed, log in, type a code, voted."""
    budget = budget or _budget_or_404(budget_id)
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
    return _after_cast(budget.id, receipt)


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
