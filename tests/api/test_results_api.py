"""The results endpoint: a budget's published result, and nothing before it is published and voting closed."""

from __future__ import annotations

from datetime import datetime

import pytest
import schemathesis
from flask import Flask
from flask.testing import FlaskClient
from hypothesis import HealthCheck, given, settings

from pbvote.core.types import BallotKind, RuleName
from pbvote.db import utcnow
from pbvote.extensions import db
from pbvote.processes.models import Budget, Phase
from pbvote.results.models import TallyRun
from pbvote.results.services import publish_run, tally_budget
from tests.builders import make_budget, make_process, make_voting_budget
from tests.results.builders import make_ballots

PROJECTS = (
    ("A", 200_000_50, {"title": "Affaldsspande"}),
    ("B", 150_000_25, {"title": "Bænke ved åen"}),
    ("C", 300_000_00, {"title": "Cykelsti"}),
    ("D", 50_000_00, {"title": "Drivhus"}),
)
BALLOTS = [["B", "C"]] * 5 + [["A", "B"]] * 4 + [["A", "D"]] * 3 + [["D"]]  # B 9, A 7, C 5, D 4


def voted_budget(**limits: object) -> Budget:
    """A citywide approval budget of 400.000,75 kr. with 13 ballots, voting still open."""
    limits.setdefault("amount", 400_000_75)
    budget = make_voting_budget(kind=BallotKind.APPROVAL, projects=PROJECTS, district="Nordby", **limits)
    make_ballots(budget, BALLOTS)
    return budget


def close_voting(budget: Budget, phase: Phase = Phase.COUNTING) -> None:
    budget.process.phase = phase
    db.session.commit()


def counted(budget: Budget, *, publish: bool, rule: RuleName | None = None) -> TallyRun:
    run = tally_budget(budget, actor=None, rule=rule, now=utcnow())
    if publish:
        publish_run(run, actor=None, now=utcnow())
    db.session.commit()
    return run


def results(client: FlaskClient, budget_id: int, **headers: str) -> tuple[int, dict[str, object]]:
    response = client.get(f"/api/v1/budgets/{budget_id}/results", headers=headers)
    assert response.is_json
    return response.status_code, response.get_json()


def assert_not_found(client: FlaskClient, budget_id: int) -> None:
    status, body = results(client, budget_id)
    assert status == 404
    assert body["error"]["status"] == 404 and body["error"]["code"] == "not_found"
    assert body["error"]["message"]


def test_results_are_404_during_voting_and_until_a_run_is_published(app: Flask, client: FlaskClient) -> None:
    budget = voted_budget()
    assert_not_found(client, budget.id)  # voting: nothing to count, nothing shown
    close_voting(budget)
    assert_not_found(client, budget.id)  # closed, but not counted
    counted(budget, publish=False)
    assert_not_found(client, budget.id)  # a staff preview is not public
    assert results(client, budget.id, **{"Accept-Language": "en"})[1]["error"]["message"] == (
        "This budget has no published result."
    )


def test_published_result_lists_winners_in_selection_order_with_amounts_in_ore(
    app: Flask, client: FlaskClient
) -> None:
    budget = voted_budget()
    close_voting(budget)
    run = counted(budget, publish=True)
    status, body = results(client, budget.id)
    assert status == 200
    # greedy on 400.000,75 kr.: B (9 votes) and A (7) fit, C (5) does not, D (4) fills the last 50.000 kr.
    assert body["winners"] == [
        {"id": "B", "title": "Bænke ved åen", "cost": 150_000_25, "votes": 9},
        {"id": "A", "title": "Affaldsspande", "cost": 200_000_50, "votes": 7},
        {"id": "D", "title": "Drivhus", "cost": 50_000_00, "votes": 4},
    ]
    assert (body["spent"], body["budget"], body["ballots"]) == (400_000_75, 400_000_75, 13)
    assert (body["budget_id"], body["rule"], body["tie_break"]) == (budget.id, "greedy", "cost")
    assert body["ballots_digest"] == run.ballots_digest and len(body["ballots_digest"]) == 64
    assert body["rules_digest"] == budget.rules_digest
    assert datetime.fromisoformat(str(body["published_at"])) == run.published_at
    assert set(body) == {
        "budget_id",
        "rule",
        "tie_break",
        "spent",
        "budget",
        "ballots",
        "ballots_digest",
        "rules_digest",
        "published_at",
        "winners",
    }


