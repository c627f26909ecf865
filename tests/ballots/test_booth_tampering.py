"""Tampered booth forms are refused with a clear Danish message and write nothing, whatever they hold."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from flask.testing import FlaskClient

from pbvote.core.types import BallotKind
from pbvote.extensions import db
from pbvote.processes.models import Budget, Eligibility
from tests.ballots.booth_helpers import booth_url, box, confirm, text
from tests.builders import make_voting_budget
from tests.conftest import empty_all_tables, make_test_app

KEY = "r" * 32
NOTHING = (0, 0, 0, 0)


def knapsack() -> Budget:
    return make_voting_budget(
        kind=BallotKind.KNAPSACK,
        eligibility=Eligibility.OPEN,
        projects=[("P-1", 100_000_00), ("P-2", 300_000_00), ("P-3", 450_000_00)],
    )


def refused(client: FlaskClient, budget: Budget, data: dict[str, Any], *messages: str) -> None:
    """Post the confirmation as sent; the booth comes back (422) naming every fault; nothing is stored."""
    response = confirm(client, budget, data, KEY)
    page = text(response)
    assert response.status_code == 422, page[:1500]
    assert "Din stemme kan ikke afgives endnu" in page
    for message in messages:
        assert message in page, message
    assert box() == NOTHING


def test_booth_refuses_a_ballot_over_the_budget(client: FlaskClient) -> None:
    refused(
        client,
        knapsack(),
        {"project": ["P-2", "P-3"]},
        "Du har valgt for 250.000\xa0kr. mere end budgettet på 500.000\xa0kr.",
    )


def test_booth_refuses_unknown_and_foreign_projects(client: FlaskClient) -> None:
    budget = knapsack()
    other = make_voting_budget(
        kind=BallotKind.KNAPSACK, eligibility=Eligibility.OPEN, projects=[("X-9", 100)]
    )
    refused(
        client,
        budget,
        {"project": ["P-1", "NOPE", "X-9"]},
        "Projektet “NOPE” findes ikke på stemmesedlen.",
        "Projektet “X-9” findes ikke på stemmesedlen.",
    )
    assert other.id != budget.id


def test_booth_refuses_duplicated_ids(client: FlaskClient) -> None:
    refused(client, knapsack(), {"project": ["P-1", "P-1"]}, "Du har valgt “Projekt P-1” mere end én gang.")


def test_booth_refuses_ten_thousand_ids(client: FlaskClient) -> None:
    budget = make_voting_budget(kind=BallotKind.APPROVAL, eligibility=Eligibility.OPEN, max_projects=2)
    refused(
        client, budget, {"project": ["P-1"] * 10_000}, "Du kan højst vælge 2 projekter. Du har valgt 10000."
    )


@pytest.mark.parametrize(
    ("points", "message"),
    [
        ("-3", "Pointene til “Projekt P-1” kan ikke være under 0."),
        ("99999999999999999999999", "Du har givet 1000000000000000 point, men du har kun 10."),
        ("9" * 5000, "Skriv et helt tal ved “Projekt P-1”, fx 3."),
        ("2.5", "Skriv et helt tal ved “Projekt P-1”, fx 3."),
        ("tre", "Skriv et helt tal ved “Projekt P-1”, fx 3."),
        ("7", "Du kan højst give 5 point til “Projekt P-1”."),
    ],
)
def test_booth_refuses_bad_points(client: FlaskClient, points: str, message: str) -> None:
    budget = make_voting_budget(
        kind=BallotKind.CUMULATIVE, eligibility=Eligibility.OPEN, points=10, max_points_per_project=5
    )
    refused(client, budget, {"points-P-1": points}, message)


def test_booth_refuses_points_for_unknown_projects_and_points_given_twice(client: FlaskClient) -> None:
    budget = make_voting_budget(kind=BallotKind.CUMULATIVE, eligibility=Eligibility.OPEN, points=10)
    refused(
        client,
        budget,
        {"points-P-1": ["2", "3"], "points-GHOST": "1"},
        "Skriv et helt tal ved “Projekt P-1”, fx 3.",
        "Projektet “GHOST” findes ikke på stemmesedlen.",
    )


def test_booth_refuses_ten_thousand_point_fields(client: FlaskClient) -> None:
    budget = make_voting_budget(kind=BallotKind.CUMULATIVE, eligibility=Eligibility.OPEN, points=10)
    data = {f"points-X{n}": "1" for n in range(10_000)}
    refused(client, budget, data, "Du kan højst vælge 3 projekter. Du har valgt 10000.")


def test_booth_refuses_a_ranking_that_is_too_long(client: FlaskClient) -> None:
    budget = make_voting_budget(kind=BallotKind.RANKED, eligibility=Eligibility.OPEN, max_projects=2)
    refused(
        client,
        budget,
        {"project": ["P-1", "P-2", "P-3"]},
        "Du kan højst rangere 2 projekter. Du har rangeret 3.",
    )


def test_booth_refuses_a_confirmation_without_a_valid_retry_key(client: FlaskClient) -> None:
    budget = knapsack()
    for key in ("", "short", "x" * 33, "ø" * 32):
        response = confirm(client, budget, {"project": ["P-1"]}, key)
        assert response.status_code == 422
        assert "Din bekræftelse var ufuldstændig." in text(response)
    assert box() == NOTHING


@pytest.fixture
def csrf_client(database_url: str) -> Iterator[FlaskClient]:
    """A client of an app with CSRF protection on, as in production."""
    app = make_test_app(database_url, WTF_CSRF_ENABLED=True)
    with app.app_context():
        yield app.test_client()
        db.session.rollback()
        empty_all_tables()
        db.session.remove()
        db.engine.dispose()


def test_booth_refuses_a_confirmation_without_csrf_token(csrf_client: FlaskClient) -> None:
    budget = knapsack()
    page = text(csrf_client.get(booth_url(budget)))
    assert 'name="csrf_token"' in page
    response = confirm(csrf_client, budget, {"project": ["P-1"]}, KEY)
    assert response.status_code == 400
    assert "Din formular er udløbet eller blev ikke sendt fra denne side." in text(response)
    assert box() == NOTHING
    code = csrf_client.post(f"/stem/{budget.process.slug}/kode", data={"code": "ZZZZ-ZZZZ-ZZZZ"})
    assert code.status_code == 400
