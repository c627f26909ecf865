"""The instructor starts a workshop and runs it from a phone; a participant joins by code and waits.

axe-core checks the start page, the controls, the code page and the lobby; screenshots go to
test-artifacts/workshop-controls-*.png and workshop-join-*.png.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from pbvote.demo import DEMO_PASSWORD
from tests.browser.conftest import assert_accessible

pytestmark = pytest.mark.browser


def test_instructor_starts_and_opens_a_workshop_and_a_phone_joins(
    live_server: str, phone: Any, browser: Any, artifacts_dir: Path
) -> None:
    page = phone
    page.goto(f"{live_server}/konto/log-ind")
    page.fill("input[name=email]", "sagsbehandler@demo.dk")
    page.fill("input[name=password]", DEMO_PASSWORD)
    page.locator("main button[type=submit]").click()
    page.goto(f"{live_server}/sagsbehandling/workshops/")
    assert_accessible(page)
    page.screenshot(path=str(artifacts_dir / "workshop-controls-start.png"), full_page=True)
    page.get_by_role("button", name="Start workshop").click()
    expect(page.locator(".workshop-code")).to_have_text(re.compile(r"^\d{6}$"))
    code = page.locator(".workshop-code").inner_text()
    expect(page.locator("img.workshop-qr")).to_be_visible()
    assert_accessible(page)
    page.screenshot(path=str(artifacts_dir / "workshop-controls-lobby.png"), full_page=True)

    participant = browser.new_context(locale="da-DK", viewport={"width": 390, "height": 844}, is_mobile=True)
    try:
        join = participant.new_page()
        join.goto(f"{live_server}/j")
        assert_accessible(join)
        join.fill("input[name=code]", code)
        join.locator("main button[type=submit]").click()
        expect(join.locator("h1")).to_be_visible()
        assert "/j/" + code in join.url
        assert_accessible(join)
        join.screenshot(path=str(artifacts_dir / "workshop-join-lobby.png"), full_page=True)

        page.locator("form[action$='/open'] button").click()
        expect(page.locator(".flash-success")).to_be_visible()
        expect(page.locator(".workshop-figures")).to_contain_text("1")
        page.screenshot(path=str(artifacts_dir / "workshop-controls-voting.png"), full_page=True)

        join.wait_for_url(re.compile(r"/stem/pulje/\d+$"), timeout=10_000)  # the lobby moves on by itself
        join.screenshot(path=str(artifacts_dir / "workshop-join-booth.png"), full_page=True)
    finally:
        participant.close()
