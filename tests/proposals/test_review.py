"""Staff review through HTTP: the queue, assignment, the assessment, and publishing prices."""

from __future__ import annotations

import pytest
from flask.testing import FlaskClient

from pbvote.audit.services import verify_chain
from pbvote.auth.models import Role
from pbvote.extensions import db
from pbvote.processes.models import Phase
from pbvote.proposals.models import EventKind, Feasibility, Proposal, ProposalStatus
from tests.builders import login, make_budget, make_process, make_proposal, make_user
from tests.proposals.review_helpers import (
    audit_actions,
    audit_entries,
    event_kinds,
    events_of,
    fresh,
    mail_to,
    page_text,
    review_setup,
    state,
)


def assess_url(proposal: Proposal) -> str:
    return f"/sagsbehandling/forslag/{proposal.id}/vurdering"


def test_review_pages_send_anonymous_visitors_to_login(client: FlaskClient) -> None:
    setup = review_setup()
    for url in (
        "/sagsbehandling/",
        f"/sagsbehandling/{setup.process.id}/forslag",
        f"/sagsbehandling/forslag/{setup.proposal.id}",
    ):
        response = client.get(url)
        assert response.status_code == 302
        assert response.location.startswith("/konto/log-ind")
    response = client.post(
        assess_url(setup.proposal), data={"feasibility": "feasible", "vetted_cost": "1000"}
    )
    assert response.status_code == 302
    assert response.location.startswith("/konto/log-ind")


def test_review_pages_refuse_residents(client: FlaskClient) -> None:
    setup = review_setup()
    login(client, setup.author)
    before = state()
    assert client.get("/sagsbehandling/").status_code == 403
    assert client.get(f"/sagsbehandling/{setup.process.id}/forslag").status_code == 403
    response = client.post(
        assess_url(setup.proposal), data={"feasibility": "feasible", "vetted_cost": "1000"}
    )
    assert response.status_code == 403
    assert state() == before
    assert fresh(Proposal, setup.proposal.id).status is ProposalStatus.SUBMITTED


def test_menu_links_staff_to_case_handling(client: FlaskClient) -> None:
    setup = review_setup()
    login(client, setup.author)
    assert "Sagsbehandling" not in page_text(client.get("/"))
    client.post("/konto/log-ud")
    login(client, setup.staff)
    page = page_text(client.get("/"))
    assert "Sagsbehandling" in page and 'href="/sagsbehandling/"' in page


def test_queue_filters_by_status_budget_and_reviewer(client: FlaskClient) -> None:
    setup = review_setup()
    district = make_budget(setup.process, name_da="Nordby", district="Nordby")
    other_staff = make_user(role=Role.STAFF)
    mine = make_proposal(setup.process, budget=district, title="Cykelsti langs åen", reviewer=setup.staff)
    theirs = make_proposal(setup.process, title="Bænke ved havnen", reviewer=other_staff)
    done = make_proposal(setup.process, title="Hundeskov", status=ProposalStatus.FEASIBLE)
    login(client, setup.staff)
    base = f"/sagsbehandling/{setup.process.id}/forslag"

    def titles(query: str) -> set[str]:
        response = client.get(base + query)
        assert response.status_code == 200
        page = page_text(response)
        return {p.title for p in (setup.proposal, mine, theirs, done) if p.title in page}

    assert titles("") == {setup.proposal.title, mine.title, theirs.title, done.title}
    assert titles("?status=feasible") == {done.title}
    assert titles(f"?budget={district.id}") == {mine.title}
    assert titles("?reviewer=mine") == {mine.title}
    assert titles(f"?reviewer={other_staff.id}") == {theirs.title}
    assert titles("?reviewer=none") == {setup.proposal.title, done.title}


def test_queue_sorts_and_paginates(client: FlaskClient) -> None:
    setup = review_setup()
    for number in range(30):
        make_proposal(setup.process, title=f"Forslag nummer {number:02d}")
    login(client, setup.staff)
    base = f"/sagsbehandling/{setup.process.id}/forslag"
    first = page_text(client.get(base + "?sort=title"))
    assert "Forslag nummer 00" in first and "Forslag nummer 24" in first
    assert "Forslag nummer 25" not in first
    assert "Side 1 af 2" in first
    second = page_text(client.get(base + "?sort=title&page=2"))
    assert "Forslag nummer 25" in second and "Ny legeplads i Søparken" in second
    assert "Forslag nummer 24" not in second
    newest = page_text(client.get(base + "?sort=newest"))
    assert "Forslag nummer 29" in newest and "Ny legeplads i Søparken" not in newest


