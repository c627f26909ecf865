"""Helpers for the workshop tests: a staff client, a workshop made through the service, counts."""

from __future__ import annotations

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select
from werkzeug.test import TestResponse

from pbvote.auth.models import Role
from pbvote.ballots.models import Ballot, BallotLine, Participation
from pbvote.db import utcnow
from pbvote.extensions import db
from pbvote.workshop.models import Workshop, WorkshopJoin
from pbvote.workshop.services import create_workshop, open_voting
from tests.builders import login, make_user


def english(client: FlaskClient) -> FlaskClient:
    """Read pages in English, so assertions hold before and after the Danish translations are merged."""
    client.set_cookie("pbvote_lang", "en")
    return client


def staff_client(app: Flask) -> FlaskClient:
    """A logged-in staff member's browser, in English."""
    client = english(app.test_client())
    login(client, make_user(role=Role.STAFF))
    return client


def new_workshop(template: str = "da", *, voting: bool = False) -> Workshop:
    """A committed workshop from a template, in the lobby or with voting open."""
    workshop = create_workshop(None, template, now=utcnow())
    if voting:
        open_voting(None, workshop, now=utcnow())
    db.session.commit()
    return workshop


def fresh(workshop_id: int) -> Workshop:
    """The workshop as the database has it now."""
    db.session.expire_all()
    found = db.session.get(Workshop, workshop_id)
    assert found is not None
    return found


def counts(workshop: Workshop) -> dict[str, int]:
    """Rows that belong to the workshop's budget: ballots, lines, participations, joins."""
    db.session.expire_all()
    budget_id = workshop.process.budgets[0].id

    def number(query: object) -> int:
        return db.session.scalar(query) or 0  # type: ignore[arg-type]

    ballots = select(Ballot.id).where(Ballot.budget_id == budget_id)
    return {
        "ballots": number(select(func.count()).select_from(Ballot).where(Ballot.budget_id == budget_id)),
        "lines": number(
            select(func.count()).select_from(BallotLine).where(BallotLine.ballot_id.in_(ballots))
        ),
        "participations": number(
            select(func.count()).select_from(Participation).where(Participation.budget_id == budget_id)
        ),
        "joins": number(
            select(func.count()).select_from(WorkshopJoin).where(WorkshopJoin.workshop_id == workshop.id)
        ),
    }


def text(response: TestResponse) -> str:
    return response.get_data(as_text=True)
