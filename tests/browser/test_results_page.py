"""A published result in the Søby demo, on a phone and on a desktop: charts drawn, no console errors and no
CSP violations, axe clean, the PNG download works. Screenshots go to test-artifacts/ (results-*.png).
"""

from __future__ import annotations

import random
import threading
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect
from sqlalchemy import select
from werkzeug.serving import make_server

from pbvote import create_app
from pbvote.ballots.models import Channel
from pbvote.core.types import BallotKind, RuleName
from pbvote.db import utcnow
from pbvote.demo import DEMO_SLUG, seed_demo
from pbvote.extensions import db
from pbvote.processes.models import Budget, Municipality, Phase
from pbvote.results.demo_data import FINISHED_SLUG
from pbvote.results.services import publish_run, tally_budget
from tests.browser.conftest import PHONE, OfflineGuard, assert_accessible, record_console_error
from tests.builders import make_process, make_voting_budget
from tests.results.builders import make_ballots

pytestmark = pytest.mark.browser

CITYWIDE = (
    ("S-1", 350_000_00, "Legeplads i Byparken", 0.46),
    ("S-2", 60_000_00, "Bænke langs søen", 0.41),
    ("S-3", 90_000_00, "Cykelstativer ved stationen", 0.35),
    ("S-4", 45_000_00, "Shelter ved Søby Sø", 0.33),
    ("S-5", 180_000_00, "Lys på skolestien", 0.31),
    ("S-6", 400_000_00, "Multibane ved hallen", 0.29),
    ("S-7", 120_000_00, "Blomstereng på rådhuspladsen", 0.22),
    ("S-8", 75_000_00, "Hjertestartere i alle landsbyer", 0.2),
    ("S-9", 250_000_00, "Skaterbane ved gymnasiet", 0.16),
    ("S-10", 30_000_00, "Bogskab ved biblioteket", 0.12),
)
NORDBY = (
    ("N-1", 150_000_00, "Ny belysning i Nordby Park", 0.5),
    ("N-2", 90_000_00, "Fodboldmål og net", 0.38),
    ("N-3", 220_000_00, "Udekøkken ved spejderhytten", 0.3),
    ("N-4", 60_000_00, "Fuglekasser og insekthoteller", 0.27),
    ("N-5", 120_000_00, "Trampesti langs åen", 0.2),
)
VOTING_DAYS = [date(2024, 5, 6) + timedelta(days=offset) for offset in range(7)]


def ballots_for(
    rng: random.Random, projects: Any, voters: int, amount: int, most: int | None
) -> list[list[str]]:
    """Each voter picks projects by their popularity, then keeps what fits the budget (and the limit)."""
    ballots = []
    for _voter in range(voters):
        picked = [code for code, _cost, _title, share in projects if rng.random() < share]
        cost = {code: cost for code, cost, _title, _share in projects}
        kept, total = [], 0
        for code in picked:
            if total + cost[code] <= amount and (most is None or len(kept) < most):
                kept.append(code)
                total += cost[code]
        ballots.append(kept or [projects[0][0]])
    return ballots


def vote_over_the_week(budget: Budget, ballots: list[list[str]], rng: random.Random) -> None:
    """Spread the ballots over the voting days, a fifth of them on paper at the town hall."""
    by_day: dict[tuple[date, Channel], list[list[str]]] = {}
    for index, ballot in enumerate(ballots):
        day = VOTING_DAYS[min(int(rng.expovariate(0.45)), len(VOTING_DAYS) - 1)]
        channel = Channel.PAPER if index % 5 == 0 else Channel.ONLINE
        by_day.setdefault((day, channel), []).append(ballot)
    for (day, channel), group in sorted(by_day.items()):
        make_ballots(budget, group, channel=channel, cast_on=day)


