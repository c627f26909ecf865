"""The JSON API's routes: read processes, budgets, projects and receipts; cast a ballot with a voting code."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from flask import Blueprint, Response, current_app, g, jsonify, request
from flask_babel import force_locale, get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_limiter.errors import RateLimitExceeded
from flask_limiter.util import get_remote_address
from werkzeug.exceptions import RequestEntityTooLarge

from pbvote.api import queries
from pbvote.api.casting import cast_with_code
from pbvote.api.openapi import openapi_document
from pbvote.api.payloads import MAX_BODY_BYTES, BadPayload, read_ballot_request, read_receipt, retry_key_for
from pbvote.api.responses import api_error, not_found
from pbvote.api.serializers import process_detail, process_summary, project_json, results_json
from pbvote.api.violations import violations_json
from pbvote.ballots.eligibility import NotEligible
from pbvote.ballots.services import AlreadyVoted
from pbvote.core.errors import DomainError, NotAllowed
from pbvote.core.validation import BallotInvalid
from pbvote.db import utcnow
from pbvote.extensions import limiter
from pbvote.pagecache import cached_public_page
from pbvote.processes.models import Budget
from pbvote.processes.queries import public_processes
from pbvote.results.policies import results_public
from pbvote.results.queries import published_run

bp = Blueprint("api", __name__, url_prefix="/api/v1")

DEFAULT_CAST_LIMIT = "60 per minute"  # all submissions, per address and budget
DEFAULT_CODE_GUESS_LIMIT = "20 per hour"  # submissions with a code the budget does not know
BUDGET_ID = f"<int(max={queries.MAX_ID}):budget_id>"

Answer = Response | tuple[Response, int]


def in_request_language(view: Callable[..., Answer]) -> Callable[..., Answer]:
    """Answer in the client's Accept-Language when we speak it, else in the municipality's language."""

    @wraps(view)
    def localised(*args: Any, **kwargs: Any) -> Answer:
        config = current_app.config
        wanted = request.headers.get("Accept-Language")
        locale = request.accept_languages.best_match(config["LOCALES"]) if wanted else None
        with force_locale(locale or config["DEFAULT_LOCALE"]):
            return view(*args, **kwargs)

    return localised


def _locale() -> str:
    return str(get_locale())


@bp.get("/openapi.json")
def openapi() -> Answer:
    """The OpenAPI 3.1 description of this API."""
    return jsonify(openapi_document())


@bp.get("/processes")
@in_request_language
@cached_public_page
def processes() -> Answer:
    """Every public process, newest first."""
    return jsonify(processes=[process_summary(process, _locale()) for process in public_processes()])


@bp.get("/processes/<slug>")
@in_request_language
@cached_public_page
def process(slug: str) -> Answer:
    """One public process with its budgets and the digest of its frozen rules."""
    found = queries.public_process(slug)
    if found is None:
        return not_found(_("There is no public process at this address."))
    return jsonify(process_detail(found, _locale()))


@bp.get(f"/budgets/{BUDGET_ID}/projects")
@in_request_language
@cached_public_page
def projects(budget_id: int) -> Answer:
    """The projects on a budget's ballot, in ballot order."""
    budget = queries.public_budget(budget_id)
    if budget is None:
        return not_found(_("There is no public budget with this number."))
    listed = [project_json(project, budget, _locale()) for project in queries.ballot_projects(budget)]
    return jsonify(budget=budget.id, currency=budget.process.currency, projects=listed)


@bp.get(f"/budgets/{BUDGET_ID}/results")
@in_request_language
@cached_public_page
def results(budget_id: int) -> Answer:
    """A budget's published result; 404 until it is published and the voting has closed."""
    budget = queries.public_budget(budget_id)
    run = published_run(budget.id) if budget is not None else None
    if budget is None or run is None or not results_public(budget.process, run):
        return not_found(_("This budget has no published result."))
    return jsonify(results_json(budget, run))


