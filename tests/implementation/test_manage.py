"""Staff report status, progress and updates with photos; changes are audited, bad input writes nothing."""

from __future__ import annotations

import io
from datetime import date, timedelta

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select

from pbvote.audit.models import AuditEntry
from pbvote.auth.models import Role
from pbvote.extensions import db
from pbvote.implementation.models import ProgressPhoto, ProgressStatus, ProgressUpdate
from pbvote.processes.models import Phase
from tests.builders import PASSWORD, login, make_user
from tests.implementation.helpers import (
    add_follower,
    counted_process,
    counts,
    english,
    progress_row,
    staff_url,
    text,
)
from tests.proposals.helpers import markup_problems, picture


def audit_actions() -> list[str]:
    db.session.expire_all()
    return list(db.session.scalars(select(AuditEntry.action).order_by(AuditEntry.id)))


def set_status(client: FlaskClient, setup, key: str = "P-1", **data: str):  # type: ignore[no-untyped-def]
    fields = {"status": "in_progress", "percent": "40", "cancel_reason": ""}
    fields.update(data)
    return client.post(staff_url(setup, key, "status"), data=fields)


def post_update(client: FlaskClient, setup, key: str = "P-1", **data):  # type: ignore[no-untyped-def]
    fields = {"happened_on": date.today().isoformat(), "text": "Gravemaskinerne er **kommet**."}
    fields.update(data)
    return client.post(staff_url(setup, key, "opdatering"), data=fields, content_type="multipart/form-data")


def test_staff_see_the_winners_of_the_process(client: FlaskClient) -> None:
    setup = counted_process()
    login(english(client), setup.staff)
    page = text(client.get(staff_url(setup)))
    assert "Bænke i Byparken" in page and "Ny legeplads" in page and "Cykelsti langs åen" not in page
    assert "Status and progress" in text(client.get(staff_url(setup, "P-1")))


def test_staff_page_says_so_when_nothing_is_published(client: FlaskClient) -> None:
    setup = counted_process(published=False, phase=Phase.COUNTING)
    login(english(client), setup.staff)
    assert "until a result of this process has been published" in text(client.get(staff_url(setup)))
    assert client.get(staff_url(setup, "P-1")).status_code == 404


def test_status_and_progress_are_saved_audited_and_shown_publicly(client: FlaskClient) -> None:
    setup = counted_process()
    login(english(client), setup.staff)
    response = set_status(client, setup, status="in_progress", percent="40")
    assert response.status_code == 302
    row = progress_row("P-1", setup.budget)
    assert row is not None and row.status is ProgressStatus.IN_PROGRESS and row.percent == 40
    assert audit_actions() == ["implementation.progress_changed"]
    page = text(client.get(f"/udfoerelse/{setup.process.slug}/P-1"))
    assert "In progress</span>" in page and 'value="40"' in page and "40% done" in page

    assert set_status(client, setup, status="done", percent="100").status_code == 302
    row = progress_row("P-1", setup.budget)
    assert row is not None and row.status is ProgressStatus.DONE and row.percent == 100
    assert audit_actions() == ["implementation.progress_changed"] * 2


def test_saving_the_same_status_again_changes_nothing(client: FlaskClient) -> None:
    setup = counted_process()
    login(english(client), setup.staff)
    set_status(client, setup)
    response = set_status(client, setup)
    assert "Nothing was changed." in text(client.get(response.location))
    assert audit_actions() == ["implementation.progress_changed"]


def test_cancelled_needs_a_reason_and_without_one_nothing_is_written(client: FlaskClient) -> None:
    setup = counted_process()
    login(english(client), setup.staff)
    before = counts()
    response = set_status(client, setup, status="cancelled", cancel_reason="  ")
    assert response.status_code == 422
    assert "Give the reason the project was cancelled" in text(response)
    assert counts() == before and audit_actions() == []

    reason = "Grunden viste sig at være forurenet."
    assert (
        set_status(client, setup, status="cancelled", percent="10", cancel_reason=reason).status_code == 302
    )
    row = progress_row("P-1", setup.budget)
    assert row is not None and row.status is ProgressStatus.CANCELLED and row.cancel_reason == reason
    page = text(client.get(f"/udfoerelse/{setup.process.slug}/P-1"))
    assert "Cancelled</span>" in page and reason in page


@pytest.mark.parametrize("percent", ["-1", "101", "abc", "", "4.5", "１０"])
def test_progress_outside_0_to_100_is_refused(client: FlaskClient, percent: str) -> None:
    setup = counted_process()
    login(english(client), setup.staff)
    before = counts()
    response = set_status(client, setup, percent=percent)
    assert response.status_code == 422
    assert "Progress must be a whole number from 0 to 100." in text(response)
    assert counts() == before


@pytest.mark.parametrize("percent", ["0", "100"])
def test_progress_bounds_are_accepted(client: FlaskClient, percent: str) -> None:
    setup = counted_process()
    login(client, setup.staff)
    assert set_status(client, setup, percent=percent).status_code == 302
    row = progress_row("P-1", setup.budget)
    assert row is not None and row.percent == int(percent)