def add_finished_process() -> dict[str, Any]:
    """Borgerbudget Søby 2024: voting is over and every budget's result is published."""
    rng = random.Random(2026)
    municipality = db.session.scalar(select(Municipality).where(Municipality.slug == DEMO_SLUG))
    process = make_process(
        municipality=municipality,
        slug="borgerbudget-soeby-2024",
        title_da="Borgerbudget Søby 2024",
        title_en="Citizens' budget Søby 2024",
        summary_da="Resultatet af sidste års borgerbudget.",
        summary_en="The result of last year's citizens' budget.",
    )
    budgets = {}
    for name, district, projects, amount, kind, rule, most, voters, population in (
        ("Hele Søby", None, CITYWIDE, 1_000_000_00, BallotKind.KNAPSACK, RuleName.GREEDY, None, 1500, 42_300),
        ("Nordby", "Nordby", NORDBY, 400_000_00, BallotKind.APPROVAL, RuleName.MES, 3, 420, 9_800),
        (
            "Stor pulje",
            None,
            big_ballot(),
            2_000_000_00,
            BallotKind.APPROVAL,
            RuleName.GREEDY,
            10,
            3000,
            None,
        ),
    ):
        budget = make_voting_budget(
            process=process,
            kind=kind,
            name_da=name,
            name_en=name,
            district=district,
            amount=amount,
            rule=rule,
            max_projects=most,
            population=population,
            projects=[(code, cost, {"title": title}) for code, cost, title, _share in projects],
        )
        vote_over_the_week(budget, ballots_for(rng, projects, voters, amount, most), rng)
        budgets[name] = budget
    process.phase = Phase.RESULTS
    db.session.commit()
    for budget in budgets.values():
        publish_run(tally_budget(budget, actor=None, now=utcnow()), actor=None, now=utcnow())
    db.session.commit()
    return {"slug": process.slug, "budgets": {name: budget.id for name, budget in budgets.items()}}


def big_ballot() -> list[tuple[str, int, str, float]]:
    """83 projects, as many as Warszawa's citywide ballot, with long names."""
    rng = random.Random(83)
    words = ["Grøn", "Tryg", "Ny", "Bedre", "Lys", "Aktiv", "Fælles", "Sund"]
    places = ["skolegård", "cykelsti", "legeplads", "park", "havn", "bibliotekshave", "idrætsplads", "torv"]
    return [
        (
            f"W-{number}",
            rng.randrange(20, 400) * 1_000_00,
            f"{rng.choice(words)} {rng.choice(places)} i kvarter {number} med plads til alle aldre",
            max(0.02, 0.3 - number * 0.003),
        )
        for number in range(1, 84)
    ]


@pytest.fixture(scope="module")
def results_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    """The demo municipality plus a finished process with published results, served live (CSRF on)."""
    database = tmp_path_factory.mktemp("results") / "results.sqlite3"
    app = create_app(
        {"TESTING": True, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{database}", "WTF_CSRF_ENABLED": True}
    )
    with app.app_context():
        db.create_all()
        seed_demo()
        db.session.commit()
        info = add_finished_process()
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield {"url": f"http://127.0.0.1:{server.server_port}", **info}
    server.shutdown()
    thread.join(timeout=5)


CSP_LISTENER = """
window.__csp = [];
document.addEventListener("securitypolicyviolation", function (event) {
  window.__csp.push(event.violatedDirective + " " + event.blockedURI);
});
"""


@pytest.fixture(params=["phone", "desktop"])
def viewer(request: pytest.FixtureRequest, browser: Any) -> Iterator[tuple[str, Any]]:
    """A Danish phone or an English desktop page that records console errors and CSP violations."""
    if request.param == "phone":
        context = browser.new_context(locale="da-DK", **PHONE)
    else:
        context = browser.new_context(
            locale="en-GB", viewport={"width": 1280, "height": 900}, accept_downloads=True
        )
    guard = OfflineGuard()
    context.route("**/*", guard.route)
    context.add_init_script(CSP_LISTENER)
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda message: record_console_error(message, errors))
    page.on("pageerror", lambda error: errors.append(str(error)))
    yield request.param, page
    violations = page.evaluate("window.__csp || []")
    context.close()
    assert guard.external == [], f"requests left the machine: {guard.external}"
    assert errors == [], f"browser console errors: {errors}"
    assert violations == [], f"CSP violations: {violations}"


