"""How each winning project is being carried out, its dated updates and photos, and who follows the process.

A follower belongs to a process and an e-mail address only: no ballot, budget, choice or time of voting
is stored, so following the implementation cannot tell anyone how (or when) a person voted.
"""

from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import ForeignKey, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from pbvote.auth.models import User
from pbvote.db import utcnow
from pbvote.extensions import db
from pbvote.processes.models import str_enum
from pbvote.proposals.models import Project


class ProgressStatus(enum.StrEnum):
    """Where the carrying out of a winning project stands."""

    PLANNED = "planned"
    IN_PROGRESS = "in_progress"
    DONE = "done"
    CANCELLED = "cancelled"


class ProjectProgress(db.Model):
    """The current status and progress of one winning project (one row per project, made on first change)."""

    __tablename__ = "project_progress"

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("project.id", ondelete="CASCADE"), unique=True)
    status: Mapped[ProgressStatus] = mapped_column(str_enum(ProgressStatus), default=ProgressStatus.PLANNED)
    percent: Mapped[int] = mapped_column(default=0)  # 0–100, staff's estimate of how far along it is
    cancel_reason: Mapped[str] = mapped_column(Text, default="")  # public; required when cancelled
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

    project: Mapped[Project] = relationship()


class ProgressUpdate(db.Model):
    """A dated public note on a project's progress, optionally with photos."""

    __tablename__ = "progress_update"

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("project.id", ondelete="CASCADE"), index=True)
    happened_on: Mapped[date]
    text: Mapped[str] = mapped_column(Text)  # Markdown; sanitised with nh3 when rendered
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"), default=None)

    project: Mapped[Project] = relationship()
    author: Mapped[User | None] = relationship()
    photos: Mapped[list[ProgressPhoto]] = relationship(
        back_populates="update", cascade="all, delete-orphan", order_by="ProgressPhoto.position"
    )


class ProgressPhoto(db.Model):
    """A photo of the work, re-encoded on upload like proposal pictures and stored in the database."""

    __tablename__ = "progress_photo"

    id: Mapped[int] = mapped_column(primary_key=True)
    update_id: Mapped[int] = mapped_column(ForeignKey("progress_update.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(default=0)
    token: Mapped[str] = mapped_column(String(32), unique=True)  # random, used in the photo's address
    mime_type: Mapped[str] = mapped_column(String(40))
    width: Mapped[int]
    height: Mapped[int]
    alt_text: Mapped[str] = mapped_column(String(200))
    data: Mapped[bytes] = mapped_column(LargeBinary)

    update: Mapped[ProgressUpdate] = relationship(back_populates="photos")


class ImplementationFollower(db.Model):
    """An e-mail address that gets news of a process's winning projects; confirmed by a link (double opt-in).

    Only the day of signing up is kept, never the time, so the row cannot be matched to a vote by its clock.
    """

    __tablename__ = "implementation_follower"
    __table_args__ = (UniqueConstraint("process_id", "email"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    process_id: Mapped[int] = mapped_column(ForeignKey("process.id", ondelete="CASCADE"))
    email: Mapped[str] = mapped_column(String(254))
    locale: Mapped[str] = mapped_column(String(8), default="da")  # the language of the e-mails
    token: Mapped[str] = mapped_column(String(64), unique=True)  # in the confirm and unsubscribe links
    confirmed: Mapped[bool] = mapped_column(default=False)
    created_on: Mapped[date]
