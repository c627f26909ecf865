"""Read-side queries for staff review: the queue, the review page, the ballot and open reports."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import Select, func, select
from sqlalchemy.orm import joinedload, selectinload

from pbvote.auth.models import Role, User
from pbvote.extensions import db
from pbvote.processes.models import Budget, Phase, Process
from pbvote.proposals.models import (
    Project,
    Proposal,
    ProposalAuthor,
    ProposalFollower,
    ProposalReport,
    ProposalStatus,
)
from pbvote.proposals.review_policies import HAS_PRICE_TO_PUBLISH, MERGEABLE

NO_REVIEWER = "none"
QUEUE_SORTS = {
    "oldest": (Proposal.created_at.asc(), Proposal.id.asc()),
    "newest": (Proposal.created_at.desc(), Proposal.id.desc()),
    "title": (func.lower(Proposal.title).asc(), Proposal.id.asc()),
    "cost": (Proposal.vetted_cost.is_(None), Proposal.vetted_cost.desc(), Proposal.id.asc()),
    "status": (Proposal.status.asc(), Proposal.id.asc()),
}


@dataclass(frozen=True)
class QueueFilters:
    """What the queue shows: each field None means 'all'; reviewer is a user id or NO_REVIEWER."""

    status: ProposalStatus | None = None
    budget_id: int | None = None
    reviewer: int | str | None = None
    sort: str = "oldest"


def process_for_review(process_id: int) -> Process | None:
    """A process with its budgets."""
    return db.session.scalar(
        select(Process).where(Process.id == process_id).options(selectinload(Process.budgets))
    )


def reviewable_processes() -> list[tuple[Process, int]]:
    """Every process with its number of proposals, newest first."""
    counts = (
        select(Proposal.process_id, func.count(Proposal.id).label("n"))
        .group_by(Proposal.process_id)
        .subquery()
    )
    query = (
        select(Process, func.coalesce(counts.c.n, 0))
        .outerjoin(counts, counts.c.process_id == Process.id)
        .order_by(Process.id.desc())
    )
    return [(process, int(n)) for process, n in db.session.execute(query)]


def queue_query(process_id: int, filters: QueueFilters) -> Select[tuple[Proposal]]:
    """A process's proposals for the review queue, filtered and sorted, with what each row shows."""
    query = (
        select(Proposal)
        .where(Proposal.process_id == process_id)
        .options(joinedload(Proposal.author), joinedload(Proposal.reviewer), joinedload(Proposal.budget))
    )
    if filters.status is not None:
        query = query.where(Proposal.status == filters.status)
    if filters.budget_id is not None:
        query = query.where(Proposal.budget_id == filters.budget_id)
    if filters.reviewer == NO_REVIEWER:
        query = query.where(Proposal.reviewer_id.is_(None))
    elif isinstance(filters.reviewer, int):
        query = query.where(Proposal.reviewer_id == filters.reviewer)
    return query.order_by(*QUEUE_SORTS[filters.sort])


def proposal_for_review(proposal_id: int) -> Proposal | None:
    """One proposal with everything the review page shows."""
    query = (
        select(Proposal)
        .where(Proposal.id == proposal_id)
        .options(
            joinedload(Proposal.process),
            joinedload(Proposal.budget),
            joinedload(Proposal.category),
            joinedload(Proposal.author),
            joinedload(Proposal.reviewer),
            joinedload(Proposal.merged_into),
            selectinload(Proposal.coauthors).joinedload(ProposalAuthor.user),
            selectinload(Proposal.events),
        )
    )
    return db.session.scalar(query)


def proposals_in_process(process_id: int, ids: Sequence[int]) -> list[Proposal]:
    """The proposals with these ids that belong to the process (others are silently left out)."""
    if not ids:
        return []
    query = (
        select(Proposal)
        .where(Proposal.process_id == process_id, Proposal.id.in_(list(ids)))
        .options(selectinload(Proposal.coauthors))
        .order_by(Proposal.id)
    )
    return list(db.session.scalars(query))


def proposals_merged_into(proposal_id: int) -> list[Proposal]:
    """Proposals that were merged into this one earlier."""
    return list(db.session.scalars(select(Proposal).where(Proposal.merged_into_id == proposal_id)))


def reviewers() -> list[User]:
    """Active staff and admins, who can be assigned proposals."""
    query = (
        select(User)
        .where(User.role.in_([Role.STAFF, Role.ADMIN]), User.active.is_(True))
        .order_by(User.display_name, User.email)
    )
    return list(db.session.scalars(query))


def merge_candidates(proposal: Proposal) -> list[Proposal]:
    """Other open proposals of the same process that could be merged into this one."""
    query = (
        select(Proposal)
        .where(
            Proposal.process_id == proposal.process_id,
            Proposal.id != proposal.id,
            Proposal.status.in_(MERGEABLE),
        )
        .order_by(Proposal.title, Proposal.id)
    )
    return list(db.session.scalars(query))


