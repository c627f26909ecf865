"""A live workshop in a browser: the projector follows 30 phones voting, then reveals both rules, then resets.

The projector (staff logged in, a 1600×900 screen) stays open without reloading while 30 phones (separate
browser contexts, phone viewport) join with the code and vote in the booth; it must show 30 votes within
2 seconds of the last one. The instructor then closes, reveals and steps through the rounds from the
controls page, and resets. Screenshots go to test-artifacts/workshop-*.png. No request leaves 127.0.0.1.
"""

from __future__ import annotations

import asyncio
import re
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect

from pbvote import create_app
from pbvote.auth.models import Role
from pbvote.db import utcnow
from pbvote.extensions import db
from pbvote.workshop import services
from tests.browser.conftest import (
    CHROMIUM_FLAGS,
    PHONE,
    OfflineGuard,
    assert_accessible,
    record_console_error,
)
from tests.builders import PASSWORD, make_user
from tests.workshop.live_support import serving

pytestmark = pytest.mark.browser

PHONES = 30
CONCURRENT_PHONES = 6  # phones voting at the same moment
# Who votes what: a majority for two big projects, a minority for several small ones, so greedy and Equal
# Shares decide differently (greedy spends nearly everything on the majority's two projects).
BALLOTS = (
    (18, ("E-9", "E-6")),
    (7, ("E-5", "E-8", "E-12", "E-3")),
    (5, ("E-8", "E-12", "E-11", "E-3")),
)
PROJECTOR = {"viewport": {"width": 1600, "height": 900}}


