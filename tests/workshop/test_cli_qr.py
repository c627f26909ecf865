"""`pbvote workshop start` and the QR code: the address phones can reach."""

from __future__ import annotations

import io
import re

import segno
from flask import Flask
from sqlalchemy import select

from pbvote.extensions import db
from pbvote.workshop.models import Workshop
from tests.workshop.support import new_workshop, text


def test_workshop_start_prints_address_code_and_a_terminal_qr(app: Flask) -> None:
    app.config["PUBLIC_URL"] = "http://192.168.1.20:5000/"
    result = app.test_cli_runner().invoke(args=["workshop", "start", "--template", "en"])
    assert result.exit_code == 0, result.output
    workshop = db.session.scalar(select(Workshop))
    assert workshop is not None and workshop.template == "en"
    assert f"Join at:  http://192.168.1.20:5000/j/{workshop.join_code}" in result.output
    assert f"Code:     {workshop.join_code}" in result.output
    assert "Millbrook" in result.output
    assert "█" in result.output or "▀" in result.output  # the QR code drawn with block characters
    assert "phones cannot reach" not in result.output


def test_workshop_start_warns_about_localhost_and_refuses_a_bad_address(app: Flask) -> None:
    app.config["PUBLIC_URL"] = "http://127.0.0.1:5000"
    result = app.test_cli_runner().invoke(args=["workshop", "start", "--no-qr"])
    assert result.exit_code == 0 and "phones cannot reach 127.0.0.1" in result.output
    assert "█" not in result.output
    app.config["PUBLIC_URL"] = "192.168.1.20"
    bad = app.test_cli_runner().invoke(args=["workshop", "start"])
    assert bad.exit_code == 1
    assert bad.output.strip().splitlines() == [
        "Error: PBVOTE_PUBLIC_URL must start with http:// or https://."
    ]
    unknown = app.test_cli_runner().invoke(args=["workshop", "start", "--template", "fr"])
    assert unknown.exit_code == 2 and "Traceback" not in unknown.output
    assert len(db.session.scalars(select(Workshop)).all()) == 1


def test_qr_svg_encodes_the_public_join_address(app: Flask) -> None:
    workshop = new_workshop()
    app.config["PUBLIC_URL"] = "http://10.0.0.5:8000"
    response = app.test_client().get(f"/w/{workshop.join_code}/qr.svg")
    assert response.status_code == 200 and response.mimetype == "image/svg+xml"
    svg = text(response)
    assert svg.lstrip().startswith("<svg") and "<title>" in svg
    expected = io.BytesIO()
    segno.make(f"http://10.0.0.5:8000/j/{workshop.join_code}", error="m").save(
        expected, kind="svg", scale=10, border=2
    )
    assert re.search(r' d="([^"]+)"', svg).group(1) == re.search(  # type: ignore[union-attr]
        r' d="([^"]+)"', expected.getvalue().decode()
    ).group(1)  # type: ignore[union-attr]
    assert app.test_client().get("/w/000000/qr.svg").status_code == 404


def test_join_address_falls_back_to_the_request_host_while_public_url_is_localhost(app: Flask) -> None:
    from pbvote.workshop.views import join_address

    workshop = new_workshop()
    app.config["PUBLIC_URL"] = "http://127.0.0.1:5000"
    with app.test_request_context(base_url="http://192.168.1.20:5000"):
        assert join_address(workshop) == f"http://192.168.1.20:5000/j/{workshop.join_code}"
    with app.test_request_context(base_url="http://127.0.0.1:5000"):
        assert join_address(workshop) == f"http://127.0.0.1:5000/j/{workshop.join_code}"
    app.config["PUBLIC_URL"] = "https://pb.example.dk/"
    with app.test_request_context(base_url="http://192.168.1.20:5000"):
        assert join_address(workshop) == f"https://pb.example.dk/j/{workshop.join_code}"