@pytest.mark.parametrize(
    "query", ["?status=approved", "?sort=price", "?reviewer=someone", "?page=abc", "?page=0", "?budget=99999"]
)
def test_queue_refuses_unknown_filters(client: FlaskClient, query: str) -> None:
    setup = review_setup()
    login(client, setup.staff)
    assert client.get(f"/sagsbehandling/{setup.process.id}/forslag{query}").status_code == 400


def test_queue_of_unknown_process_is_not_found(client: FlaskClient) -> None:
    setup = review_setup()
    login(client, setup.staff)
    assert client.get("/sagsbehandling/99999/forslag").status_code == 404
    assert client.get("/sagsbehandling/forslag/99999").status_code == 404


def test_queue_budget_of_another_process_is_refused(client: FlaskClient) -> None:
    setup = review_setup()
    elsewhere = make_budget(make_process(phase=Phase.REVIEW))
    login(client, setup.staff)
    assert client.get(f"/sagsbehandling/{setup.process.id}/forslag?budget={elsewhere.id}").status_code == 400


def test_assign_gives_proposals_to_a_case_officer_with_audit_and_event(client: FlaskClient) -> None:
    setup = review_setup()
    second = make_proposal(setup.process, title="Belysning på stien")
    colleague = make_user(role=Role.STAFF)
    login(client, setup.staff)
    response = client.post(
        f"/sagsbehandling/{setup.process.id}/tildel",
        data={"proposal_ids": [setup.proposal.id, second.id], "reviewer": str(colleague.id)},
    )
    assert response.status_code == 302
    assert fresh(Proposal, setup.proposal.id).reviewer_id == colleague.id
    assert fresh(Proposal, second.id).reviewer_id == colleague.id
    assert audit_actions().count("proposal.reviewer_assigned") == 2
    assert EventKind.ASSIGNED in event_kinds(second.id)
    mine = page_text(client.get(f"/sagsbehandling/{setup.process.id}/forslag?reviewer={colleague.id}"))
    assert "Belysning på stien" in mine


def test_assign_refuses_a_resident_as_case_officer(client: FlaskClient) -> None:
    setup = review_setup()
    login(client, setup.staff)
    before = state()
    response = client.post(
        f"/sagsbehandling/{setup.process.id}/tildel",
        data={"proposal_ids": [setup.proposal.id], "reviewer": str(setup.author.id)},
    )
    assert response.status_code == 422
    assert state() == before
    assert fresh(Proposal, setup.proposal.id).reviewer_id is None


def test_assign_of_a_proposal_from_another_process_is_not_found(client: FlaskClient) -> None:
    setup = review_setup()
    stranger = review_setup().proposal
    login(client, setup.staff)
    response = client.post(
        f"/sagsbehandling/{setup.process.id}/tildel",
        data={"proposal_ids": [stranger.id], "reviewer": str(setup.staff.id)},
    )
    assert response.status_code == 404
    assert fresh(Proposal, stranger.id).reviewer_id is None


def test_review_page_shows_the_proposal_in_danish(client: FlaskClient) -> None:
    setup = review_setup(cost_guess=15_000_000)
    login(client, setup.staff)
    response = client.get(f"/sagsbehandling/forslag/{setup.proposal.id}")
    assert response.status_code == 200
    page = page_text(response)
    assert "Ny legeplads i Søparken" in page
    assert "150.000" in page
    assert "Gem vurderingen" in page


