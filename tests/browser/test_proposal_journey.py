"""The PB cycle up to the ballot in a browser: a resident proposes on a phone, the admin opens review,
staff cost the proposal and put it on the ballot. axe-core checks every page on the way."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from pbvote.demo import DEMO_PASSWORD
from tests.browser.conftest import assert_accessible

pytestmark = pytest.mark.browser

PROCESS = "borgerbudget-soeby-2027"
TITLE = "Shelter ved Søby Sø"


def log_in(page: Any, base: str, email: str) -> None:
    page.goto(base + "/konto/log-ind")
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Adgangskode").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Log ind").click()
    assert page.get_by_text("Du er logget ind.").is_visible()


@pytest.fixture
def desktop(browser: Any) -> Iterator[Any]:
    """A laptop-sized page for staff work."""
    context = browser.new_context(locale="da-DK", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    yield page
    context.close()
    assert errors == []


def test_resident_proposes_staff_review_and_place_it_on_the_ballot(
    live_server: str, phone: Any, desktop: Any, artifacts_dir: Path
) -> None:
    log_in(phone, live_server, "borger@demo.dk")
    phone.goto(f"{live_server}/processer/{PROCESS}")
    assert_accessible(phone)
    phone.get_by_role("link", name="Indsend et forslag").click()
    assert_accessible(phone)
    phone.get_by_label("Titel").fill(TITLE)
    phone.get_by_label("Kort resumé").fill("Et shelter med bålplads, så familier kan overnatte ved søen.")
    phone.get_by_label("Beskrivelse").fill("Vi ønsker **et shelter** til 6 personer.\n\n- bålplads\n- brænde")
    phone.get_by_label("Pulje").select_option(label="Hele Søby")
    phone.get_by_label("Hvad tror du, det koster? (valgfrit)").fill("40.000")
    phone.get_by_label("Adresse eller sted (valgfrit)").fill("Søstien 4, Søby")
    phone.get_by_role("button", name="Indsend forslag").click()
    assert phone.get_by_role("heading", name=TITLE).is_visible()
    assert phone.locator("strong", has_text="et shelter").is_visible()
    assert_accessible(phone)
    phone.screenshot(path=str(artifacts_dir / "phone-proposal-detail.png"), full_page=True)
    proposal_url = phone.url

    log_in(desktop, live_server, "admin@demo.dk")
    desktop.get_by_role("link", name="Administration").click()
    assert_accessible(desktop)
    desktop.get_by_role("link", name="Borgerbudget Søby 2027").click()
    assert_accessible(desktop)
    desktop.get_by_role("button", name="Gå videre til: Vurdering").click()
    assert desktop.get_by_text("Vurdering").first.is_visible()
    desktop.screenshot(path=str(artifacts_dir / "desktop-admin-process.png"), full_page=True)
    desktop.context.clear_cookies()

    log_in(desktop, live_server, "sagsbehandler@demo.dk")
    desktop.get_by_role("link", name="Sagsbehandling").click()
    assert_accessible(desktop)
    desktop.get_by_role("link", name=re.compile("Borgerbudget Søby 2027")).first.click()
    assert_accessible(desktop)
    desktop.get_by_role("link", name=TITLE).click()
    assert_accessible(desktop)
    desktop.get_by_label("Anslået pris (kr.)").fill("45.000")
    desktop.get_by_label("Kan gennemføres", exact=True).check()
    desktop.get_by_label("Offentlig begrundelse").fill("Kommunen har fundet en god placering ved søen.")
    desktop.get_by_role("button", name="Gem vurderingen").click()
    desktop.get_by_role("button", name=re.compile("Sæt det på stemmesedlen")).click()
    assert_accessible(desktop)
    desktop.screenshot(path=str(artifacts_dir / "desktop-staff-review.png"), full_page=True)

    phone.goto(proposal_url)
    assert phone.get_by_text("Kommunen har fundet en god placering ved søen.").first.is_visible()
    assert phone.get_by_text(re.compile("stemmesedlen", re.IGNORECASE)).first.is_visible()
    assert_accessible(phone)
    phone.screenshot(path=str(artifacts_dir / "phone-proposal-on-ballot.png"), full_page=True)
