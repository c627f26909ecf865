"""Joining with the code: no account, the booth's browser cookie, one vote per browser, the lobby."""

from __future__ import annotations

from flask import Flask
from flask.testing import FlaskClient

from pbvote.db import utcnow
from pbvote.extensions import db
from pbvote.workshop.queries import live_status
from pbvote.workshop.services import close_voting, open_voting
from tests.ballots.booth_helpers import booth_url, confirm, review
from tests.workshop.support import counts, english, fresh, new_workshop, text

CHOICE = {"project": ["E-2", "E-7", "E-8"]}  # 720.000 kr. of 2.000.000 kr.


def phone(app: Flask) -> FlaskClient:
    """A participant's phone: a fresh browser, no account, in the default language (Danish)."""
    return app.test_client()


def test_join_sets_the_booth_cookie_records_the_join_and_redirects_to_the_booth(app: Flask) -> None:
    workshop = new_workshop(voting=True)
    budget = workshop.process.budgets[0]
    client = phone(app)
    response = client.get(f"/j/{workshop.join_code}")
    assert response.status_code == 302 and response.location == booth_url(budget)
    cookie = client.get_cookie("pbvote_voter")
    assert cookie is not None and cookie.http_only
    assert client.get(response.location).status_code == 200
    assert client.get(f"/j/{workshop.join_code}").status_code == 302  # joining again is harmless
    assert client.get_cookie("pbvote_voter").value == cookie.value  # type: ignore[union-attr]
    assert counts(workshop)["joins"] == 1 and live_status(fresh(workshop.id))["joined"] == 1


def test_one_vote_per_browser_and_the_count_rises(app: Flask) -> None:
    workshop = new_workshop(voting=True)
    budget = workshop.process.budgets[0]
    first, second = phone(app), phone(app)
    version = fresh(workshop.id).version
    for client in (first, second):
        client.get(f"/j/{workshop.join_code}")
        cast = confirm(client, budget.id, CHOICE, review(client, budget.id, CHOICE))
        assert cast.status_code == 302 and cast.location.endswith("/kvittering")
    again = confirm(first, budget.id, {"project": ["E-3"]}, "y" * 32)
    assert again.status_code == 409
    assert counts(workshop)["ballots"] == 2
    status = live_status(fresh(workshop.id))
    assert status["votes"] == 2 and status["joined"] == 2
    assert status["version"] >= version + 4  # two joins and two votes, each a change the projector sees
    thanks = english(first).get(f"/j/{workshop.join_code}")
    assert thanks.status_code == 200 and "You have voted" in text(thanks)


def test_lobby_waits_and_the_booth_refuses_until_the_voting_opens(app: Flask) -> None:
    workshop = new_workshop()
    budget = workshop.process.budgets[0]
    client = english(phone(app))
    lobby = client.get(f"/j/{workshop.join_code}")
    assert lobby.status_code == 200
    page = text(lobby)
    assert "Voting has not started yet — wait for the instructor." in page
    assert 'js/workshop-lobby.js' in page and client.get_cookie("pbvote_voter") is not None
    assert client.get(f"/j/{workshop.join_code}/state.json").json == {"state": "lobby"}
    refused = client.get(booth_url(budget))
    assert refused.status_code == 403 and "has not opened yet" in text(refused)
    assert (
        client.post(booth_url(budget) + "/afgiv", data={**CHOICE, "retry_key": "z" * 32}).status_code == 403
    )
    assert counts(workshop) == {"ballots": 0, "lines": 0, "participations": 0, "joins": 1}
    open_voting(None, fresh(workshop.id), now=utcnow())
    db.session.commit()
    assert client.get(f"/j/{workshop.join_code}").location == booth_url(budget)


def test_booth_refuses_after_close_and_late_joiners_are_told(app: Flask) -> None:
    workshop = new_workshop(voting=True)
    budget = workshop.process.budgets[0]
    client = phone(app)
    client.get(f"/j/{workshop.join_code}")
    key = review(client, budget.id, CHOICE)
    close_voting(None, fresh(workshop.id), now=utcnow())
    db.session.commit()
    late = confirm(english(client), budget.id, CHOICE, key)
    assert late.status_code == 403 and "has closed" in text(late)
    assert counts(workshop)["ballots"] == 0
    newcomer = english(phone(app)).get(f"/j/{workshop.join_code}")
    assert newcomer.status_code == 200 and "The voting has closed" in text(newcomer)
    assert counts(workshop)["joins"] == 1


def test_unknown_code_gets_a_friendly_page_with_a_code_form(app: Flask) -> None:
    new_workshop()
    client = english(phone(app))
    response = client.get("/j/000000")
    assert response.status_code == 404
    page = text(response)
    assert "There is no workshop with the code 000000" in page and 'name="code"' in page
    assert client.get("/j/not-a-code").status_code == 404
    assert client.get_cookie("pbvote_voter") is None  # nothing is set for a code that does not exist


def test_typing_the_code_on_the_join_page(app: Flask) -> None:
    workshop = new_workshop(voting=True)
    client = english(phone(app))
    page = client.get("/j")
    assert page.status_code == 200 and 'inputmode="numeric"' in text(page)
    spaced = f"{workshop.join_code[:3]} {workshop.join_code[3:]}"
    assert client.get("/j", query_string={"code": spaced}).location == f"/j/{workshop.join_code}"
    short = client.get("/j", query_string={"code": "12"})
    assert short.status_code == 422 and "6 digits" in text(short)


def test_danish_is_the_default_language_of_the_join_page(app: Flask) -> None:
    response = app.test_client().get("/j")
    assert response.status_code == 200 and '<html lang="da">' in text(response)
