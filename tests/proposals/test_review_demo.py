"""The demo proposals: realistic, reviewed where the process is in review, and usable by the demo staff."""

from __future__ import annotations

from collections import Counter

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from pbvote.auth.models import User
from pbvote.auth.passwords import hash_password
from pbvote.db import utcnow
from pbvote.demo import DEMO_PASSWORD, DEMO_USERS, seed_demo_processes
from pbvote.extensions import db
from pbvote.processes.models import Municipality
from pbvote.proposals.demo import GREEN_SLUG, STAFF_EMAIL, seed_demo_proposals
from pbvote.proposals.models import Project, Proposal, ProposalStatus
from tests.builders import login
from tests.proposals.review_helpers import page_text


def seed() -> dict[str, list[Proposal]]:
    municipality = Municipality(slug="soeby", name="Søby Kommune")
    db.session.add(municipality)
    for email, name, role in DEMO_USERS:
        db.session.add(
            User(email=email, display_name=name, role=role, password_hash=hash_password(DEMO_PASSWORD))
        )
    seed_demo_processes(municipality, utcnow())
    db.session.flush()
    proposals = seed_demo_proposals(municipality)
    db.session.commit()
    by_process: dict[str, list[Proposal]] = {}
    for proposal in proposals:
        by_process.setdefault(proposal.process.slug, []).append(proposal)
    return by_process


def test_demo_proposals_cover_both_processes_and_a_review_in_progress(app: Flask) -> None:
    by_process = seed()
    green = by_process.pop(GREEN_SLUG)
    [open_ideas] = by_process.values()
    assert {p.status for p in open_ideas} == {ProposalStatus.SUBMITTED}
    assert len({p.budget_id for p in open_ideas}) == 3
    statuses = Counter(p.status for p in green)
    assert statuses == {
        ProposalStatus.FEASIBLE: 2,
        ProposalStatus.NEEDS_CHANGES: 1,
        ProposalStatus.NOT_FEASIBLE: 1,
        ProposalStatus.MERGED: 1,
        ProposalStatus.SUBMITTED: 1,
    }
    [rejected] = [p for p in green if p.status is ProposalStatus.NOT_FEASIBLE]
    assert rejected.public_reason and rejected.vetted_cost
    [merged] = [p for p in green if p.status is ProposalStatus.MERGED]
    assert merged.merged_into is not None and merged.merged_into.status is ProposalStatus.FEASIBLE
    assert all(p.category_id is not None for p in green)


def test_demo_staff_can_review_price_and_place_the_demo_proposals(client: FlaskClient) -> None:
    green = seed()[GREEN_SLUG]
    process_id = green[0].process_id
    ids = [p.id for p in green]
    staff = db.session.scalar(select(User).where(User.email == STAFF_EMAIL))
    assert staff is not None
    login(client, staff, DEMO_PASSWORD)
    assert "Hundeskov i Nordskoven" in page_text(client.get(f"/sagsbehandling/{process_id}/forslag"))
    for proposal_id in ids:
        assert client.get(f"/sagsbehandling/forslag/{proposal_id}").status_code == 200
        assert client.get(f"/forslag/{proposal_id}").status_code == 200
    assert client.post(f"/sagsbehandling/{process_id}/priser").status_code == 302
    assert client.post(f"/sagsbehandling/{process_id}/stemmeseddel/alle").status_code == 302
    db.session.expire_all()
    assert sorted(p.title for p in db.session.scalars(select(Project))) == [
        "Hundeskov i Nordskoven",
        "Petanquebane ved Nordby Plejecenter",
    ]
    published = db.session.scalars(select(Proposal).where(Proposal.cost_published.is_(True)))
    assert len(list(published)) == 4