@bp.get("/receipts/<receipt>")
@in_request_language
def receipt(receipt: str) -> Answer:
    """Whether the ballot with this receipt is in the ballot box (and counts), without its content."""
    shown = read_receipt(receipt)
    if shown is None:
        return not_found(_("This is not a receipt code. A receipt looks like ABCD-EFGH-JKMN."))
    budget_id = queries.budget_of_receipt(shown)
    return jsonify(receipt=shown, counted=budget_id is not None, budget=budget_id)


def _cast_limit() -> str:
    return str(current_app.config.get("API_CAST_RATE_LIMIT", DEFAULT_CAST_LIMIT))


def _code_guess_limit() -> str:
    return str(current_app.config.get("API_CODE_GUESS_RATE_LIMIT", DEFAULT_CODE_GUESS_LIMIT))


def _address_and_budget() -> str:
    """Limits count per client address and per budget (one kiosk cannot block another budget)."""
    return f"{get_remote_address()}|{(request.view_args or {}).get('budget_id')}"


def _was_a_guess(_response: Response) -> bool:
    return bool(g.get("api_code_guess"))


@bp.post(f"/budgets/{BUDGET_ID}/ballots")
@limiter.limit(_cast_limit, key_func=_address_and_budget, scope="api-cast")
@limiter.limit(_code_guess_limit, key_func=_address_and_budget, scope="api-code", deduct_when=_was_a_guess)
@in_request_language
def cast(budget_id: int) -> Answer:
    """Cast a ballot with a voting code: 201 with the receipt, or 200 with the same one for a retry."""
    budget = queries.public_budget(budget_id)
    if budget is None:
        return not_found(_("There is no public budget with this number."))
    try:
        submission = read_ballot_request(_ballot_body())
        retry_key = retry_key_for(submission.code, request.headers.get("Idempotency-Key"))
        outcome = cast_with_code(budget, submission, retry_key, now=utcnow())
    except DomainError as exc:
        return _refused(exc, budget)
    except RequestEntityTooLarge:
        limit = _body_limit() // 1024
        return api_error(413, _("A ballot may be at most %(kb)d KB.", kb=limit), "too_large")
    return jsonify(receipt=outcome.receipt), 201 if outcome.created else 200


def _body_limit() -> int:
    return int(current_app.config.get("API_MAX_BODY_BYTES", MAX_BODY_BYTES))


def _ballot_body() -> bytes:
    """The raw JSON body, read only up to the size limit.

    Raises:
        BadPayload: the body is not declared as JSON.
        RequestEntityTooLarge: it is longer than the limit.
    """
    if not request.is_json:
        raise BadPayload(_l("Send the ballot as JSON, with the header Content-Type: application/json."))
    request.max_content_length = _body_limit()
    return request.get_data(cache=False)


STATUS_OF_REFUSAL: tuple[tuple[type[DomainError], int], ...] = (
    (BadPayload, 400),
    (BallotInvalid, 422),
    (AlreadyVoted, 409),
    (NotEligible, 403),
    (NotAllowed, 403),
)


def _refused(exc: DomainError, budget: Budget) -> Answer:
    """The JSON answer for a refused submission (nothing was written)."""
    status = next((code for kind, code in STATUS_OF_REFUSAL if isinstance(exc, kind)), 422)
    if isinstance(exc, NotEligible):
        g.api_code_guess = True
    if isinstance(exc, BallotInvalid):
        message = _("The ballot does not keep the rules of this budget; see the violations.")
        return api_error(status, message, exc.code, violations=violations_json(exc.violations, budget))
    return api_error(status, str(exc), exc.code)


@bp.errorhandler(RateLimitExceeded)
def rate_limited(_error: RateLimitExceeded) -> Answer:
    """Too many submissions (or wrong codes) from this address for this budget."""
    return api_error(
        429, _("Too many attempts from your address. Please wait before you try again."), "rate_limited"
    )
