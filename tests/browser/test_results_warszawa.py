"""Warszawa 2026 (83 projects, 61,668 voters) imported, counted, published and shown in Chromium.

The issue's done-when: the results page renders with its charts, no console errors, axe-core clean,
screenshots saved (test-artifacts/results-warszawa-*.png). Slow (import and both counts), so it runs in
`make test-long`.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect
from werkzeug.serving import make_server

from pbvote import create_app
from pbvote.core.pabulib import read_pabulib
from pbvote.db import utcnow
from pbvote.demo import seed_demo
from pbvote.extensions import db
from pbvote.results.importing import import_election
from pbvote.results.services import publish_run, tally_budget
from tests.browser.conftest import PHONE, OfflineGuard, assert_accessible, record_console_error
from tests.core.conftest import require_pabulib

pytestmark = [pytest.mark.browser, pytest.mark.slow]

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
FILE = "Poland_Warszawa_2026.pb"


@pytest.fixture(scope="module")
def warszawa(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    """A live server whose database holds the imported, counted and published Warszawa 2026 election."""
    path = require_pabulib() / FILE
    database = tmp_path_factory.mktemp("warszawa") / "live.sqlite3"
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{database}"})
    with app.app_context():
        db.create_all()
        seed_demo()
        imported = import_election(read_pabulib(path), slug="warszawa-2026", now=utcnow())
        db.session.commit()
        run = tally_budget(imported.budget, actor=None, now=utcnow())
        publish_run(run, actor=None, now=utcnow())
        db.session.commit()
        report = run.report_data()
        names = {row["code"]: row["name"] for row in report["rows"]}
        winners = [names[code] for code in report["selected"]]
        budget_id = imported.budget.id
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield {
        "url": f"http://127.0.0.1:{server.server_port}/resultater/warszawa-2026/{budget_id}",
        "winners": winners,
    }
    server.shutdown()
    thread.join(timeout=5)


@pytest.mark.parametrize("device", ["desktop", "phone"])
def test_warszawa_results_page_renders_its_charts_cleanly(
    browser: Any, warszawa: dict[str, Any], device: str
) -> None:
    options = PHONE if device == "phone" else {"viewport": {"width": 1280, "height": 900}}
    context = browser.new_context(locale="da-DK", **options)
    guard = OfflineGuard()
    context.route("**/*", guard.route)
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda message: record_console_error(message, errors))
    page.on("pageerror", lambda error: errors.append(str(error)))
    try:
        page.goto(warszawa["url"])
        expect(page.locator(".js-plotly-plot .main-svg").first).to_be_visible(timeout=15_000)
        assert page.locator(".js-plotly-plot").count() >= 3
        rows = page.locator("table.results-table tbody tr:not(.funding-line)")
        assert rows.count() >= 83
        for name in warszawa["winners"][:3]:
            expect(rows.filter(has_text=name).first).to_be_attached()
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / f"results-warszawa-{device}.png"), full_page=False)
        page.screenshot(path=str(ARTIFACTS / f"results-warszawa-{device}-full.png"), full_page=True)
        assert_accessible(page)
    finally:
        context.close()
    assert guard.external == [], f"requests left the machine: {guard.external}"
    assert errors == [], f"browser console errors: {errors}"
