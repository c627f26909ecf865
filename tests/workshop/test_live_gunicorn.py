"""Live updates across gunicorn workers: votes cast through some workers reach a stream held by another.

Starts ``gunicorn -k gthread -w 4 --threads 8 wsgi:app`` on a free loopback port, on a temporary SQLite file
(and on PostgreSQL when PBVOTE_TEST_DATABASE_URL is set), without Redis and with Redis when
PBVOTE_TEST_REDIS_URL is set. Phones join and vote over HTTP through the booth, each on a new connection;
the instructor's event stream (one connection, one worker thread) and status.json must both count them.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

from pbvote import create_app
from pbvote.auth.models import Role
from pbvote.db import utcnow
from pbvote.extensions import db
from pbvote.workshop import queries, services
from tests.builders import PASSWORD, make_user
from tests.conftest import POSTGRES_ENV, create_postgres_database, drop_postgres_database
from tests.workshop.live_support import read_events

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]
REDIS_ENV = "PBVOTE_TEST_REDIS_URL"
PHONES = 12
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
BACKENDS = ["sqlite"] + (["postgresql"] if os.environ.get(POSTGRES_ENV) else [])
TRANSPORTS = ["database"] + (["redis"] if os.environ.get(REDIS_ENV) else [])


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture(params=BACKENDS)
def prepared_database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[dict[str, Any]]:
    """A database with the schema, a staff member and a workshop whose voting is open."""
    url = (
        f"sqlite:///{tmp_path / 'gunicorn.sqlite3'}"
        if request.param == "sqlite"
        else create_postgres_database()
    )
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": url})
    with app.app_context():
        db.create_all()
        staff = make_user(role=Role.STAFF, email="instruktor@example.dk")
        workshop = services.create_workshop(staff, "da", now=utcnow())
        db.session.flush()
        services.open_voting(staff, workshop, now=utcnow())
        db.session.commit()
        budget = queries.workshop_budget(workshop)
        assert budget is not None
        cheap = sorted(budget.projects, key=lambda project: project.cost)[:2]
        info = {
            "url": url,
            "code": workshop.join_code,
            "budget_id": budget.id,
            "codes": [project.code for project in cheap],
            "email": staff.email,
        }
        db.session.remove()
        db.engine.dispose()
    yield info
    if request.param == "postgresql":
        drop_postgres_database(url)


@pytest.fixture(params=TRANSPORTS)
def gunicorn(
    request: pytest.FixtureRequest, prepared_database: dict[str, Any], tmp_path: Path
) -> Iterator[dict[str, Any]]:
    """Four gthread workers serving the prepared database; with Redis for live updates when asked."""
    port = free_port()
    env = {
        **{key: value for key, value in os.environ.items() if not key.startswith("PBVOTE_")},
        "PBVOTE_SECRET_KEY": secrets.token_hex(32),
        "PBVOTE_DATABASE_URL": prepared_database["url"],
        "PBVOTE_SECURE_COOKIES": "false",
        "PBVOTE_WORKSHOP_STREAM_SECONDS": "30",
    }
    if request.param == "redis":
        import redis

        redis.Redis.from_url(os.environ[REDIS_ENV]).flushdb()
        env["PBVOTE_REDIS_URL"] = os.environ[REDIS_ENV]
    log = (tmp_path / "gunicorn.log").open("w")
    command = [sys.executable, "-m", "gunicorn", "-k", "gthread", "-w", "4", "--threads", "8"]
    command += ["--graceful-timeout", "5", "-b", f"127.0.0.1:{port}", "wsgi:app"]
    process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_serving(base, process, tmp_path / "gunicorn.log")
        yield {**prepared_database, "base": base}
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=5)
        log.close()


def wait_until_serving(base: str, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail("gunicorn stopped:\n" + log.read_text()[-3000:])
        try:
            if requests.get(f"{base}/konto/log-ind", timeout=10).status_code == 200:
                return
        except requests.RequestException:  # not listening yet, or a worker still importing
            pass
        time.sleep(0.3)
    pytest.fail("gunicorn did not start:\n" + log.read_text()[-3000:])


def staff_session(server: dict[str, Any]) -> requests.Session:
    """The instructor, logged in through the real form (CSRF on, as in production)."""
    session = requests.Session()
    form = session.get(f"{server['base']}/konto/log-ind", timeout=10)
    token = CSRF.search(form.text)
    assert token, "no CSRF token on the login page"
    response = session.post(
        f"{server['base']}/konto/log-ind",
        data={"csrf_token": token.group(1), "email": server["email"], "password": PASSWORD},
        allow_redirects=False,
        timeout=10,
    )
    assert response.status_code == 302, response.text[:300]
    return session


def phone_votes(server: dict[str, Any]) -> None:
    """One phone on fresh connections: join with the code (to the booth), then cast a ballot."""
    with requests.Session() as phone:
        phone.headers["Connection"] = "close"  # every request a new connection, so any worker may take it
        booth = phone.get(f"{server['base']}/j/{server['code']}", timeout=10)
        assert booth.status_code == 200 and f"/stem/pulje/{server['budget_id']}" in booth.url
        token = CSRF.search(booth.text)
        assert token, "no CSRF token in the booth"
        cast = phone.post(
            f"{server['base']}/stem/pulje/{server['budget_id']}/afgiv",
            data={
                "csrf_token": token.group(1),
                "retry_key": secrets.token_urlsafe(24),
                "project": server["codes"],
            },
            allow_redirects=False,
            timeout=10,
        )
        assert cast.status_code == 302 and cast.headers["Location"].endswith("/kvittering"), cast.text[:500]


def test_votes_through_any_worker_reach_the_stream_and_the_status_of_another(
    gunicorn: dict[str, Any],
) -> None:
    server = gunicorn
    instructor = staff_session(server)
    with instructor.get(f"{server['base']}/w/{server['code']}/events", stream=True, timeout=60) as stream:
        assert stream.status_code == 200
        assert stream.headers["Content-Type"].startswith("text/event-stream")
        assert stream.headers["X-Accel-Buffering"] == "no"
        events = (json.loads(event["data"]) for event in read_events(stream) if "data" in event)
        assert next(events)["votes"] == 0
        for _ in range(PHONES):
            phone_votes(server)
        counted = 0
        for status in events:  # ends by itself when the server closes the stream (30 s)
            counted = status["votes"]
            if counted == PHONES:
                break
    assert counted == PHONES
    with staff_session(server) as other:
        status = other.get(f"{server['base']}/w/{server['code']}/status.json", timeout=10).json()
    assert (status["state"], status["joined"], status["votes"]) == ("voting", PHONES, PHONES)
