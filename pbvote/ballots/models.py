"""Secret ballots: who voted (participation) is kept apart from what was chosen (ballot and its lines).

No column or foreign key leads from a ballot to a person, a code, a session or an address, and a ballot
carries its date only. On SQLite the ballot tables are WITHOUT ROWID, so rows are stored in the order
of their random ids, not in the order they were cast.
"""

from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from pbvote.db import utcnow
from pbvote.extensions import db
from pbvote.processes.models import str_enum


class Channel(enum.StrEnum):
    """How the ballot reached us."""

    ONLINE = "online"
    PAPER = "paper"


class Participation(db.Model):
    """The fact that one voter has voted in one budget; unique, and never linked to the ballot."""

    __tablename__ = "participation"
    __table_args__ = (UniqueConstraint("budget_id", "voter_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    budget_id: Mapped[int] = mapped_column(ForeignKey("budget.id", ondelete="CASCADE"))
    voter_key: Mapped[str] = mapped_column(
        String(100)
    )  # "user:…", "code:…", "census:…" or "browser:…" (keyed hashes)
    channel: Mapped[Channel] = mapped_column(str_enum(Channel))
    voted_on: Mapped[date]
    retry_hash: Mapped[str | None] = mapped_column(String(64), default=None)  # SHA-256 of the idempotency key


class Ballot(db.Model):
    """The anonymous content of one vote: a random id, the channel and station, the date, a receipt."""

    __tablename__ = "ballot"
    __table_args__ = (Index("ix_ballot_budget_id", "budget_id"), {"sqlite_with_rowid": False})

    id: Mapped[str] = mapped_column(String(32), primary_key=True)  # random, says nothing about order
    budget_id: Mapped[int] = mapped_column(ForeignKey("budget.id", ondelete="CASCADE"))
    channel: Mapped[Channel] = mapped_column(str_enum(Channel))
    station: Mapped[str | None] = mapped_column(String(80), default=None)  # paper: the voting station
    cast_on: Mapped[date]
    receipt: Mapped[str] = mapped_column(String(20), unique=True)

    lines: Mapped[list[BallotLine]] = relationship(back_populates="ballot", cascade="all, delete-orphan")


class BallotLine(db.Model):
    """A chosen project on a ballot; ``value``: 1 (approval), the points (cumulative), the rank (ranked)."""

    __tablename__ = "ballot_line"
    __table_args__ = ({"sqlite_with_rowid": False},)

    ballot_id: Mapped[str] = mapped_column(ForeignKey("ballot.id", ondelete="CASCADE"), primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("project.id", ondelete="CASCADE"), primary_key=True)
    value: Mapped[int] = mapped_column(default=1)

    ballot: Mapped[Ballot] = relationship(back_populates="lines")


class VotingCode(db.Model):
    """A single-use voting code for one budget, stored only as a keyed hash; burnt when it votes."""

    __tablename__ = "voting_code"

    id: Mapped[int] = mapped_column(primary_key=True)
    budget_id: Mapped[int] = mapped_column(ForeignKey("budget.id", ondelete="CASCADE"))
    code_hash: Mapped[str] = mapped_column(String(64), unique=True)
    batch: Mapped[str] = mapped_column(String(80), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    used_on: Mapped[date | None] = mapped_column(default=None)


class CensusEntry(db.Model):
    """A person allowed to vote in a process, known only by a keyed hash of their person number."""

    __tablename__ = "census_entry"
    __table_args__ = (UniqueConstraint("process_id", "person_hash"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    process_id: Mapped[int] = mapped_column(ForeignKey("process.id", ondelete="CASCADE"))
    person_hash: Mapped[str] = mapped_column(String(64))
    birth_year: Mapped[int | None] = mapped_column(default=None)
    district: Mapped[str | None] = mapped_column(String(120), default=None)


class SurveyResponse(db.Model):
    """Optional answers for the representativeness view; kept apart from both voter and ballot."""

    __tablename__ = "survey_response"
    __table_args__ = ({"sqlite_with_rowid": False},)

    id: Mapped[str] = mapped_column(String(32), primary_key=True)  # random
    process_id: Mapped[int] = mapped_column(ForeignKey("process.id", ondelete="CASCADE"))
    answered_on: Mapped[date]
    age_band: Mapped[str | None] = mapped_column(String(20), default=None)
    gender: Mapped[str | None] = mapped_column(String(20), default=None)
    district: Mapped[str | None] = mapped_column(String(120), default=None)
    first_time: Mapped[bool | None] = mapped_column(default=None)
