"""Who may vote, proven three ways (account, single-use code, or one vote per browser in workshops)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from pbvote.ballots import keys
from pbvote.ballots.models import VotingCode
from pbvote.ballots.services import Voter
from pbvote.core.errors import DomainError
from pbvote.extensions import db
from pbvote.processes.models import Budget


class NotEligible(DomainError):
    """The voter cannot vote in this budget (unknown or used code, not on the census list, too young)."""

    code = "not_eligible"


def voter_for_account(user_id: int) -> Voter:
    """A logged-in resident (processes with `account` eligibility and no census list)."""
    return Voter(key=f"user:{user_id}")


def voter_for_census(person_hash: str) -> Voter:
    """A person matched on the census list: the same key online and at a paper station."""
    return Voter(key=f"census:{person_hash}")


def voter_for_browser(browser_token: str) -> Voter:
    """A workshop participant: one vote per browser (`open` eligibility only)."""
    return Voter(key="browser:" + keys.keyed_hash("browser", browser_token))


def voter_for_code(budget: Budget, code_text: str) -> Voter:
    """The holder of a voting code for this budget.

    Raises:
        NotEligible: the code does not exist for this budget, or has been used.
    """
    digest = keys.code_hash(code_text)
    code = db.session.scalar(
        select(VotingCode).where(VotingCode.code_hash == digest, VotingCode.budget_id == budget.id)
    )
    if code is None:
        raise NotEligible(
            _l("This voting code is not valid for this budget. Check that you typed it correctly.")
        )
    if code.used_on is not None:
        raise NotEligible(_l("This voting code has already been used."))
    return Voter(key=f"code:{digest}", code_hash=digest)


def code_voter(code_text: str) -> Voter:
    """The holder of a code, unchecked: casting burns the code in the statement that stores the ballot."""
    digest = keys.code_hash(code_text)
    return Voter(key=f"code:{digest}", code_hash=digest)
