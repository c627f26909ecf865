"""The public list of a process's proposals and the page of one proposal."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from typing import Any

import pytest
from flask import Flask, render_template_string
from flask.testing import FlaskClient
from sqlalchemy import event

from pbvote.auth.models import Role
from pbvote.db import utcnow
from pbvote.extensions import db
from pbvote.processes.models import Phase
from pbvote.proposals.models import EventKind, Feasibility, ProposalEvent, ProposalStatus
from tests.builders import login, make_budget, make_category, make_process, make_proposal, make_user


def titles(response: Any) -> list[str]:
    assert response.status_code == 200
    return re.findall(
        r'<h2 class="card-title"><a href="/forslag/\d+">([^<]*)</a>', response.get_data(as_text=True)
    )


def list_url(process: Any, **params: str) -> str:
    query = "&".join(f"{key}={value}" for key, value in params.items())
    return f"/forslag/{process.slug}/" + (f"?{query}" if query else "")


@pytest.fixture
def process() -> Any:
    process = make_process(phase=Phase.REVIEW)
    make_budget(process, name_da="Hele kommunen")
    make_budget(process, name_da="Nordby", district="Nordby", position=1)
    make_category(process, name_da="Natur")
    make_category(process, name_da="Idræt", position=1)
    return process


def test_list_shows_visible_proposals_newest_first(client: FlaskClient, process: Any) -> None:
    start = utcnow()
    make_proposal(process, title="Først", created_at=start)
    make_proposal(process, title="Skjult", hidden=True, created_at=start + timedelta(minutes=1))
    make_proposal(process, title="Senere", created_at=start + timedelta(minutes=2))
    make_proposal(
        process, title="Trukket", status=ProposalStatus.WITHDRAWN, created_at=start + timedelta(minutes=3)
    )
    make_proposal(make_process(), title="Anden proces")
    response = client.get(list_url(process))
    assert titles(response) == ["Senere", "Først"]
    assert "Antal forslag: 2" in response.get_data(as_text=True)
    assert titles(client.get(list_url(process, status="withdrawn"))) == ["Trukket"]
    assert "Skjult" not in client.get(list_url(process, status="submitted")).get_data(as_text=True)


def test_list_hides_hidden_proposals_from_staff_too(client: FlaskClient, process: Any) -> None:
    make_proposal(process, title="Skjult", hidden=True)
    login(client, make_user(role=Role.STAFF))
    assert titles(client.get(list_url(process))) == []


def test_list_filters_by_budget_category_and_status(client: FlaskClient, process: Any) -> None:
    city, north = process.budgets
    nature, sport = process.categories
    make_proposal(process, title="Skov", budget=city, category_id=nature.id)
    make_proposal(process, title="Hal", budget=north, category_id=sport.id, status=ProposalStatus.FEASIBLE)
    make_proposal(process, title="Sti", budget=north, category_id=nature.id)
    assert titles(client.get(list_url(process, budget=str(north.id), sort="title"))) == ["Hal", "Sti"]
    assert titles(client.get(list_url(process, category=str(nature.id), sort="title"))) == ["Skov", "Sti"]
    assert titles(client.get(list_url(process, status="feasible"))) == ["Hal"]
    both = list_url(process, budget=str(north.id), category=str(nature.id))
    assert titles(client.get(both)) == ["Sti"]
    page = client.get(list_url(process, status="feasible")).get_data(as_text=True)
    assert "Kan gennemføres" in page


def test_list_search_is_case_insensitive_and_literal(client: FlaskClient, process: Any) -> None:
    make_proposal(process, title="Nye BÆNKE i parken", summary="Til de ældre")
    make_proposal(process, title="Legeplads", summary="Med gynger og bænke")
    make_proposal(process, title="Rabat 100% grøn", summary="Blomster")
    make_proposal(process, title="Cykelsti", summary="Langs vejen")
    # SQLite's lower() folds ASCII only, so Danish letters are matched in the case typed
    assert "Legeplads" in titles(client.get(list_url(process, q="bænke")))
    assert titles(client.get(list_url(process, q="PARKEN"))) == ["Nye BÆNKE i parken"]
    assert titles(client.get(list_url(process, q="gynger"))) == ["Legeplads"]
    assert titles(client.get(list_url(process, q="100%25"))) == ["Rabat 100% grøn"]
    assert titles(client.get(list_url(process, q="%25"))) == ["Rabat 100% grøn"]
    assert titles(client.get(list_url(process, q="_"))) == []
    assert "Ingen forslag passer til din søgning." in client.get(list_url(process, q="ubåd")).get_data(
        as_text=True
    )


def test_list_sorts_by_title_age_and_cost(client: FlaskClient, process: Any) -> None:
    start = utcnow()
    make_proposal(process, title="b dyr", cost_guess=900_00, created_at=start)
    make_proposal(process, title="A uden pris", created_at=start + timedelta(minutes=1))
    make_proposal(
        process,
        title="C vurderet",
        cost_guess=10_00,
        vetted_cost=500_00,
        cost_published=True,
        created_at=start + timedelta(minutes=2),
    )
    make_proposal(
        process,
        title="D billig",
        cost_guess=100_00,
        vetted_cost=1_00,
        created_at=start + timedelta(minutes=3),
    )
    assert titles(client.get(list_url(process, sort="title"))) == [
        "A uden pris",
        "b dyr",
        "C vurderet",
        "D billig",
    ]
    assert titles(client.get(list_url(process, sort="oldest"))) == [
        "b dyr",
        "A uden pris",
        "C vurderet",
        "D billig",
    ]
    assert titles(client.get(list_url(process, sort="newest"))) == [
        "D billig",
        "C vurderet",
        "A uden pris",
        "b dyr",
    ]
    # the published vetted cost counts, the unpublished one does not; no cost at all goes last
    assert titles(client.get(list_url(process, sort="cost"))) == [
        "D billig",
        "C vurderet",
        "b dyr",
        "A uden pris",
    ]


def test_list_pages_by_twenty(client: FlaskClient, process: Any) -> None:
    start = utcnow()
    for number in range(25):
        make_proposal(process, title=f"Forslag {number:02d}", created_at=start + timedelta(minutes=number))
    first = client.get(list_url(process, sort="oldest"))
    assert titles(first)[0] == "Forslag 00" and len(titles(first)) == 20
    page = first.get_data(as_text=True)
    assert "Side 1 af 2" in page and "Næste side" in page and "Forrige side" not in page
    assert f'href="/forslag/{process.slug}/?page=2&amp;sort=oldest"' in page
    second = client.get(list_url(process, sort="oldest", page="2"))
    assert titles(second) == [f"Forslag {n}" for n in range(20, 25)]
    assert "Forrige side" in second.get_data(as_text=True)
    assert client.get(list_url(process, page="3")).status_code == 404


@pytest.mark.parametrize(
    "params",
    [
        {"sort": "votes"},
        {"sort": "title;DROP TABLE proposal"},
        {"status": "secret"},
        {"budget": "abc"},
        {"budget": "999999"},
        {"category": "1.5"},
        {"page": "abc"},
        {"page": "0"},
        {"page": "-1"},
        {"q": "x" * 101},
    ],
)
def test_list_refuses_unknown_sort_and_filter_values(
    client: FlaskClient, process: Any, params: dict[str, str]
) -> None:
    make_proposal(process)
    assert client.get(list_url(process, **params)).status_code == 400


def test_list_refuses_a_budget_of_another_process(client: FlaskClient, process: Any) -> None:
    other = make_budget(make_process())
    assert client.get(list_url(process, budget=str(other.id))).status_code == 400


def test_list_of_a_draft_or_unknown_process_is_not_found(client: FlaskClient) -> None:
    draft = make_process(phase=Phase.DRAFT)
    assert client.get(list_url(draft)).status_code == 404
    assert client.get("/forslag/findes-ikke/").status_code == 404


@contextmanager
def counted_selects(app: Flask) -> Iterator[list[str]]:
    statements: list[str] = []

    def record(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        if statement.lstrip().upper().startswith("SELECT"):
            statements.append(statement)

    engine = db.engine
    event.listen(engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", record)


def test_list_page_uses_a_constant_number_of_selects(app: Flask, client: FlaskClient, process: Any) -> None:
    city, north = process.budgets
    nature, sport = process.categories
    login(client, make_user())
    make_proposal(process, budget=city, category_id=nature.id)
    url = list_url(process)
    with counted_selects(app) as few:
        assert len(titles(client.get(url))) == 1
    for number in range(24):
        make_proposal(
            process,
            budget=(city, north)[number % 2],
            category_id=(nature.id, sport.id, None)[number % 3],
            author=make_user(),
            cost_guess=number * 1000,
            vetted_cost=number * 900,
            cost_published=number % 2 == 0,
        )
    with counted_selects(app) as many:
        assert len(titles(client.get(url))) == 20
    # user, process, its budgets and categories (filter form), count, page, municipality (header)
    assert len(many) == len(few) <= 7, "\n".join(s[:90] for s in many)


def test_detail_shows_texts_place_costs_and_verdict(client: FlaskClient, process: Any) -> None:
    author = make_user(display_name="Birgitte Borger")
    proposal = make_proposal(
        process,
        budget=process.budgets[0],
        author=author,
        title="Bænke ved søen",
        summary="Flere bænke.",
        description="## Hvorfor\n\nFordi **ældre** vil sidde ned.\n\n- én\n- to",
        category_id=process.categories[0].id,
        cost_guess=250_000_00,
        vetted_cost=312_500_00,
        address="Søvej 1",
        latitude=55.6761,
        longitude=12.5683,
        status=ProposalStatus.FEASIBLE,
        feasibility=Feasibility.FEASIBLE,
        public_reason="Pladsen er kommunens.",
    )
    page = client.get(f"/forslag/{proposal.id}").get_data(as_text=True)
    assert '<h1 id="proposal-title">Bænke ved søen</h1>' in page
    assert "<h4>Hvorfor</h4>" in page and "<strong>ældre</strong>" in page and "<li>én</li>" in page
    assert "Status: Kan gennemføres" in page
    assert "Birgitte Borger" in page and "Natur" in page and "Hele kommunen" in page
    assert "250.000\xa0kr." in page
    assert "312.500" not in page  # the vetted cost is not published yet
    assert "Pladsen er kommunens." in page and "Kommunens vurdering" in page
    assert "Søvej 1" in page and "55.67610" in page and "12.56830" in page
    assert "Indsendt af forslagsstilleren" in page

    proposal.cost_published = True
    db.session.commit()
    page = client.get(f"/forslag/{proposal.id}").get_data(as_text=True)
    assert "Kommunens prisoverslag" in page and "312.500\xa0kr." in page


def test_detail_of_a_hidden_proposal_is_for_staff_only(client: FlaskClient, process: Any) -> None:
    author = make_user()
    proposal = make_proposal(process, author=author, hidden=True, hidden_reason="Personangreb")
    assert client.get(f"/forslag/{proposal.id}").status_code == 404
    login(client, author)
    assert client.get(f"/forslag/{proposal.id}").status_code == 404
    client.post("/konto/log-ud")
    login(client, make_user(role=Role.STAFF))
    response = client.get(f"/forslag/{proposal.id}")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "Forslaget er skjult for offentligheden." in page and "Personangreb" in page


def test_detail_of_an_unknown_proposal_is_not_found(client: FlaskClient) -> None:
    assert client.get("/forslag/987654").status_code == 404


def test_detail_history_names_the_municipality_not_the_staff(client: FlaskClient, process: Any) -> None:
    staff = make_user(role=Role.STAFF, display_name="Søren Sagsbehandler", email="soeren@kommune.dk")
    proposal = make_proposal(process, author=make_user())
    for kind in (EventKind.ASSIGNED, EventKind.COST_ESTIMATED, EventKind.ASSESSED):
        db.session.add(ProposalEvent(proposal_id=proposal.id, kind=kind, actor_id=staff.id, public_text=""))
    db.session.add(
        ProposalEvent(
            proposal_id=proposal.id,
            kind=EventKind.PLACED_ON_BALLOT,
            actor_id=staff.id,
            public_text="Godt forslag",
        )
    )
    db.session.commit()
    page = client.get(f"/forslag/{proposal.id}").get_data(as_text=True)
    history = page.split('id="history-title"')[1].split("</ol>")[0]
    assert history.count("<li>") == 5
    assert (
        "Kommunen har anslået prisen" in history and "Kommunen har sat forslaget på stemmesedlen" in history
    )
    assert "Godt forslag" in history
    assert "Søren" not in page and "soeren" not in page


def test_process_links_partial_offers_the_list_and_the_form(
    app: Flask, client: FlaskClient, process: Any
) -> None:
    open_process = make_process(phase=Phase.PROPOSALS)
    template = '{% include "proposals/_process_links.html" %}'
    with app.test_request_context("/"):
        closed = render_template_string(template, process=process)
        opened = render_template_string(template, process=open_process)
    assert f'href="/forslag/{process.slug}/"' in closed and "/nyt" not in closed
    assert f'href="/forslag/{open_process.slug}/"' in opened
    # anonymous visitors are not offered the form directly
    assert "/nyt" not in opened