def projects_by_budget(process: Process) -> dict[int, list[Project]]:
    """The ballot of each budget of the process, in ballot order."""
    ballot: dict[int, list[Project]] = {budget.id: [] for budget in process.budgets}
    query = (
        select(Project)
        .join(Budget, Budget.id == Project.budget_id)
        .where(Budget.process_id == process.id)
        .options(joinedload(Project.proposal))
        .order_by(Project.position, Project.id)
    )
    for project in db.session.scalars(query):
        ballot.setdefault(project.budget_id, []).append(project)
    return ballot


def project_or_none(project_id: int) -> Project | None:
    """One project with its budget and process."""
    query = (
        select(Project)
        .where(Project.id == project_id)
        .options(joinedload(Project.budget).joinedload(Budget.process), joinedload(Project.proposal))
    )
    return db.session.scalar(query)


def projects_by_id(ids: Sequence[int]) -> list[Project]:
    """The projects with these ids (unknown ids are left out), in id order."""
    if not ids:
        return []
    query = select(Project).where(Project.id.in_(list(ids))).order_by(Project.id)
    return list(db.session.scalars(query))


def project_of(proposal_id: int) -> Project | None:
    """The project a proposal became, if it is on a ballot."""
    return db.session.scalar(select(Project).where(Project.proposal_id == proposal_id).limit(1))


def visible_proposal(proposal_id: int) -> Proposal | None:
    """A proposal the public can see (not hidden, in a published process), with its process."""
    query = (
        select(Proposal)
        .join(Process, Process.id == Proposal.process_id)
        .where(Proposal.id == proposal_id, Proposal.hidden.is_(False), Process.phase != Phase.DRAFT)
        .options(joinedload(Proposal.process))
    )
    return db.session.scalar(query)


def accepted_proposals(process_id: int) -> list[Proposal]:
    """Feasible proposals with a vetted cost, not hidden: ready to go on the ballot."""
    query = (
        select(Proposal)
        .where(
            Proposal.process_id == process_id,
            Proposal.status == ProposalStatus.FEASIBLE,
            Proposal.vetted_cost.is_not(None),
            Proposal.vetted_cost > 0,
            Proposal.hidden.is_(False),
        )
        .options(joinedload(Proposal.budget), joinedload(Proposal.process))
        .order_by(Proposal.budget_id, Proposal.id)
    )
    return list(db.session.scalars(query))


def unpublished_prices(process_id: int) -> list[Proposal]:
    """Proposals of the process whose vetted cost is set but not yet public."""
    query = (
        select(Proposal)
        .where(
            Proposal.process_id == process_id,
            Proposal.vetted_cost.is_not(None),
            Proposal.cost_published.is_(False),
            Proposal.status.in_(HAS_PRICE_TO_PUBLISH),
        )
        .order_by(Proposal.id)
    )
    return list(db.session.scalars(query))


def open_reports(proposal_id: int | None = None) -> list[tuple[ProposalReport, Proposal, User | None]]:
    """Unresolved reports (of one proposal, or all), oldest first, with the proposal and the reporter."""
    query = (
        select(ProposalReport, Proposal, User)
        .join(Proposal, Proposal.id == ProposalReport.proposal_id)
        .outerjoin(User, User.id == ProposalReport.reporter_id)
        .where(ProposalReport.resolved_at.is_(None))
        .options(joinedload(Proposal.process))
        .order_by(ProposalReport.created_at, ProposalReport.id)
    )
    if proposal_id is not None:
        query = query.where(ProposalReport.proposal_id == proposal_id)
    return [(report, proposal, user) for report, proposal, user in db.session.execute(query)]


def open_report_rows(proposal_id: int) -> list[ProposalReport]:
    """The proposal's unresolved reports, to resolve them."""
    query = select(ProposalReport).where(
        ProposalReport.proposal_id == proposal_id, ProposalReport.resolved_at.is_(None)
    )
    return list(db.session.scalars(query))


def has_open_report_by(proposal_id: int, user_id: int) -> bool:
    """Whether this user already has an unresolved report on the proposal."""
    query = select(ProposalReport.id).where(
        ProposalReport.proposal_id == proposal_id,
        ProposalReport.reporter_id == user_id,
        ProposalReport.resolved_at.is_(None),
    )
    return db.session.scalar(query.limit(1)) is not None


def follower_ids(proposal_id: int) -> list[int]:
    """The users who follow the proposal."""
    query = select(ProposalFollower.user_id).where(ProposalFollower.proposal_id == proposal_id)
    return list(db.session.scalars(query))


def users_by_id(ids: Sequence[int]) -> list[User]:
    """Active accounts with these ids, in id order."""
    if not ids:
        return []
    query = select(User).where(User.id.in_(list(ids)), User.active.is_(True)).order_by(User.id)
    return list(db.session.scalars(query))


def next_position(budget_id: int) -> int:
    """The position after the last project on the budget's ballot."""
    last = db.session.scalar(select(func.max(Project.position)).where(Project.budget_id == budget_id))
    return (last or 0) + 1


def project_code_taken(budget_id: int, code: str) -> bool:
    """Whether the budget's ballot already has a project with this code."""
    query = select(Project.id).where(Project.budget_id == budget_id, Project.code == code)
    return db.session.scalar(query.limit(1)) is not None
