"""Helpers for the voting-booth tests: go through review and confirm like a browser, and count rows."""

from __future__ import annotations

import re
from typing import Any

from flask.testing import FlaskClient
from sqlalchemy import func, select
from werkzeug.test import TestResponse

from pbvote.ballots.models import Ballot, BallotLine, Participation, VotingCode
from pbvote.extensions import db
from pbvote.processes.models import Budget
from pbvote.proposals.models import Project

RETRY_KEY = re.compile(r'name="retry_key" value="([^"]+)"')


def booth_url(budget: Budget | int) -> str:
    return f"/stem/pulje/{budget if isinstance(budget, int) else budget.id}"


def text(response: TestResponse) -> str:
    return response.get_data(as_text=True)


def review(client: FlaskClient, budget: Budget | int, data: dict[str, Any]) -> str:
    """Post the booth's Review button; returns the retry key of the confirmation form."""
    response = client.post(booth_url(budget) + "/gennemse", data=data)
    assert response.status_code == 200, text(response)[:2000]
    page = text(response)
    assert "Du kan ikke ændre din stemme bagefter." in page
    found = RETRY_KEY.search(page)
    assert found is not None
    return found.group(1)


def confirm(client: FlaskClient, budget: Budget | int, data: dict[str, Any], retry_key: str) -> TestResponse:
    """Post the confirmation form as the review page would."""
    return client.post(booth_url(budget) + "/afgiv", data={**data, "retry_key": retry_key})


def vote(client: FlaskClient, budget: Budget | int, data: dict[str, Any]) -> str:
    """Review, confirm and follow to the receipt page; returns the receipt shown."""
    response = confirm(client, budget, data, review(client, budget, data))
    assert response.status_code == 302, text(response)[:2000]
    assert response.location == booth_url(budget) + "/kvittering"
    return receipt_on_page(client.get(response.location))


def receipt_on_page(response: TestResponse) -> str:
    """The receipt shown, after checking that the page says the vote is counted."""
    assert response.status_code == 200
    assert "er modtaget og talt med." in text(response)
    found = re.search(r'<p class="receipt-code"><code>([A-Z0-9-]+)</code></p>', text(response))
    assert found is not None, text(response)[:2000]
    return found.group(1)


def count(model: type) -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(model)) or 0


def box() -> tuple[int, int, int, int]:
    """Participations, ballots, lines and used codes: equal tuples mean nothing was written."""
    used = db.session.scalar(
        select(func.count()).select_from(VotingCode).where(VotingCode.used_on.is_not(None))
    )
    return count(Participation), count(Ballot), count(BallotLine), used or 0


def stored_lines(budget: Budget) -> list[tuple[str, int]]:
    """The (project code, value) lines of the budget's ballots, sorted."""
    db.session.expire_all()
    query = (
        select(Project.code, BallotLine.value)
        .join(BallotLine, BallotLine.project_id == Project.id)
        .join(Ballot, Ballot.id == BallotLine.ballot_id)
        .where(Ballot.budget_id == budget.id)
        .order_by(Project.code)
    )
    return [(code, value) for code, value in db.session.execute(query)]


def voter_keys(budget: Budget) -> list[str]:
    db.session.expire_all()
    return list(
        db.session.scalars(select(Participation.voter_key).where(Participation.budget_id == budget.id))
    )


def chosen_in_form(page: str) -> list[str]:
    """The project ids the booth carries in its hidden fields, in order."""
    return re.findall(r'<input type="hidden" name="project" value="([^"]*)">', page)


def card_order(page: str) -> list[str]:
    return re.findall(r'<li class="project-card[^"]*" id="card-([^"]+)"', page)
