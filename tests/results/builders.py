"""Builders for the results tests: ballots stored the way the booth stores them, in bulk."""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from datetime import date

from sqlalchemy import insert, select

from pbvote.ballots.models import Ballot, BallotLine, Channel, Participation
from pbvote.core.types import BallotKind
from pbvote.db import utcnow
from pbvote.extensions import db
from pbvote.processes.models import Budget, Phase, Process
from pbvote.proposals.models import Project

BallotEntry = Sequence[str] | Sequence[tuple[str, int]]
CHUNK = 5000  # rows per INSERT: well under SQLite's and PostgreSQL's parameter limits


def _values(kind: BallotKind, entry: BallotEntry) -> list[tuple[str, int]]:
    """(code, value) pairs as the booth writes them: 1, the points, or the rank (1 = first)."""
    pairs = [(item, 1) if isinstance(item, str) else (item[0], int(item[1])) for item in entry]
    if kind is BallotKind.RANKED:
        return [(code, rank) for rank, (code, _value) in enumerate(pairs, start=1)]
    if kind is BallotKind.CUMULATIVE:
        return pairs
    return [(code, 1) for code, _value in pairs]


def make_ballots(
    budget: Budget,
    ballots: Sequence[BallotEntry],
    *,
    channel: Channel = Channel.ONLINE,
    cast_on: date | None = None,
    station: str | None = None,
) -> list[str]:
    """Insert one participation, ballot and lines per entry, as the booth would, and commit; return the ids.

    Each entry lists project codes (best first when ranked) or, for cumulative ballots, ``(code, points)``
    pairs. The participations get random voter keys and are not linked to the ballots.
    """
    day = cast_on or utcnow().date()
    project_ids = dict(
        db.session.execute(select(Project.code, Project.id).where(Project.budget_id == budget.id))
        .tuples()
        .all()
    )
    participations: list[dict[str, object]] = []
    rows: list[dict[str, object]] = []
    lines: list[dict[str, object]] = []
    for entry in ballots:
        ballot_id = secrets.token_hex(16)
        participations.append(
            {
                "budget_id": budget.id,
                "voter_key": f"test:{secrets.token_hex(12)}",
                "channel": channel,
                "voted_on": day,
            }
        )
        rows.append(
            {
                "id": ballot_id,
                "budget_id": budget.id,
                "channel": channel,
                "station": station,
                "cast_on": day,
                "receipt": secrets.token_hex(8).upper(),
            }
        )
        for code, value in _values(budget.ballot_kind, entry):
            lines.append({"ballot_id": ballot_id, "project_id": project_ids[code], "value": value})
    for model, data in ((Participation, participations), (Ballot, rows), (BallotLine, lines)):
        for start in range(0, len(data), CHUNK):
            db.session.execute(insert(model), data[start : start + CHUNK])
    db.session.commit()
    return [str(row["id"]) for row in rows]


def close_voting(process: Process, phase: Phase = Phase.COUNTING) -> Process:
    """Move the process past voting (counting by default) and commit, so its votes can be counted."""
    process.phase = phase
    db.session.commit()
    return process
