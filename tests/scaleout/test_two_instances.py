"""Two app servers on one PostgreSQL and one Redis behave as one: sessions, limits, live counts, one vote.

Starts two gunicorn instances (gthread workers) on different loopback ports with the same settings, as two
machines behind a load balancer would run. One HTTP client talks to both (cookies are not bound to a
port, just as a browser behind the balancer sends the same cookies to whichever server answers).
"""

from __future__ import annotations

import os
import re
import secrets
import threading
import uuid
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
import requests
from sqlalchemy import func, select

from pbvote.auth.models import Role
from pbvote.ballots.models import Ballot
from pbvote.db import utcnow
from pbvote.extensions import db
from pbvote.workshop import queries, services
from tests.builders import PASSWORD, make_user
from tests.conftest import POSTGRES_ENV, create_postgres_database, drop_postgres_database, make_test_app
from tests.support.server import gunicorn_server
from tests.support.voting import make_code_voting

REDIS_ENV = "PBVOTE_TEST_REDIS_URL"
pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        not (os.environ.get(POSTGRES_ENV) and os.environ.get(REDIS_ENV)),
        reason=f"{POSTGRES_ENV} and {REDIS_ENV} must both be set: two servers share PostgreSQL and Redis",
    ),
]

SECRET = "scale-out-secret-" + "x" * 32
LOGIN_LIMIT = 6  # per minute and e-mail address
RACES = 12  # voting codes, each sent to both servers at the same moment
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


@dataclass(frozen=True)
class Cluster:
    """Two servers and what was seeded for them."""

    a: str
    b: str
    database_url: str
    staff_email: str
    resident_email: str
    join_code: str
    workshop_budget: int
    workshop_projects: list[str]
    code_budget: int
    codes: list[str]


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cluster]:
    """One fresh PostgreSQL database, seeded, served by two gunicorn instances sharing Redis."""
    url = create_postgres_database()
    logs = tmp_path_factory.mktemp("scaleout")
    try:
        seeded = seed(url)
        settings = {
            "PBVOTE_SECRET_KEY": SECRET,
            "PBVOTE_DATABASE_URL": url,
            "PBVOTE_REDIS_URL": os.environ[REDIS_ENV],
            "PBVOTE_SECURE_COOKIES": "false",
            "PBVOTE_LOGIN_RATE_LIMIT": f"{LOGIN_LIMIT} per minute",
            "PBVOTE_DATABASE_POOL_SIZE": "4",
        }
        with (
            gunicorn_server(settings, logs / "a.log", workers=2, threads=4) as a,
            gunicorn_server(settings, logs / "b.log", workers=2, threads=4) as b,
        ):
            assert a != b
            yield Cluster(a=a, b=b, database_url=url, **seeded)  # type: ignore[arg-type]
    finally:
        drop_postgres_database(url)


def seed(url: str) -> dict[str, object]:
    """Accounts, a workshop with open voting, and a budget voting with codes."""
    app = make_test_app(url, SECRET_KEY=SECRET)
    with app.app_context():
        db.create_all()
        run = uuid.uuid4().hex[:8]  # e-mails unique in Redis, which other test runs share
        staff = make_user(role=Role.STAFF, email=f"instruktor-{run}@example.dk")
        resident = make_user(email=f"borger-{run}@example.dk")
        workshop = services.create_workshop(staff, "da", now=utcnow())
        db.session.flush()
        services.open_voting(staff, workshop, now=utcnow())
        db.session.commit()
        budget = queries.workshop_budget(workshop)
        assert budget is not None
        cheap = sorted(budget.projects, key=lambda project: project.cost)[:2]
        election = make_code_voting(codes=RACES, max_projects=1)
        seeded: dict[str, object] = {
            "staff_email": staff.email,
            "resident_email": resident.email,
            "join_code": workshop.join_code,
            "workshop_budget": budget.id,
            "workshop_projects": [project.code for project in cheap],
            "code_budget": election.budget_id,
            "codes": election.codes,
        }
        db.session.remove()
        db.engine.dispose()
    return seeded


def csrf(client: requests.Session, url: str) -> str:
    found = CSRF.search(client.get(url, timeout=10).text)
    assert found, f"no CSRF token on {url}"
    return found.group(1)


