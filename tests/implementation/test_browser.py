"""The public implementation pages on a phone: no console errors or outside requests, axe clean."""

from __future__ import annotations

import secrets
import threading
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect
from werkzeug.serving import make_server

from pbvote import create_app
from pbvote.extensions import db
from pbvote.implementation.models import ProgressPhoto, ProgressStatus, ProgressUpdate, ProjectProgress
from pbvote.proposals.images import prepare_image
from tests.browser.conftest import assert_accessible
from tests.implementation.helpers import counted_process
from tests.proposals.helpers import picture

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def implementation_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    """A process with published winners, one in progress with a photo update, one cancelled; served live."""
    database = tmp_path_factory.mktemp("implementation") / "implementation.sqlite3"
    app = create_app(
        {"TESTING": True, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{database}", "WTF_CSRF_ENABLED": True}
    )
    with app.app_context():
        db.create_all()
        setup = counted_process()
        first, second = sorted(setup.budget.projects, key=lambda p: p.code)[:2]
        db.session.add(ProjectProgress(project_id=first.id, status=ProgressStatus.IN_PROGRESS, percent=60))
        db.session.add(
            ProjectProgress(
                project_id=second.id,
                status=ProgressStatus.CANCELLED,
                percent=10,
                cancel_reason="Forurenet jord.",
            )
        )
        image = prepare_image(picture("JPEG", size=(320, 200)))
        update = ProgressUpdate(
            project_id=first.id, happened_on=date(2026, 5, 1), text="Bænkene er **sat op**."
        )
        update.photos.append(
            ProgressPhoto(
                token=secrets.token_hex(16),
                mime_type=image.mime_type,
                width=image.width,
                height=image.height,
                alt_text="Tre nye bænke ved søen",
                data=image.data,
            )
        )
        db.session.add(update)
        db.session.commit()
        slug = setup.process.slug
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield {"url": f"http://127.0.0.1:{server.server_port}", "slug": slug}
    server.shutdown()
    thread.join(timeout=5)


def test_overview_and_project_page_are_clean_on_a_phone(
    implementation_server: dict[str, str], phone: Any, artifacts_dir: Path
) -> None:
    base = f"{implementation_server['url']}/udfoerelse/{implementation_server['slug']}"
    phone.goto(base)
    expect(phone.locator("progress")).to_have_count(2)
    expect(phone.locator(".progress-status")).to_have_count(2)
    assert_accessible(phone)
    phone.screenshot(path=str(artifacts_dir / "implementation-overview.png"), full_page=True)

    phone.goto(f"{base}/P-1")
    image = phone.get_by_role("img", name="Tre nye bænke ved søen")
    expect(image).to_be_visible()
    image.scroll_into_view_if_needed()  # lazy-loaded: it loads once it is near the viewport
    phone.wait_for_function("() => [...document.images].every(img => img.complete && img.naturalWidth > 0)")
    assert_accessible(phone)
    phone.screenshot(path=str(artifacts_dir / "implementation-project.png"), full_page=True)

    phone.goto(f"{base}/foelg")
    phone.get_by_role("textbox").fill("fan@example.dk")
    phone.get_by_role("main").get_by_role("button").click()
    expect(phone.locator("h1")).not_to_have_text("")
    assert_accessible(phone)
