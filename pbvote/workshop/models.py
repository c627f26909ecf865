"""A live workshop wraps one process: a join code, a state the instructor moves, and who has joined."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from pbvote.db import utcnow
from pbvote.extensions import db
from pbvote.processes.models import str_enum

if TYPE_CHECKING:
    from pbvote.processes.models import Process


class WorkshopState(enum.StrEnum):
    """Where the room is: waiting, voting, voting closed, or results shown."""

    LOBBY = "lobby"
    VOTING = "voting"
    CLOSED = "closed"
    REVEALED = "revealed"


class Workshop(db.Model):
    """One live workshop on one process; ``version`` rises with every change the projector must see."""

    __tablename__ = "workshop"

    id: Mapped[int] = mapped_column(primary_key=True)
    process_id: Mapped[int] = mapped_column(ForeignKey("process.id", ondelete="CASCADE"), unique=True)
    join_code: Mapped[str] = mapped_column(String(6), unique=True)  # 6 random digits
    state: Mapped[WorkshopState] = mapped_column(str_enum(WorkshopState), default=WorkshopState.LOBBY)
    step: Mapped[int] = mapped_column(default=0)  # reveal: how many selection steps are shown
    template: Mapped[str] = mapped_column(String(20), default="da")  # "da" | "en" | "copy"
    created_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user.id", ondelete="SET NULL"), default=None
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    version: Mapped[int] = mapped_column(default=0)

    process: Mapped[Process] = relationship()


class WorkshopJoin(db.Model):
    """One browser that joined a workshop, known only by the keyed hash of its browser token."""

    __tablename__ = "workshop_join"
    __table_args__ = (UniqueConstraint("workshop_id", "browser_hash"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    workshop_id: Mapped[int] = mapped_column(ForeignKey("workshop.id", ondelete="CASCADE"))
    browser_hash: Mapped[str] = mapped_column(String(64))
    joined_at: Mapped[datetime] = mapped_column(default=utcnow)
