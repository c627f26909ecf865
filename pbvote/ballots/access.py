"""Who is voting in the booth: the process's eligibility rule applied to the visitor's session and cookies.

* ``account``: the logged-in user; when a census list is required, the person number typed once per
  session (kept only as its keyed hash) decides, so one person votes once whichever account they use.
* ``code``: a voting code typed on the process's voting page, kept in the signed session until the
  ballot is cast.
* ``open``: a random token in a long-lived signed cookie, one vote per browser (workshops and demos).

The session holds the code, the census hash and the receipts of this browser only; nothing here is
logged, and nothing links what is chosen to who chose it.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from typing import Any

from flask import current_app, g, request, session
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import select
from werkzeug.wrappers import Response

from pbvote.ballots.eligibility import (
    NotEligible,
    voter_for_account,
    voter_for_browser,
    voter_for_census,
    voter_for_code,
)
from pbvote.ballots.keys import code_hash
from pbvote.ballots.models import VotingCode
from pbvote.ballots.services import Voter
from pbvote.extensions import db
from pbvote.processes.models import Budget, Eligibility, Process

BROWSER_COOKIE = "pbvote_voter"
BROWSER_COOKIE_DAYS = 400
_CODES, _CENSUS, _RECEIPTS, _SEED = "voting_codes", "voting_census", "voting_receipts", "booth_seed"


@dataclass(frozen=True)
class CensusMatch:
    """A person matched on a process's census list in this session (hash and district, never the number)."""

    person_hash: str
    district: str | None


class NeedsProof(Exception):
    """The visitor must first log in, type a code or a person number; ``step`` says which."""

    def __init__(self, step: str) -> None:
        super().__init__(step)
        self.step = step  # "login", "census" or "code"


def booth_voter(process: Process, budget: Budget) -> Voter:
    """The voter for this budget under the process's eligibility rule.

    Raises:
        NeedsProof: nothing proves who the visitor is yet.
        NotEligible: the code in the session is unknown or used.
    """
    if process.eligibility is Eligibility.OPEN:
        return voter_for_browser(browser_token())
    if process.eligibility is Eligibility.CODE:
        code = session_code(budget.id)
        if code is None:
            raise NeedsProof("code")
        return voter_for_code(budget, code)
    if not current_user.is_authenticated:
        raise NeedsProof("login")
    if process.census_required:
        match = census_match(process.id)
        if match is None:
            raise NeedsProof("census")
        return voter_for_census(match.person_hash)
    return voter_for_account(current_user.id)


def spent_code_voter(budget: Budget) -> Voter | None:
    """The voter of the session's code even when it has been used (to answer a repeated submission)."""
    code = session_code(budget.id)
    return None if code is None else Voter(key=f"code:{code_hash(code)}")


def process_voter(process: Process) -> Voter | None:
    """The voter across the process's budgets (account, census, open); None for codes or when unknown."""
    try:
        if process.eligibility is Eligibility.CODE:
            return None
        return booth_voter(process, process.budgets[0]) if process.budgets else None
    except (NeedsProof, NotEligible):
        return None


def code_budget(process: Process, code: str) -> Budget:
    """The budget of the process that a typed voting code belongs to.

    Raises:
        NotEligible: the code is unknown in this process, or used.
    """
    budgets = {budget.id: budget for budget in process.budgets}
    found = db.session.scalar(
        select(VotingCode.budget_id).where(
            VotingCode.code_hash == code_hash(code), VotingCode.budget_id.in_(list(budgets))
        )
    )
    if found is None:
        raise NotEligible(
            _l("This voting code does not belong to this vote. Check that you typed it correctly.")
        )
    budget = budgets[found]
    voter_for_code(budget, code)  # raises the precise reason: unknown or used
    return budget


# --- the session ----------------------------------------------------------------------------------


def _bucket(name: str) -> dict[str, Any]:
    value = session.get(name)
    return dict(value) if isinstance(value, dict) else {}


def _store(name: str, key: int, value: Any) -> None:
    bucket = _bucket(name)
    if value is None:
        bucket.pop(str(key), None)
    else:
        bucket[str(key)] = value
    session[name] = bucket


def session_code(budget_id: int) -> str | None:
    value = _bucket(_CODES).get(str(budget_id))
    return value if isinstance(value, str) else None


def remember_code(budget_id: int, code: str) -> None:
    _store(_CODES, budget_id, code)


def forget_code(budget_id: int) -> None:
    """Drop the code once the ballot is cast (or found to be used)."""
    _store(_CODES, budget_id, None)


def census_match(process_id: int) -> CensusMatch | None:
    value = _bucket(_CENSUS).get(str(process_id))
    if not isinstance(value, dict) or not isinstance(value.get("hash"), str):
        return None
    district = value.get("district")
    return CensusMatch(value["hash"], district if isinstance(district, str) else None)


def remember_census(process_id: int, match: CensusMatch) -> None:
    _store(_CENSUS, process_id, {"hash": match.person_hash, "district": match.district})


def session_receipt(budget_id: int) -> str | None:
    value = _bucket(_RECEIPTS).get(str(budget_id))
    return value if isinstance(value, str) else None


def remember_receipt(budget_id: int, receipt: str) -> None:
    _store(_RECEIPTS, budget_id, receipt)


def booth_seed() -> str:
    """Where this visitor's project order starts (``booth.voter_order``), drawn once per session so a
    reload keeps the order."""
    seed = session.get(_SEED)
    if not isinstance(seed, str):
        seed = str(secrets.randbelow(2**32))
        session[_SEED] = seed
    return seed


# --- the open-voting browser cookie --------------------------------------------------------------------


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(str(current_app.config["SECRET_KEY"]), salt="pbvote-open-voter")


def browser_token() -> str:
    """This browser's random token from its signed cookie, or a new one (set on the response)."""
    if "voter_token" in g:
        return str(g.voter_token)
    try:
        token = _serializer().loads(request.cookies.get(BROWSER_COOKIE, ""))
    except BadSignature:
        token = None
    if not isinstance(token, str) or len(token) < 20:
        token = secrets.token_urlsafe(24)
        g.new_voter_token = token
    g.voter_token = token
    return token


def cookie_token() -> str | None:
    """This browser's token from its signed cookie, or None; never makes a new one (rate-limit keys)."""
    try:
        token = _serializer().loads(request.cookies.get(BROWSER_COOKIE, ""))
    except BadSignature:
        return None
    return token if isinstance(token, str) and len(token) >= 20 else None


def set_browser_cookie(response: Response) -> Response:
    """Send the new open-voting cookie, if this request made one."""
    token = g.pop("new_voter_token", None)
    if token:
        response.set_cookie(
            BROWSER_COOKIE,
            _serializer().dumps(token),
            max_age=BROWSER_COOKIE_DAYS * 24 * 3600,
            secure=bool(current_app.config.get("SESSION_COOKIE_SECURE")),
            httponly=True,
            samesite="Lax",
        )
    return response