def test_assess_feasible_stores_cost_status_audit_and_history(client: FlaskClient) -> None:
    setup = review_setup()
    login(client, setup.staff)
    response = client.post(
        assess_url(setup.proposal),
        data={"vetted_cost": "1.250.000", "feasibility": "feasible", "public_reason": ""},
    )
    assert response.status_code == 302
    proposal = fresh(Proposal, setup.proposal.id)
    assert proposal.vetted_cost == 125_000_000
    assert proposal.feasibility is Feasibility.FEASIBLE
    assert proposal.status is ProposalStatus.FEASIBLE
    assert not proposal.cost_published
    assert event_kinds(proposal.id)[-2:] == [EventKind.COST_ESTIMATED, EventKind.ASSESSED]
    [entry] = audit_entries("proposal.assessed")
    assert '"status":"submitted"' in entry.before and '"status":"feasible"' in entry.after
    assert '"vetted_cost":125000000' in entry.after


def test_assess_not_feasible_keeps_the_public_reason_in_the_history(client: FlaskClient) -> None:
    setup = review_setup()
    login(client, setup.staff)
    reason = "Arealet er fredet, så der må ikke bygges en legeplads."
    response = client.post(
        assess_url(setup.proposal), data={"feasibility": "not_feasible", "public_reason": reason}
    )
    assert response.status_code == 302
    proposal = fresh(Proposal, setup.proposal.id)
    assert proposal.status is ProposalStatus.NOT_FEASIBLE and proposal.public_reason == reason
    [event] = events_of(proposal.id, EventKind.ASSESSED)
    assert event.public_text == reason


@pytest.mark.parametrize("feasibility", ["not_feasible", "needs_changes"])
def test_assess_without_a_reason_is_refused_in_danish_and_writes_nothing(
    client: FlaskClient, feasibility: str
) -> None:
    setup = review_setup()
    login(client, setup.staff)
    before = state()
    response = client.post(
        assess_url(setup.proposal), data={"feasibility": feasibility, "public_reason": "  "}
    )
    assert response.status_code == 422
    assert "Skriv en offentlig begrundelse" in page_text(response)
    assert state() == before
    proposal = fresh(Proposal, setup.proposal.id)
    assert proposal.status is ProposalStatus.SUBMITTED and proposal.feasibility is None


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"feasibility": "feasible", "vetted_cost": ""}, "Angiv den anslåede pris"),
        ({"feasibility": "feasible", "vetted_cost": "mange penge"}, "Skriv et beløb i kroner"),
        ({"feasibility": "feasible", "vetted_cost": "0"}, "mindst 1 krone"),
        ({"feasibility": "maybe", "vetted_cost": "1000"}, "Vælg en vurdering."),
    ],
)
def test_assess_with_bad_input_is_refused_and_writes_nothing(
    client: FlaskClient, data: dict[str, str], message: str
) -> None:
    setup = review_setup()
    login(client, setup.staff)
    before = state()
    response = client.post(assess_url(setup.proposal), data=data)
    assert response.status_code == 422
    assert message in page_text(response)
    assert state() == before


@pytest.mark.parametrize("phase", [Phase.PROPOSALS, Phase.VOTING])
def test_assess_outside_the_review_phase_is_refused(client: FlaskClient, phase: Phase) -> None:
    setup = review_setup(phase=phase)
    login(client, setup.staff)
    before = state()
    response = client.post(
        assess_url(setup.proposal), data={"feasibility": "feasible", "vetted_cost": "1000"}
    )
    assert response.status_code == 403
    assert "kun behandles, mens processen er i vurderingsfasen" in page_text(response)
    assert state() == before


def test_assess_of_a_proposal_already_on_the_ballot_is_refused(client: FlaskClient) -> None:
    setup = review_setup(status=ProposalStatus.ON_BALLOT, vetted_cost=100_000)
    login(client, setup.staff)
    response = client.post(
        assess_url(setup.proposal), data={"feasibility": "feasible", "vetted_cost": "5000"}
    )
    assert response.status_code == 403
    assert fresh(Proposal, setup.proposal.id).vetted_cost == 100_000


