"""The instructor's controls: staff only, CSRF-protected posts, each audited and seen by the projector."""

from __future__ import annotations

from flask import Flask
from sqlalchemy import func, select

from pbvote.audit.models import AuditEntry
from pbvote.auth.models import Role
from pbvote.extensions import db
from pbvote.processes.models import Phase
from pbvote.results.models import TallyRun
from pbvote.workshop.models import WorkshopState
from pbvote.workshop.queries import live_status
from tests.builders import login, make_user
from tests.conftest import empty_all_tables, make_test_app
from tests.workshop.support import counts, english, fresh, new_workshop, staff_client, text


def url(workshop_id: int, action: str = "") -> str:
    return f"/sagsbehandling/workshops/{workshop_id}" + (f"/{action}" if action else "")


def test_controls_are_for_staff_only(app: Flask) -> None:
    workshop = new_workshop()
    anonymous = app.test_client()
    assert anonymous.get(url(workshop.id)).status_code == 302  # to the login page
    assert anonymous.post(url(workshop.id, "open")).status_code == 302
    resident = english(app.test_client())
    login(resident, make_user(role=Role.RESIDENT))
    assert resident.get("/sagsbehandling/workshops/").status_code == 403
    assert resident.get(url(workshop.id)).status_code == 403
    assert resident.post(url(workshop.id, "open")).status_code == 403
    assert resident.post(url(workshop.id, "reset"), data={"confirm": "y"}).status_code == 403
    assert fresh(workshop.id).state is WorkshopState.LOBBY


def test_a_whole_run_open_simulate_close_reveal_step_reset(app: Flask) -> None:
    workshop = new_workshop()
    client = staff_client(app)
    version = fresh(workshop.id).version
    assert client.post(url(workshop.id, "open")).status_code == 302
    assert (
        fresh(workshop.id).state is WorkshopState.VOTING and fresh(workshop.id).process.phase is Phase.VOTING
    )
    response = client.post(url(workshop.id, "simulate"), data={"voters": 40, "seed": 7})
    assert "Added 40 simulated ballots." in text(client.get(response.location))
    client.post(url(workshop.id, "close"))
    assert fresh(workshop.id).process.phase is Phase.COUNTING
    client.post(url(workshop.id, "reveal"))
    revealed = fresh(workshop.id)
    assert revealed.state is WorkshopState.REVEALED and revealed.step == 0
    run = db.session.scalar(select(TallyRun))
    assert run is not None and run.rule == revealed.process.budgets[0].rule
    assert run.alternative_data()["rule"] != run.report_data()["rule"]  # the other rule is counted too
    total = live_status(revealed)["steps_total"]
    assert total == max(len(run.report_data()["selected"]), len(run.alternative_data()["selected"])) > 0
    client.post(url(workshop.id, "back"))
    assert fresh(workshop.id).step == 0  # never below nothing shown
    for _ in range(total + 2):
        client.post(url(workshop.id, "forward"))
    assert fresh(workshop.id).step == total  # never past both outcomes in full
    page = text(client.get(url(workshop.id)))
    assert f"{total} of {total}" in page
    response = client.post(url(workshop.id, "reset"), data={"confirm": "y"})
    assert "The workshop is reset" in text(client.get(response.location))
    after = fresh(workshop.id)
    assert after.state is WorkshopState.LOBBY and after.step == 0 and after.process.phase is Phase.REVIEW
    assert counts(after) == {"ballots": 0, "lines": 0, "participations": 0, "joins": 0}
    assert db.session.scalar(select(func.count()).select_from(TallyRun)) == 0
    assert live_status(after)["votes"] == 0 and after.version > version
    actions = set(db.session.scalars(select(AuditEntry.action)))
    expected = {"opened", "simulated", "closed", "revealed", "stepped", "reset", "emptied"}
    assert {f"workshop.{name}" for name in expected} <= actions


def test_controls_out_of_order_are_refused_with_a_message(app: Flask) -> None:
    workshop = new_workshop()
    client = staff_client(app)
    version = fresh(workshop.id).version
    for action, message in (
        ("close", "The voting is not open"),
        ("reveal", "Close the voting before revealing"),
        ("forward", "Reveal the result before stepping"),
    ):
        response = client.post(url(workshop.id, action))
        assert response.status_code == 302
        assert message in text(client.get(response.location))
    assert fresh(workshop.id).state is WorkshopState.LOBBY and fresh(workshop.id).version == version
    assert client.post(url(workshop.id, "explode")).status_code == 404
    assert client.post(url(999_999, "open")).status_code == 404


def test_reset_needs_the_tick_and_simulate_a_sensible_number(app: Flask) -> None:
    workshop = new_workshop(voting=True)
    client = staff_client(app)
    client.post(url(workshop.id, "simulate"), data={"voters": 5})
    refused = client.post(url(workshop.id, "reset"))
    assert refused.status_code == 422 and "Tick the box" in text(refused)
    assert counts(workshop)["ballots"] == 5
    for bad in ("0", "5000", "many", ""):
        response = client.post(url(workshop.id, "simulate"), data={"voters": bad})
        assert response.status_code == 422
    assert counts(workshop)["ballots"] == 5


def test_controls_need_the_csrf_token(database_url: str) -> None:
    app = make_test_app(database_url, WTF_CSRF_ENABLED=True)
    with app.app_context():
        try:
            workshop = new_workshop()
            user = make_user(role=Role.STAFF)
            client = english(app.test_client())
            page = text(client.get("/konto/log-ind"))
            token = page.split('name="csrf_token" type="hidden" value="')[1].split('"')[0]
            client.post("/konto/log-ind", data={"email": user.email, "password": "correct horse battery",
                                                "csrf_token": token})  # fmt: skip
            assert client.post(url(workshop.id, "open")).status_code == 400
            assert fresh(workshop.id).state is WorkshopState.LOBBY
            controls = text(client.get(url(workshop.id)))
            token = controls.split('name="csrf_token" type="hidden" value="')[1].split('"')[0]
            assert client.post(url(workshop.id, "open"), data={"csrf_token": token}).status_code == 302
            assert fresh(workshop.id).state is WorkshopState.VOTING
        finally:
            db.session.rollback()
            empty_all_tables()
            db.session.remove()
            db.engine.dispose()


def test_controls_page_shows_the_qr_and_the_projector_link(app: Flask) -> None:
    workshop = new_workshop()
    page = text(staff_client(app).get(url(workshop.id)))
    assert f'src="/w/{workshop.join_code}/qr.svg"' in page and 'alt="QR code for' in page
    assert f"/w/{workshop.join_code}/projektor" in page