def log_in(client: requests.Session, base: str, email: str, password: str = PASSWORD) -> int:
    """Post the login form of ``base``; the status code (302 logged in, 422 refused, 429 limited)."""
    token = csrf(client, f"{base}/konto/log-ind")
    response = client.post(
        f"{base}/konto/log-ind",
        data={"csrf_token": token, "email": email, "password": password},
        allow_redirects=False,
        timeout=10,
    )
    return response.status_code


def test_a_login_on_one_server_is_valid_on_the_other_and_a_logout_ends_it_on_both(cluster: Cluster) -> None:
    with requests.Session() as browser:
        assert log_in(browser, cluster.a, cluster.resident_email) == 302
        account = browser.get(f"{cluster.b}/konto/", allow_redirects=False, timeout=10)
        assert account.status_code == 200 and cluster.resident_email in account.text
        stolen = dict(browser.cookies)  # a copy of the session, as someone could have taken it
        token = csrf(browser, f"{cluster.b}/konto/")
        out = browser.post(f"{cluster.b}/konto/log-ud", data={"csrf_token": token}, allow_redirects=False)
        assert out.status_code == 302
    with requests.Session() as thief:
        thief.cookies.update(stolen)
        answer = thief.get(f"{cluster.a}/konto/", allow_redirects=False, timeout=10)
        assert answer.status_code == 302 and "/konto/log-ind" in answer.headers["Location"]


def test_login_attempts_count_across_both_servers(cluster: Cluster) -> None:
    target = f"offer-{uuid.uuid4().hex[:8]}@example.dk"  # limits count per address typed, account or not
    with requests.Session() as attacker:
        answers = [
            log_in(attacker, (cluster.a, cluster.b)[attempt % 2], target, "wrong-password")
            for attempt in range(LOGIN_LIMIT + 2)
        ]
    assert answers[:LOGIN_LIMIT] == [422] * LOGIN_LIMIT
    assert answers[LOGIN_LIMIT:] == [429, 429]


def test_a_vote_on_one_server_appears_in_the_live_count_served_by_the_other(cluster: Cluster) -> None:
    with requests.Session() as instructor:
        assert log_in(instructor, cluster.b, cluster.staff_email) == 302
        status = f"{cluster.b}/w/{cluster.join_code}/status.json"
        before = instructor.get(status, timeout=10).json()["votes"]
        with requests.Session() as phone:
            booth = phone.get(f"{cluster.a}/j/{cluster.join_code}", timeout=10)
            assert booth.status_code == 200 and f"/stem/pulje/{cluster.workshop_budget}" in booth.url
            found = CSRF.search(booth.text)
            assert found
            cast = phone.post(
                f"{cluster.a}/stem/pulje/{cluster.workshop_budget}/afgiv",
                data={
                    "csrf_token": found.group(1),
                    "retry_key": secrets.token_urlsafe(24),
                    "project": cluster.workshop_projects,
                },
                allow_redirects=False,
                timeout=10,
            )
            assert cast.status_code == 302 and cast.headers["Location"].endswith("/kvittering"), cast.text[
                :500
            ]
        after = instructor.get(status, timeout=10).json()
    assert after["votes"] == before + 1


def send_at_once(bases: tuple[str, str], budget_id: int, code: str) -> list[int]:
    """Send the same code to both servers at the same moment, as two different submissions."""
    start = threading.Barrier(len(bases))
    answers: list[int] = []

    def send(base: str) -> None:
        headers = {"Idempotency-Key": str(uuid.uuid4())}  # not a retry: each submission its own key
        start.wait()
        response = requests.post(
            f"{base}/api/v1/budgets/{budget_id}/ballots",
            json={"code": code, "projects": ["P-1"]},
            headers=headers,
            timeout=30,
        )
        answers.append(response.status_code)

    threads = [threading.Thread(target=send, args=(base,)) for base in bases]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return sorted(answers)


def test_one_code_sent_to_both_servers_at_once_votes_once(cluster: Cluster) -> None:
    outcomes = [send_at_once((cluster.a, cluster.b), cluster.code_budget, code) for code in cluster.codes]
    assert outcomes == [[201, 409]] * len(cluster.codes)
    app = make_test_app(cluster.database_url, SECRET_KEY=SECRET)
    with app.app_context():
        stored = db.session.scalar(
            select(func.count()).select_from(Ballot).where(Ballot.budget_id == cluster.code_budget)
        )
        db.session.remove()
        db.engine.dispose()
    assert stored == len(cluster.codes)
