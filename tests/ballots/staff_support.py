"""Helpers for the staff side of voting: logins, a voting budget with codes or a census list, DB dumps."""

from __future__ import annotations

import io
from typing import Any

from flask.testing import FlaskClient
from sqlalchemy import func, select

from pbvote.audit.models import AuditEntry
from pbvote.auth.models import Role, User
from pbvote.ballots import census
from pbvote.ballots.codes import issue_codes
from pbvote.ballots.models import Ballot, BallotLine, CensusEntry, Participation, VotingCode
from pbvote.core.types import BallotKind
from pbvote.db import Base, utcnow
from pbvote.extensions import db
from pbvote.processes.models import Budget, Eligibility, Process
from tests.builders import login, make_user, make_voting_budget

KNAPSACK_PROJECTS = (("P-1", 100_000_00), ("P-2", 200_000_00), ("P-3", 300_000_00), ("P-4", 250_000_00))


def login_as(client: FlaskClient, role: Role) -> User:
    user = make_user(role=role)
    login(client, user)
    return user


def code_budget(kind: BallotKind = BallotKind.KNAPSACK, **limits: Any) -> Budget:
    """A knapsack budget of 500.000 kr. voting with codes, rules frozen."""
    limits.setdefault("projects", KNAPSACK_PROJECTS)
    return make_voting_budget(kind=kind, eligibility=Eligibility.CODE, **limits)


def issue(budget: Budget, count: int) -> list[str]:
    """Codes issued the real way (hashed), committed."""
    codes = issue_codes(None, budget, count, now=utcnow())
    db.session.commit()
    return codes


def census_entry(process: Process, cpr: str, birth_year: int) -> CensusEntry:
    """A census row for a person number, hashed as an upload would."""
    return CensusEntry(process_id=process.id, person_hash=census.person_hash(cpr), birth_year=birth_year)


def csv_upload(text: str, name: str = "liste.csv", encoding: str = "utf-8") -> tuple[io.BytesIO, str]:
    return io.BytesIO(text.encode(encoding)), name


def count(model: type) -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(model)) or 0


def box() -> tuple[int, int, int, int, int]:
    """Participations, ballots, lines, used codes and audit entries: equal tuples mean nothing was written."""
    db.session.expire_all()
    used = db.session.scalar(
        select(func.count()).select_from(VotingCode).where(VotingCode.used_on.is_not(None))
    )
    return count(Participation), count(Ballot), count(BallotLine), used or 0, count(AuditEntry)


def database_text() -> str:
    """Every value in every table, as one text to search for secrets that must not be stored."""
    db.session.expire_all()
    parts = []
    for table in Base.metadata.sorted_tables:
        for row in db.session.execute(select(table)):
            parts.extend(str(value) for value in row)
    return "\n".join(parts)


def audit_entries(action: str) -> list[AuditEntry]:
    db.session.expire_all()
    return list(
        db.session.scalars(select(AuditEntry).where(AuditEntry.action == action).order_by(AuditEntry.id))
    )
