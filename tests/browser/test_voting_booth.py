"""A resident votes on a phone in each ballot kind, with JavaScript and without, and checks the receipt.

axe-core checks every voting page; screenshots of the booth, the review and the receipt go to
test-artifacts/ (voting-<kind>-*.png).
"""

from __future__ import annotations

import io
import re
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PIL import Image, ImageDraw
from playwright.sync_api import expect
from werkzeug.serving import make_server

from pbvote import create_app
from pbvote.ballots.codes import issue_codes
from pbvote.core.types import BallotKind
from pbvote.db import utcnow
from pbvote.extensions import db
from pbvote.processes.models import Budget, Eligibility
from pbvote.proposals.models import ProposalImage, ProposalStatus
from tests.browser.conftest import PHONE, OfflineGuard, assert_accessible, record_console_error
from tests.builders import make_category, make_process, make_proposal, make_voting_budget

pytestmark = pytest.mark.browser

PROJECTS = (
    ("P-1", 250_000_00, "Legeplads i Byparken", "Nye gynger, en klatrebane og en sandkasse med skygge."),
    ("P-2", 60_000_00, "Bænke langs søen", "Ti bænke langs stien rundt om søen, så alle kan hvile sig."),
    ("P-3", 90_000_00, "Cykelstativer ved stationen", "Overdækkede stativer til 80 cykler ved perronen."),
    ("P-4", 45_000_00, "Shelter ved Søby Sø", "Et shelter til seks personer med bålplads og brænde."),
    (
        "P-5",
        180_000_00,
        "Lys på skolestien",
        "Lamper langs stien til skolen, så børn kan cykle trygt i mørke.",
    ),
    ("P-6", 400_000_00, "Multibane ved hallen", "En multibane til fodbold, basket og hockey, åben for alle."),
)


def playground_picture() -> bytes:
    """A small drawn picture for the playground's proposal (sky, grass, sun, swing)."""
    image = Image.new("RGB", (640, 360), (135, 190, 235))
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 250, 640, 360), fill=(90, 160, 70))
    draw.ellipse((500, 40, 580, 120), fill=(250, 210, 60))
    draw.line((200, 250, 260, 120, 320, 250), fill=(120, 70, 30), width=10)
    draw.line((260, 120, 260, 210), fill=(60, 60, 60), width=3)
    draw.rectangle((240, 210, 280, 220), fill=(200, 40, 40))
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


def voting_budget(kind: BallotKind, eligibility: Eligibility, name: str, **limits: Any) -> Budget:
    process = make_process(title_da=f"Borgerbudget Testby – {name}", eligibility=eligibility)
    nature = make_category(process, name_da="Natur og friluftsliv")
    children = make_category(process, name_da="Børn og unge")
    categories = {"P-1": children.id, "P-2": nature.id, "P-4": nature.id, "P-5": children.id}
    projects = [
        (code, cost, {"title": title, "summary": summary, "category_id": categories.get(code)})
        for code, cost, title, summary in PROJECTS
    ]
    budget = make_voting_budget(process=process, kind=kind, name_da=name, projects=projects, **limits)
    proposal = make_proposal(process, budget=budget, title=PROJECTS[0][2], summary=PROJECTS[0][3])
    proposal.status = ProposalStatus.ON_BALLOT
    proposal.images.append(
        ProposalImage(
            token=f"{budget.id:032d}",
            mime_type="image/png",
            width=640,
            height=360,
            alt_text="Tegning af en gynge på en græsplæne",
            data=playground_picture(),
        )
    )
    budget.projects[0].proposal_id = proposal.id
    db.session.commit()
    return budget


