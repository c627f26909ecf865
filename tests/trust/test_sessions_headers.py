"""Sessions die when they should, every answer carries the security headers, and accounts do not leak.

The session cookie is signed and client-side; what identifies the login inside it is ``id:token``, and the
token rotates at logout, password change and when an administrator disables the account, so a copied
cookie stops working at once. Rate limits are shared through Redis between app processes.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from pbvote.auth.models import Role, User
from pbvote.extensions import db
from pbvote.outbox.models import OutboxMessage
from pbvote.security import add_security_headers
from tests.builders import PASSWORD, login, make_user, make_voting_budget
from tests.conftest import empty_all_tables, make_test_app
from tests.support.server import gunicorn_server

SECURITY_HEADERS = (
    "Content-Security-Policy",
    "X-Content-Type-Options",
    "X-Frame-Options",
    "Referrer-Policy",
    "Permissions-Policy",
    "Cross-Origin-Opener-Policy",
)
NEW_PASSWORD = "a whole new passphrase"


def session_cookie(client: FlaskClient) -> str:
    cookie = client.get_cookie("session")
    assert cookie is not None
    return cookie.value


def replay(app: Flask, cookie: str) -> int:
    """Status of the account page for a fresh browser carrying a copied session cookie."""
    other = app.test_client()
    other.set_cookie("session", cookie)
    return other.get("/konto/").status_code


def test_login_starts_a_new_session_and_drops_what_was_planted(app: Flask, client: FlaskClient) -> None:
    user = make_user()
    with client.session_transaction() as planted:
        planted["planted"] = "by attacker"
        planted["_user_id"] = "1:forged"
    before = session_cookie(client)
    login(client, user)
    after = session_cookie(client)
    assert after != before
    with client.session_transaction() as current:
        assert "planted" not in current and current["_user_id"] == user.get_id()
    assert replay(app, before) == 302  # the planted session never became a login


def test_logout_kills_the_session_even_if_the_cookie_was_copied(app: Flask, client: FlaskClient) -> None:
    login(client, make_user())
    copied = session_cookie(client)
    assert replay(app, copied) == 200
    assert client.post("/konto/log-ud").status_code == 302
    assert replay(app, copied) == 302
    assert client.get("/konto/").status_code == 302


def test_password_change_ends_other_sessions_and_renews_this_one(app: Flask, client: FlaskClient) -> None:
    user = make_user()
    phone, laptop = app.test_client(), client
    login(phone, user)
    login(laptop, user)
    old_laptop = session_cookie(laptop)
    form = {"current_password": PASSWORD, "password": NEW_PASSWORD, "confirm": NEW_PASSWORD}
    assert laptop.post("/konto/adgangskode", data=form).status_code == 302
    assert laptop.get("/konto/").status_code == 200
    assert session_cookie(laptop) != old_laptop
    assert phone.get("/konto/").status_code == 302
    assert replay(app, old_laptop) == 302


def test_reset_by_e_mail_ends_every_session(app: Flask, client: FlaskClient) -> None:
    from pbvote.auth.services import make_reset_token

    user = make_user()
    login(client, user)
    token = make_reset_token(user)
    other = app.test_client()
    response = other.post(f"/konto/nulstil/{token}", data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert response.status_code == 302
    assert client.get("/konto/").status_code == 302


def test_disabled_account_loses_its_sessions_at_once(app: Flask, client: FlaskClient) -> None:
    resident, admin = make_user(), make_user(role=Role.ADMIN)
    login(client, resident)
    copied = session_cookie(client)
    boss = app.test_client()
    login(boss, admin)
    response = boss.post(f"/konto/brugere/{resident.id}/deaktiver")
    assert response.status_code == 302
    assert 'class="flash flash-success"' in boss.get(response.location).get_data(as_text=True)
    assert client.get("/konto/").status_code == 302
    assert replay(app, copied) == 302
    failed = client.post("/konto/log-ind", data={"email": resident.email, "password": PASSWORD})
    assert failed.status_code == 422
    assert "user.disabled" in boss.get("/admin/log/").get_data(as_text=True)


def test_only_an_admin_disables_and_never_themself(app: Flask, client: FlaskClient) -> None:
    resident, staff, admin = make_user(), make_user(role=Role.STAFF), make_user(role=Role.ADMIN)
    login(client, staff)
    assert client.post(f"/konto/brugere/{resident.id}/deaktiver").status_code == 403
    assert app.test_client().post(f"/konto/brugere/{resident.id}/deaktiver").status_code == 302  # to log in
    login(client, admin)
    refused = client.post(f"/konto/brugere/{admin.id}/deaktiver", follow_redirects=True)
    assert 'class="flash flash-error"' in refused.get_data(as_text=True)
    assert client.post("/konto/brugere/999999/deaktiver").status_code == 404
    db.session.expire_all()
    assert all(db.session.get(User, u.id).active for u in (resident, staff, admin))  # type: ignore[union-attr]


# --- headers on every kind of answer -----------------------------------------------------------------------


def missing_headers(response: object) -> list[str]:
    headers = response.headers  # type: ignore[attr-defined]
    return [name for name in SECURITY_HEADERS if not headers.get(name)]


@pytest.fixture
def limited_app(database_url: str) -> Iterator[Flask]:
    app = make_test_app(
        database_url,
        RATELIMIT_ENABLED=True,
        LOGIN_RATE_LIMIT="1 per minute",
        RATELIMIT_STORAGE_URI="memory://",
        MAX_CONTENT_LENGTH=2000,
        PROPAGATE_EXCEPTIONS=False,
    )

    @app.get("/test-only/boom")
    def boom() -> str:
        raise RuntimeError("test-only failure")

    with app.app_context():
        yield app
        db.session.rollback()
        empty_all_tables()
        db.session.remove()
        db.engine.dispose()


def every_kind_of_answer(app: Flask) -> dict[str, object]:
    client = app.test_client()
    make_user(email="someone@example.dk")
    wrong = {"email": "someone@example.dk", "password": "wrong"}
    client.post("/konto/log-ind", data=wrong)
    static = client.get("/static/css/pbvote.css")
    static.close()  # a file response: headers are what matter here
    return {
        "200 page": client.get("/"),
        "200 json": client.get("/healthz"),
        "200 static": static,
        "302": client.get("/konto/"),
        "400": client.post("/sprog", data={"lang": "xx"}),
        "403": app.test_client().get("/admin/log/"),
        "404": client.get("/findes-ikke"),
        "404 api": client.get("/api/v1/findes-ikke"),
        "405": client.get("/konto/log-ud"),
        "413": client.post("/konto/registrer", data={"email": "x" * 5000}),
        "429": client.post("/konto/log-ind", data=wrong),
        "500": client.get("/test-only/boom"),
    }


def test_every_answer_carries_the_security_headers(limited_app: Flask) -> None:
    answers = every_kind_of_answer(limited_app)
    statuses = {name: answer.status_code for name, answer in answers.items()}  # type: ignore[attr-defined]
    assert statuses == {name: int(name[:3]) if name[:3] != "403" else 302 for name in answers}
    missing = {name: missing_headers(answer) for name, answer in answers.items()}
    assert missing == {name: [] for name in answers}
    assert "test-only failure" not in answers["500"].get_data(as_text=True)  # type: ignore[attr-defined]
    assert answers["429"].headers.get("Retry-After")  # type: ignore[attr-defined]


def test_the_header_check_bites_without_the_hook(limited_app: Flask) -> None:
    limited_app.after_request_funcs[None].remove(add_security_headers)
    answers = every_kind_of_answer(limited_app)
    assert all(missing_headers(answer) for answer in answers.values())


def test_every_page_of_a_voter_is_never_cached(client: FlaskClient) -> None:
    from pbvote.processes.models import Eligibility
    from tests.ballots.booth_helpers import booth_url, confirm, review

    budget = make_voting_budget(eligibility=Eligibility.OPEN)
    slug = budget.process.slug
    key = review(client, budget, {"project": ["P-1"]})
    answers = {
        "landing": client.get(f"/stem/{slug}/"),
        "booth": client.get(booth_url(budget)),
        "review": client.post(booth_url(budget) + "/gennemse", data={"project": ["P-1"]}),
        "cast": confirm(client, budget, {"project": ["P-1"]}, key),
        "receipt": client.get(booth_url(budget) + "/kvittering"),
        "booth after voting": client.get(booth_url(budget)),
        "survey": client.get(f"/stem/sporgsmaal/{budget.process_id}"),
        "account": client.get("/konto/log-ind"),
    }
    caching = {name: r.headers.get("Cache-Control") for name, r in answers.items()}
    assert caching == dict.fromkeys(answers, "no-store")


# --- accounts do not leak ----------------------------------------------------------------------------------

VARYING = re.compile(r'nonce="[^"]+"|value="[^"]*csrf[^"]*"|name="csrf_token"[^>]*>|nonce-[A-Za-z0-9_-]+')


def comparable(response: object) -> tuple[int, str | None, str]:
    """Status, redirect and page with the per-response nonce and token taken out."""
    page = response.get_data(as_text=True)  # type: ignore[attr-defined]
    return response.status_code, response.headers.get("Location"), VARYING.sub("", page)  # type: ignore[attr-defined]


def test_login_answers_the_same_for_known_unknown_and_disabled_accounts(app: Flask) -> None:
    known = make_user(email="known@example.dk")
    make_user(email="disabled@example.dk", active=False)
    answers = [
        comparable(app.test_client().post("/konto/log-ind", data={"email": email, "password": password}))
        for email, password in (
            (known.email, "wrong password"),
            ("unknown@example.dk", "wrong password"),
            ("disabled@example.dk", PASSWORD),
        )
    ]
    answers = [
        (status, location, page.replace(email, ""))
        for (status, location, page), email in zip(
            answers, ("known@example.dk", "unknown@example.dk", "disabled@example.dk"), strict=True
        )
    ]
    assert answers[0][0] == 422 and answers[0] == answers[1] == answers[2]


def test_reset_answers_the_same_for_known_and_unknown_e_mails(app: Flask) -> None:
    known = make_user(email="known@example.dk")
    answers = []
    for email in (known.email, "unknown@example.dk"):
        client = app.test_client()
        first = client.post("/konto/glemt-adgangskode", data={"email": email})
        answers.append((comparable(first), comparable(client.get(first.headers["Location"]))))
    assert answers[0] == answers[1]
    assert answers[0][0][0] == 302
    mailed = db.session.scalar(select(func.count()).select_from(OutboxMessage))
    assert mailed == 1  # only the known account got an e-mail


# --- brute force across workers ----------------------------------------------------------------------------

REDIS = os.environ.get("PBVOTE_TEST_REDIS_URL")
LIMIT = 3


def guess(session: requests.Session, base: str, path: str) -> tuple[int, str | None]:
    """One wrong attempt through the real form (CSRF on, as in production)."""
    page = session.get(base + path, timeout=10).text
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page)
    assert token, page[:500]
    data = {"csrf_token": token.group(1), "email": "victim@example.dk", "password": "guess"}
    answer = session.post(base + path, data=data, allow_redirects=False, timeout=10)
    return answer.status_code, answer.headers.get("Retry-After")


def attack_two_servers(tmp_path: Path, storage: dict[str, str], path: str) -> list[tuple[int, str | None]]:
    """Two gunicorn servers on one database; wrong attempts alternate between them."""
    url = f"sqlite:///{tmp_path / 'limits.sqlite3'}"
    app = make_test_app(url)
    with app.app_context():
        db.create_all()
        db.engine.dispose()
    settings = {
        "PBVOTE_SECRET_KEY": "limits-test-secret",
        "PBVOTE_DATABASE_URL": url,
        "PBVOTE_SECURE_COOKIES": "false",
        "PBVOTE_LOGIN_RATE_LIMIT": f"{LIMIT} per minute",
        **storage,
    }
    with (
        gunicorn_server(settings, tmp_path / "a.log", workers=1, threads=2) as first,
        gunicorn_server(settings, tmp_path / "b.log", workers=1, threads=2) as second,
        requests.Session() as attacker,
    ):
        return [guess(attacker, (first, second)[attempt % 2], path) for attempt in range(LIMIT + 3)]


@pytest.mark.slow
@pytest.mark.skipif(not REDIS, reason="PBVOTE_TEST_REDIS_URL not set (CI sets it)")
@pytest.mark.parametrize("path", ["/konto/glemt-adgangskode", "/konto/log-ind"])
def test_brute_force_counts_across_servers_and_says_when_to_retry(tmp_path: Path, path: str) -> None:
    import redis

    redis.Redis.from_url(REDIS or "").flushdb()
    answers = attack_two_servers(tmp_path, {"PBVOTE_REDIS_URL": REDIS or ""}, path)
    assert all(status != 429 for status, _ in answers[:LIMIT]), answers
    assert [status for status, _ in answers[LIMIT:]] == [429] * 3, answers
    assert all(retry and retry.isdigit() and 0 < int(retry) <= 60 for _, retry in answers[LIMIT:]), answers


@pytest.mark.slow
def test_the_shared_count_bites_when_each_server_counts_alone(tmp_path: Path) -> None:
    alone = {"PBVOTE_RATELIMIT_STORAGE_URI": "memory://"}
    answers = attack_two_servers(tmp_path, alone, "/konto/glemt-adgangskode")
    assert [status for status, _ in answers].count(429) < 3, answers  # each server saw only half the attempts
