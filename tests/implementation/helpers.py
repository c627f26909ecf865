"""Set-up for the implementation tests: a process with a stored count (published or not), staff, followers."""

from __future__ import annotations

import json
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from flask.testing import FlaskClient
from sqlalchemy import func, select

from pbvote.auth.models import Role, User
from pbvote.core.types import RuleName, TieBreak
from pbvote.db import utcnow
from pbvote.extensions import db
from pbvote.implementation.models import (
    ImplementationFollower,
    ProgressPhoto,
    ProgressUpdate,
    ProjectProgress,
)
from pbvote.outbox.models import OutboxMessage
from pbvote.processes.models import Budget, Phase, Process
from pbvote.proposals.models import Project
from pbvote.results.models import TallyRun
from tests.builders import make_user, make_voting_budget

PROJECTS = (
    ("P-1", 100_000_00, {"title": "Bænke i Byparken"}),
    ("P-2", 200_000_00, {"title": "Ny legeplads"}),
    ("P-3", 300_000_00, {"title": "Cykelsti langs åen"}),
)


@dataclass
class Setup:
    """A process with one budget counted (P-1 and P-2 won), and a staff member."""

    process: Process
    budget: Budget
    run: TallyRun
    staff: User


def store_run(budget: Budget, selected: Sequence[str], *, published: bool) -> TallyRun:
    """A stored tally run whose report selects ``selected`` (published now, or a staff preview)."""
    run = TallyRun(
        budget_id=budget.id,
        rule=RuleName.GREEDY,
        tie_break=TieBreak.COST,
        ballots_digest="0" * 64,
        report=json.dumps({"rule": "greedy", "selected": list(selected), "rows": []}),
        published_at=utcnow() if published else None,
    )
    db.session.add(run)
    db.session.commit()
    return run


def counted_process(*, published: bool = True, phase: Phase = Phase.RESULTS) -> Setup:
    budget = make_voting_budget(projects=PROJECTS)
    process = budget.process
    process.phase = phase
    db.session.commit()
    run = store_run(budget, ["P-1", "P-2"], published=published)
    return Setup(process, budget, run, make_user(role=Role.STAFF, display_name="Søren Sagsbehandler"))


def english(client: FlaskClient) -> FlaskClient:
    """Pages in English, so assertions read the msgids whatever the Danish catalogue holds."""
    client.set_cookie("pbvote_lang", "en")
    return client


def add_follower(process: Process, email: str, *, confirmed: bool = True, locale: str = "en") -> str:
    """A follower row as the follow form leaves it; returns its token."""
    token = secrets.token_urlsafe(32)
    follower = ImplementationFollower(
        process_id=process.id,
        email=email,
        locale=locale,
        token=token,
        confirmed=confirmed,
        created_on=utcnow().date(),
    )
    db.session.add(follower)
    db.session.commit()
    return token


def count(model: type) -> int:
    return db.session.scalar(select(func.count()).select_from(model)) or 0


def counts() -> dict[str, int]:
    """How many rows each implementation table (and the outbox) holds: 'writes nothing' means unchanged."""
    models: tuple[type, ...] = (
        ProjectProgress,
        ProgressUpdate,
        ProgressPhoto,
        ImplementationFollower,
        OutboxMessage,
    )
    return {model.__name__: count(model) for model in models}


def mails() -> list[OutboxMessage]:
    db.session.expire_all()
    return list(db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))


def mail_to(address: str) -> list[OutboxMessage]:
    return [mail for mail in mails() if mail.recipient == address]


def progress_row(project_code: str, budget: Budget) -> ProjectProgress | None:
    db.session.expire_all()
    project_id = db.session.scalar(
        select(Project.id).where(Project.budget_id == budget.id, Project.code == project_code)
    )
    return db.session.scalar(select(ProjectProgress).where(ProjectProgress.project_id == project_id))


def text(response: Any) -> str:
    return str(response.get_data(as_text=True))


def staff_url(setup: Setup, key: str = "", action: str = "") -> str:
    url = f"/sagsbehandling/udfoerelse/{setup.process.slug}"
    if key:
        url += f"/{key}"
    if action:
        url += f"/{action}"
    return url