@pytest.fixture(scope="module")
def workshop_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    """A live app (CSRF on) with a staff member and a workshop from the Danish template, in the lobby."""
    database = tmp_path_factory.mktemp("workshop") / "workshop.sqlite3"
    app = create_app(
        {"TESTING": True, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{database}", "WTF_CSRF_ENABLED": True}
    )
    with app.app_context():
        db.create_all()
        staff = make_user(role=Role.STAFF, email="instruktor@example.dk")
        workshop = services.create_workshop(staff, "da", now=utcnow())
        db.session.commit()
        info = {"code": workshop.join_code, "id": workshop.id, "email": staff.email}
        db.session.remove()
    with serving(app) as url:
        yield {"url": url, **info}


class Watched:
    """A browser context whose requests must stay on this machine and whose pages must log no errors."""

    def __init__(self, browser: Any, **options: Any) -> None:
        self.context = browser.new_context(locale="da-DK", **options)
        self.guard = OfflineGuard()
        self.context.route("**/*", self.guard.route)
        self.errors: list[str] = []
        self.page = self.context.new_page()
        self.page.on("console", lambda message: record_console_error(message, self.errors))
        self.page.on("pageerror", lambda error: self.errors.append(str(error)))

    def close(self) -> None:
        self.context.close()
        assert self.guard.external == [], f"requests left the machine: {self.guard.external}"
        assert self.errors == [], f"browser console errors: {self.errors}"


def ballot_for(number: int) -> tuple[str, ...]:
    """The projects phone ``number`` (0-based) votes for."""
    for count, codes in BALLOTS:
        if number < count:
            return codes
        number -= count
    raise AssertionError("more phones than ballots")


class AsyncOfflineGuard(OfflineGuard):
    """The offline guard for the phones' asynchronous Playwright."""

    async def route_async(self, route: Any) -> None:
        host = urlsplit(route.request.url).hostname or ""
        if host in ("127.0.0.1", "localhost") or route.request.url.startswith(("data:", "blob:")):
            await route.continue_()
        else:
            self.external.append(route.request.url)
            await route.abort()


@dataclass
class Room:
    """What the phones did: when each got its receipt, and anything that went wrong."""

    receipts: list[float] = field(default_factory=list)
    external: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


async def vote_on_phone(browser: Any, server: dict[str, Any], number: int, room: Room, shots: Path) -> None:
    """One phone in its own context: join with the code, choose, review, cast, see the receipt."""
    from playwright.async_api import expect as expect_async

    # Only the photographed phone renders at twice the pixels; the others spare the CPU.
    options = {**PHONE, "device_scale_factor": 2 if number == 0 else 1}
    context = await browser.new_context(locale="da-DK", **options)
    guard = AsyncOfflineGuard()
    await context.route("**/*", guard.route_async)
    page = await context.new_page()
    page.on("console", lambda message: record_console_error(message, room.errors))
    page.on("pageerror", lambda error: room.errors.append(str(error)))
    codes = ballot_for(number)
    try:
        await page.goto(f"{server['url']}/j/{server['code']}")
        for code in codes:
            await page.locator(f"#card-{code} .add-button").click()
        if number == 0:
            await page.evaluate("window.scrollTo(0, 0)")
            await page.screenshot(path=str(shots / "workshop-phone-booth.png"))
        await page.get_by_role("button", name="Gennemse din stemme").click()
        await page.get_by_role("button", name="Ja, afgiv min stemme").click()
        await expect_async(page.get_by_role("heading", name="Tak for din stemme")).to_be_visible()
        room.receipts.append(time.monotonic())
        if number == 0:
            await page.screenshot(path=str(shots / "workshop-phone-receipt.png"), full_page=True)
    except Exception as error:  # reported to the test's thread, which fails on it
        room.errors.append(f"phone {number}: {error}")
    finally:
        room.external.extend(guard.external)
        await context.close()


def phones_vote(chromium: str, server: dict[str, Any], shots: Path, room: Room) -> threading.Thread:
    """Start 30 phones voting, a few at a time, from a thread of their own (Playwright's async API)."""

    async def run() -> None:
        from playwright.async_api import async_playwright

        async with async_playwright() as playwright:
            browser = await playwright.chromium.launch(
                executable_path=chromium, headless=True, args=CHROMIUM_FLAGS
            )
            room_size = asyncio.Semaphore(CONCURRENT_PHONES)

            async def one(number: int) -> None:
                async with room_size:
                    await vote_on_phone(browser, server, number, room, shots)

            await asyncio.gather(*(one(number) for number in range(PHONES)))
            await browser.close()

    thread = threading.Thread(target=lambda: asyncio.run(run()), daemon=True)
    thread.start()
    return thread


def control(instructor: Any, server: dict[str, Any], action: str) -> None:
    """Press one button on the instructor's controls page (found by its form, whatever its words)."""
    page = instructor.page
    page.goto(f"{server['url']}/sagsbehandling/workshops/{server['id']}")
    form = page.locator(f"form[action$='/{server['id']}/{action}']")
    if action == "reset":
        form.locator("input[name=confirm]").check()
    form.locator("button[type=submit]").click(timeout=90_000)  # reveal counts both rules: slow on a busy box
    expect(page.locator(".flash-success")).to_be_visible(timeout=30_000)


def test_a_room_votes_on_phones_and_the_projector_follows_live(
    browser: Any, chromium_executable: str, workshop_server: dict[str, Any], artifacts_dir: Path
) -> None:
    server = workshop_server
    started = time.monotonic()
    projector = Watched(browser, **PROJECTOR)
    instructor = Watched(browser, **PHONE)
    screen = projector.page
    for watched in (projector, instructor):
        watched.page.goto(f"{server['url']}/konto/log-ind")
        watched.page.get_by_label("E-mail").fill(server["email"])
        watched.page.get_by_label("Adgangskode").fill(PASSWORD)
        watched.page.get_by_role("button", name="Log ind").click()
    screen.goto(f"{server['url']}/w/{server['code']}/projektor")
    screen.evaluate("window.stillTheSamePage = true")  # gone if the page ever reloads
    root = screen.locator("#projector")
    expect(root).to_have_attribute("data-transport", "sse")
    code = server["code"]
    expect(screen.locator(".projector-code")).to_have_text(f"{code[:3]} {code[3:]}")
    expect(screen.locator(".projector-qr")).to_be_visible()
    assert screen.locator(".projector-qr").evaluate("img => img.naturalWidth") > 0  # the QR code loaded
    expect(screen.locator(".projector-address")).to_contain_text(f"/j/{code}")

    # Three phones join before the voting opens: the lobby counts them live.
    early = [Watched(browser, **PHONE) for _ in range(3)]
    for phone in early:
        phone.page.goto(f"{server['url']}/j/{code}")
    expect(screen.locator('[data-live="joined"]')).to_have_text("3", timeout=2000)
    assert_accessible(screen)
    screen.screenshot(path=str(artifacts_dir / "workshop-projector-lobby.png"))
    early[0].page.screenshot(path=str(artifacts_dir / "workshop-phone-lobby.png"))
    for phone in early:
        phone.close()

    control(instructor, server, "open")
    expect(screen.locator(".projector-scene")).to_have_attribute("data-state", "voting", timeout=2000)
    voting_started = time.monotonic()
    room = Room()
    phones = phones_vote(chromium_executable, server, artifacts_dir, room)
    counts_seen = set()
    while phones.is_alive():  # the projector counts up while the room votes
        counts_seen.add(screen.locator('[data-live="votes"]').inner_text())
        phones.join(timeout=0.2)
    assert room.errors == [] and room.external == [], (room.errors, room.external)
    assert len(room.receipts) == PHONES
    last_vote = max(room.receipts)
    expect(screen.locator('[data-live="votes"]')).to_have_text(str(PHONES), timeout=2000)
    seen_after = time.monotonic() - last_vote
    assert seen_after < 2.0
    assert len(counts_seen - {"0", str(PHONES)}) >= 2, counts_seen  # counts in between, without a reload
    expect(screen.locator('[data-live="joined"]')).to_have_text(str(PHONES + len(early)))
    assert screen.evaluate("window.stillTheSamePage === true")
    assert_accessible(screen)
    screen.screenshot(path=str(artifacts_dir / "workshop-projector-voting.png"))

    control(instructor, server, "close")
    expect(screen.locator(".projector-scene")).to_have_attribute("data-state", "closed", timeout=2000)
    control(instructor, server, "reveal")
    expect(screen.locator(".projector-scene")).to_have_attribute("data-state", "revealed", timeout=2000)
    expect(screen.locator(".rule-greedy h2")).to_have_text("Flest stemmer først (grådig)")
    expect(screen.locator(".rule-mes h2")).to_contain_text("lige andele")
    screen.screenshot(path=str(artifacts_dir / "workshop-projector-reveal-0.png"))
    for step in (1, 2):
        control(instructor, server, "forward")
        expect(screen.locator(".projector-scene")).to_have_attribute("data-step", str(step), timeout=2000)
    # Greedy has spent the budget on the majority's two projects; Equal Shares shows who paid.
    expect(screen.locator(".rule-greedy .projector-funded li")).to_have_count(2)
    expect(screen.locator(".rule-greedy .projector-funded")).to_contain_text("Cykelsti til Vestby")
    expect(screen.locator(".rule-greedy .projector-funded")).to_contain_text("Padelbaner ved Egeby Hallen")
    expect(screen.locator(".rule-mes .projector-next")).to_contain_text("ρ = ")
    assert_accessible(screen)
    screen.screenshot(path=str(artifacts_dir / "workshop-projector-reveal-2.png"))
    total = int(
        screen.evaluate(f"fetch('/w/{code}/status.json').then(r => r.json()).then(s => s.steps_total)")
    )
    for _step in range(3, total + 1):
        control(instructor, server, "forward")
    expect(screen.locator(".projector-satisfaction")).to_have_count(2, timeout=2000)
    greedy_funded = screen.locator(".rule-greedy .projector-funded li").count()
    mes_funded = screen.locator(".rule-mes .projector-funded li").count()
    assert mes_funded > greedy_funded  # Equal Shares funds the minority's small projects too
    satisfaction = screen.locator(".rule-mes .projector-satisfaction dd").first.inner_text()
    assert re.fullmatch(r"100,0\s?%", satisfaction.replace("\xa0", " "))
    assert_accessible(screen)
    screen.screenshot(path=str(artifacts_dir / "workshop-projector-reveal-end.png"))

    control(instructor, server, "reset")
    expect(screen.locator(".projector-scene")).to_have_attribute("data-state", "lobby", timeout=2000)
    expect(screen.locator('[data-live="joined"]')).to_have_text("0")
    expect(root).to_have_attribute("data-votes", "0")
    assert screen.evaluate("window.stillTheSamePage === true")
    projector.close()
    instructor.close()
    timings = f"voting {last_vote - voting_started:.1f} s, whole test {time.monotonic() - started:.1f} s"
    print(f"workshop browser test: 30 phones seen {seen_after:.2f} s after the last vote; {timings}")


def test_without_event_source_the_projector_polls_and_still_follows_the_room(
    browser: Any, workshop_server: dict[str, Any]
) -> None:
    server = workshop_server
    projector = Watched(browser, **PROJECTOR)
    screen = projector.page
    screen.add_init_script("delete window.EventSource")  # an old browser, or a proxy that breaks streams
    screen.goto(f"{server['url']}/konto/log-ind")
    screen.get_by_label("E-mail").fill(server["email"])
    screen.get_by_label("Adgangskode").fill(PASSWORD)
    screen.get_by_role("button", name="Log ind").click()
    screen.goto(f"{server['url']}/w/{server['code']}/projektor")
    expect(screen.locator("#projector")).to_have_attribute("data-transport", "poll")
    joined = int(screen.locator('[data-live="joined"]').inner_text())
    phone = Watched(browser, **PHONE)
    phone.page.goto(f"{server['url']}/j/{server['code']}")
    expect(screen.locator('[data-live="joined"]')).to_have_text(str(joined + 1), timeout=3000)
    phone.close()
    projector.close()