def use_english(page: Any) -> None:
    page.get_by_role("button", name="English").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")


def open_budget(page: Any, server: dict[str, Any], name: str) -> None:
    page.goto(f"{server['url']}/resultater/{server['slug']}/{server['budgets'][name]}")
    expect(page.locator(".chart.is-drawn")).to_have_count(3, timeout=20_000)
    assert page.locator(".chart svg.main-svg").count() >= 3


def test_results_page_draws_charts_cleanly_on_phone_and_desktop(
    results_server: dict[str, Any], viewer: tuple[str, Any], artifacts_dir: Path
) -> None:
    kind, page = viewer
    page.goto(f"{results_server['url']}/resultater/")
    if kind == "desktop":
        use_english(page)
    assert_accessible(page)
    page.screenshot(path=str(artifacts_dir / f"results-{kind}-index.png"), full_page=True)

    # The demo's own finished process (counted by Equal Shares, published)
    page.locator(f'a[href="/resultater/{FINISHED_SLUG}"]').click()
    page.locator(".card-title a").first.click()
    expect(page.locator(".chart.is-drawn")).to_have_count(3, timeout=20_000)
    expect(page.locator(".results-table .why").first).not_to_be_empty()
    assert_accessible(page)
    page.screenshot(path=str(artifacts_dir / f"results-{kind}-demo.png"), full_page=True)

    page.goto(f"{results_server['url']}/resultater/")
    page.get_by_role(
        "link", name="Citizens' budget Søby 2024" if kind == "desktop" else "Borgerbudget Søby 2024"
    ).click()
    tabs = page.get_by_role("navigation", name="Budgets" if kind == "desktop" else "Puljer")
    expect(tabs.get_by_role("link")).to_have_count(3)
    assert_accessible(page)
    page.screenshot(path=str(artifacts_dir / f"results-{kind}-process.png"), full_page=True)

    tabs.get_by_role("link", name="Hele Søby").click()
    expect(page.locator(".chart.is-drawn")).to_have_count(3, timeout=20_000)
    assert page.locator(".chart svg.main-svg").count() >= 3
    line = page.locator(".funding-line")
    expect(line).to_have_count(1)
    expect(page.locator(".results-table .won-mark").first).to_be_visible()
    assert_accessible(page)
    page.screenshot(path=str(artifacts_dir / f"results-{kind}-budget.png"), full_page=True)

    open_budget(page, results_server, "Nordby")
    expect(page.locator("#compare-title")).to_be_visible()
    assert_accessible(page)
    page.screenshot(path=str(artifacts_dir / f"results-{kind}-mes.png"), full_page=True)

    open_budget(page, results_server, "Stor pulje")
    expect(page.locator(".results-table tbody tr:not(.funding-line)")).to_have_count(83)
    assert_accessible(page)
    page.screenshot(path=str(artifacts_dir / f"results-{kind}-83-projects.png"), full_page=True)


def test_chart_downloads_as_png(results_server: dict[str, Any], browser: Any, artifacts_dir: Path) -> None:
    context = browser.new_context(
        locale="da-DK", viewport={"width": 1280, "height": 900}, accept_downloads=True
    )
    context.add_init_script(CSP_LISTENER)
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda message: record_console_error(message, errors))
    open_budget(page, results_server, "Hele Søby")
    button = page.locator('[data-chart="votes"] button.modebar-btn')  # the toolbar's only button
    expect(button).to_have_count(1)
    assert button.get_attribute("aria-label")  # in the reader's language (Danish: "Hent diagrammet …")
    with page.expect_download() as download_info:
        button.click()
    download = download_info.value
    target = artifacts_dir / "results-chart-download.png"
    download.save_as(str(target))
    assert (
        download.suggested_filename
        == f"{results_server['slug']}-{results_server['budgets']['Hele Søby']}-votes.png"
    )
    assert target.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    violations = page.evaluate("window.__csp")
    context.close()
    assert errors == [] and violations == []
