"""Submitting, editing, withdrawing and following proposals, through HTTP as a resident would."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from pbvote.auth.models import Role
from pbvote.extensions import db
from pbvote.processes.models import Phase
from pbvote.proposals.models import (
    EventKind,
    Proposal,
    ProposalAuthor,
    ProposalEvent,
    ProposalFollower,
    ProposalStatus,
)
from tests.builders import PASSWORD, login, make_budget, make_category, make_process, make_proposal, make_user
from tests.proposals.helpers import counts, form_data, new_url, picture, upload


@pytest.fixture
def process() -> Any:
    process = make_process(phase=Phase.PROPOSALS)
    make_budget(process, name_da="Hele kommunen")
    make_budget(process, name_da="Nordby", district="Nordby", position=1)
    make_category(process, name_da="Natur og miljø")
    return process


def only_proposal() -> Proposal:
    proposal = db.session.scalar(select(Proposal))
    assert proposal is not None
    return proposal


def test_submit_stores_the_proposal_with_event_follower_and_image(client: FlaskClient, process: Any) -> None:
    user = make_user()
    login(client, user)
    district, category = process.budgets[1], process.categories[0]
    data = form_data(
        district,
        category=str(category.id),
        cost_guess="1.234.567,50",
        address="Søvej 12, Nordby",
        latitude="55,6761",
        longitude="12.5683",
        image_1=upload(picture("PNG")),
        alt_1="En tom plæne ved søen",
    )
    response = client.post(new_url(process), data=data, content_type="multipart/form-data")
    assert response.status_code == 302
    proposal = only_proposal()
    assert response.location == f"/forslag/{proposal.id}"
    assert (proposal.title, proposal.budget_id, proposal.category_id) == (
        "Bænke i Byparken",
        district.id,
        category.id,
    )
    assert proposal.cost_guess == 123_456_750
    assert (proposal.latitude, proposal.longitude) == (pytest.approx(55.6761), pytest.approx(12.5683))
    assert proposal.author_id == user.id and proposal.status is ProposalStatus.SUBMITTED
    assert [e.kind for e in proposal.events] == [EventKind.SUBMITTED]
    assert [i.alt_text for i in proposal.images] == ["En tom plæne ved søen"]
    assert db.session.scalar(select(ProposalFollower.user_id)) == user.id
    page = client.get(response.location).get_data(as_text=True)
    assert "Tak! Dit forslag er indsendt." in page
    assert "1.234.567,50\xa0kr." in page
    assert "Søvej 12, Nordby" in page


def test_submit_form_offers_the_process_budgets_and_categories(client: FlaskClient, process: Any) -> None:
    login(client, make_user())
    page = client.get(new_url(process)).get_data(as_text=True)
    assert "Hele kommunen" in page and "Nordby" in page and "Natur og miljø" in page
    assert 'enctype="multipart/form-data"' in page
    assert "Indsend forslag" in page


def test_submit_needs_login(client: FlaskClient, process: Any) -> None:
    for response in (
        client.get(new_url(process)),
        client.post(new_url(process), data=form_data(process.budgets[0])),
    ):
        assert response.status_code == 302
        assert response.location.startswith("/konto/log-ind")
    assert counts()["Proposal"] == 0


@pytest.mark.parametrize("phase", [Phase.REVIEW, Phase.VOTING, Phase.RESULTS])
def test_submit_is_refused_outside_the_proposals_phase(client: FlaskClient, phase: Phase) -> None:
    process = make_process(phase=phase)
    budget = make_budget(process)
    login(client, make_user())
    for response in (client.get(new_url(process)), client.post(new_url(process), data=form_data(budget))):
        assert response.status_code == 403
        assert (
            "Der kan kun indsendes nye forslag, mens borgerbudgettet indsamler forslag."
            in response.get_data(as_text=True)
        )
    assert counts()["Proposal"] == 0


def test_submit_to_a_draft_or_unknown_process_is_not_found(client: FlaskClient) -> None:
    draft = make_process(phase=Phase.DRAFT)
    make_budget(draft)
    login(client, make_user())
    assert client.get(new_url(draft)).status_code == 404
    assert client.get("/forslag/findes-ikke/nyt").status_code == 404


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"title": ""}, "Feltet skal udfyldes."),
        ({"title": "   "}, "Feltet skal udfyldes."),
        ({"title": "x" * 10_000}, "Højst 120 tegn."),
        ({"summary": "y" * 501}, "Højst 500 tegn."),
        ({"cost_guess": "abc"}, "Skriv et beløb i kroner, fx 250.000 eller 1250,50."),
        ({"cost_guess": "-5"}, "Skriv et beløb i kroner, fx 250.000 eller 1250,50."),
        ({"latitude": "200", "longitude": "12"}, "Skal ligge mellem -90 og 90."),
        ({"latitude": "55", "longitude": "181"}, "Skal ligge mellem -180 og 180."),
        ({"latitude": "nord", "longitude": "12"}, "Skriv et antal grader, fx 55,6761."),
        ({"latitude": "55.1"}, "Angiv både breddegrad og længdegrad eller ingen af dem."),
        ({"longitude": "12.1"}, "Angiv både breddegrad og længdegrad eller ingen af dem."),
        ({"budget": ""}, "Feltet skal udfyldes."),
        ({"budget": "999999"}, "Vælg en af mulighederne på listen."),
        ({"category": "abc"}, "Vælg en af mulighederne på listen."),
        ({"address": "z" * 201}, "Højst 200 tegn."),
    ],
)
def test_submit_rejects_bad_input_in_danish_and_writes_nothing(
    client: FlaskClient, process: Any, overrides: dict[str, str], message: str
) -> None:
    login(client, make_user())
    response = client.post(new_url(process), data=form_data(process.budgets[0], **overrides))
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert counts() == {"Proposal": 0, "ProposalEvent": 0, "ProposalFollower": 0, "ProposalImage": 0}


def test_submit_refuses_a_budget_of_another_process(client: FlaskClient, process: Any) -> None:
    other = make_budget(make_process())
    login(client, make_user())
    response = client.post(new_url(process), data=form_data(other))
    assert response.status_code == 422
    assert "Vælg en af mulighederne på listen." in response.get_data(as_text=True)
    assert counts()["Proposal"] == 0


def test_edit_by_the_author_changes_the_proposal_and_records_it(client: FlaskClient, process: Any) -> None:
    author = make_user()
    proposal = make_proposal(process, author=author)
    login(client, author)
    form = client.get(f"/forslag/{proposal.id}/rediger").get_data(as_text=True)
    assert proposal.title in form and "Gem ændringer" in form
    response = client.post(
        f"/forslag/{proposal.id}/rediger",
        data=form_data(process.budgets[1], title="Nye bænke", cost_guess="250.000"),
    )
    assert response.status_code == 302
    db.session.expire_all()
    proposal = only_proposal()
    assert (proposal.title, proposal.budget_id, proposal.cost_guess) == (
        "Nye bænke",
        process.budgets[1].id,
        25_000_000,
    )
    assert [e.kind for e in proposal.events] == [EventKind.SUBMITTED, EventKind.EDITED]
    assert "Dine ændringer er gemt." in client.get(response.location).get_data(as_text=True)


def test_edit_with_bad_input_changes_nothing(client: FlaskClient, process: Any) -> None:
    author = make_user()
    proposal = make_proposal(process, author=author, title="Gammel titel")
    login(client, author)
    response = client.post(f"/forslag/{proposal.id}/rediger", data=form_data(process.budgets[0], title=""))
    assert response.status_code == 422
    db.session.expire_all()
    assert only_proposal().title == "Gammel titel"
    assert counts()["ProposalEvent"] == 1


def test_a_coauthor_may_edit(client: FlaskClient, process: Any) -> None:
    coauthor = make_user()
    proposal = make_proposal(process, author=make_user())
    db.session.add(ProposalAuthor(proposal_id=proposal.id, user_id=coauthor.id))
    db.session.commit()
    login(client, coauthor)
    response = client.post(
        f"/forslag/{proposal.id}/rediger", data=form_data(process.budgets[0], title="Fælles")
    )
    assert response.status_code == 302


@pytest.mark.parametrize("role", [Role.RESIDENT, Role.STAFF])
def test_other_users_cannot_edit_or_withdraw(client: FlaskClient, process: Any, role: Role) -> None:
    proposal = make_proposal(process, author=make_user(), title="Urørt")
    login(client, make_user(role=role))
    assert client.get(f"/forslag/{proposal.id}/rediger").status_code == 403
    assert (
        client.post(f"/forslag/{proposal.id}/rediger", data=form_data(process.budgets[0])).status_code == 403
    )
    response = client.post(f"/forslag/{proposal.id}/traek-tilbage")
    assert response.status_code == 403
    assert "Forslaget kan ikke længere ændres." in response.get_data(as_text=True)
    db.session.expire_all()
    proposal = only_proposal()
    assert (proposal.title, proposal.status, len(proposal.events)) == ("Urørt", ProposalStatus.SUBMITTED, 1)


def test_edit_and_withdraw_need_login(client: FlaskClient, process: Any) -> None:
    proposal = make_proposal(process, author=make_user())
    for path in (f"/forslag/{proposal.id}/rediger", f"/forslag/{proposal.id}/traek-tilbage"):
        response = client.post(path, data=form_data(process.budgets[0]))
        assert response.status_code == 302 and response.location.startswith("/konto/log-ind")


@pytest.mark.parametrize(
    ("phase", "status"),
    [
        (Phase.REVIEW, ProposalStatus.SUBMITTED),
        (Phase.PROPOSALS, ProposalStatus.FEASIBLE),
        (Phase.PROPOSALS, ProposalStatus.WITHDRAWN),
    ],
)
def test_author_cannot_edit_once_review_has_started(
    client: FlaskClient, phase: Phase, status: ProposalStatus
) -> None:
    process = make_process(phase=phase)
    author = make_user()
    proposal = make_proposal(process, author=author, status=status)
    login(client, author)
    response = client.post(f"/forslag/{proposal.id}/rediger", data=form_data(process.budgets[0], title="Ny"))
    assert response.status_code == 403
    assert "Forslaget kan ikke længere ændres." in response.get_data(as_text=True)
    assert client.post(f"/forslag/{proposal.id}/traek-tilbage").status_code == 403
    assert "Ret forslaget" not in client.get(f"/forslag/{proposal.id}").get_data(as_text=True)


def test_author_may_edit_a_proposal_that_needs_changes(client: FlaskClient, process: Any) -> None:
    author = make_user()
    proposal = make_proposal(process, author=author, status=ProposalStatus.NEEDS_CHANGES)
    login(client, author)
    assert "Ret forslaget" in client.get(f"/forslag/{proposal.id}").get_data(as_text=True)
    assert client.get(f"/forslag/{proposal.id}/rediger").status_code == 200


def test_withdraw_asks_first_then_records_it(client: FlaskClient, process: Any) -> None:
    author = make_user()
    proposal = make_proposal(process, author=author)
    login(client, author)
    confirm = client.get(f"/forslag/{proposal.id}/traek-tilbage")
    assert confirm.status_code == 200 and "Ja, træk forslaget tilbage" in confirm.get_data(as_text=True)
    db.session.expire_all()
    assert only_proposal().status is ProposalStatus.SUBMITTED
    response = client.post(f"/forslag/{proposal.id}/traek-tilbage")
    assert response.status_code == 302
    db.session.expire_all()
    proposal = only_proposal()
    assert proposal.status is ProposalStatus.WITHDRAWN
    assert [e.kind for e in proposal.events] == [EventKind.SUBMITTED, EventKind.WITHDRAWN]
    page = client.get(response.location).get_data(as_text=True)
    assert "Dit forslag er trukket tilbage." in page and "Trukket tilbage af forslagsstilleren" in page


def test_follow_and_unfollow(client: FlaskClient, process: Any) -> None:
    proposal = make_proposal(process, author=make_user())
    reader = make_user()
    login(client, reader)
    assert "Følg forslaget" in client.get(f"/forslag/{proposal.id}").get_data(as_text=True)
    client.post(f"/forslag/{proposal.id}/foelg")
    client.post(f"/forslag/{proposal.id}/foelg")  # twice is once
    rows = db.session.scalars(select(ProposalFollower.user_id)).all()
    assert rows == [reader.id]
    page = client.get(f"/forslag/{proposal.id}").get_data(as_text=True)
    assert "Følg ikke længere" in page
    response = client.post(f"/forslag/{proposal.id}/stop-foelg", follow_redirects=True)
    assert "Du følger ikke længere forslaget." in response.get_data(as_text=True)
    assert db.session.scalars(select(ProposalFollower)).all() == []


def test_follow_needs_login_and_a_visible_proposal(client: FlaskClient, process: Any) -> None:
    proposal = make_proposal(process, author=make_user())
    hidden = make_proposal(process, hidden=True)
    response = client.post(f"/forslag/{proposal.id}/foelg")
    assert response.status_code == 302 and response.location.startswith("/konto/log-ind")
    login(client, make_user())
    assert client.post(f"/forslag/{hidden.id}/foelg").status_code == 404
    assert counts()["ProposalFollower"] == 0


def csrf_token_in(page: str) -> str:
    return page.split('name="csrf_token" type="hidden" value="')[1].split('"')[0]


def test_follow_buttons_post_with_a_csrf_token(app_with: Callable[..., Flask]) -> None:
    client = app_with(WTF_CSRF_ENABLED=True).test_client()
    proposal = make_proposal(make_process())
    user = make_user()
    token = csrf_token_in(client.get("/konto/log-ind").get_data(as_text=True))
    client.post("/konto/log-ind", data={"email": user.email, "password": PASSWORD, "csrf_token": token})
    assert client.post(f"/forslag/{proposal.id}/foelg").status_code == 400
    detail = client.get(f"/forslag/{proposal.id}").get_data(as_text=True)
    token = csrf_token_in(detail.split(f'action="/forslag/{proposal.id}/foelg"')[1])
    assert client.post(f"/forslag/{proposal.id}/foelg", data={"csrf_token": token}).status_code == 302
    assert db.session.scalar(select(ProposalFollower.user_id)) == user.id


def test_submitted_event_is_shown_without_staff_names(client: FlaskClient, process: Any) -> None:
    staff = make_user(role=Role.STAFF, display_name="Søren Sagsbehandler")
    proposal = make_proposal(process, author=make_user())
    db.session.add(ProposalEvent(proposal_id=proposal.id, kind=EventKind.ASSIGNED, actor_id=staff.id))
    db.session.commit()
    page = client.get(f"/forslag/{proposal.id}").get_data(as_text=True)
    assert "Kommunen er begyndt at behandle forslaget" in page
    assert "Søren" not in page
