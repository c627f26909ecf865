"""Front page, language switch, error pages and security headers, as a visitor meets them."""

from __future__ import annotations

import pytest
from flask import Flask
from flask.testing import FlaskClient

from pbvote.extensions import db
from pbvote.processes.models import Phase
from tests.builders import login, make_process, make_user


def test_front_page_is_danish_and_lists_public_processes(client: FlaskClient) -> None:
    make_process(title_da="Borgerbudget Vest", phase=Phase.PROPOSALS)
    make_process(title_da="Hemmelig kladde", phase=Phase.DRAFT)
    page = client.get("/").get_data(as_text=True)
    assert '<html lang="da">' in page
    assert "Borgerbudget Vest" in page and "Forslag" in page
    assert "Hemmelig kladde" not in page
    assert "Testby Kommune" in page
    assert "Spring til indholdet" in page


def test_language_switch_sticks_across_pages(client: FlaskClient) -> None:
    make_process(title_da="Borgerbudget Vest", title_en="Citizens' budget West")
    response = client.post("/sprog", data={"lang": "en", "next": "/tilgaengelighed"})
    assert response.status_code == 302 and response.location == "/tilgaengelighed"
    page = client.get("/").get_data(as_text=True)
    assert '<html lang="en">' in page and "Citizens&#39; budget West" in page
    client.post("/sprog", data={"lang": "da"})
    assert '<html lang="da">' in client.get("/").get_data(as_text=True)


def test_language_switch_refuses_unknown_language_and_foreign_redirect(client: FlaskClient) -> None:
    assert client.post("/sprog", data={"lang": "xx"}).status_code == 400
    response = client.post("/sprog", data={"lang": "en", "next": "https://evil.example/"})
    assert response.location == "/"


def test_language_choice_is_kept_on_the_account(client: FlaskClient) -> None:
    user = make_user()
    login(client, user)
    client.post("/sprog", data={"lang": "en"})
    db.session.refresh(user)
    assert user.locale == "en"


def test_amounts_are_formatted_per_locale(app: Flask) -> None:
    from pbvote.i18n import format_money

    with app.app_context(), app.test_request_context("/"):
        assert format_money(123456700) == "1.234.567\xa0kr."  # a no-break space keeps "kr." with the number
        assert format_money(150) == "1,50\xa0kr."
    with app.app_context(), app.test_request_context("/", headers={"Cookie": "pbvote_lang=en"}):
        assert format_money(123456700).replace("\xa0", " ") == "DKK 1,234,567"


@pytest.mark.parametrize(
    ("method", "path", "status", "danish"),
    [
        ("get", "/findes-ikke", 404, "Siden blev ikke fundet"),
        ("post", "/", 405, "Metoden er ikke tilladt"),
        ("post", "/sprog", 400, "Ugyldig forespørgsel"),
    ],
)
def test_error_pages_are_translated_and_carry_security_headers(
    client: FlaskClient, method: str, path: str, status: int, danish: str
) -> None:
    response = getattr(client, method)(path)
    assert response.status_code == status
    assert danish in response.get_data(as_text=True)
    assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_api_errors_are_json(client: FlaskClient) -> None:
    response = client.get("/api/v1/nothing-here")
    assert response.status_code == 404
    assert response.get_json()["error"]["status"] == 404


def test_too_large_request_gets_413_page(app: Flask, client: FlaskClient) -> None:
    app.config["MAX_CONTENT_LENGTH"] = 1000
    response = client.post("/konto/log-ind", data={"email": "x" * 5000, "password": "y"})
    assert response.status_code == 413
    assert "For stor" in response.get_data(as_text=True)


def test_unexpected_error_gives_translated_500_without_traceback(app: Flask, client: FlaskClient) -> None:
    @app.get("/boom")
    def boom() -> str:
        raise RuntimeError("secret internals")

    app.config["PROPAGATE_EXCEPTIONS"] = False
    response = client.get("/boom")
    assert response.status_code == 500
    page = response.get_data(as_text=True)
    assert "Der opstod en fejl" in page
    assert "secret internals" not in page and "Traceback" not in page


def test_csp_has_no_unsafe_inline_scripts(client: FlaskClient) -> None:
    policy = client.get("/").headers["Content-Security-Policy"]
    script_src = next(part for part in policy.split(";") if part.strip().startswith("script-src"))
    assert "'unsafe-inline'" not in script_src and "'nonce-" in script_src


def test_accessibility_statement_is_linked_from_every_page(client: FlaskClient) -> None:
    assert 'href="/tilgaengelighed"' in client.get("/konto/log-ind").get_data(as_text=True)
    assert "WCAG" in client.get("/tilgaengelighed").get_data(as_text=True)


def test_health_and_readiness(client: FlaskClient) -> None:
    assert client.get("/healthz").get_json() == {"status": "ok"}
    assert client.get("/readyz").get_json()["database"] is True


def test_staff_page_gives_translated_403_to_a_resident(client: FlaskClient) -> None:
    login(client, make_user())
    response = client.get("/admin/log/")
    assert response.status_code == 403
    assert "Adgang nægtet" in response.get_data(as_text=True)
    assert response.headers["X-Frame-Options"] == "DENY"


def test_dates_are_formatted_per_locale(app: Flask) -> None:
    from datetime import date

    from pbvote.i18n import format_day

    with app.app_context(), app.test_request_context("/"):
        assert format_day(date(2027, 3, 1)) == "1. mar. 2027"
    with app.app_context(), app.test_request_context("/", headers={"Cookie": "pbvote_lang=en"}):
        assert format_day(date(2027, 3, 1)) == "Mar 1, 2027"
