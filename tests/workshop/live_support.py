"""Helpers for the live workshop tests: a workshop, ballots from simulated phones, a threaded live server."""

from __future__ import annotations

import secrets
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import requests
from flask import Flask
from werkzeug.serving import make_server

from pbvote.auth.models import Role
from pbvote.ballots.eligibility import voter_for_browser
from pbvote.ballots.services import cast_ballot
from pbvote.core.validation.violations import BallotInput
from pbvote.db import utcnow
from pbvote.extensions import db
from pbvote.workshop import queries, services
from pbvote.workshop.models import Workshop
from tests.builders import PASSWORD, make_user


def make_workshop(template: str = "da") -> Workshop:
    """A committed workshop from a template, in the lobby."""
    workshop = services.create_workshop(None, template, now=utcnow())
    db.session.commit()
    return workshop


def join_and_vote(workshop: Workshop, codes: Sequence[str], *, join_only: bool = False) -> str:
    """One simulated phone: join, and (unless ``join_only``) cast a ballot for ``codes``; commits."""
    token = secrets.token_urlsafe(16)
    services.join(workshop, token, now=utcnow())
    db.session.commit()
    if not join_only:
        budget = queries.workshop_budget(workshop)
        assert budget is not None
        voter = voter_for_browser(token)
        cast_ballot(
            voter,
            budget,
            BallotInput(projects=tuple(codes)),
            retry_key=secrets.token_urlsafe(24),
            now=utcnow(),
        )
        db.session.commit()
    return token


def project_codes(workshop: Workshop) -> list[str]:
    """The workshop budget's project codes, cheapest first."""
    budget = queries.workshop_budget(workshop)
    assert budget is not None
    return [project.code for project in sorted(budget.projects, key=lambda project: project.cost)]


def staff_user() -> Any:
    """A committed staff account (log in with ``PASSWORD``)."""
    return make_user(role=Role.STAFF)


def move(workshop: Workshop, *actions: str) -> None:
    """Run instructor controls in order ("open", "close", "reveal", "step", "reset") and commit each."""
    for action in actions:
        now = utcnow()
        if action == "open":
            services.open_voting(None, workshop, now=now)
        elif action == "close":
            services.close_voting(None, workshop, now=now)
        elif action == "reveal":
            services.reveal(None, workshop, now=now)
        elif action == "step":
            services.step(None, workshop, 1, now=now)
        elif action == "reset":
            services.reset(None, workshop, now=now)
        else:
            raise ValueError(action)
        db.session.commit()


@contextmanager
def serving(app: Flask) -> Iterator[str]:
    """Serve ``app`` on a free loopback port in a thread; yields the base URL."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=5)
        for worker in threading.enumerate():  # let event streams notice their closed client and end
            if "process_request_thread" in worker.name:
                worker.join(timeout=15)
        server.server_close()


def logged_in_session(base_url: str, email: str) -> requests.Session:
    """A requests session logged in through the real form (tests run without CSRF)."""
    session = requests.Session()
    response = session.post(
        f"{base_url}/konto/log-ind", data={"email": email, "password": PASSWORD}, allow_redirects=False
    )
    assert response.status_code == 302, response.text[:300]
    return session


def read_events(response: requests.Response) -> Iterator[dict[str, str]]:
    """Parse a text/event-stream into events ({"event", "data", "id"}; comments as {"comment"})."""
    event: dict[str, str] = {}
    for raw in response.iter_lines(decode_unicode=True):
        line = raw if isinstance(raw, str) else raw.decode()
        if line == "":
            if event:
                yield event
            event = {}
        elif line.startswith(":"):
            yield {"comment": line[1:].strip()}
        else:
            field, _sep, value = line.partition(":")
            event[field] = value[1:] if value.startswith(" ") else value
    if event:
        yield event
