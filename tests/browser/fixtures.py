"""Headless Debian Chromium driven by Playwright, shared by every browser test (nothing downloads a browser).

The fixtures are registered once, in tests/conftest.py, so one process never starts Playwright twice."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
PHONE = {
    "viewport": {"width": 390, "height": 844},
    "device_scale_factor": 2,
    "is_mobile": True,
    "has_touch": True,
}


def chromium_path() -> str | None:
    """Debian's Chromium (or PBVOTE_CHROMIUM), if installed."""
    configured = os.environ.get("PBVOTE_CHROMIUM")
    if configured:
        return configured if Path(configured).exists() else None
    return shutil.which("chromium") or ("/usr/bin/chromium" if Path("/usr/bin/chromium").exists() else None)


@pytest.fixture(scope="session")
def chromium_executable() -> str:
    """The browser to drive; skips without one unless PBVOTE_REQUIRE_BROWSER=1 (CI), where it fails."""
    path = chromium_path()
    if path is None:
        message = "Chromium not installed (apt install chromium chromium-driver)"
        if os.environ.get("PBVOTE_REQUIRE_BROWSER") == "1":
            pytest.fail(message + " but PBVOTE_REQUIRE_BROWSER=1")
        pytest.skip(message)
    return path


@pytest.fixture(scope="session")
def browser(chromium_executable: str) -> Iterator[Any]:
    """One headless Chromium for the session."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(
            executable_path=chromium_executable, headless=True, args=CHROMIUM_FLAGS
        )
        yield instance
        instance.close()


class OfflineGuard:
    """Records every request that would leave the machine, and refuses it."""

    def __init__(self) -> None:
        self.external: list[str] = []

    def route(self, route: Any) -> None:
        host = urlsplit(route.request.url).hostname or ""
        if host in ("127.0.0.1", "localhost") or route.request.url.startswith(("data:", "blob:")):
            route.continue_()
        else:
            self.external.append(route.request.url)
            route.abort()


@pytest.fixture
def phone(browser: Any) -> Iterator[Any]:
    """A phone-sized page in Danish; fails the test if it loads anything from outside or logs errors."""
    context = browser.new_context(locale="da-DK", **PHONE)
    guard = OfflineGuard()
    context.route("**/*", guard.route)
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda message: record_console_error(message, errors))
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("response", lambda response: record_broken_subresource(response, errors))
    yield page
    context.close()
    assert guard.external == [], f"requests left the machine: {guard.external}"
    assert errors == [], f"browser console errors: {errors}"


def record_console_error(message: Any, errors: list[str]) -> None:
    """Script errors count; Chromium's note that a page answered 4xx on purpose does not."""
    if message.type == "error" and not message.text.startswith("Failed to load resource"):
        errors.append(message.text)


def record_broken_subresource(response: Any, errors: list[str]) -> None:
    """A stylesheet, script or image that fails to load is a broken page."""
    if response.status >= 400 and response.request.resource_type != "document":
        errors.append(f"{response.status} {response.url}")


def assert_accessible(page: Any) -> None:
    """axe-core finds no serious or critical violation on the current page."""
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page)
    bad = [
        f"{violation['id']} ({violation['impact']}): {violation['help']} — "
        + "; ".join(node["target"][0] if node["target"] else "?" for node in violation["nodes"][:3])
        for violation in results.response["violations"]
        if violation["impact"] in ("serious", "critical")
    ]
    assert bad == [], f"axe-core violations on {page.url}:\n" + "\n".join(bad)
