"""The OpenAPI document is complete, and schemathesis holds every answer to it (in-process, WSGI)."""

from __future__ import annotations

import re

import pytest
import schemathesis
from flask import Flask
from flask.testing import FlaskClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis.generation.modes import GenerationMode

from pbvote.api.openapi import openapi_document
from pbvote.core.types import BallotKind
from tests.support.voting import make_code_voting


def test_openapi_document_is_served_as_openapi_3_1(client: FlaskClient) -> None:
    body = client.get("/api/v1/openapi.json").get_json()
    assert body["openapi"] == "3.1.0"
    assert body == openapi_document()


def test_openapi_document_describes_every_api_route(app: Flask) -> None:
    routes = {
        re.sub(
            r"<(?:[a-z]+(?:\([^)]*\))?:)?([a-z_]+)>", r"{\1}", rule.rule.removeprefix("/api/v1")
        ): rule.methods
        for rule in app.url_map.iter_rules()
        if rule.rule.startswith("/api/v1/")
    }
    paths = openapi_document()["paths"]
    assert set(routes) == set(paths)
    for path, methods in routes.items():
        assert {m.lower() for m in methods or ()} - {"head", "options"} == set(paths[path])


def test_openapi_document_lists_every_refusal_of_the_cast_endpoint() -> None:
    cast = openapi_document()["paths"]["/budgets/{budget_id}/ballots"]["post"]
    assert set(cast["responses"]) == {"200", "201", "400", "403", "404", "409", "413", "422", "429"}
    assert "Retry-After" in cast["responses"]["429"]["headers"]


EXAMPLES = 25


@pytest.mark.parametrize("mode", list(GenerationMode), ids=str)
def test_api_answers_conform_to_the_document(app: Flask, mode: GenerationMode) -> None:
    voting = make_code_voting(kind=BallotKind.APPROVAL, codes=5)
    make_code_voting(kind=BallotKind.CUMULATIVE, points=5)
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    real = {"budget_id": voting.budget_id, "slug": voting.process_slug}
    for result in schema.get_all_operations():
        operation = result.ok()
        names = {parameter.name for parameter in operation.path_parameters}
        pinned = {name: value for name, value in real.items() if name in names}
        negative = mode is GenerationMode.NEGATIVE
        strategies = []
        if not negative or operation.path_parameters or operation.headers or operation.body:
            strategies.append(operation.as_strategy(mode))
        if pinned and (not negative or operation.headers or operation.body):  # something left to break
            strategies.append(operation.as_strategy(mode, path_parameters=pinned))
        for strategy in strategies:
            conforms(strategy)


def conforms(strategy: st.SearchStrategy[schemathesis.Case]) -> None:
    """Send the generated requests; schemathesis checks status, headers, content type and body."""

    @settings(max_examples=EXAMPLES, suppress_health_check=list(HealthCheck))
    @given(case=strategy)
    def check(case: schemathesis.Case) -> None:
        case.call_and_validate()

    check()
