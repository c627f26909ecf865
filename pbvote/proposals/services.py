"""What residents do with proposals: submit, edit, withdraw, follow. These functions never commit."""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flask_babel import lazy_gettext as _l

from pbvote.core.errors import DomainError, NotAllowed
from pbvote.extensions import db
from pbvote.processes.models import Process
from pbvote.proposals import policies, queries
from pbvote.proposals.images import MAX_IMAGES, PreparedImage
from pbvote.proposals.models import (
    EventKind,
    Proposal,
    ProposalEvent,
    ProposalFollower,
    ProposalImage,
    ProposalStatus,
)

PROPOSALS_CLOSED = _l("New proposals can only be submitted while the process is collecting proposals.")
CANNOT_EDIT = _l("This proposal can no longer be changed.")


class InvalidProposal(DomainError):
    """The proposal's content does not fit the process (e.g. a budget of another process)."""

    code = "invalid_proposal"


@dataclass(frozen=True)
class ProposalData:
    """The fields a resident fills in, already parsed (money in øre, coordinates in degrees)."""

    title: str
    summary: str
    description: str
    budget_id: int
    category_id: int | None = None
    cost_guess: int | None = None
    address: str = ""
    latitude: float | None = None
    longitude: float | None = None


@dataclass(frozen=True)
class NewImage:
    """A re-encoded picture and the words that describe it."""

    image: PreparedImage
    alt_text: str


def submit_proposal(
    actor: Any, process: Process, data: ProposalData, images: Sequence[NewImage] = (), *, now: datetime
) -> Proposal:
    """Store a new proposal with its pictures; the author follows it. Does not commit.

    Raises:
        NotAllowed: the process is not collecting proposals, or nobody is logged in.
        InvalidProposal: the budget or category is not one of the process's, or too many images.
    """
    if not policies.can_propose(actor, process, now):
        raise NotAllowed(PROPOSALS_CLOSED)
    proposal = Proposal(process=process, author_id=actor.id, status=ProposalStatus.SUBMITTED, created_at=now)
    _apply(proposal, process, data, now=now)
    _add_images(proposal, images)
    proposal.events.append(ProposalEvent(kind=EventKind.SUBMITTED, actor_id=actor.id, at=now))
    db.session.add(proposal)
    db.session.flush()
    db.session.add(ProposalFollower(proposal_id=proposal.id, user_id=actor.id))
    db.session.flush()
    return proposal


def edit_proposal(
    actor: Any,
    proposal: Proposal,
    data: ProposalData,
    images: Sequence[NewImage] = (),
    remove_tokens: Sequence[str] = (),
    *,
    now: datetime,
) -> Proposal:
    """Change a proposal before review starts; pictures may be removed and added. Does not commit.

    Raises:
        NotAllowed: not an author, or review has started.
        InvalidProposal: as for ``submit_proposal``.
    """
    if not policies.can_edit(actor, proposal, now):
        raise NotAllowed(CANNOT_EDIT)
    _apply(proposal, proposal.process, data, now=now)
    for image in [i for i in proposal.images if i.token in set(remove_tokens)]:
        proposal.images.remove(image)
    _add_images(proposal, images)
    proposal.events.append(ProposalEvent(kind=EventKind.EDITED, actor_id=actor.id, at=now))
    db.session.flush()
    return proposal


def withdraw_proposal(actor: Any, proposal: Proposal, *, now: datetime) -> Proposal:
    """Take a proposal back before review starts; it stays on record as withdrawn. Does not commit."""
    if not policies.can_withdraw(actor, proposal, now):
        raise NotAllowed(CANNOT_EDIT)
    proposal.status = ProposalStatus.WITHDRAWN
    proposal.updated_at = now
    proposal.events.append(ProposalEvent(kind=EventKind.WITHDRAWN, actor_id=actor.id, at=now))
    db.session.flush()
    return proposal


def follow_proposal(actor: Any, proposal: Proposal, *, now: datetime) -> None:
    """Get an e-mail when the proposal's status changes; following twice changes nothing."""
    if not policies.can_follow(actor, proposal, now):
        raise NotAllowed(_l("You cannot follow this proposal."))
    if queries.follower(proposal.id, actor.id) is None:
        db.session.add(ProposalFollower(proposal_id=proposal.id, user_id=actor.id))
        db.session.flush()


def unfollow_proposal(actor: Any, proposal: Proposal, *, now: datetime) -> None:
    """Stop the e-mails about this proposal."""
    row = queries.follower(proposal.id, actor.id) if policies.is_logged_in(actor) else None
    if row is not None:
        db.session.delete(row)
        db.session.flush()


def _apply(proposal: Proposal, process: Process, data: ProposalData, *, now: datetime) -> None:
    """Copy the form's values after checking that budget and category belong to the process."""
    if data.budget_id not in {b.id for b in process.budgets}:
        raise InvalidProposal(_l("Choose one of the process's budgets."))
    if data.category_id is not None and data.category_id not in {c.id for c in process.categories}:
        raise InvalidProposal(_l("Choose one of the process's categories."))
    if (data.latitude is None) != (data.longitude is None):
        raise InvalidProposal(_l("Give both latitude and longitude, or neither."))
    proposal.title = data.title
    proposal.summary = data.summary
    proposal.description = data.description
    proposal.budget_id = data.budget_id
    proposal.category_id = data.category_id
    proposal.cost_guess = data.cost_guess
    proposal.address = data.address
    proposal.latitude = data.latitude
    proposal.longitude = data.longitude
    proposal.updated_at = now


def _add_images(proposal: Proposal, images: Sequence[NewImage]) -> None:
    if len(proposal.images) + len(images) > MAX_IMAGES:
        raise InvalidProposal(_l("A proposal can have at most %(n)d images.", n=MAX_IMAGES))
    start = max((i.position for i in proposal.images), default=-1) + 1
    for offset, new in enumerate(images):
        proposal.images.append(
            ProposalImage(
                position=start + offset,
                token=secrets.token_urlsafe(24),
                mime_type=new.image.mime_type,
                width=new.image.width,
                height=new.image.height,
                alt_text=new.alt_text,
                data=new.image.data,
            )
        )