@pytest.fixture(scope="module")
def voting_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    """A live app (CSRF on) with one voting process per ballot kind, and one voting with codes."""
    database = tmp_path_factory.mktemp("voting") / "voting.sqlite3"
    app = create_app(
        {"TESTING": True, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{database}", "WTF_CSRF_ENABLED": True}
    )
    with app.app_context():
        db.create_all()
        budgets: dict[str, Budget] = {
            "approval": voting_budget(BallotKind.APPROVAL, Eligibility.OPEN, "Hele Testby", max_projects=2),
            "knapsack": voting_budget(BallotKind.KNAPSACK, Eligibility.OPEN, "Hele Testby"),
            "cumulative": voting_budget(
                BallotKind.CUMULATIVE, Eligibility.OPEN, "Hele Testby", points=10, max_points_per_project=5
            ),
            "ranked": voting_budget(BallotKind.RANKED, Eligibility.OPEN, "Hele Testby", max_projects=3),
            "code": voting_budget(BallotKind.KNAPSACK, Eligibility.CODE, "Hele Testby"),
        }
        codes = issue_codes(None, budgets["code"], 2, now=utcnow())
        db.session.commit()
        info = {kind: (budget.id, budget.process.slug) for kind, budget in budgets.items()}
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield {"url": f"http://127.0.0.1:{server.server_port}", "budgets": info, "codes": codes}
    server.shutdown()
    thread.join(timeout=5)


def open_booth(page: Any, server: dict[str, Any], kind: str, artifacts: Path) -> None:
    _budget_id, slug = server["budgets"][kind]
    page.goto(f"{server['url']}/stem/{slug}/")
    assert page.get_by_text("Åben afstemning – kun til workshops og demonstrationer").is_visible()
    assert_accessible(page)
    page.screenshot(path=str(artifacts / f"voting-{kind}-landing.png"), full_page=True)
    page.get_by_role("link", name="Stem i Hele Testby").click()
    expect(page.get_by_role("heading", level=1, name="Stem: Hele Testby")).to_be_visible()
    assert page.get_by_text("Projekterne vises i tilfældig rækkefølge").is_visible()
    assert page.get_by_role("img", name="Tegning af en gynge på en græsplæne").is_visible()
    assert_accessible(page)


def add(page: Any, title: str) -> None:
    page.get_by_role("button", name=f"Tilføj {title}").click()
    assert page.get_by_role("button", name=f"Fjern {title}").first.is_visible()


def bar(page: Any) -> str:
    """The budget bar's words, on one line ('Tilbage 70.000 kr. Budget i alt 500.000 kr. …')."""
    return re.sub(r"\s+", " ", str(page.locator("#bar-facts").inner_text()).replace("\xa0", " "))


def review_and_cast(page: Any, kind: str, artifacts: Path, *expected: str) -> str:
    """Review (checking the listed choices), cast, and check the receipt against the public list."""
    page.get_by_role("button", name="Gennemse din stemme").click()
    expect(page.get_by_role("heading", name="Gennemse din stemme")).to_be_visible()
    assert page.get_by_text("Du kan ikke ændre din stemme bagefter.").is_visible()
    listed = page.locator(".review-list .review-title").all_inner_texts()
    if kind == "cumulative":  # listed in the voter's own card order, which is random
        listed, expected = sorted(listed), tuple(sorted(expected))
    assert listed == list(expected)
    assert_accessible(page)
    page.screenshot(path=str(artifacts / f"voting-{kind}-review.png"), full_page=True)
    page.get_by_role("button", name="Ja, afgiv min stemme").click()
    expect(page.get_by_role("heading", name="Tak for din stemme")).to_be_visible()
    receipt = page.locator(".receipt-code code").inner_text()
    assert re.fullmatch(r"[A-Z0-9]{4}-[A-Z0-9]{4}-[A-Z0-9]{4}", receipt)
    assert_accessible(page)
    page.screenshot(path=str(artifacts / f"voting-{kind}-receipt.png"), full_page=True)
    page.get_by_role("link", name=re.compile("Den offentlige liste over kvitteringer")).click()
    page.get_by_label("Kvitteringskode").fill(receipt.lower())
    page.get_by_role("button", name="Slå op").click()
    expect(page.get_by_text("Talt med").first).to_be_visible()
    assert_accessible(page)
    return str(receipt)


def test_voting_knapsack_on_a_phone(voting_server: dict[str, Any], phone: Any, artifacts_dir: Path) -> None:
    page = phone
    open_booth(page, voting_server, "knapsack", artifacts_dir)
    add(page, "Legeplads i Byparken")
    assert "Valgt for 250.000 kr." in bar(page)
    add(page, "Lys på skolestien")
    assert "Tilbage 70.000 kr. Budget i alt 500.000 kr." in bar(page)
    multi = page.locator("#card-P-6 .add-button")
    assert multi.is_disabled()
    assert multi.inner_text().startswith("Passer ikke – der er 70.000")
    add(page, "Bænke langs søen")
    assert page.locator("#bar-facts").get_attribute("aria-live") == "polite"
    page.get_by_text("Filtrér og sortér projekterne").click()
    page.get_by_label("Kategori").select_option(label="Natur og friluftsliv")
    assert page.locator("#card-P-3").is_hidden() and page.locator("#card-P-4").is_visible()
    page.get_by_label("Kategori").select_option(label="Alle kategorier")
    assert_accessible(page)
    page.screenshot(path=str(artifacts_dir / "voting-knapsack-booth.png"), full_page=True)
    review_and_cast(
        page, "knapsack", artifacts_dir, "Legeplads i Byparken", "Lys på skolestien", "Bænke langs søen"
    )


def test_voting_approval_on_a_phone(voting_server: dict[str, Any], phone: Any, artifacts_dir: Path) -> None:
    page = phone
    open_booth(page, voting_server, "approval", artifacts_dir)
    add(page, "Shelter ved Søby Sø")
    add(page, "Cykelstativer ved stationen")
    assert "Valgte projekter 2 af højst 2" in bar(page)
    full = page.locator("#card-P-1 .add-button")
    assert full.is_disabled() and "Du har valgt det højeste antal (2 projekter)" in full.inner_text()
    page.get_by_role("button", name="Fjern Shelter ved Søby Sø").click()
    assert page.locator("#card-P-1 .add-button").is_enabled()
    add(page, "Legeplads i Byparken")
    assert_accessible(page)
    page.screenshot(path=str(artifacts_dir / "voting-approval-booth.png"), full_page=True)
    review_and_cast(page, "approval", artifacts_dir, "Cykelstativer ved stationen", "Legeplads i Byparken")


def test_voting_cumulative_on_a_phone(voting_server: dict[str, Any], phone: Any, artifacts_dir: Path) -> None:
    page = phone
    open_booth(page, voting_server, "cumulative", artifacts_dir)
    page.get_by_label("Point til Lys på skolestien").fill("5")
    page.get_by_label("Point til Bænke langs søen").fill("3")
    assert "Point givet 8 af 10" in bar(page)
    page.get_by_label("Point til Shelter ved Søby Sø").fill("4")
    assert page.get_by_text("2 point for meget").is_visible()
    page.get_by_label("Point til Shelter ved Søby Sø").fill("2")
    assert page.get_by_text("2 point for meget").is_hidden()
    assert_accessible(page)
    page.screenshot(path=str(artifacts_dir / "voting-cumulative-booth.png"), full_page=True)
    page.get_by_role("button", name="Gennemse din stemme").click()
    expect(page.get_by_role("heading", name="Gennemse din stemme")).to_be_visible()
    titles = page.locator(".review-list .review-title").all_inner_texts()
    points = dict(zip(titles, page.locator(".review-list .review-value").all_inner_texts(), strict=True))
    assert points == {
        "Bænke langs søen": "3 point",
        "Shelter ved Søby Sø": "2 point",
        "Lys på skolestien": "5 point",
    }
    page.get_by_role("button", name="Gå tilbage og ret").click()
    expect(page.get_by_label("Point til Lys på skolestien")).to_have_value("5")
    review_and_cast(
        page, "cumulative", artifacts_dir, "Bænke langs søen", "Shelter ved Søby Sø", "Lys på skolestien"
    )


def test_voting_ranked_on_a_phone(voting_server: dict[str, Any], phone: Any, artifacts_dir: Path) -> None:
    page = phone
    open_booth(page, voting_server, "ranked", artifacts_dir)
    add(page, "Multibane ved hallen")
    add(page, "Legeplads i Byparken")
    add(page, "Shelter ved Søby Sø")
    ranking = page.locator("#ranking-list .ranking-title")
    assert ranking.all_inner_texts() == [
        "Multibane ved hallen",
        "Legeplads i Byparken",
        "Shelter ved Søby Sø",
    ]
    page.get_by_role("button", name="Op Shelter ved Søby Sø").click()
    page.get_by_role("button", name="Op Shelter ved Søby Sø").click()
    assert ranking.all_inner_texts() == [
        "Shelter ved Søby Sø",
        "Multibane ved hallen",
        "Legeplads i Byparken",
    ]
    assert page.locator("#card-P-4 .chosen-mark").inner_text().endswith("Nr. 1")
    assert "Din rangering er fuld (3 projekter)" in page.locator("#card-P-2 .add-button").inner_text()
    assert_accessible(page)
    page.screenshot(path=str(artifacts_dir / "voting-ranked-booth.png"), full_page=True)
    review_and_cast(
        page, "ranked", artifacts_dir, "Shelter ved Søby Sø", "Multibane ved hallen", "Legeplads i Byparken"
    )


@pytest.fixture
def phone_without_javascript(browser: Any) -> Iterator[Any]:
    """A phone-sized page with JavaScript turned off; nothing may load from outside."""
    context = browser.new_context(locale="da-DK", java_script_enabled=False, **PHONE)
    guard = OfflineGuard()
    context.route("**/*", guard.route)
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda message: record_console_error(message, errors))
    yield page
    context.close()
    assert guard.external == [] and errors == []


