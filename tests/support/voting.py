"""A budget that is voting with codes: process, budget, projects, frozen rules and plain voting codes."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select

from pbvote.ballots import keys
from pbvote.ballots.models import Ballot, BallotLine, Participation, SurveyResponse, VotingCode
from pbvote.core.types import BallotKind
from pbvote.db import utcnow
from pbvote.extensions import db
from pbvote.processes.freeze import freeze_ballots
from pbvote.processes.models import Budget, Eligibility, Phase, Process
from pbvote.proposals.models import Project
from tests.builders import make_budget, make_process

DEFAULT_PROJECTS: tuple[tuple[str, int], ...] = (
    ("P-1", 100_000_00),
    ("P-2", 200_000_00),
    ("P-3", 300_000_00),
)


@dataclass(frozen=True)
class CodeVoting:
    """What a test needs to vote: the ids and the plain codes (the database holds their hashes only)."""

    process_slug: str
    budget_id: int
    codes: list[str]
    project_codes: list[str]


def make_code_voting(
    *,
    kind: BallotKind = BallotKind.APPROVAL,
    projects: Sequence[tuple[str, int]] = DEFAULT_PROJECTS,
    codes: int = 3,
    eligibility: Eligibility = Eligibility.CODE,
    phase: Phase = Phase.VOTING,
    process: Process | None = None,
    **limits: Any,
) -> CodeVoting:
    """A committed budget with projects whose rules were frozen the real way, and ``codes`` voting codes.

    ``phase`` is where the process is left (voting by default; any other phase shows a closed box).
    """
    process = process or make_process(phase=Phase.REVIEW, eligibility=eligibility)
    fields: dict[str, Any] = {"amount": 500_000_00, "ballot_kind": kind}
    fields.update(limits)
    budget = make_budget(process, **fields)
    for position, (code, cost) in enumerate(projects):
        db.session.add(
            Project(budget_id=budget.id, code=code, cost=cost, position=position, title=f"Projekt {code}")
        )
    db.session.flush()
    freeze_ballots(None, process, now=utcnow())
    process.phase = phase
    db.session.commit()
    return CodeVoting(process.slug, budget.id, issue_test_codes(budget, codes), [c for c, _ in projects])


def issue_test_codes(budget: Budget, count: int) -> list[str]:
    """Store ``count`` fresh codes for the budget (hashed, as the real issuing does) and return them."""
    plain = [keys.new_voting_code() for _ in range(count)]
    db.session.add_all(VotingCode(budget_id=budget.id, code_hash=keys.code_hash(code)) for code in plain)
    db.session.commit()
    return plain


@dataclass(frozen=True)
class BoxState:
    """Everything a cast writes, counted: equal states mean nothing was written."""

    participations: int
    ballots: int
    lines: int
    used_codes: int
    survey_responses: int


def box_state() -> BoxState:
    """Count the rows a cast may write, reading what is committed."""
    db.session.expire_all()

    def count(query: Any) -> int:
        return db.session.scalar(query) or 0

    return BoxState(
        participations=count(select(func.count()).select_from(Participation)),
        ballots=count(select(func.count()).select_from(Ballot)),
        lines=count(select(func.count()).select_from(BallotLine)),
        used_codes=count(select(func.count()).select_from(VotingCode).where(VotingCode.used_on.is_not(None))),
        survey_responses=count(select(func.count()).select_from(SurveyResponse)),
    )
