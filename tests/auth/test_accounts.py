"""Registration, login, logout, password change and reset, through HTTP as a resident would use them."""

from __future__ import annotations

import re

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from pbvote.auth.models import Role, User
from pbvote.extensions import db
from pbvote.outbox.models import OutboxMessage
from tests.builders import PASSWORD, login, make_user


def count_users() -> int:
    return db.session.scalar(select(func.count()).select_from(User)) or 0


def test_register_creates_account_and_logs_in(client: FlaskClient) -> None:
    response = client.post(
        "/konto/registrer",
        data={"email": "Ny@Example.dk", "display_name": "Ny", "password": PASSWORD, "confirm": PASSWORD},
    )
    assert response.status_code == 302
    user = db.session.scalar(select(User))
    assert user is not None and user.email == "ny@example.dk" and user.role is Role.RESIDENT
    assert user.password_hash.startswith("$argon2id$")
    assert client.get("/konto/").status_code == 200


def test_register_rejects_bad_input_in_danish_and_writes_nothing(client: FlaskClient) -> None:
    response = client.post("/konto/registrer", data={"email": "nope", "password": "kort", "confirm": "andet"})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "Indtast en gyldig e-mailadresse." in page
    assert "Brug mindst 10 tegn." in page
    assert "Adgangskoderne er ikke ens." in page
    assert count_users() == 0


def test_register_refuses_an_email_already_in_use(client: FlaskClient) -> None:
    make_user(email="taken@example.dk")
    response = client.post(
        "/konto/registrer", data={"email": "TAKEN@example.dk", "password": PASSWORD, "confirm": PASSWORD}
    )
    assert response.status_code == 422
    assert "Der findes allerede en konto med denne e-mail." in response.get_data(as_text=True)
    assert count_users() == 1


def test_login_with_wrong_password_is_refused(client: FlaskClient) -> None:
    user = make_user()
    response = client.post("/konto/log-ind", data={"email": user.email, "password": "wrong password!"})
    assert response.status_code == 422
    assert "Forkert e-mail eller adgangskode." in response.get_data(as_text=True)
    assert client.get("/konto/").status_code == 302


def test_login_of_disabled_account_is_refused(client: FlaskClient) -> None:
    user = make_user(active=False)
    response = client.post("/konto/log-ind", data={"email": user.email, "password": PASSWORD})
    assert response.status_code == 422


def test_login_redirects_only_to_local_next(client: FlaskClient) -> None:
    user = make_user()
    for target, expected in (
        ("/tilgaengelighed", "/tilgaengelighed"),
        ("//evil.example", "/"),
        ("https://evil.example/", "/"),
    ):
        response = client.post(
            "/konto/log-ind", data={"email": user.email, "password": PASSWORD, "next": target}
        )
        assert response.status_code == 302
        assert response.location == expected


def test_protected_page_sends_anonymous_visitor_to_login(client: FlaskClient) -> None:
    response = client.get("/konto/adgangskode")
    assert response.status_code == 302
    assert response.location.startswith("/konto/log-ind?next=")


def test_logout_ends_sessions_on_every_device(app: Flask) -> None:
    user = make_user()
    phone, laptop = app.test_client(), app.test_client()
    login(phone, user)
    login(laptop, user)
    assert phone.post("/konto/log-ud").status_code == 302
    assert phone.get("/konto/").status_code == 302
    assert laptop.get("/konto/").status_code == 302


def test_password_change_keeps_this_session_and_ends_others(app: Flask) -> None:
    user = make_user()
    phone, laptop = app.test_client(), app.test_client()
    login(phone, user)
    login(laptop, user)
    new = "a brand new passphrase"
    response = phone.post(
        "/konto/adgangskode", data={"current_password": PASSWORD, "password": new, "confirm": new}
    )
    assert response.status_code == 302
    assert phone.get("/konto/").status_code == 200
    assert laptop.get("/konto/").status_code == 302
    login(app.test_client(), user, new)


def test_password_change_with_wrong_current_password_changes_nothing(client: FlaskClient) -> None:
    user = make_user()
    login(client, user)
    before = user.password_hash
    response = client.post(
        "/konto/adgangskode",
        data={"current_password": "not it at all", "password": "x" * 12, "confirm": "x" * 12},
    )
    assert response.status_code == 422
    assert "Din nuværende adgangskode er ikke korrekt." in response.get_data(as_text=True)
    db.session.refresh(user)
    assert user.password_hash == before


def reset_link(message: OutboxMessage) -> str:
    match = re.search(r"http://localhost(/konto/nulstil/\S+)", message.body)
    assert match, message.body
    return match.group(1)


def test_password_reset_by_emailed_link_works_once(client: FlaskClient) -> None:
    user = make_user()
    response = client.post("/konto/glemt-adgangskode", data={"email": user.email})
    assert response.status_code == 302
    message = db.session.scalar(select(OutboxMessage))
    assert message is not None and message.recipient == user.email
    link = reset_link(message)
    new = "another long passphrase"
    assert client.post(link, data={"password": new, "confirm": new}).status_code == 302
    login(client, user, new)
    again = client.post(link, data={"password": "third passphrase!", "confirm": "third passphrase!"})
    assert again.status_code == 400
    assert "ugyldigt eller udløbet" in again.get_data(as_text=True)


def test_password_reset_answers_the_same_for_unknown_email(client: FlaskClient) -> None:
    known = make_user()
    answer_known = client.post("/konto/glemt-adgangskode", data={"email": known.email}, follow_redirects=True)
    answer_unknown = client.post(
        "/konto/glemt-adgangskode", data={"email": "ghost@example.dk"}, follow_redirects=True
    )
    assert answer_known.status_code == answer_unknown.status_code == 200
    assert "Hvis der findes en konto" in answer_unknown.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(OutboxMessage)) == 1


def test_reset_link_with_forged_token_is_refused(client: FlaskClient) -> None:
    make_user()
    response = client.post("/konto/nulstil/forged.token", data={"password": "x" * 12, "confirm": "x" * 12})
    assert response.status_code == 400


def test_reset_link_expires(app: Flask, client: FlaskClient) -> None:
    user = make_user()
    app.config["PASSWORD_RESET_MAX_AGE"] = -1
    client.post("/konto/glemt-adgangskode", data={"email": user.email})
    message = db.session.scalar(select(OutboxMessage))
    assert message is not None
    response = client.post(reset_link(message), data={"password": "x" * 12, "confirm": "x" * 12})
    assert response.status_code == 400
