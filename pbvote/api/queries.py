"""What the API reads: public processes, budgets and projects (drafts are never public), receipts, codes."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

from pbvote.ballots import keys
from pbvote.ballots.models import Ballot, VotingCode
from pbvote.extensions import db
from pbvote.processes.models import Budget, Phase, Process
from pbvote.proposals.models import Project

SLUG_MAX = 80
MAX_ID = 2**31 - 1  # ids are 32-bit integers on PostgreSQL


def public_process(slug: str) -> Process | None:
    """A process that is not a draft, with its budgets, by its slug (None for anything that is no slug)."""
    if not slug or len(slug) > SLUG_MAX or not slug.isprintable():
        return None
    query = (
        select(Process)
        .where(Process.slug == slug, Process.phase != Phase.DRAFT)
        .options(selectinload(Process.budgets))
    )
    return db.session.scalar(query)


def public_budget(budget_id: int) -> Budget | None:
    """A budget of a process that is not a draft, with its process."""
    if not 0 < budget_id <= MAX_ID:
        return None
    query = (
        select(Budget)
        .join(Budget.process)
        .where(Budget.id == budget_id, Process.phase != Phase.DRAFT)
        .options(joinedload(Budget.process))
    )
    return db.session.scalar(query)


def ballot_projects(budget: Budget) -> list[Project]:
    """The projects on a budget's ballot in ballot order, with their categories."""
    query = (
        select(Project)
        .where(Project.budget_id == budget.id)
        .options(joinedload(Project.category))
        .order_by(Project.position, Project.id)
    )
    return list(db.session.scalars(query))


def budget_of_receipt(receipt: str) -> int | None:
    """The budget whose ballot box holds this receipt, or None when no counted ballot has it."""
    return db.session.scalar(select(Ballot.budget_id).where(Ballot.receipt == receipt))


def code_was_used(budget: Budget, code_text: str) -> bool:
    """Whether the code belongs to this budget and has voted already."""
    query = select(VotingCode.id).where(
        VotingCode.budget_id == budget.id,
        VotingCode.code_hash == keys.code_hash(code_text),
        VotingCode.used_on.is_not(None),
    )
    return db.session.scalar(query) is not None
