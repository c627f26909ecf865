"""Shared set-up and read-backs for the staff review tests: a process in review, staff, an author."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select

from pbvote.audit.models import AuditEntry
from pbvote.auth.models import Role, User
from pbvote.extensions import db
from pbvote.outbox.models import OutboxMessage
from pbvote.processes.models import Budget, Phase, Process
from pbvote.proposals.models import (
    EventKind,
    Project,
    Proposal,
    ProposalAuthor,
    ProposalEvent,
    ProposalFollower,
    ProposalReport,
)
from tests.builders import make_budget, make_process, make_proposal, make_user


@dataclass
class Review:
    """A process with one budget, a staff member, a resident author and one proposal."""

    process: Process
    budget: Budget
    staff: User
    author: User
    proposal: Proposal


def review_setup(phase: Phase = Phase.REVIEW, **proposal_fields: Any) -> Review:
    process = make_process(phase=phase)
    budget = make_budget(process, name_da="Hele kommunen", amount=200_000_000)
    staff = make_user(role=Role.STAFF, display_name="Søren Sagsbehandler")
    author = make_user(display_name="Birgitte Borger")
    proposal = make_proposal(
        process, budget=budget, author=author, title="Ny legeplads i Søparken", **proposal_fields
    )
    return Review(process, budget, staff, author, proposal)


def follow(proposal: Proposal, user: User) -> None:
    db.session.add(ProposalFollower(proposal_id=proposal.id, user_id=user.id))
    db.session.commit()


def fresh(model: type, ident: int) -> Any:
    """The row as the database has it now (the requests ran in their own sessions)."""
    db.session.expire_all()
    return db.session.get(model, ident)


def audit_actions() -> list[str]:
    db.session.expire_all()
    return list(db.session.scalars(select(AuditEntry.action).order_by(AuditEntry.id)))


def audit_entries(action: str) -> list[AuditEntry]:
    return list(db.session.scalars(select(AuditEntry).where(AuditEntry.action == action)))


def event_kinds(proposal_id: int) -> list[EventKind]:
    db.session.expire_all()
    query = (
        select(ProposalEvent.kind).where(ProposalEvent.proposal_id == proposal_id).order_by(ProposalEvent.id)
    )
    return list(db.session.scalars(query))


def events_of(proposal_id: int, kind: EventKind) -> list[ProposalEvent]:
    query = select(ProposalEvent).where(ProposalEvent.proposal_id == proposal_id, ProposalEvent.kind == kind)
    return list(db.session.scalars(query))


def outbox() -> list[OutboxMessage]:
    db.session.expire_all()
    return list(db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))


def mail_to(email: str) -> list[OutboxMessage]:
    return [message for message in outbox() if message.recipient == email]


def count(model: type) -> int:
    return db.session.scalar(select(func.count()).select_from(model)) or 0


def state() -> dict[str, int]:
    """Row counts of everything a staff action may write: 'writes nothing' means none of these change."""
    db.session.expire_all()
    models = (
        AuditEntry,
        OutboxMessage,
        ProposalEvent,
        Project,
        ProposalAuthor,
        ProposalFollower,
        ProposalReport,
    )
    return {model.__name__: count(model) for model in models}


def page_text(response: Any) -> str:
    return str(response.get_data(as_text=True))
