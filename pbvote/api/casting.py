"""The request's transaction for casting through the API, on the pattern every entry point uses.

Voting-code holders only: the code in the body is the proof of eligibility. A code that has voted is
answered as a retry (the same receipt for the same Idempotency-Key, else "already voted"); a code that
does not exist for the budget is a guess, which the view counts against the guessing limit.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask_babel import lazy_gettext as _l

from pbvote.api.payloads import BallotRequest
from pbvote.api.queries import code_was_used
from pbvote.ballots.eligibility import NotEligible, code_voter, voter_for_code
from pbvote.ballots.models import Channel
from pbvote.ballots.policies import can_vote
from pbvote.ballots.services import DuplicateSubmission, Voter, cast_ballot, resolve_retry
from pbvote.core.errors import DomainError, NotAllowed
from pbvote.core.types import BallotKind
from pbvote.core.validation import BallotInvalid, Violation, ViolationCode
from pbvote.extensions import db
from pbvote.processes.models import Budget, Eligibility


@dataclass(frozen=True)
class Cast:
    """The outcome of a submission: the receipt, and whether this request stored the ballot."""

    receipt: str
    created: bool


def cast_with_code(budget: Budget, submission: BallotRequest, retry_key: str, *, now: datetime) -> Cast:
    """Store the ballot and commit, or recognise a retry; on refusal roll back, having written nothing.

    Raises:
        NotAllowed: voting is not open, or the budget's voters do not use codes.
        NotEligible: the code is not one of this budget's codes.
        AlreadyVoted: the code has voted with another submission.
        BallotInvalid: the choice breaks the budget's rules.
    """
    process = budget.process
    if not can_vote(process, now):
        raise NotAllowed(_l("Voting is not open in this budget."))
    if process.eligibility is not Eligibility.CODE:
        raise NotAllowed(
            _l("Voters in this budget vote on the website, not with voting codes, so the API cannot take it.")
        )
    voter = code_voter(submission.code)  # checked by the write itself, which burns the code or stores nothing
    try:
        if submission.as_ranking and budget.ballot_kind is not BallotKind.RANKED:
            shape = ViolationCode.WRONG_BALLOT_SHAPE.value
            raise BallotInvalid([Violation(shape, {"kind": budget.ballot_kind.value})])
        receipt = cast_ballot(
            voter, budget, submission.choice, retry_key=retry_key, channel=Channel.ONLINE, now=now
        )
        db.session.commit()
    except DuplicateSubmission:
        db.session.rollback()
        return Cast(_known_submission(budget, submission, voter, retry_key), created=False)
    except BallotInvalid:
        db.session.rollback()
        try:  # the code answers first, as it did before the rules were looked at
            voter_for_code(budget, submission.code)
        except NotEligible:
            return Cast(_known_submission(budget, submission, voter, retry_key), created=False)
        raise
    except DomainError:
        db.session.rollback()
        raise
    return Cast(receipt, created=True)


def _known_submission(budget: Budget, submission: BallotRequest, voter: Voter, retry_key: str) -> str:
    """After a refused write: the receipt of a retry, else why (already voted, or not a code of the budget).

    Raises:
        NotEligible: the code is not one of this budget's codes (a guess).
        AlreadyVoted: the code has voted with another submission.
    """
    if not code_was_used(budget, submission.code):
        voter_for_code(budget, submission.code)  # raises the precise reason
    return resolve_retry(voter, budget, retry_key)
