"""Proposals from residents, their review history, and the projects that reach a ballot."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import ForeignKey, Index, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from pbvote.auth.models import User
from pbvote.db import Money, utcnow
from pbvote.extensions import db
from pbvote.processes.models import Budget, Category, Process, str_enum


class ProposalStatus(enum.StrEnum):
    """Where a proposal stands; staff review moves it on."""

    SUBMITTED = "submitted"
    WITHDRAWN = "withdrawn"
    NEEDS_CHANGES = "needs_changes"
    FEASIBLE = "feasible"
    NOT_FEASIBLE = "not_feasible"
    MERGED = "merged"
    ON_BALLOT = "on_ballot"


class Feasibility(enum.StrEnum):
    """Staff's verdict on whether a proposal can be carried out."""

    FEASIBLE = "feasible"
    NOT_FEASIBLE = "not_feasible"
    NEEDS_CHANGES = "needs_changes"


class EventKind(enum.StrEnum):
    """What happened to a proposal, shown publicly as its review history."""

    SUBMITTED = "submitted"
    EDITED = "edited"
    WITHDRAWN = "withdrawn"
    ASSIGNED = "assigned"
    COST_ESTIMATED = "cost_estimated"
    PRICE_PUBLISHED = "price_published"
    ASSESSED = "assessed"
    MERGED = "merged"
    PLACED_ON_BALLOT = "placed_on_ballot"
    REMOVED_FROM_BALLOT = "removed_from_ballot"
    HIDDEN = "hidden"
    RESTORED = "restored"


