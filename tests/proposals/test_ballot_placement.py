"""Putting accepted proposals on the ballot, taking them off, exclusion groups, and the freeze."""

from __future__ import annotations

from flask.testing import FlaskClient
from sqlalchemy import select

from pbvote.db import utcnow
from pbvote.extensions import db
from pbvote.processes.models import Phase, Process
from pbvote.proposals.models import EventKind, Project, Proposal, ProposalStatus
from tests.builders import login, make_budget, make_category, make_proposal
from tests.proposals.review_helpers import (
    Review,
    audit_actions,
    audit_entries,
    event_kinds,
    fresh,
    mail_to,
    page_text,
    review_setup,
    state,
)


def accepted(**fields: object) -> Review:
    return review_setup(status=ProposalStatus.FEASIBLE, vetted_cost=45_000_000, **fields)


def projects() -> list[Project]:
    db.session.expire_all()
    return list(db.session.scalars(select(Project).order_by(Project.id)))


def place(client: FlaskClient, proposal: Proposal) -> object:
    return client.post(f"/sagsbehandling/forslag/{proposal.id}/stemmeseddel")


def freeze(process: Process) -> None:
    db.session.get(Process, process.id).frozen_at = utcnow()  # type: ignore[union-attr]
    db.session.commit()


def test_place_on_ballot_creates_a_project_at_the_vetted_cost(client: FlaskClient) -> None:
    setup = accepted(cost_guess=20_000_000, summary="Gynger og sandkasse til de mindste.")
    category = make_category(setup.process, name_da="Leg og bevægelse")
    setup.proposal.category_id = category.id
    db.session.commit()
    login(client, setup.staff)

    response = place(client, setup.proposal)

    assert response.status_code == 302
    [project] = projects()
    assert project.code == f"P-{setup.proposal.id}"
    assert project.cost == 45_000_000
    assert project.title == "Ny legeplads i Søparken"
    assert project.summary == "Gynger og sandkasse til de mindste."
    assert project.budget_id == setup.budget.id and project.category_id == category.id
    assert project.proposal_id == setup.proposal.id
    assert fresh(Proposal, setup.proposal.id).status is ProposalStatus.ON_BALLOT
    assert EventKind.PLACED_ON_BALLOT in event_kinds(setup.proposal.id)
    assert "proposal.placed_on_ballot" in audit_actions()
    assert len(mail_to(setup.author.email)) == 1
    ballot = page_text(client.get(f"/sagsbehandling/{setup.process.id}/stemmeseddel"))
    assert project.code in ballot and "450.000" in ballot


def test_place_on_ballot_refuses_proposals_that_are_not_accepted(client: FlaskClient) -> None:
    setup = review_setup(status=ProposalStatus.NOT_FEASIBLE, vetted_cost=45_000_000)
    unpriced = make_proposal(setup.process, status=ProposalStatus.FEASIBLE)
    hidden = make_proposal(setup.process, status=ProposalStatus.FEASIBLE, vetted_cost=1_000_00, hidden=True)
    login(client, setup.staff)
    before = state()
    for proposal in (setup.proposal, unpriced, hidden):
        response = place(client, proposal)
        assert response.status_code == 422
        assert "Kun gennemførlige forslag" in page_text(response)
    assert state() == before


def test_place_on_ballot_refuses_a_project_dearer_than_the_budget(client: FlaskClient) -> None:
    setup = review_setup(status=ProposalStatus.FEASIBLE, vetted_cost=300_000_000)
    login(client, setup.staff)
    response = place(client, setup.proposal)
    assert response.status_code == 422
    assert "koster mere end hele puljen" in page_text(response)
    assert projects() == []


def test_place_all_puts_every_accepted_proposal_on_its_own_budget(client: FlaskClient) -> None:
    setup = accepted()
    district = make_budget(setup.process, name_da="Nordby", district="Nordby", amount=50_000_000)
    in_district = make_proposal(
        setup.process, budget=district, status=ProposalStatus.FEASIBLE, vetted_cost=12_000_000
    )
    make_proposal(setup.process, status=ProposalStatus.NOT_FEASIBLE, vetted_cost=5_000_000)
    make_proposal(setup.process, status=ProposalStatus.FEASIBLE, vetted_cost=5_000_000, hidden=True)
    login(client, setup.staff)

    response = client.post(f"/sagsbehandling/{setup.process.id}/stemmeseddel/alle", follow_redirects=True)

    assert response.status_code == 200
    assert "2 projekter blev sat på stemmesedlen" in page_text(response)
    placed = {(p.budget_id, p.code, p.cost) for p in projects()}
    assert placed == {
        (setup.budget.id, f"P-{setup.proposal.id}", 45_000_000),
        (district.id, f"P-{in_district.id}", 12_000_000),
    }
    assert audit_actions().count("proposal.placed_on_ballot") == 2


