"""POST /api/v1/budgets/<id>/ballots: receipts, retries, one vote per code, refusals that write nothing."""

from __future__ import annotations

import re

import pytest
from flask import Flask
from flask.testing import FlaskClient

from pbvote.core.types import BallotKind
from pbvote.extensions import db
from pbvote.processes.models import Eligibility, Phase
from tests.api.support import error_code, new_key, post_ballot, violation_codes
from tests.conftest import make_test_app
from tests.support.voting import BoxState, box_state, make_code_voting

RECEIPT = re.compile(r"[A-Z0-9]{4}-[A-Z0-9]{4}-[A-Z0-9]{4}")
EMPTY = BoxState(participations=0, ballots=0, lines=0, used_codes=0, survey_responses=0)
ONE_VOTE = BoxState(participations=1, ballots=1, lines=1, used_codes=1, survey_responses=0)


def test_cast_stores_the_ballot_burns_the_code_and_answers_201_with_a_receipt(client: FlaskClient) -> None:
    voting = make_code_voting()
    response = post_ballot(client, voting.budget_id, {"code": voting.codes[0], "projects": ["P-2"]})
    assert response.status_code == 201
    receipt = response.get_json()["receipt"]
    assert RECEIPT.fullmatch(receipt)
    assert box_state() == ONE_VOTE
    status = client.get(f"/api/v1/receipts/{receipt}").get_json()
    assert status == {"receipt": receipt, "counted": True, "budget": voting.budget_id}


def test_cast_retry_with_the_same_key_answers_200_with_the_same_receipt(client: FlaskClient) -> None:
    voting = make_code_voting()
    body, key = {"code": voting.codes[0], "projects": ["P-1"]}, new_key()
    first = post_ballot(client, voting.budget_id, body, key=key)
    again = post_ballot(client, voting.budget_id, body, key=key)
    retyped = post_ballot(
        client, voting.budget_id, {**body, "code": voting.codes[0].lower().replace("-", " ")}, key=key
    )
    assert (first.status_code, again.status_code, retyped.status_code) == (201, 200, 200)
    assert first.get_json() == again.get_json() == retyped.get_json()
    assert box_state() == ONE_VOTE


def test_cast_a_second_submission_of_a_code_is_409_and_writes_nothing(client: FlaskClient) -> None:
    voting = make_code_voting()
    assert (
        post_ballot(client, voting.budget_id, {"code": voting.codes[0], "projects": ["P-1"]}).status_code
        == 201
    )
    for key in (None, new_key()):
        response = post_ballot(
            client, voting.budget_id, {"code": voting.codes[0], "projects": ["P-3"]}, key=key
        )
        assert response.status_code == 409
        assert error_code(response) == "already_voted"
    assert box_state() == ONE_VOTE


def test_cast_the_same_key_from_two_voters_gives_each_their_own_ballot(client: FlaskClient) -> None:
    voting = make_code_voting(codes=2)
    key = new_key()
    receipts = [
        post_ballot(client, voting.budget_id, {"code": code, "projects": ["P-1"]}, key=key).get_json()[
            "receipt"
        ]
        for code in voting.codes
    ]
    assert len(set(receipts)) == 2
    assert box_state().ballots == 2


@pytest.mark.parametrize(
    ("kind", "limits", "body", "lines"),
    [
        (BallotKind.APPROVAL, {"max_projects": 2}, {"projects": ["P-1", "P-3"]}, 2),
        (BallotKind.KNAPSACK, {}, {"projects": ["P-2", "P-3"]}, 2),
        (BallotKind.CUMULATIVE, {"points": 10}, {"points": {"P-1": 7, "P-3": 3, "P-2": 0}}, 2),
        (BallotKind.RANKED, {"max_projects": 3}, {"ranking": ["P-3", "P-1"]}, 2),
        (BallotKind.RANKED, {"max_projects": 3}, {"points": {"P-2": 1}}, 1),
    ],
    ids=["approval", "knapsack", "cumulative", "ranked", "ranked-by-rank"],
)
def test_cast_accepts_every_ballot_kind(
    client: FlaskClient, kind: BallotKind, limits: dict[str, int], body: dict[str, object], lines: int
) -> None:
    voting = make_code_voting(kind=kind, **limits)
    response = post_ballot(client, voting.budget_id, {"code": voting.codes[0], **body})
    assert response.status_code == 201, response.get_json()
    assert box_state().lines == lines