class Proposal(db.Model):
    """A resident's idea for a project, in one budget (citywide or a district) of a process."""

    __tablename__ = "proposal"
    __table_args__ = (Index("ix_proposal_process_status", "process_id", "status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    process_id: Mapped[int] = mapped_column(ForeignKey("process.id", ondelete="CASCADE"))
    budget_id: Mapped[int] = mapped_column(ForeignKey("budget.id"))
    category_id: Mapped[int | None] = mapped_column(ForeignKey("category.id"), default=None)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"), default=None)
    title: Mapped[str] = mapped_column(String(120))
    summary: Mapped[str] = mapped_column(String(500))
    description: Mapped[str] = mapped_column(Text, default="")  # Markdown; sanitised with nh3 when rendered
    cost_guess: Mapped[Money | None] = mapped_column(default=None)  # the proposer's guess, in øre
    address: Mapped[str] = mapped_column(String(200), default="")
    latitude: Mapped[float | None] = mapped_column(default=None)  # a place, not money: floats are fine
    longitude: Mapped[float | None] = mapped_column(default=None)
    status: Mapped[ProposalStatus] = mapped_column(str_enum(ProposalStatus), default=ProposalStatus.SUBMITTED)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

    # review
    reviewer_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"), default=None)
    vetted_cost: Mapped[Money | None] = mapped_column(default=None)  # staff's estimate, in øre
    cost_published: Mapped[bool] = mapped_column(default=False)  # CONSUL's "publishing prices"
    feasibility: Mapped[Feasibility | None] = mapped_column(str_enum(Feasibility), default=None)
    public_reason: Mapped[str] = mapped_column(Text, default="")
    merged_into_id: Mapped[int | None] = mapped_column(ForeignKey("proposal.id"), default=None)

    # moderation
    hidden: Mapped[bool] = mapped_column(default=False)
    hidden_reason: Mapped[str] = mapped_column(String(500), default="")

    process: Mapped[Process] = relationship()
    budget: Mapped[Budget] = relationship()
    category: Mapped[Category | None] = relationship()
    author: Mapped[User | None] = relationship(foreign_keys=[author_id])
    reviewer: Mapped[User | None] = relationship(foreign_keys=[reviewer_id])
    merged_into: Mapped[Proposal | None] = relationship(remote_side=[id])
    images: Mapped[list[ProposalImage]] = relationship(
        back_populates="proposal", cascade="all, delete-orphan", order_by="ProposalImage.position"
    )
    events: Mapped[list[ProposalEvent]] = relationship(
        back_populates="proposal", cascade="all, delete-orphan", order_by="ProposalEvent.id"
    )
    coauthors: Mapped[list[ProposalAuthor]] = relationship(
        back_populates="proposal", cascade="all, delete-orphan"
    )


class ProposalAuthor(db.Model):
    """An extra author, kept when duplicates are merged into one proposal."""

    __tablename__ = "proposal_author"
    __table_args__ = (UniqueConstraint("proposal_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    proposal_id: Mapped[int] = mapped_column(ForeignKey("proposal.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"))

    proposal: Mapped[Proposal] = relationship(back_populates="coauthors")
    user: Mapped[User] = relationship()


class ProposalImage(db.Model):
    """An uploaded picture, re-encoded on upload; stored in the database so backups hold everything."""

    __tablename__ = "proposal_image"

    id: Mapped[int] = mapped_column(primary_key=True)
    proposal_id: Mapped[int] = mapped_column(ForeignKey("proposal.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(default=0)
    token: Mapped[str] = mapped_column(String(32), unique=True)  # random, used in the image's address
    mime_type: Mapped[str] = mapped_column(String(40))
    width: Mapped[int]
    height: Mapped[int]
    alt_text: Mapped[str] = mapped_column(String(200), default="")
    data: Mapped[bytes] = mapped_column(LargeBinary)

    proposal: Mapped[Proposal] = relationship(back_populates="images")


class ProposalEvent(db.Model):
    """One step of a proposal's public review history."""

    __tablename__ = "proposal_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    proposal_id: Mapped[int] = mapped_column(ForeignKey("proposal.id", ondelete="CASCADE"))
    kind: Mapped[EventKind] = mapped_column(str_enum(EventKind))
    public_text: Mapped[str] = mapped_column(Text, default="")
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"), default=None)
    at: Mapped[datetime] = mapped_column(default=utcnow)

    proposal: Mapped[Proposal] = relationship(back_populates="events")


class ProposalFollower(db.Model):
    """Someone who gets an e-mail when the proposal's status changes."""

    __tablename__ = "proposal_follower"
    __table_args__ = (UniqueConstraint("proposal_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    proposal_id: Mapped[int] = mapped_column(ForeignKey("proposal.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"))


class ProposalReport(db.Model):
    """Anyone's report that a proposal breaks the rules; staff resolve it by hiding or keeping it."""

    __tablename__ = "proposal_report"

    id: Mapped[int] = mapped_column(primary_key=True)
    proposal_id: Mapped[int] = mapped_column(ForeignKey("proposal.id", ondelete="CASCADE"))
    reporter_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"), default=None)
    reason: Mapped[str] = mapped_column(String(1000))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    resolved_at: Mapped[datetime | None] = mapped_column(default=None)


class Project(db.Model):
    """A project on a budget's ballot with its vetted cost; from a proposal, or imported from pabulib."""

    __tablename__ = "project"
    __table_args__ = (UniqueConstraint("budget_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    budget_id: Mapped[int] = mapped_column(ForeignKey("budget.id", ondelete="CASCADE"))
    proposal_id: Mapped[int | None] = mapped_column(
        ForeignKey("proposal.id", ondelete="SET NULL"), default=None
    )
    code: Mapped[str] = mapped_column(String(64))  # the public project id on the ballot and in exports
    position: Mapped[int] = mapped_column(default=0)
    title: Mapped[str] = mapped_column(String(200))
    summary: Mapped[str] = mapped_column(Text, default="")
    cost: Mapped[Money]  # vetted cost in øre
    category_id: Mapped[int | None] = mapped_column(ForeignKey("category.id"), default=None)
    exclusion_group: Mapped[str | None] = mapped_column(
        String(80), default=None
    )  # at most one per group wins
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    budget: Mapped[Budget] = relationship(back_populates="projects")
    proposal: Mapped[Proposal | None] = relationship()
    category: Mapped[Category | None] = relationship()