def test_update_with_a_photo_is_published_audited_and_served_safely(client: FlaskClient) -> None:
    setup = counted_process()
    login(english(client), setup.staff)
    photo = (io.BytesIO(picture("JPEG", size=(60, 40))), "foto.jpg")
    response = post_update(client, setup, photo_1=photo, alt_1="Gravemaskine i parken")
    assert response.status_code == 302
    [update] = db.session.scalars(select(ProgressUpdate)).all()
    [stored] = db.session.scalars(select(ProgressPhoto)).all()
    assert update.text == "Gravemaskinerne er **kommet**." and stored.alt_text == "Gravemaskine i parken"
    assert (stored.width, stored.height) == (60, 40) and stored.mime_type == "image/jpeg"
    assert audit_actions() == ["implementation.update_added"]

    page = text(client.get(f"/udfoerelse/{setup.process.slug}/P-1"))
    assert "<strong>kommet</strong>" in page
    assert f'src="/udfoerelse/foto/{stored.token}" alt="Gravemaskine i parken"' in page
    served = client.get(f"/udfoerelse/foto/{stored.token}")
    assert served.status_code == 200 and served.data == stored.data
    assert served.headers["Content-Type"] == "image/jpeg"
    assert served.headers["X-Content-Type-Options"] == "nosniff"
    overview = text(client.get(f"/udfoerelse/{setup.process.slug}"))
    assert "Latest update:" in overview


def test_update_text_is_sanitised(client: FlaskClient) -> None:
    setup = counted_process()
    login(client, setup.staff)
    post_update(client, setup, text="Hej <script>alert(1)</script> [x](javascript:alert(1))")
    page = text(client.get(f"/udfoerelse/{setup.process.slug}/P-1"))
    assert "<script>alert(1)" not in page and "&lt;script&gt;alert(1)" in page
    assert markup_problems(page) == []


def test_a_bad_photo_is_refused_with_a_message_and_nothing_is_written(client: FlaskClient) -> None:
    setup = counted_process()
    add_follower(setup.process, "fan@example.dk")
    login(english(client), setup.staff)
    before = counts()
    response = post_update(client, setup, photo_1=(io.BytesIO(b"not a picture"), "virus.jpg"), alt_1="Foto")
    assert response.status_code == 422
    assert "The file is not an image we can use. Upload a JPEG, PNG or WebP picture." in text(response)
    assert counts() == before and audit_actions() == []


def test_a_photo_without_a_description_is_refused(client: FlaskClient) -> None:
    setup = counted_process()
    login(english(client), setup.staff)
    before = counts()
    response = post_update(client, setup, photo_1=(io.BytesIO(picture()), "foto.png"), alt_1="")
    assert response.status_code == 422
    assert "Describe the photo for people who cannot see it." in text(response)
    assert counts() == before


def test_an_update_needs_text_and_a_date_not_in_the_future(client: FlaskClient) -> None:
    setup = counted_process()
    login(english(client), setup.staff)
    before = counts()
    assert post_update(client, setup, text="  ").status_code == 422
    assert post_update(client, setup, happened_on="31-12-2026").status_code == 422
    future = (date.today() + timedelta(days=30)).isoformat()
    response = post_update(client, setup, happened_on=future)
    assert response.status_code == 422 and "The date cannot be in the future." in text(response)
    assert counts() == before


def test_staff_cannot_report_on_a_project_that_did_not_win(client: FlaskClient) -> None:
    setup = counted_process()
    login(client, setup.staff)
    assert set_status(client, setup, key="P-3").status_code == 404
    assert post_update(client, setup, key="P-3").status_code == 404


def test_residents_get_403_and_visitors_are_sent_to_log_in(client: FlaskClient) -> None:
    setup = counted_process()
    before = counts()
    for url in (staff_url(setup), staff_url(setup, "P-1"), "/sagsbehandling/udfoerelse/"):
        assert client.get(url).status_code == 302
    login(client, make_user(role=Role.RESIDENT))
    for url in (staff_url(setup), staff_url(setup, "P-1"), "/sagsbehandling/udfoerelse/"):
        assert client.get(url).status_code == 403
    assert set_status(client, setup).status_code == 403
    assert post_update(client, setup).status_code == 403
    assert counts() == before


def test_staff_forms_without_a_csrf_token_change_nothing(app_with) -> None:  # type: ignore[no-untyped-def]
    app = app_with(WTF_CSRF_ENABLED=True)
    setup = counted_process()
    client = app.test_client()
    page = text(client.get("/konto/log-ind"))
    token = page.split('name="csrf_token" type="hidden" value="')[1].split('"')[0]
    response = client.post(
        "/konto/log-ind", data={"email": setup.staff.email, "password": PASSWORD, "csrf_token": token}
    )
    assert response.status_code == 302
    before = counts()
    assert set_status(client, setup).status_code == 400
    assert post_update(client, setup).status_code == 400
    assert counts() == before
    form = text(client.get(staff_url(setup, "P-1")))
    assert form.count('name="csrf_token"') >= 2