def test_cast_breaking_the_rules_is_422_with_every_violation_and_writes_nothing(client: FlaskClient) -> None:
    voting = make_code_voting(kind=BallotKind.KNAPSACK, amount=400_000_00)
    body = {"code": voting.codes[0], "projects": ["P-2", "P-3", "P-2", "nope", 7], "total": 1}
    response = post_ballot(client, voting.budget_id, body, **{"Accept-Language": "en"})
    assert response.status_code == 422
    assert error_code(response) == "ballot_invalid"
    assert violation_codes(response) == [
        "duplicate_project",
        "unknown_project",
        "not_a_project_id",
        "over_budget",
    ]
    violations = response.get_json()["violations"]
    assert violations[0]["params"] == {"project": "P-2"}
    assert "Projekt P-2" in violations[0]["message"]
    assert violations[3]["params"] == {"limit": 400_000_00, "total": 500_000_00}
    assert all(violation["message"] for violation in violations)
    assert box_state() == EMPTY


@pytest.mark.parametrize(
    ("kind", "body"),
    [
        (BallotKind.APPROVAL, {"ranking": ["P-1"]}),
        (BallotKind.APPROVAL, {"points": {"P-1": 1}}),
        (BallotKind.CUMULATIVE, {"projects": ["P-1"]}),
    ],
    ids=["ranking-for-approval", "points-for-approval", "projects-for-cumulative"],
)
def test_cast_a_choice_of_the_wrong_shape_is_422(
    client: FlaskClient, kind: BallotKind, body: dict[str, object]
) -> None:
    voting = make_code_voting(kind=kind, points=5 if kind is BallotKind.CUMULATIVE else None)
    response = post_ballot(client, voting.budget_id, {"code": voting.codes[0], **body})
    assert response.status_code == 422
    assert violation_codes(response) == ["wrong_ballot_shape"]
    assert box_state() == EMPTY


def test_cast_ten_thousand_ids_are_refused_unread(client: FlaskClient) -> None:
    voting = make_code_voting()
    response = post_ballot(client, voting.budget_id, {"code": voting.codes[0], "projects": ["x"] * 10_000})
    assert response.status_code == 422
    assert response.get_json()["violations"][0]["params"] == {"limit": 3, "actual": 10_000}
    assert box_state() == EMPTY


@pytest.mark.parametrize("phase", [Phase.REVIEW, Phase.COUNTING, Phase.RESULTS])
def test_cast_outside_the_voting_phase_is_403_and_keeps_the_code(client: FlaskClient, phase: Phase) -> None:
    voting = make_code_voting(phase=phase)
    response = post_ballot(client, voting.budget_id, {"code": voting.codes[0], "projects": ["P-1"]})
    assert response.status_code == 403
    assert error_code(response) == "not_allowed"
    assert box_state() == EMPTY


@pytest.mark.parametrize("eligibility", [Eligibility.ACCOUNT, Eligibility.OPEN])
def test_cast_in_a_process_without_codes_is_403_with_a_reason_in_danish(
    client: FlaskClient, eligibility: Eligibility
) -> None:
    voting = make_code_voting(eligibility=eligibility)
    response = post_ballot(client, voting.budget_id, {"code": voting.codes[0], "projects": ["P-1"]})
    assert response.status_code == 403
    assert "stemmer på hjemmesiden" in response.get_json()["error"]["message"]
    assert box_state() == EMPTY


def test_cast_with_a_wrong_code_or_another_budgets_code_is_403(client: FlaskClient) -> None:
    voting, other = make_code_voting(), make_code_voting()
    for code in ("0000-0000-0000", other.codes[0], "ÆØÅ\ud800"):
        response = post_ballot(client, voting.budget_id, {"code": code, "projects": ["P-1"]})
        assert response.status_code == 403
        assert error_code(response) == "not_eligible"
    assert box_state() == EMPTY


