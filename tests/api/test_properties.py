"""Whatever a client sends to the cast endpoint: never a 5xx, always JSON, nothing written on refusal."""

from __future__ import annotations

import json
from typing import Any

import pytest
from flask.testing import FlaskClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pbvote.core.types import BallotKind
from tests.support.voting import CodeVoting, box_state, make_code_voting

DOCUMENTED = {200, 201, 400, 403, 404, 409, 413, 422}

scalars = st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=12)
json_values = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=6) | st.dictionaries(st.text(max_size=6), inner, max_size=6),
    max_leaves=25,
)


def submissions(voting: CodeVoting) -> st.SearchStrategy[tuple[bytes, dict[str, str]]]:
    """Raw bodies and headers: garbage, any JSON, and ballot-shaped objects with real and wrong codes."""
    ids = st.sampled_from(voting.project_codes) | st.text(max_size=8) | scalars
    codes = st.sampled_from(voting.codes) | st.sampled_from(["0000-0000-0000", voting.codes[0].lower()])
    id_lists = st.lists(ids, max_size=6) | json_values
    point_maps = st.dictionaries(ids.filter(lambda v: isinstance(v, str)), st.integers(-3, 12) | scalars)
    choices = st.one_of(
        st.fixed_dictionaries({"projects": id_lists}),
        st.fixed_dictionaries({"points": point_maps | json_values}),
        st.fixed_dictionaries({"ranking": id_lists}),
        st.fixed_dictionaries(
            {},
            optional={"projects": id_lists, "points": json_values, "ranking": id_lists, "total": json_values},
        ),
    )
    ballots = st.builds(lambda code, choice: {"code": code, **choice}, codes, choices)
    garbage = st.binary(max_size=60) | json_values.map(lambda v: json.dumps(v).encode())
    bodies = weighted(garbage, ballots.map(lambda v: json.dumps(v).encode()), share=0.2)
    header_text = st.text(
        st.characters(min_codepoint=0x20, max_codepoint=0xFF, exclude_characters="\x7f"), max_size=30
    )
    keys = st.one_of(st.none(), st.none(), st.sampled_from(["k" * 16, "k" * 20]), header_text)
    headers = st.builds(
        lambda key, language: {
            **({"Idempotency-Key": key} if key is not None else {}),
            **({"Accept-Language": language} if language else {}),
        },
        keys,
        st.sampled_from(["", "en", "da", "de;q=0.9", "*"]),
    )
    return st.tuples(bodies, headers)


def weighted(rare: st.SearchStrategy[bytes], common: st.SearchStrategy[bytes], share: float) -> Any:
    """Draw from ``rare`` about ``share`` of the time, else from ``common``."""
    return st.floats(0, 1).flatmap(lambda x: rare if x < share else common)


LIMITS: dict[BallotKind, dict[str, Any]] = {
    BallotKind.APPROVAL: {"max_projects": 2},
    BallotKind.KNAPSACK: {"min_spent_percent": 10},
    BallotKind.CUMULATIVE: {"points": 10, "max_points_per_project": 6},
    BallotKind.RANKED: {"max_projects": 2},
}


@pytest.mark.parametrize("kind", list(BallotKind), ids=str)
def test_cast_answers_any_body_without_a_server_error_and_writes_only_on_201(
    client: FlaskClient, kind: BallotKind
) -> None:
    voting = make_code_voting(kind=kind, codes=40, **LIMITS[kind])
    url = f"/api/v1/budgets/{voting.budget_id}/ballots"

    @settings(max_examples=150, suppress_health_check=[HealthCheck.too_slow])
    @given(submission=submissions(voting))
    def check(submission: tuple[bytes, dict[str, str]]) -> None:
        body, headers = submission
        before = box_state()
        response = client.post(url, data=body, content_type="application/json", headers=headers)
        assert response.status_code in DOCUMENTED, response.get_data(as_text=True)[:500]
        answer = response.get_json()
        after = box_state()
        if response.status_code == 201:
            assert set(answer) == {"receipt"}
            assert (after.participations, after.ballots, after.used_codes) == (
                before.participations + 1,
                before.ballots + 1,
                before.used_codes + 1,
            )
        else:
            assert after == before
        if response.status_code >= 400:
            assert answer["error"]["status"] == response.status_code
            assert answer["error"]["message"]
        if response.status_code == 422:
            assert answer["violations"]

    check()
