"""The municipality, its PB processes, their phases, budgets (pots of money) and categories."""

from __future__ import annotations

import enum
from datetime import date, datetime
from typing import TYPE_CHECKING

from sqlalchemy import Enum, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from pbvote.core.types import BallotKind, RuleName, TieBreak
from pbvote.db import Money, utcnow
from pbvote.extensions import db

if TYPE_CHECKING:
    from pbvote.proposals.models import Project


def str_enum(enum_class: type[enum.Enum]) -> Enum:
    """Store an enum by its value as a short string (portable, readable in exports)."""
    return Enum(enum_class, native_enum=False, length=20, values_callable=lambda e: [m.value for m in e])


class Phase(enum.StrEnum):
    """A process moves through these phases in order."""

    DRAFT = "draft"
    PROPOSALS = "proposals"
    REVIEW = "review"
    VOTING = "voting"
    COUNTING = "counting"
    RESULTS = "results"
    IMPLEMENTATION = "implementation"


PHASE_ORDER: tuple[Phase, ...] = tuple(Phase)


class Eligibility(enum.StrEnum):
    """How a voter proves the right to vote."""

    ACCOUNT = "account"
    CODE = "code"
    OPEN = "open"


class Municipality(db.Model):
    """The organisation running PB on this site; its name is in the header."""

    __tablename__ = "municipality"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    currency: Mapped[str] = mapped_column(String(3), default="DKK")
    processes: Mapped[list[Process]] = relationship(back_populates="municipality", order_by="Process.id")


class Process(db.Model):
    """One PB round, e.g. 'Borgerbudget Aarhus Vest 2027'."""

    __tablename__ = "process"

    id: Mapped[int] = mapped_column(primary_key=True)
    municipality_id: Mapped[int] = mapped_column(ForeignKey("municipality.id"))
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    title_da: Mapped[str] = mapped_column(String(200))
    title_en: Mapped[str] = mapped_column(String(200), default="")
    summary_da: Mapped[str] = mapped_column(Text, default="")
    summary_en: Mapped[str] = mapped_column(Text, default="")
    description_da: Mapped[str] = mapped_column(Text, default="")  # Markdown, sanitised when shown
    description_en: Mapped[str] = mapped_column(Text, default="")
    currency: Mapped[str] = mapped_column(String(3), default="DKK")
    phase: Mapped[Phase] = mapped_column(str_enum(Phase), default=Phase.DRAFT)
    advance_by_date: Mapped[bool] = mapped_column(default=False)  # move on when a phase's end date passes
    eligibility: Mapped[Eligibility] = mapped_column(str_enum(Eligibility), default=Eligibility.ACCOUNT)
    census_required: Mapped[bool] = mapped_column(default=False)  # account voters must match the census list
    min_age: Mapped[int | None] = mapped_column(default=None)  # checked against the census birth year
    ask_questions: Mapped[bool] = mapped_column(default=False)  # optional demographic questions after voting
    frozen_at: Mapped[datetime | None] = mapped_column(default=None)
    rules_digest: Mapped[str | None] = mapped_column(
        String(64), default=None
    )  # SHA-256 hex of the frozen rules
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    municipality: Mapped[Municipality] = relationship(back_populates="processes")
    phases: Mapped[list[ProcessPhase]] = relationship(
        back_populates="process", cascade="all, delete-orphan", order_by="ProcessPhase.position"
    )
    budgets: Mapped[list[Budget]] = relationship(
        back_populates="process", cascade="all, delete-orphan", order_by="Budget.position"
    )
    categories: Mapped[list[Category]] = relationship(
        back_populates="process", cascade="all, delete-orphan", order_by="Category.position"
    )

    def title(self, locale: str) -> str:
        """The title in the reader's language, falling back to Danish."""
        return (self.title_en if locale == "en" else "") or self.title_da

    def summary(self, locale: str) -> str:
        """The summary in the reader's language, falling back to Danish."""
        return (self.summary_en if locale == "en" else "") or self.summary_da

    def description(self, locale: str) -> str:
        """The Markdown description in the reader's language, falling back to Danish."""
        return (self.description_en if locale == "en" else "") or self.description_da

    @property
    def is_frozen(self) -> bool:
        """Whether the ballot rules are frozen (from the moment voting opens)."""
        return self.frozen_at is not None