def test_remove_from_ballot_makes_the_proposal_feasible_again(client: FlaskClient) -> None:
    setup = accepted()
    login(client, setup.staff)
    place(client, setup.proposal)
    [project] = projects()
    project_id = project.id
    response = client.post(f"/sagsbehandling/projekter/{project_id}/fjern")
    assert response.status_code == 302
    assert projects() == []
    assert fresh(Proposal, setup.proposal.id).status is ProposalStatus.FEASIBLE
    assert event_kinds(setup.proposal.id)[-1] is EventKind.REMOVED_FROM_BALLOT
    [entry] = audit_entries("project.removed_from_ballot")
    assert f'"code":"P-{setup.proposal.id}"' in entry.before
    assert client.post(f"/sagsbehandling/projekter/{project_id}/fjern").status_code == 404
    public = client.get(f"/forslag/{setup.proposal.id}")  # the public history names the new event
    assert public.status_code == 200 and "af stemmesedlen" in page_text(public)


def test_frozen_ballot_refuses_every_change_and_logs_the_attempt(client: FlaskClient) -> None:
    setup = accepted()
    other = make_proposal(setup.process, status=ProposalStatus.FEASIBLE, vetted_cost=1_000_000)
    login(client, setup.staff)
    place(client, setup.proposal)
    place(client, other)
    first, second = projects()
    freeze(setup.process)
    ready = make_proposal(setup.process, status=ProposalStatus.FEASIBLE, vetted_cost=1_000_000)
    before = state()

    attempts = [
        place(client, ready),
        client.post(f"/sagsbehandling/{setup.process.id}/stemmeseddel/alle"),
        client.post(f"/sagsbehandling/projekter/{first.id}/fjern"),
        client.post(
            f"/sagsbehandling/{setup.process.id}/udelukker",
            data={"budget_id": setup.budget.id, "project_ids": [first.id, second.id], "label": "Søparken"},
        ),
    ]

    for response in attempts:
        assert response.status_code == 403
        assert 'class="flash flash-error"' in page_text(response)  # the freeze's own message
    after = state()
    assert after.pop("AuditEntry") == before.pop("AuditEntry") + len(attempts)  # each attempt is logged
    assert after == before
    assert all(p.exclusion_group is None for p in projects()) and len(projects()) == 2
    assert fresh(Proposal, ready.id).status is ProposalStatus.FEASIBLE


def test_ballot_changes_are_refused_outside_the_review_phase(client: FlaskClient) -> None:
    setup = accepted(phase=Phase.PROPOSALS)
    login(client, setup.staff)
    before = state()
    response = place(client, setup.proposal)
    assert response.status_code == 403
    assert "kun behandles, mens processen er i vurderingsfasen" in page_text(response)
    assert state() == before


def test_exclusion_group_marks_projects_of_one_budget(client: FlaskClient) -> None:
    setup = accepted()
    rival = make_proposal(setup.process, status=ProposalStatus.FEASIBLE, vetted_cost=30_000_000)
    third = make_proposal(setup.process, status=ProposalStatus.FEASIBLE, vetted_cost=10_000_000)
    login(client, setup.staff)
    for proposal in (setup.proposal, rival, third):
        place(client, proposal)
    first, second, last = projects()
    url = f"/sagsbehandling/{setup.process.id}/udelukker"

    response = client.post(
        url, data={"budget_id": setup.budget.id, "project_ids": [first.id, second.id], "label": "Søparken"}
    )
    assert response.status_code == 302
    assert [p.exclusion_group for p in projects()] == ["Søparken", "Søparken", None]
    assert "budget.exclusion_group_set" in audit_actions()

    lonely = client.post(
        url, data={"budget_id": setup.budget.id, "project_ids": [last.id], "label": "Havnen"}
    )
    assert lonely.status_code == 422
    assert "mindst to projekter" in page_text(lonely)

    joined = client.post(
        url, data={"budget_id": setup.budget.id, "project_ids": [last.id], "label": "Søparken"}
    )
    assert joined.status_code == 302
    cleared = client.post(url, data={"budget_id": setup.budget.id, "project_ids": [first.id], "label": ""})
    assert cleared.status_code == 302
    assert [p.exclusion_group for p in projects()] == [None, "Søparken", "Søparken"]


def test_exclusion_group_refuses_projects_of_another_budget(client: FlaskClient) -> None:
    setup = accepted()
    district = make_budget(setup.process, name_da="Nordby", district="Nordby")
    other = make_proposal(
        setup.process, budget=district, status=ProposalStatus.FEASIBLE, vetted_cost=1_000_000
    )
    login(client, setup.staff)
    place(client, setup.proposal)
    place(client, other)
    first, second = projects()
    before = state()
    response = client.post(
        f"/sagsbehandling/{setup.process.id}/udelukker",
        data={"budget_id": setup.budget.id, "project_ids": [first.id, second.id], "label": "Blandet"},
    )
    assert response.status_code == 422
    assert state() == before
