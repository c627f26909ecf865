"""Paper ballots entered by staff at a voting station: the same checks as online, one person one vote.

The voter is identified by their voting code (processes that vote with codes) or their person number
on the census list (processes that require it), so that whoever has voted online cannot also vote on
paper, and the other way round. The audit log records that a paper ballot was entered at a station,
never by whom or what it holds.
"""

from __future__ import annotations

import enum
import re
import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from pbvote.audit.services import record_audit
from pbvote.ballots import census, keys
from pbvote.ballots.eligibility import NotEligible, voter_for_census, voter_for_code
from pbvote.ballots.models import Ballot, Channel
from pbvote.ballots.policies import can_enter_paper_ballots
from pbvote.ballots.services import AlreadyVoted, Voter, cast_ballot, has_voted, resolve_retry
from pbvote.core.errors import DomainError, NotAllowed
from pbvote.core.types import BallotKind
from pbvote.core.validation import BallotInput
from pbvote.extensions import db
from pbvote.processes.models import Budget, Eligibility, Process
from pbvote.proposals.models import Project

STATION_LENGTH = 80
_ENTRY_KEY = re.compile(r"[0-9a-f]{32}")
_SEPARATORS = re.compile(r"[,;\s]+")
_TRAILING_NUMBER = re.compile(r"(\d+)$")
_WHOLE_NUMBER = re.compile(r"-?\d{1,18}")  # longer numbers stay text: the core refuses them


class PaperMode(enum.StrEnum):
    """How a paper voter proves who they are."""

    CODE = "code"
    CENSUS = "census"


@dataclass(frozen=True)
class PaperEntry:
    """What the staff member typed for one paper ballot."""

    identity: str  # the voting code or the person number; never stored or logged
    choice: BallotInput
    entry_key: str  # random per form, so a double submission registers one ballot
    station: str


@dataclass(frozen=True)
class PaperResult:
    """A registered paper ballot: its number among this station's paper ballots today in the budget."""

    number: int
    repeated: bool = False  # the same form was sent twice; it was registered once


def paper_mode(process: Process) -> PaperMode | None:
    """How paper voters are identified here; None when they cannot be (no codes, no census list)."""
    if process.eligibility is Eligibility.CODE:
        return PaperMode.CODE
    if process.eligibility is Eligibility.ACCOUNT and process.census_required:
        return PaperMode.CENSUS
    return None


def new_entry_key() -> str:
    """A fresh key for one paper ballot form."""
    return secrets.token_hex(16)


def clean_entry_key(text: str | None) -> str:
    """The form's key if it is one of ours, else a new one."""
    return text if text and _ENTRY_KEY.fullmatch(text) else new_entry_key()


def clean_station(text: str | None) -> str:
    """A station name as stored: trimmed, inner whitespace collapsed."""
    return " ".join((text or "").split())


def enter_paper_ballot(actor: Any, budget: Budget, entry: PaperEntry, *, now: datetime) -> PaperResult:
    """Check the voter and the ballot, store the ballot (channel paper) and audit it. Does not commit.

    Raises:
        NotAllowed: not staff, voting not open, or paper voters cannot be identified in this process.
        NotEligible: unknown or used code, not on the census list, or too young.
        AlreadyVoted: this person has voted in this budget already (online or on paper).
        BallotInvalid: the ballot breaks the rules (``violations``); nothing is written.
        DuplicateSubmission: the voter or code was taken meanwhile; roll back and call resolve_repeat.
        DomainError: no station chosen, or no identity typed.
    """
    process = budget.process
    if not can_enter_paper_ballots(actor, process, now):
        raise NotAllowed(_l("Paper ballots can only be entered by staff while the voting is open."))
    mode = paper_mode(process)
    if mode is None:
        raise NotAllowed(
            _l("Paper ballots need voting codes or a census list in this process, so nobody can vote twice.")
        )
    station = clean_station(entry.station)
    if not station or len(station) > STATION_LENGTH:
        raise DomainError(_l("Choose the voting station you are at before you enter ballots."))
    if not entry.identity.strip():
        if mode is PaperMode.CODE:
            raise DomainError(_l("Type the voting code from the voter's letter."))
        raise DomainError(_l("Type the voter's person number."))
    voter = _voter(mode, budget, entry, now)
    if voter is None:  # the same form sent twice, already registered
        return PaperResult(number=station_count(budget, station, now), repeated=True)
    cast_ballot(
        voter,
        budget,
        entry.choice,
        retry_key=entry.entry_key,
        channel=Channel.PAPER,
        station=station,
        now=now,
    )
    record_audit(actor, "ballot.paper_entered", budget, after={"station": station}, now=now)
    return PaperResult(number=station_count(budget, station, now))


