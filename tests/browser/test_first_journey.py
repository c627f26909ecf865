"""A resident's first visit on a phone: register, log out, log in, switch language, log out."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.browser.conftest import assert_accessible

pytestmark = pytest.mark.browser

PASSWORD = "mit lange kodeord"


def test_register_login_language_logout_on_a_phone(live_server: str, phone: Any, artifacts_dir: Path) -> None:
    page = phone
    page.goto(live_server + "/")
    assert page.locator("html").get_attribute("lang") == "da"
    assert page.get_by_role("banner").get_by_text("Søby Kommune").is_visible()
    assert_accessible(page)
    page.screenshot(path=str(artifacts_dir / "phone-front-page.png"), full_page=True)

    page.get_by_role("link", name="Opret konto").first.click()
    assert_accessible(page)
    page.get_by_role("button", name="Opret konto").click()
    assert page.get_by_text("Feltet skal udfyldes.").first.is_visible()
    assert_accessible(page)
    page.screenshot(path=str(artifacts_dir / "phone-register-errors.png"), full_page=True)

    page.get_by_label("E-mail").fill("ny.borger@example.dk")
    page.get_by_label("Navn (valgfrit)").fill("Ny Borger")
    page.get_by_label("Ny adgangskode").fill(PASSWORD)
    page.get_by_label("Gentag adgangskoden").fill(PASSWORD)
    page.get_by_role("button", name="Opret konto").click()
    assert page.get_by_text("Velkommen! Din konto er oprettet.").is_visible()

    page.get_by_role("button", name="Log ud").click()
    assert page.get_by_text("Du er logget ud.").is_visible()

    page.get_by_role("link", name="Log ind").first.click()
    assert_accessible(page)
    page.get_by_label("E-mail").fill("ny.borger@example.dk")
    page.get_by_label("Adgangskode").fill(PASSWORD)
    page.get_by_role("button", name="Log ind").click()
    assert page.get_by_text("Du er logget ind.").is_visible()

    page.get_by_role("button", name="English").click()
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.get_by_role("button", name="Log out").is_visible()
    page.goto(live_server + "/tilgaengelighed")
    assert page.get_by_role("heading", name="Accessibility statement").is_visible()
    assert_accessible(page)
    page.screenshot(path=str(artifacts_dir / "phone-english-logged-in.png"), full_page=True)

    page.get_by_role("button", name="Log out").click()
    assert page.get_by_text("You are logged out.").is_visible()
    assert page.get_by_role("link", name="Log in").first.is_visible()


def test_unknown_address_shows_translated_404(live_server: str, phone: Any) -> None:
    response = phone.goto(live_server + "/findes-ikke")
    assert response.status == 404
    assert phone.get_by_role("heading", name="Siden blev ikke fundet").is_visible()
    assert_accessible(phone)
