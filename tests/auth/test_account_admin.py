"""The administrators' account list: find people, switch their accounts off and on again."""

from __future__ import annotations

import re

from flask import Flask
from flask.testing import FlaskClient

from pbvote.auth.models import Role, User
from pbvote.extensions import db
from tests.builders import PASSWORD, login, make_user


def test_admin_finds_an_account_and_disables_it_from_the_list(app: Flask, client: FlaskClient) -> None:
    admin = make_user(role=Role.ADMIN)
    resident = make_user(email="lise.hansen@example.dk", display_name="Lise Hansen")
    make_user(email="ole@example.dk", display_name="Ole")
    login(client, admin)
    assert "/konto/brugere/" in client.get("/konto/").get_data(as_text=True)
    page = client.get("/konto/brugere/?q=lise").get_data(as_text=True)
    assert "lise.hansen@example.dk" in page and "ole@example.dk" not in page
    assert f'action="/konto/brugere/{resident.id}/deaktiver"' in page
    assert f'action="/konto/brugere/{admin.id}/deaktiver"' not in client.get("/konto/brugere/").get_data(
        as_text=True
    )  # no button to lock yourself out

    response = client.post(f"/konto/brugere/{resident.id}/deaktiver", data={"q": "lise"})
    assert response.status_code == 302 and response.location.endswith("/konto/brugere/?q=lise")
    shown = client.get(response.location).get_data(as_text=True)
    assert "Kontoen er deaktiveret." in shown and "Deaktiveret" in shown
    assert f'action="/konto/brugere/{resident.id}/aktiver"' in shown
    refused = app.test_client().post("/konto/log-ind", data={"email": resident.email, "password": PASSWORD})
    assert refused.status_code == 422


def test_enabling_again_lets_the_person_log_in_and_both_are_audited(app: Flask, client: FlaskClient) -> None:
    admin, resident = make_user(role=Role.ADMIN), make_user()
    login(client, admin)
    client.post(f"/konto/brugere/{resident.id}/deaktiver")
    again = client.post(f"/konto/brugere/{resident.id}/aktiver", follow_redirects=True)
    assert "Kontoen er aktiveret igen." in again.get_data(as_text=True)
    person = app.test_client()
    login_again = person.post("/konto/log-ind", data={"email": resident.email, "password": PASSWORD})
    assert login_again.status_code == 302
    log = client.get("/admin/log/").get_data(as_text=True)
    assert "user.disabled" in log and "user.enabled" in log


def test_switching_twice_is_refused_with_a_message_and_changes_nothing(client: FlaskClient) -> None:
    admin, resident = make_user(role=Role.ADMIN), make_user()
    login(client, admin)
    refused = client.post(f"/konto/brugere/{resident.id}/aktiver", follow_redirects=True)
    assert "Kontoen er allerede aktiv." in refused.get_data(as_text=True)
    client.post(f"/konto/brugere/{resident.id}/deaktiver")
    db.session.expire_all()
    token = db.session.get(User, resident.id).session_token  # type: ignore[union-attr]
    refused = client.post(f"/konto/brugere/{resident.id}/deaktiver", follow_redirects=True)
    assert "Kontoen er allerede deaktiveret." in refused.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(User, resident.id).session_token == token  # type: ignore[union-attr]


def test_only_admins_see_the_list_and_bad_parameters_are_refused(app: Flask, client: FlaskClient) -> None:
    staff, admin = make_user(role=Role.STAFF), make_user(role=Role.ADMIN)
    assert app.test_client().get("/konto/brugere/").status_code == 302  # to log in
    login(client, staff)
    assert client.get("/konto/brugere/").status_code == 403
    assert client.post(f"/konto/brugere/{admin.id}/aktiver").status_code == 403
    login(client, admin)
    assert client.get("/konto/brugere/?page=0").status_code == 400
    assert client.get("/konto/brugere/?page=x").status_code == 400
    assert client.get("/konto/brugere/?q=" + "a" * 101).status_code == 400
    assert client.get("/konto/brugere/?page=2").status_code == 404
    assert client.post("/konto/brugere/999999/aktiver").status_code == 404


def test_search_treats_wildcards_as_text_and_pages_long_lists(client: FlaskClient) -> None:
    admin = make_user(role=Role.ADMIN, email="admin@example.dk")
    for number in range(55):
        make_user(email=f"person{number:02d}@example.dk")
    login(client, admin)
    assert "Ingen konti passer." in client.get("/konto/brugere/?q=%25").get_data(as_text=True)
    first = client.get("/konto/brugere/").get_data(as_text=True)
    assert "56 konti" in first and "Side 1 af 2" in first
    second = client.get("/konto/brugere/?page=2").get_data(as_text=True)
    assert len(set(re.findall(r"person\d\d@example\.dk", second))) == 6
