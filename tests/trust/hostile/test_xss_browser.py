"""In real Chromium, the poisoned pages open no dialog and break no rule of the Content Security Policy.

The HTML audit reads markup; this catches what only a browser does: scripts that build the page from data
(charts, maps, the projector) and any inline code the CSP would have to block.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import select
from werkzeug.serving import make_server

from pbvote import create_app
from pbvote.extensions import db
from pbvote.processes.models import Budget, Process
from pbvote.proposals.models import Proposal
from pbvote.results.models import TallyRun
from pbvote.workshop.models import Workshop
from tests.trust.hostile.world import PASSWORD, ROLE_EMAILS, build_hostile_world

WATCH_CSP = """
window.__violations = [];
document.addEventListener('securitypolicyviolation', (e) => {
  window.__violations.push(`${e.violatedDirective} ${e.blockedURI} ${e.sample}`);
}, true);
"""


@pytest.fixture(scope="module")
def hostile_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    """The poisoned world served for real (CSRF on), with the addresses of the pages worth opening."""
    database = tmp_path_factory.mktemp("hostile") / "hostile.sqlite3"
    app = create_app(
        {"TESTING": True, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{database}", "WTF_CSRF_ENABLED": True}
    )
    with app.app_context():
        db.create_all()
        build_hostile_world()
        published = db.session.scalars(select(TallyRun).where(TallyRun.published_at.is_not(None))).first()
        assert published is not None
        budget = db.session.get(Budget, published.budget_id)
        assert budget is not None
        slug = budget.process.slug
        proposals = list(db.session.scalars(select(Proposal.id).order_by(Proposal.id)))
        code = db.session.scalars(select(Workshop.join_code)).one()
        public = [
            "/", "/resultater/", f"/resultater/{slug}", f"/resultater/{slug}/{budget.id}",
            f"/resultater/{slug}/{budget.id}/resume", f"/resultater/{slug}/repraesentation",
            f"/udfoerelse/{slug}", f"/w/{code}/projektor", f"/j/{code}",
        ]  # fmt: skip
        public += [f"/processer/{p.slug}" for p in db.session.scalars(select(Process))]
        public += [f"/forslag/{p.slug}/" for p in db.session.scalars(select(Process))][:3]
        public += [f"/forslag/{number}" for number in proposals[:6]]
        staff = ["/admin/log/", "/sagsbehandling/rapporter", "/sagsbehandling/", "/admin/processer/"]
        staff += [f"/sagsbehandling/forslag/{number}" for number in proposals[:4]]
        staff += [f"/sagsbehandling/resultater/{slug}", f"/sagsbehandling/repraesentation/{slug}"]
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield {"base": f"http://127.0.0.1:{server.server_port}", "public": public, "staff": staff}
    server.shutdown()
    thread.join(timeout=5)


def watch_console(message: Any, found: list[str]) -> None:
    if "Content Security Policy" in message.text:
        found.append(f"console: {message.text}")


def open_all(chromium: Any, base: str, paths: list[str], login_as: str | None = None) -> dict[str, list[str]]:
    """Open each page; return the dialogs, CSP violations and console errors seen on each."""
    context = chromium.new_context(locale="da-DK")
    context.add_init_script(WATCH_CSP)
    page = context.new_page()
    seen: dict[str, list[str]] = {}
    current: list[str] = []

    def on_dialog(dialog: Any) -> None:
        current.append(f"dialog {dialog.type}: {dialog.message}")
        dialog.dismiss()

    page.on("dialog", on_dialog)
    page.on("console", lambda message: watch_console(message, current))
    page.on("pageerror", lambda error: current.append(f"page error: {error}"))
    if login_as:
        page.goto(base + "/konto/log-ind")
        page.fill("input[name=email]", ROLE_EMAILS[login_as])
        page.fill("input[name=password]", PASSWORD)
        page.locator("main form button[type=submit]").first.click()
        page.wait_for_load_state()
    for path in paths:
        current.clear()
        page.goto(base + path, wait_until="load")
        page.wait_for_timeout(150)  # let scripts and images settle
        current += page.evaluate("window.__violations")
        page.mouse.move(200, 200)
        if login_as and "/konto/log-ind" in page.url:
            current.append("not logged in: sent to the login page")
        seen[path] = list(current)
    context.close()
    return seen


def test_poisoned_pages_open_no_dialog_and_break_no_csp_rule(
    browser: Any, hostile_server: dict[str, Any]
) -> None:
    base = hostile_server["base"]
    public = open_all(browser, base, hostile_server["public"])
    staff = open_all(browser, base, hostile_server["staff"], login_as="admin")
    problems = {path: found for path, found in {**public, **staff}.items() if found}
    assert problems == {}
    assert len(public) + len(staff) >= 25


def test_the_browser_check_bites_on_an_unsafe_page(browser: Any, tmp_path: Any) -> None:
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'x.sqlite3'}"})

    @app.get("/unsafe")
    def unsafe() -> str:
        return "<p>x</p><img src=x onerror=\"alert('pwn')\"><script>alert('pwn')</script>"

    @app.get("/unsafe-without-csp")
    def unsafe_without_csp() -> Any:
        from flask import Response

        response = Response("<script>alert('pwn')</script>")
        response.headers["Content-Security-Policy"] = "default-src *; script-src 'unsafe-inline'"
        return response

    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        seen = open_all(browser, f"http://127.0.0.1:{server.server_port}", ["/unsafe", "/unsafe-without-csp"])
    finally:
        server.shutdown()
        thread.join(timeout=5)
    assert any("script-src" in item for item in seen["/unsafe"]), seen
    assert any(item.startswith("dialog") for item in seen["/unsafe-without-csp"]), seen