def test_cast_to_an_unknown_or_draft_budget_is_404(client: FlaskClient) -> None:
    voting = make_code_voting(phase=Phase.DRAFT)
    for budget_id in (voting.budget_id, voting.budget_id + 1000, 2**31 - 1, 2**40):
        response = post_ballot(client, budget_id, {"code": voting.codes[0], "projects": ["P-1"]})
        assert response.status_code == 404
        assert response.get_json()["error"]["status"] == 404
    assert box_state() == EMPTY


MALFORMED_BODIES = {
    "not-json": b'{"code": "x", projects: []}',
    "nan": b'{"code": "x", "points": {"P-1": NaN}}',
    "bad-utf8": b'{"code": "\xff", "projects": []}',
    "deep": b"[" * 20_000 + b"]" * 20_000,
    "array": b'["P-1"]',
    "string": b'"P-1"',
    "no-code": b'{"projects": ["P-1"]}',
    "blank-code": b'{"code": "  ", "projects": ["P-1"]}',
    "code-number": b'{"code": 1234, "projects": ["P-1"]}',
    "code-too-long": b'{"code": "' + b"A" * 65 + b'", "projects": ["P-1"]}',
    "no-choice": b'{"code": "x"}',
    "two-choices": b'{"code": "x", "projects": [], "ranking": []}',
    "projects-text": b'{"code": "x", "projects": "P-1"}',
    "points-list": b'{"code": "x", "points": [1]}',
    "null-beside-points": b'{"code": "x", "projects": null, "points": {"P-1": 1}}',
}


@pytest.mark.parametrize("raw", MALFORMED_BODIES.values(), ids=MALFORMED_BODIES.keys())
def test_cast_a_malformed_body_is_400_and_writes_nothing(client: FlaskClient, raw: bytes) -> None:
    voting = make_code_voting()
    raw = raw.replace(b'"x"', f'"{voting.codes[0]}"'.encode())
    response = client.post(
        f"/api/v1/budgets/{voting.budget_id}/ballots",
        data=raw,
        content_type="application/json",
    )
    assert response.status_code == 400, response.get_json()
    assert error_code(response) == "bad_request"
    assert box_state() == EMPTY


def test_cast_explains_a_malformed_body_in_danish_and_english(client: FlaskClient) -> None:
    voting = make_code_voting()
    danish = post_ballot(client, voting.budget_id, {"code": voting.codes[0]})
    english = post_ballot(
        client, voting.budget_id, {"code": voting.codes[0]}, **{"Accept-Language": "en-GB,en"}
    )
    assert "præcis ét af" in danish.get_json()["error"]["message"]
    assert 'exactly one of "projects", "points" or "ranking"' in english.get_json()["error"]["message"]


def test_cast_without_json_content_type_or_with_a_bad_key_is_400(client: FlaskClient) -> None:
    voting = make_code_voting()
    url = f"/api/v1/budgets/{voting.budget_id}/ballots"
    as_form = client.post(url, data={"code": voting.codes[0], "projects": "P-1"})
    short_key = post_ballot(client, voting.budget_id, {"code": voting.codes[0], "projects": ["P-1"]}, key="1")
    assert (as_form.status_code, short_key.status_code) == (400, 400)
    assert "Idempotency-Key" in short_key.get_json()["error"]["message"]
    assert box_state() == EMPTY


def test_cast_a_body_over_the_limit_is_413_and_writes_nothing(client: FlaskClient) -> None:
    voting = make_code_voting()
    response = post_ballot(client, voting.budget_id, {"code": voting.codes[0], "projects": ["P-1"] * 20_000})
    assert response.status_code == 413
    assert error_code(response) == "too_large"
    assert box_state() == EMPTY


def test_cast_needs_no_csrf_token(app: Flask, database_url: str) -> None:
    guarded = make_test_app(database_url, WTF_CSRF_ENABLED=True)
    try:
        with guarded.app_context():
            voting = make_code_voting()
            body = {"code": voting.codes[0], "projects": ["P-1"]}
            response = post_ballot(guarded.test_client(), voting.budget_id, body)
    finally:
        with guarded.app_context():
            db.engine.dispose()
    assert response.status_code == 201
