"""An app with settings of the test's own choosing, on the same database, emptied afterwards."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from flask import Flask

from pbvote.extensions import db
from tests.conftest import empty_all_tables, make_test_app


@pytest.fixture
def app_with(database_url: str) -> Iterator[Callable[..., Flask]]:
    """Build an app with extra settings (e.g. CSRF on) inside its own app context."""
    contexts: list[Any] = []

    def build(**settings: Any) -> Flask:
        app = make_test_app(database_url, **settings)
        context = app.app_context()
        context.push()
        contexts.append(context)
        return app

    yield build
    for context in reversed(contexts):
        db.session.rollback()
        empty_all_tables()
        db.session.remove()
        db.engine.dispose()
        context.pop()
