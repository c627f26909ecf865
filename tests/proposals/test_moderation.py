"""Reports from anyone, and staff hiding, restoring or keeping a proposal, through HTTP."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from pbvote.extensions import db
from pbvote.processes.models import Phase
from pbvote.proposals.models import EventKind, Proposal, ProposalReport
from tests.builders import login, make_proposal, make_user
from tests.conftest import empty_all_tables, make_test_app
from tests.proposals.review_helpers import (
    audit_actions,
    audit_entries,
    event_kinds,
    events_of,
    follow,
    fresh,
    mail_to,
    page_text,
    review_setup,
    state,
)


def report_url(proposal: Proposal) -> str:
    return f"/forslag/{proposal.id}/rapporter"


def reports() -> list[ProposalReport]:
    db.session.expire_all()
    return list(db.session.scalars(select(ProposalReport).order_by(ProposalReport.id)))


def test_anyone_can_report_a_proposal(client: FlaskClient) -> None:
    setup = review_setup()
    assert client.get(report_url(setup.proposal)).status_code == 200
    response = client.post(report_url(setup.proposal), data={"reason": "Forslaget nævner min nabo ved navn."})
    assert response.status_code == 302
    assert response.location == f"/forslag/{setup.proposal.id}"
    [report] = reports()
    assert report.reporter_id is None and report.resolved_at is None
    assert report.reason == "Forslaget nævner min nabo ved navn."


def test_report_by_a_logged_in_resident_is_signed_and_not_repeated(client: FlaskClient) -> None:
    setup = review_setup()
    neighbour = make_user()
    login(client, neighbour)
    assert client.post(report_url(setup.proposal), data={"reason": "Stødende sprog."}).status_code == 302
    again = client.post(report_url(setup.proposal), data={"reason": "Stadig stødende."})
    assert again.status_code == 422
    assert "Du har allerede indberettet" in page_text(again)
    assert [r.reporter_id for r in reports()] == [neighbour.id]


def test_report_without_a_reason_is_refused_in_danish(client: FlaskClient) -> None:
    setup = review_setup()
    response = client.post(report_url(setup.proposal), data={"reason": "   "})
    assert response.status_code == 422
    assert "Fortæl os, hvad der er galt" in page_text(response)
    assert reports() == []


def test_report_of_a_hidden_or_unknown_proposal_is_not_found(client: FlaskClient) -> None:
    setup = review_setup(hidden=True, hidden_reason="Spam")
    assert client.post(report_url(setup.proposal), data={"reason": "Spam"}).status_code == 404
    assert client.get("/forslag/99999/rapporter").status_code == 404
    draft = make_proposal(review_setup(phase=Phase.DRAFT).process)
    assert client.get(report_url(draft)).status_code == 404
    assert reports() == []


@pytest.fixture
def limited_app(database_url: str) -> Iterator[Flask]:
    """The app with rate limits on, as in production."""
    app = make_test_app(database_url, RATELIMIT_ENABLED=True, RATELIMIT_STORAGE_URI="memory://")
    with app.app_context():
        yield app
        db.session.rollback()
        empty_all_tables()
        db.session.remove()
        db.engine.dispose()


def test_reports_are_rate_limited_per_address(limited_app: Flask) -> None:
    client = limited_app.test_client()
    setup = review_setup()
    for number in range(5):
        response = client.post(report_url(setup.proposal), data={"reason": f"Rapport {number}"})
        assert response.status_code == 302
    limited = client.post(report_url(setup.proposal), data={"reason": "En for meget"})
    assert limited.status_code == 429
    assert "For mange forsøg" in page_text(limited)
    assert len(reports()) == 5
    assert client.get(report_url(setup.proposal)).status_code == 200  # reading the form is not limited


def test_staff_see_open_reports(client: FlaskClient) -> None:
    setup = review_setup()
    client.post(report_url(setup.proposal), data={"reason": "Indeholder et telefonnummer."})
    login(client, setup.staff)
    page = page_text(client.get("/sagsbehandling/rapporter"))
    assert "Indeholder et telefonnummer." in page and "Ny legeplads i Søparken" in page
    assert "Indeholder et telefonnummer." in page_text(
        client.get(f"/sagsbehandling/forslag/{setup.proposal.id}")
    )


def test_reports_page_is_for_staff_only(client: FlaskClient) -> None:
    setup = review_setup()
    assert client.get("/sagsbehandling/rapporter").status_code == 302
    login(client, setup.author)
    assert client.get("/sagsbehandling/rapporter").status_code == 403


def test_hide_removes_the_proposal_from_public_pages_and_tells_the_author(client: FlaskClient) -> None:
    setup = review_setup()
    fan = make_user()
    follow(setup.proposal, fan)
    client.post(report_url(setup.proposal), data={"reason": "Personlige oplysninger."})
    login(client, setup.staff)
    reason = "Forslaget indeholder personlige oplysninger om en nabo."

    response = client.post(f"/sagsbehandling/forslag/{setup.proposal.id}/skjul", data={"reason": reason})

    assert response.status_code == 302
    proposal = fresh(Proposal, setup.proposal.id)
    assert proposal.hidden and proposal.hidden_reason == reason
    assert all(report.resolved_at is not None for report in reports())
    [event] = events_of(proposal.id, EventKind.HIDDEN)
    assert event.public_text == reason
    [entry] = audit_entries("proposal.hidden")
    assert '"hidden":false' in entry.before and '"hidden":true' in entry.after
    [mail] = mail_to(setup.author.email)
    assert reason in mail.body and "Status:" in mail.body
    assert f"/forslag/{setup.proposal.id}" not in mail.body  # the page is gone for the public
    assert len(mail_to(fan.email)) == 1
    client.post("/konto/log-ud")
    assert client.get(f"/forslag/{setup.proposal.id}").status_code == 404
    listing = page_text(client.get(f"/forslag/{setup.process.slug}/"))
    assert "Ny legeplads i Søparken" not in listing


def test_restore_shows_the_proposal_again(client: FlaskClient) -> None:
    setup = review_setup(hidden=True, hidden_reason="Fejlagtigt rapporteret")
    login(client, setup.staff)
    response = client.post(
        f"/sagsbehandling/forslag/{setup.proposal.id}/gendan", data={"reason": "Forslaget er rettet."}
    )
    assert response.status_code == 302
    proposal = fresh(Proposal, setup.proposal.id)
    assert not proposal.hidden and proposal.hidden_reason == ""
    assert event_kinds(proposal.id)[-1] is EventKind.RESTORED
    assert "proposal.restored" in audit_actions()
    assert len(mail_to(setup.author.email)) == 1
    client.post("/konto/log-ud")
    assert client.get(f"/forslag/{setup.proposal.id}").status_code == 200


def test_hide_without_a_reason_is_refused_and_writes_nothing(client: FlaskClient) -> None:
    setup = review_setup()
    login(client, setup.staff)
    before = state()
    response = client.post(f"/sagsbehandling/forslag/{setup.proposal.id}/skjul", data={"reason": " "})
    assert response.status_code == 422
    assert "Feltet skal udfyldes." in page_text(response)
    assert state() == before
    assert not fresh(Proposal, setup.proposal.id).hidden


def test_hide_twice_is_refused(client: FlaskClient) -> None:
    setup = review_setup(hidden=True, hidden_reason="Spam")
    login(client, setup.staff)
    before = state()
    response = client.post(f"/sagsbehandling/forslag/{setup.proposal.id}/skjul", data={"reason": "Igen"})
    assert response.status_code == 422
    assert state() == before


def test_residents_cannot_hide_or_restore(client: FlaskClient) -> None:
    setup = review_setup()
    login(client, setup.author)
    before = state()
    for action in ("skjul", "gendan", "rapporter/afvis"):
        response = client.post(f"/sagsbehandling/forslag/{setup.proposal.id}/{action}", data={"reason": "x"})
        assert response.status_code == 403
    assert state() == before


def test_dismiss_closes_the_reports_and_keeps_the_proposal(client: FlaskClient) -> None:
    setup = review_setup()
    client.post(report_url(setup.proposal), data={"reason": "Jeg kan ikke lide det."})
    login(client, setup.staff)
    response = client.post(f"/sagsbehandling/forslag/{setup.proposal.id}/rapporter/afvis")
    assert response.status_code == 302
    assert all(report.resolved_at is not None for report in reports())
    assert not fresh(Proposal, setup.proposal.id).hidden
    assert "proposal.reports_dismissed" in audit_actions()
    again = client.post(f"/sagsbehandling/forslag/{setup.proposal.id}/rapporter/afvis")
    assert again.status_code == 422
