"""Cast a secret ballot: check it against the frozen rules, record participation, store it. Never commits.

One person, one vote: the participation row is unique per (budget, voter key) and is written in the
same transaction as the ballot, its lines and the burning of a voting code. A retry with the same
idempotency key gets the same receipt back (the receipt is derived from the key, so nothing stored
links the voter to it).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import contains_eager

from pbvote.ballots import keys, writes
from pbvote.ballots.loaders import BallotRules, rules_for
from pbvote.ballots.models import Ballot, Channel, Participation
from pbvote.ballots.policies import can_vote
from pbvote.core.errors import DomainError, NotAllowed
from pbvote.core.types import BallotKind
from pbvote.core.validation import BallotInput, check_ballot
from pbvote.extensions import db
from pbvote.processes.models import Budget, Eligibility, Phase, Process

RULES_CACHE_SIZE = 512  # budgets whose frozen rules an app process keeps
_RULES_CACHE = "pbvote_frozen_rules"


class AlreadyVoted(DomainError):
    """This voter has already voted in this budget."""

    code = "already_voted"


class DuplicateSubmission(Exception):
    """The participation (or the code) was taken by a concurrent or earlier submission; resolve as a retry."""


@dataclass(frozen=True)
class Voter:
    """Who is voting, as far as the ballot box may know: a keyed voter key and, for codes, the code's hash."""

    key: str
    code_hash: str | None = None  # set: the cast burns this code of the budget, or stores nothing


def voting_budget(budget_id: int) -> Budget | None:
    """A budget of a public process with its process, in one statement: all the cast path reads."""
    query = (
        select(Budget)
        .join(Process, Budget.process_id == Process.id)
        .where(Budget.id == budget_id, Process.phase != Phase.DRAFT)
        .options(contains_eager(Budget.process))
    )
    return db.session.scalar(query)


def frozen_rules(budget: Budget) -> BallotRules:
    """The budget's rules, read once per app process while they stay frozen (no query per ballot).

    The key holds the digest and the moment of the freeze, so unfreezing and freezing again (the only way
    rules can change) reads them anew.
    """
    process = budget.process
    if process.frozen_at is None or not process.rules_digest:
        return rules_for(budget)
    cache: dict[tuple[object, ...], BallotRules] = current_app.extensions.setdefault(_RULES_CACHE, {})
    key = (budget.id, process.rules_digest, process.frozen_at)
    rules = cache.get(key)
    if rules is None:
        rules = rules_for(budget)
        if len(cache) >= RULES_CACHE_SIZE:
            cache.clear()
        cache[key] = rules
    return rules


def cast_ballot(
    voter: Voter,
    budget: Budget,
    choice: BallotInput,
    *,
    retry_key: str,
    channel: Channel = Channel.ONLINE,
    station: str | None = None,
    now: datetime,
) -> str:
    """Validate and store one anonymous ballot and its participation; return the receipt. Does not commit.

    A voting code is checked by burning it in the same statement that stores the ballot, so casting reads
    nothing but the budget (and its rules once per app process), however many ballots the box holds.

    Raises:
        NotAllowed: voting is not open in this budget.
        BallotInvalid: the choice breaks the frozen rules (nothing is written).
        DuplicateSubmission: the voter has voted already, or the code is unknown or used: roll back, then
            find out which (resolve_retry; eligibility.voter_for_code for the code's own reason).
    """
    if not can_vote(budget.process, now):
        raise NotAllowed(_l("Voting is not open in this budget."))
    rules = frozen_rules(budget)
    ballot = check_ballot(rules.spec, choice)
    today = now.date()
    receipt = keys.receipt_for(budget.id, retry_key)
    participation = {
        "budget_id": budget.id,
        "voter_key": voter.key,
        "channel": channel,
        "voted_on": today,
        "retry_hash": keys.plain_hash(retry_key),
    }
    stored = {
        "id": keys.new_ballot_id(),
        "budget_id": budget.id,
        "channel": channel,
        "station": station,
        "cast_on": today,
        "receipt": receipt,
    }
    lines = _lines(str(stored["id"]), budget.ballot_kind, ballot, rules.project_ids)
    try:
        if budget.process.eligibility is Eligibility.OPEN:
            done = writes.store_through_orm(voter.code_hash, participation, stored, lines)
        elif db.session.get_bind().dialect.name == "postgresql":
            done = writes.store_in_one_statement(voter.code_hash, participation, stored, lines)
        else:
            done = writes.store_step_by_step(voter.code_hash, participation, stored, lines)
    except IntegrityError as exc:
        raise DuplicateSubmission from exc
    if not done:
        raise DuplicateSubmission
    return receipt


def _lines(
    ballot_id: str, kind: BallotKind, ballot: object, project_ids: dict[str, int]
) -> list[dict[str, object]]:
    """The ballot's lines: 1 per approved project, the points (cumulative) or the rank (ranked, 1 = first)."""
    projects: tuple[str, ...] = ballot.projects  # type: ignore[attr-defined]
    if kind is BallotKind.CUMULATIVE:
        values = list(ballot.points)  # type: ignore[attr-defined]
    elif kind is BallotKind.RANKED:
        values = list(range(1, len(projects) + 1))
    else:
        values = [1] * len(projects)
    return [
        {"ballot_id": ballot_id, "project_id": project_ids[code], "value": value}
        for code, value in zip(projects, values, strict=True)
    ]


def resolve_retry(voter: Voter, budget: Budget, retry_key: str) -> str:
    """After DuplicateSubmission (rolled back): the same receipt for a retry, else AlreadyVoted.

    Raises:
        AlreadyVoted: this voter voted before with another submission.
    """
    participation = db.session.scalar(
        select(Participation).where(
            Participation.budget_id == budget.id, Participation.voter_key == voter.key
        )
    )
    if participation is not None and participation.retry_hash == keys.plain_hash(retry_key):
        return keys.receipt_for(budget.id, retry_key)
    raise AlreadyVoted(_l("You have already voted in this budget. Each person can vote once."))


def has_voted(voter_key: str, budget: Budget) -> bool:
    """Whether this voter key has a participation in the budget."""
    return (
        db.session.scalar(
            select(Participation.id).where(
                Participation.budget_id == budget.id, Participation.voter_key == voter_key
            )
        )
        is not None
    )


def ballot_count(budget_id: int) -> int:
    """How many ballots a budget holds (used to decide whether rules may be unfrozen)."""
    from sqlalchemy import func

    return (
        db.session.scalar(select(func.count()).select_from(Ballot).where(Ballot.budget_id == budget_id)) or 0
    )


def receipt_counted(budget_id: int, receipt: str) -> bool:
    """Whether a receipt is among the budget's stored ballots."""
    return (
        db.session.scalar(
            select(Ballot.id).where(Ballot.budget_id == budget_id, Ballot.receipt == receipt.strip().upper())
        )
        is not None
    )


def process_ballot_count(process: object) -> int:
    """Ballots in all of a process's budgets: the freeze may only be lifted while this is 0."""
    from sqlalchemy import func

    budget_ids = [budget.id for budget in process.budgets]  # type: ignore[attr-defined]
    if not budget_ids:
        return 0
    return (
        db.session.scalar(select(func.count()).select_from(Ballot).where(Ballot.budget_id.in_(budget_ids)))
        or 0
    )
