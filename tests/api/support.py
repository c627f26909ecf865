"""Posting ballots to the API the way a kiosk does."""

from __future__ import annotations

import uuid
from typing import Any

from flask.testing import FlaskClient
from werkzeug.test import TestResponse


def new_key() -> str:
    """An Idempotency-Key as a well-behaved client makes one."""
    return str(uuid.uuid4())


def post_ballot(
    client: FlaskClient, budget_id: int, body: Any, *, key: str | None = None, **headers: str
) -> TestResponse:
    """POST a JSON ballot (with an Idempotency-Key when ``key`` is given)."""
    if key is not None:
        headers["Idempotency-Key"] = key
    return client.post(f"/api/v1/budgets/{budget_id}/ballots", json=body, headers=headers)


def error_code(response: TestResponse) -> str:
    """The stable code in a JSON error answer."""
    body = response.get_json()
    assert isinstance(body, dict) and "error" in body, response.get_data(as_text=True)[:300]
    return str(body["error"].get("code", ""))


def violation_codes(response: TestResponse) -> list[str]:
    """The violation codes of a 422 answer, in order."""
    return [violation["code"] for violation in response.get_json()["violations"]]
