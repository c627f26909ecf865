"""Read-side queries for proposals: the public list and the pages of one proposal, without N+1."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, Select, case, func, or_, select
from sqlalchemy.orm import defer, joinedload, selectinload

from pbvote.extensions import db
from pbvote.proposals.models import Proposal, ProposalFollower, ProposalImage, ProposalStatus

PER_PAGE = 20
SORT_KEYS = ("newest", "oldest", "title", "cost")
HIDDEN_FROM_DEFAULT_LIST = (ProposalStatus.WITHDRAWN,)


@dataclass(frozen=True)
class ProposalFilters:
    """What the visitor asked the list for; values are already checked against the process."""

    budget_id: int | None = None
    category_id: int | None = None
    status: ProposalStatus | None = None
    search: str = ""
    sort: str = "newest"


@dataclass(frozen=True)
class Page:
    """One page of a longer list."""

    items: list[Any]
    total: int
    number: int
    per_page: int

    @property
    def pages(self) -> int:
        return max(1, math.ceil(self.total / self.per_page))

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def has_next(self) -> bool:
        return self.number < self.pages


def _like_pattern(text: str) -> str:
    """A LIKE pattern that matches ``text`` literally anywhere (% and _ typed by users are not wildcards)."""
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def displayed_cost() -> ColumnElement[Any]:
    """The cost a visitor sees: the municipality's once published, else the proposer's guess."""
    return case((Proposal.cost_published.is_(True), Proposal.vetted_cost), else_=Proposal.cost_guess)


def _ordering(sort: str) -> tuple[ColumnElement[Any], ...]:
    if sort == "oldest":
        return (Proposal.created_at.asc(), Proposal.id.asc())
    if sort == "title":
        return (func.lower(Proposal.title).asc(), Proposal.id.asc())
    if sort == "cost":
        cost = displayed_cost()
        return (case((cost.is_(None), 1), else_=0), cost.asc(), Proposal.id.asc())  # unknown costs last
    if sort == "newest":
        return (Proposal.created_at.desc(), Proposal.id.desc())
    raise ValueError(f"unknown sort key {sort!r}")


def public_proposals_query(process_id: int, filters: ProposalFilters) -> Select[tuple[Proposal]]:
    """The visible proposals of a process matching ``filters``, without ordering or loading options."""
    query = select(Proposal).where(Proposal.process_id == process_id, Proposal.hidden.is_(False))
    if filters.status is not None:
        query = query.where(Proposal.status == filters.status)
    else:
        query = query.where(Proposal.status.not_in(HIDDEN_FROM_DEFAULT_LIST))
    if filters.budget_id is not None:
        query = query.where(Proposal.budget_id == filters.budget_id)
    if filters.category_id is not None:
        query = query.where(Proposal.category_id == filters.category_id)
    if filters.search:
        pattern = _like_pattern(filters.search)
        query = query.where(
            or_(Proposal.title.ilike(pattern, escape="\\"), Proposal.summary.ilike(pattern, escape="\\"))
        )
    return query


def public_proposals_page(
    process_id: int, filters: ProposalFilters, number: int, per_page: int = PER_PAGE
) -> Page:
    """One page of the public list, with each proposal's budget and category loaded in the same query."""
    query = public_proposals_query(process_id, filters)
    total = db.session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = db.session.scalars(
        query.options(joinedload(Proposal.budget), joinedload(Proposal.category))
        .order_by(*_ordering(filters.sort))
        .limit(per_page)
        .offset((number - 1) * per_page)
    )
    return Page(items=list(rows), total=total, number=number, per_page=per_page)


def proposal_by_id(proposal_id: int) -> Proposal | None:
    """A proposal with what its page shows (images without their bytes, history, co-authors)."""
    query = (
        select(Proposal)
        .where(Proposal.id == proposal_id)
        .options(
            joinedload(Proposal.process),
            joinedload(Proposal.budget),
            joinedload(Proposal.category),
            joinedload(Proposal.author),
            selectinload(Proposal.images).options(defer(ProposalImage.data)),
            selectinload(Proposal.events),
            selectinload(Proposal.coauthors),
        )
    )
    return db.session.scalar(query)


def image_by_token(token: str) -> ProposalImage | None:
    """An uploaded image by its random token, with its proposal (to check whether it is hidden)."""
    query = (
        select(ProposalImage).where(ProposalImage.token == token).options(joinedload(ProposalImage.proposal))
    )
    return db.session.scalar(query)


def follower(proposal_id: int, user_id: int) -> ProposalFollower | None:
    """The row saying this user follows this proposal, if they do."""
    query = select(ProposalFollower).where(
        ProposalFollower.proposal_id == proposal_id, ProposalFollower.user_id == user_id
    )
    return db.session.scalar(query)