def resolve_repeat(budget: Budget, entry: PaperEntry, *, now: datetime) -> PaperResult:
    """After DuplicateSubmission (rolled back): a form sent twice counts once; anyone else is refused.

    Raises:
        AlreadyVoted: this person voted before, online or on paper.
        DomainError: the form had been used for another voter's ballot.
    """
    mode = paper_mode(budget.process)
    if mode is PaperMode.CODE:
        voter = Voter(key="code:" + keys.code_hash(entry.identity))
    else:
        person = census.match_person(budget.process, entry.identity)
        voter = voter_for_census(person.person_hash if person else "")
    _repeat_or_refuse(voter, budget, entry.entry_key)
    return PaperResult(number=station_count(budget, clean_station(entry.station), now), repeated=True)


def _voter(mode: PaperMode, budget: Budget, entry: PaperEntry, now: datetime) -> Voter | None:
    """The voter behind the typed identity; None when this very form has already been registered."""
    if mode is PaperMode.CODE:
        try:
            return voter_for_code(budget, entry.identity)
        except NotEligible:
            voter = Voter(key="code:" + keys.code_hash(entry.identity))
            if not has_voted(voter.key, budget):
                raise
            _repeat_or_refuse(voter, budget, entry.entry_key)
            return None
    if census.normalise_person_number(entry.identity) is None:
        raise NotEligible(_l("This is not a person number: type 10 digits, such as 010180-1234."))
    person = census.match_person(budget.process, entry.identity)
    if person is None:
        raise NotEligible(_l("This person is not on the census list of this process."))
    if not census.old_enough(person, budget.process, now.date()):
        raise NotEligible(
            _l(
                "This person is younger than the minimum age of %(age)d years.",
                age=budget.process.min_age or 0,
            )
        )
    return voter_for_census(person.person_hash)


def _repeat_or_refuse(voter: Voter, budget: Budget, entry_key: str) -> None:
    """Accept a second sending of the same form; refuse a voter who voted before, or a used form."""
    try:
        resolve_retry(voter, budget, entry_key)
    except AlreadyVoted:
        if has_voted(voter.key, budget):
            raise AlreadyVoted(
                _l("This person has already voted in this budget, online or on paper.")
            ) from None
        raise DomainError(
            _l("This form was already used for another ballot, so this one was not entered. Enter it again.")
        ) from None


def station_count(budget: Budget, station: str, now: datetime) -> int:
    """Paper ballots entered at this station today in this budget."""
    query = (
        select(func.count())
        .select_from(Ballot)
        .where(
            Ballot.budget_id == budget.id,
            Ballot.channel == Channel.PAPER,
            Ballot.station == station,
            Ballot.cast_on == now.date(),
        )
    )
    return db.session.scalar(query) or 0


def choice_from_form(kind: BallotKind, projects: Sequence[Project], form: Any) -> BallotInput:
    """The ballot as typed: codes in a text field and ticked boxes, or a number per project.

    Nothing is trusted: unknown codes and odd numbers are passed on for the core to name.

    Raises:
        DomainError: a ranking was both typed as codes and given as numbers.
    """
    typed = resolve_codes(str(form.get("codes", "")), projects)
    if kind is BallotKind.CUMULATIVE:
        return BallotInput(points=_numbers(projects, form, "points"))
    if kind is BallotKind.RANKED:
        ranks = _numbers(projects, form, "rank")
        if ranks and typed:
            raise DomainError(_l("Give the order either as typed codes or as numbers, not both."))
        return BallotInput(points=ranks) if ranks else BallotInput(projects=tuple(typed))
    ticked = [code for code in form.getlist("project") if isinstance(code, str)]
    return BallotInput(projects=tuple(dict.fromkeys([*typed, *ticked])))


def resolve_codes(text: str, projects: Sequence[Project]) -> list[str]:
    """Typed project codes in order, matched loosely ('p3', 'P-3' and '3' all mean P-3)."""
    by_key = {_key(project.code): project.code for project in projects}
    numbers: dict[str, list[str]] = {}
    for project in projects:
        if match := _TRAILING_NUMBER.search(project.code):
            numbers.setdefault(match.group(1).lstrip("0"), []).append(project.code)
    found = []
    for token in _SEPARATORS.split(text.strip()):
        if not token:
            continue
        key = _key(token)
        if key in by_key:
            found.append(by_key[key])
        elif key.isdigit() and len(numbers.get(key.lstrip("0"), [])) == 1:
            found.append(numbers[key.lstrip("0")][0])
        else:
            found.append(token)
    return found


def _key(code: str) -> str:
    return code.upper().replace("-", "").replace("_", "")


def _numbers(projects: Sequence[Project], form: Mapping[str, Any], prefix: str) -> dict[object, object]:
    """The numbers typed per project (empty fields left out); text that is not a number is kept as text."""
    values: dict[object, object] = {}
    for project in projects:
        raw = str(form.get(f"{prefix}-{project.id}", "")).strip()
        if not raw:
            continue
        values[project.code] = int(raw) if _WHOLE_NUMBER.fullmatch(raw) else raw
    return values
