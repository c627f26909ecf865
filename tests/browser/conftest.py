"""A live pbvote server for the browser tests; the Chromium fixtures are in fixtures.py."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest
from werkzeug.serving import make_server

from pbvote import create_app
from pbvote.demo import seed_demo
from pbvote.extensions import db
from tests.browser.fixtures import (  # noqa: F401 - helpers imported from here by the browser tests
    CHROMIUM_FLAGS,
    PHONE,
    OfflineGuard,
    assert_accessible,
    record_broken_subresource,
    record_console_error,
)


@pytest.fixture(scope="session")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The real app (CSRF on) on a free loopback port, on SQLite, with the demo municipality."""
    database = tmp_path_factory.mktemp("live") / "live.sqlite3"
    app = create_app(
        {"TESTING": True, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{database}", "WTF_CSRF_ENABLED": True}
    )
    with app.app_context():
        db.create_all()
        seed_demo()
        db.session.commit()
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=5)