class ProcessPhase(db.Model):
    """The dates and public text of one phase of a process."""

    __tablename__ = "process_phase"
    __table_args__ = (UniqueConstraint("process_id", "phase"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    process_id: Mapped[int] = mapped_column(ForeignKey("process.id", ondelete="CASCADE"))
    phase: Mapped[Phase] = mapped_column(str_enum(Phase))
    position: Mapped[int] = mapped_column(Integer, default=0)
    starts_on: Mapped[date | None] = mapped_column(default=None)
    ends_on: Mapped[date | None] = mapped_column(default=None)
    text_da: Mapped[str] = mapped_column(Text, default="")
    text_en: Mapped[str] = mapped_column(Text, default="")

    process: Mapped[Process] = relationship(back_populates="phases")

    def text(self, locale: str) -> str:
        """What happens in this phase, in the reader's language."""
        return (self.text_en if locale == "en" else "") or self.text_da


class Budget(db.Model):
    """A pot of money inside a process: citywide or one district, with its own ballot and counting rule."""

    __tablename__ = "budget"

    id: Mapped[int] = mapped_column(primary_key=True)
    process_id: Mapped[int] = mapped_column(ForeignKey("process.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(Integer, default=0)
    name_da: Mapped[str] = mapped_column(String(120))
    name_en: Mapped[str] = mapped_column(String(120), default="")
    district: Mapped[str | None] = mapped_column(String(120), default=None)  # None: citywide
    population: Mapped[int | None] = mapped_column(default=None)
    amount: Mapped[Money]  # in øre
    ballot_kind: Mapped[BallotKind] = mapped_column(str_enum(BallotKind), default=BallotKind.KNAPSACK)
    min_projects: Mapped[int] = mapped_column(default=0)
    max_projects: Mapped[int | None] = mapped_column(
        default=None
    )  # approval/knapsack; ranked: ranking length
    min_spent_percent: Mapped[int] = mapped_column(default=0)  # knapsack: least share of the amount to spend
    points: Mapped[int | None] = mapped_column(default=None)  # cumulative: points to spread
    max_points_per_project: Mapped[int | None] = mapped_column(default=None)
    rule: Mapped[RuleName] = mapped_column(str_enum(RuleName), default=RuleName.GREEDY)
    completion: Mapped[bool] = mapped_column(default=True)  # mes: add1 completion then greedy fill
    tie_break: Mapped[TieBreak] = mapped_column(str_enum(TieBreak), default=TieBreak.COST)
    min_score: Mapped[int | None] = mapped_column(default=None)  # greedy: least score a winner needs
    rules_digest: Mapped[str | None] = mapped_column(String(64), default=None)

    process: Mapped[Process] = relationship(back_populates="budgets")
    projects: Mapped[list[Project]] = relationship(
        "Project", back_populates="budget", order_by="Project.position", viewonly=True
    )

    def name(self, locale: str) -> str:
        """The budget's name in the reader's language."""
        return (self.name_en if locale == "en" else "") or self.name_da


class Category(db.Model):
    """A topic (e.g. 'Natur og miljø') that proposals and projects are filed under."""

    __tablename__ = "category"
    __table_args__ = (UniqueConstraint("process_id", "name_da"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    process_id: Mapped[int] = mapped_column(ForeignKey("process.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(Integer, default=0)
    name_da: Mapped[str] = mapped_column(String(80))
    name_en: Mapped[str] = mapped_column(String(80), default="")

    process: Mapped[Process] = relationship(back_populates="categories")

    def name(self, locale: str) -> str:
        """The category's name in the reader's language."""
        return (self.name_en if locale == "en" else "") or self.name_da
