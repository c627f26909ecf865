"""The read endpoints: processes, budgets, projects and receipts; drafts are never shown."""

from __future__ import annotations

import pytest
from flask.testing import FlaskClient

from pbvote.core.types import BallotKind
from pbvote.processes.models import Phase
from tests.api.support import post_ballot
from tests.builders import make_budget, make_category, make_process
from tests.processes.support import make_project
from tests.support.voting import make_code_voting


def test_processes_lists_public_processes_with_slug_title_and_phase(client: FlaskClient) -> None:
    shown = make_process(phase=Phase.PROPOSALS, title_da="Borgerbudget Nord", title_en="PB North")
    make_process(phase=Phase.DRAFT)
    danish = client.get("/api/v1/processes").get_json()
    english = client.get("/api/v1/processes", headers={"Accept-Language": "en"}).get_json()
    assert danish == {"processes": [{"slug": shown.slug, "title": "Borgerbudget Nord", "phase": "proposals"}]}
    assert english["processes"][0]["title"] == "PB North"


def test_process_shows_phase_rules_digest_and_budgets_with_limits(client: FlaskClient) -> None:
    voting = make_code_voting(
        kind=BallotKind.KNAPSACK, amount=1_234_567_89, min_spent_percent=50, max_projects=2
    )
    body = client.get(f"/api/v1/processes/{voting.process_slug}").get_json()
    assert body["phase"] == "voting"
    assert body["frozen"] is True
    assert len(body["rules_digest"]) == 64
    [budget] = body["budgets"]
    assert budget["id"] == voting.budget_id
    assert budget["amount"] == 1_234_567_89
    assert budget["ballot_kind"] == "knapsack"
    assert (budget["max_projects"], budget["min_spent"], budget["points"]) == (2, 61_728_395, None)
    assert len(budget["rules_digest"]) == 64


def test_process_before_voting_has_no_digest(client: FlaskClient) -> None:
    process = make_process(phase=Phase.PROPOSALS)
    make_budget(process, ballot_kind=BallotKind.CUMULATIVE, points=10)
    body = client.get(f"/api/v1/processes/{process.slug}").get_json()
    assert (body["frozen"], body["rules_digest"]) == (False, None)
    assert body["budgets"][0]["points"] == 10


@pytest.mark.parametrize("slug", ["draft", "findes-ikke", "a%00b", "x" * 300])
def test_process_that_is_a_draft_unknown_or_no_slug_is_404(client: FlaskClient, slug: str) -> None:
    make_process(phase=Phase.DRAFT, slug="draft")
    response = client.get(f"/api/v1/processes/{slug}")
    assert response.status_code == 404
    assert response.get_json()["error"]["status"] == 404


def test_projects_lists_the_ballot_in_order_with_costs_in_ore_category_and_district(
    client: FlaskClient,
) -> None:
    process = make_process(phase=Phase.VOTING)
    budget = make_budget(process, district="Nordby")
    category = make_category(process, name_da="Natur", name_en="Nature")
    make_project(budget, code="B", title="Bænke", cost=12_345_67, position=2)
    make_project(budget, code="A", title="Abekat", cost=100_00, position=1, category_id=category.id)
    body = client.get(f"/api/v1/budgets/{budget.id}/projects", headers={"Accept-Language": "en"}).get_json()
    assert body["budget"] == budget.id and body["currency"] == "DKK"
    assert [(p["id"], p["title"], p["cost"], p["category"], p["district"]) for p in body["projects"]] == [
        ("A", "Abekat", 100_00, "Nature", "Nordby"),
        ("B", "Bænke", 12_345_67, None, "Nordby"),
    ]


def test_projects_of_a_draft_or_unknown_budget_are_404(client: FlaskClient) -> None:
    draft = make_budget(make_process(phase=Phase.DRAFT))
    for budget_id in (draft.id, draft.id + 1, 2**31 - 1):
        assert client.get(f"/api/v1/budgets/{budget_id}/projects").status_code == 404
    for path in ("0", "-1", "abc", str(2**31), str(2**70)):
        response = client.get(f"/api/v1/budgets/{path}/projects")
        assert response.status_code == 404
        assert response.is_json


def test_receipt_is_counted_once_cast_and_may_be_typed_loosely(client: FlaskClient) -> None:
    voting = make_code_voting()
    receipt = post_ballot(
        client, voting.budget_id, {"code": voting.codes[0], "projects": ["P-1"]}
    ).get_json()["receipt"]
    loose = receipt.lower().replace("-", " ").replace("0", "o").replace("1", "l")
    assert client.get(f"/api/v1/receipts/{loose}").get_json() == {
        "receipt": receipt,
        "counted": True,
        "budget": voting.budget_id,
    }


def test_receipt_not_in_the_box_is_not_counted(client: FlaskClient) -> None:
    make_code_voting()
    body = client.get("/api/v1/receipts/abcd-efgh-jkmn").get_json()
    assert body == {"receipt": "ABCD-EFGH-JKMN", "counted": False, "budget": None}


@pytest.mark.parametrize("text", ["ABC", "ABCD-EFGH-JKMN-PQRS", "%00" * 12, "ÆØÅÆ-ØÅÆØ-ÅÆØÅ"])
def test_receipt_that_is_no_receipt_code_is_404(client: FlaskClient, text: str) -> None:
    response = client.get(f"/api/v1/receipts/{text}")
    assert response.status_code == 404
    assert "ABCD-EFGH-JKMN" in response.get_json()["error"]["message"]


def test_read_endpoints_take_no_writes(client: FlaskClient) -> None:
    voting = make_code_voting()
    for path in ("/api/v1/processes", f"/api/v1/budgets/{voting.budget_id}/projects"):
        assert client.post(path, json={}).status_code == 405
