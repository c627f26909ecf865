"""The municipality and its PB processes (phases, budgets and texts grow in the processes issue)."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import Enum, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from pbvote.db import utcnow
from pbvote.extensions import db


class Phase(enum.StrEnum):
    """A process moves through these phases in order."""

    DRAFT = "draft"
    PROPOSALS = "proposals"
    REVIEW = "review"
    VOTING = "voting"
    COUNTING = "counting"
    RESULTS = "results"
    IMPLEMENTATION = "implementation"


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
    phase: Mapped[Phase] = mapped_column(
        Enum(Phase, native_enum=False, length=20, values_callable=lambda e: [m.value for m in e]),
        default=Phase.DRAFT,
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    municipality: Mapped[Municipality] = relationship(back_populates="processes")

    def title(self, locale: str) -> str:
        """The title in the reader's language, falling back to Danish."""
        return (self.title_en if locale == "en" else "") or self.title_da

    def summary(self, locale: str) -> str:
        """The summary in the reader's language, falling back to Danish."""
        return (self.summary_en if locale == "en" else "") or self.summary_da