def test_results_show_the_newest_published_run_not_a_newer_preview(app: Flask, client: FlaskClient) -> None:
    budget = voted_budget()
    close_voting(budget, Phase.RESULTS)
    counted(budget, publish=True)
    counted(budget, publish=False, rule=RuleName.MES)
    assert results(client, budget.id)[1]["rule"] == "greedy"
    counted(budget, publish=True, rule=RuleName.MES)
    assert results(client, budget.id)[1]["rule"] == "mes"


def test_cumulative_results_give_points_as_votes(app: Flask, client: FlaskClient) -> None:
    budget = make_voting_budget(
        kind=BallotKind.CUMULATIVE, projects=(("X", 100_00), ("Y", 100_00)), amount=100_00, points=5
    )
    make_ballots(budget, [[("X", 2), ("Y", 3)], [("Y", 5)], [("X", 4), ("Y", 1)]])
    close_voting(budget)
    counted(budget, publish=True)
    assert [(w["id"], w["votes"]) for w in results(client, budget.id)[1]["winners"]] == [("Y", 9)]


def test_results_of_unknown_or_draft_budgets_are_404(app: Flask, client: FlaskClient) -> None:
    draft = make_budget(make_process(phase=Phase.DRAFT))
    for budget_id in (draft.id, draft.id + 1, 2**31 - 1):
        assert_not_found(client, budget_id)
    for path in ("0", "-1", "abc", str(2**31)):
        response = client.get(f"/api/v1/budgets/{path}/results")
        assert response.status_code == 404 and response.is_json


def test_closed_process_reads_with_phase_budgets_and_projects_with_their_district(
    app: Flask, client: FlaskClient
) -> None:
    budget = voted_budget()
    close_voting(budget, Phase.RESULTS)
    slug = budget.process.slug
    listed = client.get("/api/v1/processes").get_json()["processes"]
    assert {"slug": slug, "title": budget.process.title_da, "phase": "results"} in listed
    detail = client.get(f"/api/v1/processes/{slug}").get_json()
    assert detail["phase"] == "results" and detail["rules_digest"] == budget.process.rules_digest
    [shown] = detail["budgets"]
    assert (shown["id"], shown["name"], shown["amount"], shown["ballot_kind"]) == (
        budget.id,
        budget.name_da,
        400_000_75,
        "approval",
    )
    projects = client.get(f"/api/v1/budgets/{budget.id}/projects").get_json()["projects"]
    assert [(p["id"], p["cost"], p["category"], p["district"]) for p in projects][:2] == [
        ("A", 200_000_50, None, "Nordby"),
        ("B", 150_000_25, None, "Nordby"),
    ]


def test_published_result_conforms_to_the_openapi_document(app: Flask) -> None:
    budget = voted_budget()
    close_voting(budget)
    counted(budget, publish=True)
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    operation = schema["/budgets/{budget_id}/results"]["GET"]

    @settings(max_examples=5, suppress_health_check=list(HealthCheck))
    @given(case=operation.as_strategy(path_parameters={"budget_id": budget.id}))
    def check(case: schemathesis.Case) -> None:
        response = case.call_and_validate()
        assert response.status_code == 200

    check()


@pytest.mark.parametrize("phase", [Phase.VOTING, Phase.PROPOSALS])
def test_a_published_run_is_hidden_again_if_the_process_is_not_closed(
    app: Flask, client: FlaskClient, phase: Phase
) -> None:
    budget = voted_budget()
    close_voting(budget)
    counted(budget, publish=True)
    close_voting(budget, phase)  # an admin moved the phase back: nothing is shown before the close
    assert_not_found(client, budget.id)
