"""The projector: staff only, each scene from lobby to reveal, status.json, and the SSE stream."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator

import pytest
from flask import Flask
from flask.testing import FlaskClient

from pbvote.auth.models import Role
from pbvote.extensions import db
from pbvote.workshop.models import Workshop
from tests.builders import login, make_user
from tests.conftest import empty_all_tables, make_test_app
from tests.workshop.live_support import (
    join_and_vote,
    logged_in_session,
    make_workshop,
    move,
    project_codes,
    read_events,
    serving,
    staff_user,
)


def staff_client(client: FlaskClient) -> FlaskClient:
    login(client, staff_user())
    return client


def page(client: FlaskClient, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, response.status_code
    return response.get_data(as_text=True)


def test_the_projector_and_its_live_data_are_for_staff_only(app: Flask, client: FlaskClient) -> None:
    workshop = make_workshop()
    base = f"/w/{workshop.join_code}"
    assert client.get(f"{base}/projektor").status_code == 302  # to the login page
    assert "/konto/log-ind" in client.get(f"{base}/projektor").headers["Location"]
    for url in (f"{base}/status.json", f"{base}/events"):
        response = client.get(url)
        assert response.status_code == 401
        assert "error" in (response.json or {})
    login(client, make_user(role=Role.RESIDENT))
    assert client.get(f"{base}/projektor").status_code == 403
    assert client.get(f"{base}/projektor/scene").status_code == 403
    assert client.get(f"{base}/status.json").status_code == 403
    assert client.get(f"{base}/events").status_code == 403


def test_an_unknown_code_is_not_found(app: Flask, client: FlaskClient) -> None:
    workshop = make_workshop()
    other = "000000" if workshop.join_code != "000000" else "111111"
    staff_client(client)
    assert client.get(f"/w/{other}/projektor").status_code == 404
    assert client.get(f"/w/{other}/status.json").status_code == 404
    assert client.get("/w/abc/events").status_code == 404


def test_the_lobby_shows_the_join_address_qr_code_and_how_many_joined(
    app: Flask, client: FlaskClient
) -> None:
    app.config["PUBLIC_URL"] = "http://192.168.1.20:5000"
    workshop = make_workshop()
    join_and_vote(workshop, [], join_only=True)
    join_and_vote(workshop, [], join_only=True)
    html = page(staff_client(client), f"/w/{workshop.join_code}/projektor")
    code = workshop.join_code
    assert f"192.168.1.20:5000/j/{code}" in html
    assert f'src="/w/{code}/qr.svg"' in html
    assert f"{code[:3]} {code[3:]}" in html
    assert '<span class="projector-number" data-live="joined">2</span>' in html
    assert "/static/js/projector.js" in html
    assert "<script>" not in html  # nothing inline: the CSP allows our own files only


def test_status_json_counts_joins_and_votes_and_follows_the_state(app: Flask, client: FlaskClient) -> None:
    workshop = make_workshop()
    staff_client(client)
    url = f"/w/{workshop.join_code}/status.json"
    first = client.get(url)
    assert first.headers["Cache-Control"] == "no-store"
    assert first.json == {
        "state": "lobby",
        "joined": 0,
        "votes": 0,
        "step": 0,
        "steps_total": 0,
        "version": first.json["version"],
    }
    move(workshop, "open")
    codes = project_codes(workshop)
    for _ in range(3):
        join_and_vote(workshop, codes[:2])
    join_and_vote(workshop, [], join_only=True)
    status = client.get(url).json
    assert (status["state"], status["joined"], status["votes"]) == ("voting", 4, 3)
    assert status["version"] > first.json["version"]
    move(workshop, "close", "reveal", "step")
    status = client.get(url).json
    assert (status["state"], status["step"]) == ("revealed", 1)
    assert status["steps_total"] >= 1
    move(workshop, "reset")
    status = client.get(url).json
    assert (status["state"], status["joined"], status["votes"], status["step"]) == ("lobby", 0, 0, 0)


def test_voting_and_closed_scenes_show_the_count(app: Flask, client: FlaskClient) -> None:
    workshop = make_workshop()
    staff_client(client)
    move(workshop, "open")
    codes = project_codes(workshop)
    for _ in range(3):
        join_and_vote(workshop, codes[:3])
    html = page(client, f"/w/{workshop.join_code}/projektor")
    assert "Stem nu på din telefon" in html or "Vote now on your phone" in html
    assert 'data-live="votes">3</span>' in html
    move(workshop, "close")
    scene = page(client, f"/w/{workshop.join_code}/projektor/scene")
    assert 'data-state="closed"' in scene
    assert 'data-live="votes">3</span>' in scene
    assert "<html" not in scene  # a fragment for the script to swap in


def test_the_reveal_steps_through_both_rules_then_shows_satisfaction(app: Flask, client: FlaskClient) -> None:
    workshop = make_workshop()
    staff_client(client)
    move(workshop, "open")
    codes = project_codes(workshop)
    for number in range(12):
        join_and_vote(workshop, codes[number % 6 : number % 6 + 3])
    move(workshop, "close", "reveal")
    url = f"/w/{workshop.join_code}/projektor/scene"
    html = page(client, url)
    assert 'class="projector-rule rule-greedy"' in html and 'class="projector-rule rule-mes"' in html
    assert html.index("rule-greedy") < html.index("rule-mes")  # greedy on the left
    move(workshop, "step")
    html = page(client, url)
    assert 'data-step="1"' in html
    assert html.count("projector-next-name") == 2  # each rule names the project it funds next
    assert "ρ = " in html  # Equal Shares shows how the voters' shares were spent
    total = client.get(f"/w/{workshop.join_code}/status.json").json["steps_total"]
    for _ in range(total):
        move(workshop, "step")
    html = page(client, url)
    assert "projector-next-name" not in html
    assert html.count('class="projector-satisfaction"') == 2
    assert html.count("%") >= 2  # the share of voters with a winner, for each rule


REDIS_ENV = "PBVOTE_TEST_REDIS_URL"
TRANSPORTS = ["database"] + (["redis"] if os.environ.get(REDIS_ENV) else [])


@pytest.fixture(params=TRANSPORTS)
def served(request: pytest.FixtureRequest, database_url: str) -> Iterator[tuple[Flask, str]]:
    """The app served on a loopback port, with live updates through the database alone or through Redis."""
    settings: dict[str, object] = {"WORKSHOP_STREAM_SECONDS": 20, "WORKSHOP_HEARTBEAT_SECONDS": 0.5}
    if request.param == "redis":
        import redis

        redis.Redis.from_url(os.environ[REDIS_ENV]).flushdb()
        settings["REDIS_URL"] = os.environ[REDIS_ENV]
    app = make_test_app(database_url, **settings)
    with app.app_context():
        with serving(app) as base_url:
            yield app, base_url
        db.session.rollback()
        empty_all_tables()
        db.session.remove()
        db.engine.dispose()


def test_the_event_stream_sends_the_status_and_again_after_each_vote(served: tuple[Flask, str]) -> None:
    _app, base_url = served
    workshop = make_workshop()
    user = staff_user()
    move(workshop, "open")
    codes = project_codes(workshop)
    session = logged_in_session(base_url, user.email)
    with session.get(f"{base_url}/w/{workshop.join_code}/events", stream=True, timeout=30) as response:
        assert response.status_code == 200
        assert response.headers["Content-Type"].startswith("text/event-stream")
        assert response.headers["X-Accel-Buffering"] == "no"
        assert response.headers["Cache-Control"] == "no-store"
        events = (event for event in read_events(response) if "data" in event)
        first = json.loads(next(events)["data"])
        assert (first["state"], first["votes"]) == ("voting", 0)
        join_and_vote(workshop, codes[:2])
        joined = json.loads(next(events)["data"])  # the join is news of its own, then the vote
        voted = joined if joined["votes"] else json.loads(next(events)["data"])
        assert (voted["joined"], voted["votes"]) == (1, 1)
        assert voted["version"] > first["version"]
        move(workshop, "close")
        closed = json.loads(next(events)["data"])
        assert (closed["state"], closed["votes"]) == ("closed", 1)


def test_the_event_stream_ends_by_itself_and_sends_heartbeats_while_nothing_changes(
    database_url: str,
) -> None:
    app = make_test_app(database_url, WORKSHOP_STREAM_SECONDS=1.5, WORKSHOP_HEARTBEAT_SECONDS=0.5)
    with app.app_context():
        try:
            with serving(app) as base_url:
                workshop = make_workshop()
                session = logged_in_session(base_url, staff_user().email)
                url = f"{base_url}/w/{workshop.join_code}/events"
                with session.get(url, stream=True, timeout=30) as response:
                    events = list(read_events(response))  # ends: the server closed the stream
            assert {"retry": "1000"} in events
            assert sum(1 for event in events if "data" in event) == 1  # nothing changed after the first
            assert {"comment": "heartbeat"} in events
        finally:
            db.session.rollback()
            empty_all_tables()
            db.session.remove()
            db.engine.dispose()


def test_the_event_stream_says_gone_when_the_workshop_is_deleted(served: tuple[Flask, str]) -> None:
    _app, base_url = served
    workshop = make_workshop()
    session = logged_in_session(base_url, staff_user().email)
    with session.get(f"{base_url}/w/{workshop.join_code}/events", stream=True, timeout=30) as response:
        events = read_events(response)
        assert "data" in next(event for event in events if "data" in event)
        db.session.delete(db.session.get(Workshop, workshop.id))
        db.session.commit()
        assert next(event for event in events if "event" in event)["event"] == "gone"
