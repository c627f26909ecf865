"""Read-side queries for the voting booth and the public receipt lists (select() builders, no N+1)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import joinedload, selectinload

from pbvote.ballots.models import Ballot, Participation
from pbvote.extensions import db
from pbvote.processes.models import Budget, Phase, Process
from pbvote.proposals.models import Project, Proposal, ProposalImage

RECEIPTS_PER_PAGE = 200


def voting_process_by_slug(slug: str) -> Process | None:
    """A public process (not a draft) with its budgets, by slug."""
    query = (
        select(Process)
        .where(Process.slug == slug, Process.phase != Phase.DRAFT)
        .options(selectinload(Process.budgets), selectinload(Process.categories))
    )
    return db.session.scalar(query)


def public_budget(budget_id: int) -> Budget | None:
    """A budget of a public process, with its process and the process's categories and budgets."""
    query = (
        select(Budget)
        .join(Process, Budget.process_id == Process.id)
        .where(Budget.id == budget_id, Process.phase != Phase.DRAFT)
        .options(
            joinedload(Budget.process).selectinload(Process.categories),
            joinedload(Budget.process).selectinload(Process.budgets),
        )
    )
    return db.session.scalar(query)


def ballot_projects(budget_id: int) -> list[Project]:
    """The budget's projects with their categories and proposals (for 'read more'), in ballot order."""
    query = (
        select(Project)
        .where(Project.budget_id == budget_id)
        .options(joinedload(Project.category), joinedload(Project.proposal))
        .order_by(Project.position, Project.id)
    )
    return list(db.session.scalars(query))


@dataclass(frozen=True)
class Picture:
    """The first picture of a proposal: enough to build its address and alt text, without the bytes."""

    token: str
    alt_text: str
    width: int
    height: int


def first_pictures(proposal_ids: Iterable[int]) -> dict[int, Picture]:
    """The first picture of each visible proposal, by proposal id (one query, image data left unread)."""
    ids = sorted(set(proposal_ids))
    if not ids:
        return {}
    query = (
        select(
            ProposalImage.proposal_id,
            ProposalImage.token,
            ProposalImage.alt_text,
            ProposalImage.width,
            ProposalImage.height,
        )
        .join(Proposal, ProposalImage.proposal_id == Proposal.id)
        .where(ProposalImage.proposal_id.in_(ids), Proposal.hidden.is_(False))
        .order_by(ProposalImage.proposal_id, ProposalImage.position, ProposalImage.id)
    )
    pictures: dict[int, Picture] = {}
    for proposal_id, token, alt_text, width, height in db.session.execute(query):
        pictures.setdefault(proposal_id, Picture(token, alt_text, width, height))
    return pictures


def voted_budget_ids(voter_key: str, budget_ids: Iterable[int]) -> set[int]:
    """The budgets (among ``budget_ids``) in which this voter key has voted."""
    ids = list(budget_ids)
    if not ids:
        return set()
    query = select(Participation.budget_id).where(
        Participation.voter_key == voter_key, Participation.budget_id.in_(ids)
    )
    return set(db.session.scalars(query))


@dataclass(frozen=True)
class ReceiptPage:
    """One page of a budget's receipts, sorted, so the list says nothing about the order of voting."""

    receipts: list[str]
    number: int
    pages: int
    total: int


def receipts_page(budget_id: int, number: int, per_page: int = RECEIPTS_PER_PAGE) -> ReceiptPage:
    """The receipts of a budget's ballots in alphabetical order, one page of them."""
    total = db.session.scalar(select(func.count()).select_from(Ballot).where(Ballot.budget_id == budget_id))
    total = total or 0
    pages = max(1, -(-total // per_page))
    query = (
        select(Ballot.receipt)
        .where(Ballot.budget_id == budget_id)
        .order_by(Ballot.receipt)
        .offset((number - 1) * per_page)
        .limit(per_page)
    )
    return ReceiptPage(list(db.session.scalars(query)), number, pages, total)