def test_voting_with_a_code_without_javascript(
    voting_server: dict[str, Any], phone_without_javascript: Any, phone: Any, artifacts_dir: Path
) -> None:
    page = phone_without_javascript
    budget_id, slug = voting_server["budgets"]["code"]
    page.goto(f"{voting_server['url']}/stem/{slug}/")
    page.screenshot(path=str(artifacts_dir / "voting-nojs-landing.png"), full_page=True)
    page.get_by_label("Din stemmekode", exact=True).fill(voting_server["codes"][0])
    page.get_by_role("button", name="Fortsæt").click()
    expect(page.get_by_role("heading", level=1, name="Stem: Hele Testby")).to_be_visible()
    page.get_by_role("button", name="Tilføj Multibane ved hallen").click()  # a full page post
    expect(page).to_have_url(re.compile("#card-P-6$"))
    expect(page.locator('input[name="project"][value="P-6"]')).to_have_count(1)
    assert "Tilbage 100.000 kr." in bar(page)
    assert page.locator("#card-P-1 .add-button").is_disabled()
    assert page.locator("#card-P-1 .add-button").inner_text().startswith("Passer ikke – der er 100.000")
    page.get_by_role("button", name="Tilføj Bænke langs søen").click()
    expect(page.locator('input[name="project"]')).to_have_count(2)
    page.screenshot(path=str(artifacts_dir / "voting-nojs-booth.png"), full_page=True)
    page.get_by_role("button", name="Gennemse din stemme").click()
    expect(page.get_by_text("Du kan ikke ændre din stemme bagefter.")).to_be_visible()
    page.screenshot(path=str(artifacts_dir / "voting-nojs-review.png"), full_page=True)
    page.get_by_role("button", name="Ja, afgiv min stemme").click()
    expect(page.get_by_role("heading", name="Tak for din stemme")).to_be_visible()
    page.screenshot(path=str(artifacts_dir / "voting-nojs-receipt.png"), full_page=True)
    receipt = page.locator(".receipt-code code").inner_text()
    phone.goto(f"{voting_server['url']}/stem/pulje/{budget_id}/kvitteringer")
    assert receipt in phone.locator(".receipt-list").inner_text()
    assert_accessible(phone)
    page.goto(f"{voting_server['url']}/stem/{slug}/")
    page.get_by_label("Din stemmekode", exact=True).fill(voting_server["codes"][0])
    page.get_by_role("button", name="Fortsæt").click()
    expect(page.get_by_text("Denne stemmekode er allerede brugt.").first).to_be_visible()