def test_publish_prices_makes_every_vetted_cost_public_at_once(client: FlaskClient) -> None:
    setup = review_setup(vetted_cost=30_000_000, status=ProposalStatus.FEASIBLE)
    rejected = make_proposal(
        setup.process, vetted_cost=9_000_000, status=ProposalStatus.NOT_FEASIBLE, author=setup.author
    )
    unpriced = make_proposal(setup.process)
    login(client, setup.staff)
    response = client.post(f"/sagsbehandling/{setup.process.id}/priser")
    assert response.status_code == 302
    db.session.expire_all()
    assert fresh(Proposal, setup.proposal.id).cost_published
    assert fresh(Proposal, rejected.id).cost_published
    assert not fresh(Proposal, unpriced.id).cost_published
    assert EventKind.PRICE_PUBLISHED in event_kinds(rejected.id)
    assert EventKind.PRICE_PUBLISHED not in event_kinds(unpriced.id)
    assert audit_actions().count("process.prices_published") == 1
    assert any("300.000" in mail.body for mail in mail_to(setup.author.email))
    again = client.post(f"/sagsbehandling/{setup.process.id}/priser", follow_redirects=True)
    assert "0 priser blev offentliggjort" in page_text(again)
    assert audit_actions().count("process.prices_published") == 1


def test_publish_prices_outside_review_is_refused(client: FlaskClient) -> None:
    setup = review_setup(phase=Phase.VOTING, vetted_cost=30_000_000, status=ProposalStatus.FEASIBLE)
    login(client, setup.staff)
    before = state()
    assert client.post(f"/sagsbehandling/{setup.process.id}/priser").status_code == 403
    assert state() == before
    assert not fresh(Proposal, setup.proposal.id).cost_published


STAFF_URLS = (
    ("get", "/sagsbehandling/"),
    ("get", "/sagsbehandling/rapporter"),
    ("get", "/sagsbehandling/{process}/forslag"),
    ("get", "/sagsbehandling/{process}/stemmeseddel"),
    ("get", "/sagsbehandling/forslag/{proposal}"),
    ("post", "/sagsbehandling/{process}/tildel"),
    ("post", "/sagsbehandling/{process}/stemmeseddel/alle"),
    ("post", "/sagsbehandling/{process}/priser"),
    ("post", "/sagsbehandling/{process}/udelukker"),
    ("post", "/sagsbehandling/forslag/{proposal}/vurdering"),
    ("post", "/sagsbehandling/forslag/{proposal}/sammenlaeg"),
    ("post", "/sagsbehandling/forslag/{proposal}/stemmeseddel"),
    ("post", "/sagsbehandling/forslag/{proposal}/skjul"),
    ("post", "/sagsbehandling/forslag/{proposal}/gendan"),
    ("post", "/sagsbehandling/forslag/{proposal}/rapporter/afvis"),
    ("post", "/sagsbehandling/projekter/1/fjern"),
)


@pytest.mark.parametrize(("method", "template"), STAFF_URLS)
def test_every_staff_address_sends_anonymous_to_login_and_refuses_residents(
    client: FlaskClient, method: str, template: str
) -> None:
    setup = review_setup(status=ProposalStatus.FEASIBLE, vetted_cost=1_000_000)
    url = template.format(process=setup.process.id, proposal=setup.proposal.id)
    before = state()
    anonymous = getattr(client, method)(url)
    assert anonymous.status_code == 302 and anonymous.location.startswith("/konto/log-ind")
    login(client, setup.author)
    assert getattr(client, method)(url, data={"reason": "x", "feasibility": "feasible"}).status_code == 403
    assert state() == before


def test_staff_actions_keep_the_audit_chain_intact(client: FlaskClient) -> None:
    setup = review_setup()
    duplicate = make_proposal(setup.process)
    login(client, setup.staff)
    client.post(assess_url(setup.proposal), data={"feasibility": "feasible", "vetted_cost": "90.000"})
    client.post(
        f"/sagsbehandling/forslag/{setup.proposal.id}/sammenlaeg", data={"duplicates": [duplicate.id]}
    )
    client.post(f"/sagsbehandling/{setup.process.id}/priser")
    client.post(f"/sagsbehandling/forslag/{setup.proposal.id}/stemmeseddel")
    client.post(f"/sagsbehandling/forslag/{setup.proposal.id}/skjul", data={"reason": "Test"})
    assert audit_actions() == [
        "proposal.assessed",
        "proposal.merged",
        "process.prices_published",
        "proposal.placed_on_ballot",
        "proposal.hidden",
    ]
    checked, broken = verify_chain()
    assert checked == 5 and broken is None
