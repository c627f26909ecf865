"""Every ``next`` a form or link can carry is refused unless it stays on this site, as a browser reads it."""

from __future__ import annotations

from types import SimpleNamespace
from urllib.parse import urljoin, urlsplit

import pytest
from flask import Flask
from flask.testing import FlaskClient

from pbvote.auth.models import Role
from pbvote.urls import safe_next
from tests.builders import PASSWORD, login, make_process, make_proposal, make_user
from tests.trust.hostile.payloads import REDIRECT_TARGETS


def browser_destination(location: str) -> tuple[str, str]:
    """(scheme, host) a browser goes to: it drops tabs and newlines and reads \\ as / in http URLs."""
    cleaned = "".join(ch for ch in location if ch not in "\t\n\r").strip("\x00\x01\x02\x03\x04 \x1f")
    cleaned = cleaned.replace("\\", "/")
    parts = urlsplit(urljoin("http://localhost/here/", cleaned))
    return parts.scheme, parts.hostname or ""


WITHOUT_NUL = [
    target for target in REDIRECT_TARGETS if "\x00" not in target
]  # a NUL is a 400 before any view


def assert_stays_here(location: str, target: str) -> None:
    assert browser_destination(location) == ("http", "localhost"), (
        f"{target!r} sent the browser to {location!r}"
    )


def test_browser_destination_sees_through_the_tricks() -> None:
    assert browser_destination("/\t/evil.example") == ("http", "evil.example")
    assert browser_destination("/\\evil.example") == ("http", "evil.example")
    assert browser_destination("javascript:alert(1)")[0] == "javascript"
    assert browser_destination("/forslag/1") == ("http", "localhost")


@pytest.mark.parametrize("target", REDIRECT_TARGETS)
def test_safe_next_never_returns_a_way_off_the_site(target: str) -> None:
    kept = safe_next(target)
    if kept is not None:
        assert_stays_here(kept, target)


def login_with_next(client: FlaskClient, email: str, target: str) -> str:
    page = client.get("/konto/log-ind", query_string={"next": target})
    assert page.status_code == 200
    response = client.post("/konto/log-ind", data={"email": email, "password": PASSWORD, "next": target})
    assert response.status_code == 302
    return response.location


def test_login_refuses_every_off_site_next(client: FlaskClient) -> None:
    user = make_user()
    for target in WITHOUT_NUL:
        assert_stays_here(login_with_next(client, user.email, target), target)
    nul = client.post("/konto/log-ind", data={"email": user.email, "password": PASSWORD, "next": "/x\x00y"})
    assert nul.status_code == 400
    assert login_with_next(client, user.email, "/resultater/?side=2") == "/resultater/?side=2"


def test_language_switch_refuses_every_off_site_next(client: FlaskClient) -> None:
    for target in WITHOUT_NUL:
        response = client.post("/sprog", data={"lang": "en", "next": target})
        assert response.status_code == 302
        assert_stays_here(response.location, target)
    assert (
        client.post("/sprog", data={"lang": "da", "next": "/tilgaengelighed"}).location == "/tilgaengelighed"
    )


def test_staff_redirects_refuse_every_off_site_next(
    client: FlaskClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    login(client, make_user(role=Role.STAFF))
    proposal = make_proposal(make_process())
    monkeypatch.setattr(
        "pbvote.proposals.manage_ballot.placement.place_on_ballot", lambda *a, **k: SimpleNamespace(code="X")
    )
    for target in WITHOUT_NUL:
        station = client.post(
            "/sagsbehandling/afstemning/station", data={"station": "Bibliotek", "next": target}
        )
        assert station.status_code == 302
        assert_stays_here(station.location, target)
        placed = client.post(f"/sagsbehandling/forslag/{proposal.id}/stemmeseddel", data={"next": target})
        assert placed.status_code == 302
        assert_stays_here(placed.location, target)


def test_login_required_sends_back_only_to_this_site(client: FlaskClient) -> None:
    response = client.get("/konto/adgangskode")
    assert response.status_code == 302
    assert_stays_here(response.location, "login_required")
    follow = login_with_next(client, make_user().email, urlsplit(response.location).query.split("=", 1)[1])
    assert follow.startswith("/konto/adgangskode") or follow == "/"


def test_the_check_bites_when_safe_next_is_removed(app: Flask, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("pbvote.auth.views.safe_next", lambda target: target or None)
    user = make_user()
    escaped = []
    app.config["PROPAGATE_EXCEPTIONS"] = False  # unguarded, a CR/LF target even breaks the header (500)
    for target in WITHOUT_NUL:
        form = {"email": user.email, "password": PASSWORD, "next": target}
        response = app.test_client().post("/konto/log-ind", data=form)
        if response.status_code != 302 or browser_destination(response.location) != ("http", "localhost"):
            escaped.append(target)
    assert {"//evil.example", "https://evil.example", "/\t/evil.example", "/x\r\nSet-Cookie: pwn=1"} <= set(
        escaped
    )
