"""The bridge from stored ballots to core types: the election to count, its digest and its turnout.

Loading reads one row per ballot (its lines joined into a short text by the database) in one query and
builds each distinct ballot once in Python, so 300,000 ballots load in a few seconds. Nothing here writes.
"""

from __future__ import annotations

import hashlib
from operator import itemgetter
from typing import Any

from sqlalchemy import Select, String, cast, func, select

from pbvote.ballots.models import Ballot, BallotLine
from pbvote.core.digest import canonical_json
from pbvote.core.types import Ballot as CoreBallot
from pbvote.core.types import BallotKind, Profile
from pbvote.core.types import Project as CoreProject
from pbvote.extensions import db
from pbvote.processes.models import Budget
from pbvote.proposals.models import Project

Election = tuple[list[CoreProject], BallotKind, Profile]


def load_election(budget: Budget) -> Election:
    """The budget's projects, ballot kind and grouped ballots, money in øre (count with ``scale=100``).

    Ranked lines hold the rank (1 = first), cumulative lines the points, approval and knapsack lines 1.
    Ballots without lines (allowed when the minimum is 0) are counted as empty ballots: they are voters.
    """
    rows = db.session.execute(
        select(Project.id, Project.code, Project.cost, Project.title)
        .where(Project.budget_id == budget.id)
        .order_by(Project.position, Project.id)
    ).all()
    projects = [CoreProject(id=code, cost=cost, name=title) for _id, code, cost, title in rows]
    codes = {str(project_id): code for project_id, code, _cost, _title in rows}
    texts: dict[str | None, int] = {}
    for (text,) in db.session.connection().execute(_ballot_texts(budget.id)):
        texts[text] = texts.get(text, 0) + 1
    counts: dict[CoreBallot, int] = {}
    for text, number in texts.items():
        ballot = _core_ballot(budget.ballot_kind, _parse(text, codes))
        counts[ballot] = counts.get(ballot, 0) + number
    return projects, budget.ballot_kind, Profile(tuple(counts), tuple(counts.values()))


def _ballot_texts(budget_id: int) -> Select[tuple[str]]:  # the text is NULL for an empty ballot
    """One row per ballot: its lines joined as 'project_id:value,…' (NULL for an empty ballot).

    Joining the lines in the database sends one short text per ballot instead of a row per line; equal
    texts are then built into a core ballot once. The order inside a text is not guaranteed: parsing sorts.
    """
    pair = cast(BallotLine.project_id, String) + ":" + cast(BallotLine.value, String)
    return (
        select(func.aggregate_strings(pair, ","))
        .select_from(Ballot)
        .outerjoin(BallotLine, BallotLine.ballot_id == Ballot.id)
        .where(Ballot.budget_id == budget_id)
        .group_by(Ballot.id)
    )


def _parse(text: str | None, codes: dict[str, str]) -> list[tuple[str, int]]:
    """'12:1,15:3' as [(code, value), …]."""
    if not text:
        return []
    lines = []
    for item in text.split(","):
        project_id, _, value = item.partition(":")
        lines.append((codes[project_id], int(value)))
    return lines


def _core_ballot(kind: BallotKind, lines: list[tuple[str, int]]) -> CoreBallot:
    """A canonical core ballot: ranked in rank order, otherwise sorted by project code."""
    if kind is BallotKind.RANKED:
        lines.sort(key=itemgetter(1))
        return CoreBallot(projects=tuple(code for code, _rank in lines))
    lines.sort()
    if kind is BallotKind.CUMULATIVE:
        return CoreBallot(
            projects=tuple(code for code, _points in lines), points=tuple(points for _c, points in lines)
        )
    return CoreBallot(projects=tuple(code for code, _one in lines))


def ballot_pairs(kind: BallotKind, ballot: CoreBallot) -> list[tuple[str, int]]:
    """One ballot as the sorted (code, value) pairs the database stores: 1, the points, or the rank."""
    if kind is BallotKind.RANKED:
        pairs = [(code, rank) for rank, code in enumerate(ballot.projects, start=1)]
    elif kind is BallotKind.CUMULATIVE:
        pairs = list(zip(ballot.projects, ballot.points, strict=True))
    else:
        pairs = [(code, 1) for code in ballot.projects]
    return sorted(pairs)


def ballots_digest(kind: BallotKind, profile: Profile) -> str:
    """SHA-256 of the ballots, independent of ids and order, so a recount of the .pb export matches.

    Each ballot is written as the canonical JSON of its sorted ``[code, value]`` pairs (value: 1, the
    points, or the rank), e.g. ``[["P-1",1],["P-7",1]]``; the texts, one per voter, are sorted and hashed
    as the JSON list they form (UTF-8, no spaces).
    """
    quoted: dict[str, str] = {}
    texts: list[str] = []
    for ballot, count in zip(profile.ballots, profile.counts, strict=True):
        parts = []
        for code, value in ballot_pairs(kind, ballot):
            name = quoted.get(code) or quoted.setdefault(code, canonical_json(code))
            parts.append(f"[{name},{value}]")
        texts.extend(["[" + ",".join(parts) + "]"] * count)
    texts.sort()
    return hashlib.sha256(("[" + ",".join(texts) + "]").encode("utf-8")).hexdigest()


def turnout(budget: Budget) -> dict[str, Any]:
    """Ballots by channel and by day (one grouped query), with the budget's population where known."""
    rows = db.session.execute(
        select(Ballot.cast_on, Ballot.channel, func.count())
        .where(Ballot.budget_id == budget.id)
        .group_by(Ballot.cast_on, Ballot.channel)
    ).all()
    days: dict[str, dict[str, int]] = {}
    totals = {"online": 0, "paper": 0}
    for cast_on, channel, number in rows:
        day = days.setdefault(cast_on.isoformat(), {"online": 0, "paper": 0})
        day[str(channel)] += number
        totals[str(channel)] += number
    return {
        "ballots": totals["online"] + totals["paper"],
        "online": totals["online"],
        "paper": totals["paper"],
        "population": budget.population,
        "by_day": [{"date": day, **counts} for day, counts in sorted(days.items())],
    }
