"""The `pbvote` command: accounts and the demo municipality."""

from __future__ import annotations

from flask import Flask
from sqlalchemy import func, select

from pbvote.auth.models import Role, User
from pbvote.extensions import db
from pbvote.processes.models import Municipality, Process


def test_user_create_reads_password_from_stdin(app: Flask) -> None:
    result = app.test_cli_runner().invoke(
        args=["user", "create", "chef@example.dk", "--role", "admin", "--password-stdin"],
        input="a long admin passphrase\n",
    )
    assert result.exit_code == 0, result.output
    user = db.session.scalar(select(User).where(User.email == "chef@example.dk"))
    assert user is not None and user.role is Role.ADMIN


def test_user_create_refuses_short_password_and_duplicate(app: Flask) -> None:
    runner = app.test_cli_runner()
    short = runner.invoke(args=["user", "create", "a@example.dk", "--password-stdin"], input="short\n")
    assert short.exit_code != 0 and "at least" in short.output
    runner.invoke(args=["user", "create", "a@example.dk", "--password-stdin"], input="long enough pass\n")
    again = runner.invoke(
        args=["user", "create", "a@example.dk", "--password-stdin"], input="long enough pass\n"
    )
    assert again.exit_code != 0
    assert db.session.scalar(select(func.count()).select_from(User)) == 1


def test_demo_is_idempotent_and_reset_starts_over(app: Flask) -> None:
    runner = app.test_cli_runner()
    first = runner.invoke(args=["demo"])
    assert first.exit_code == 0 and "admin@demo.dk" in first.output
    second = runner.invoke(args=["demo"])
    assert "already present" in second.output
    assert db.session.scalar(select(func.count()).select_from(Municipality)) == 1
    processes = db.session.scalar(select(func.count()).select_from(Process))
    reset = runner.invoke(args=["demo", "--reset"])
    assert reset.exit_code == 0
    assert db.session.scalar(select(func.count()).select_from(Process)) == processes
    assert db.session.scalar(select(func.count()).select_from(User)) == 3


def test_demo_logins_work(app: Flask) -> None:
    from pbvote.demo import DEMO_PASSWORD

    app.test_cli_runner().invoke(args=["demo"])
    client = app.test_client()
    response = client.post("/konto/log-ind", data={"email": "admin@demo.dk", "password": DEMO_PASSWORD})
    assert response.status_code == 302
    assert "Søby Kommune" in client.get("/").get_data(as_text=True)
