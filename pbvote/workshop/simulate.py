"""Simulated ballots for a small room: seeded, realistic, budget-aware, and checked by ``core``.

Each simulated voter belongs to a group (families, green, seniors, active — or, for a copied process,
one group per category) and likes each project by its popularity, more when it is one of the group's
projects, with personal noise. A knapsack voter then fills the budget in order of liking, skipping what no
longer fits, and stops when nothing more is liked; approval voters take their favourites up to the limit,
ranked voters rank them, cumulative voters spread their points by liking. Every ballot is validated
against the budget's frozen rules by ``core`` before it is stored; the same seed gives the same ballots.
"""

from __future__ import annotations

import math
import random
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import insert

from pbvote.audit.services import record_audit
from pbvote.ballots import keys
from pbvote.ballots.loaders import rules_for
from pbvote.ballots.models import Ballot, BallotLine, Channel, Participation
from pbvote.core.types import BallotKind, BudgetSpec
from pbvote.core.validation import BallotInput, check_ballot, validate_ballot
from pbvote.extensions import db
from pbvote.workshop import queries
from pbvote.workshop.models import Workshop
from pbvote.workshop.services import WorkshopError, _require, notify
from pbvote.workshop.templates_data import GROUPS, TEMPLATES

MAX_VOTERS = 2000  # one click may add at most this many ballots
DEFAULT_VOTERS = 200
DEFAULT_SEED = 2026


@dataclass(frozen=True)
class Taste:
    """What the simulation knows about a project: cost, popularity (0–1) and the groups that like it."""

    code: str
    cost: int
    popularity: float
    groups: tuple[str, ...]


def tastes_for(workshop: Workshop, spec: BudgetSpec, categories: dict[str, str]) -> list[Taste]:
    """Template projects keep their written popularity; others get a seeded one and their category's group."""
    template = TEMPLATES.get(workshop.template)
    written = {p.code: p for p in template.projects} if template else {}
    tastes = []
    for project in spec.projects:
        known = written.get(project.id)
        if known is not None:
            tastes.append(Taste(project.id, project.cost, known.popularity, known.groups))
        else:
            group = categories.get(project.id) or "all"
            popularity = random.Random(f"taste\x1f{project.id}").uniform(0.3, 0.7)  # noqa: S311 - not a secret  # nosec B311
            tastes.append(Taste(project.id, project.cost, popularity, (group,)))
    return tastes


def simulated_choices(spec: BudgetSpec, tastes: Sequence[Taste], voters: int, seed: int) -> list[BallotInput]:
    """Make ``voters`` valid ballots for the spec; deterministic for a seed. Voters who fail are redrawn."""
    rng = random.Random(seed)  # noqa: S311 - a reproducible simulation, not a secret  # nosec B311
    groups = sorted({g for taste in tastes for g in taste.groups}) or list(GROUPS)
    ballots: list[BallotInput] = []
    attempts = 0
    while len(ballots) < voters and attempts < voters * 5:
        attempts += 1
        choice = _one_voter(spec, tastes, rng, rng.choice(groups))
        if not validate_ballot(spec, choice):
            ballots.append(choice)
    return ballots


def _one_voter(spec: BudgetSpec, tastes: Sequence[Taste], rng: random.Random, group: str) -> BallotInput:
    """One voter's ballot: liking = popularity × group bonus × noise; liked = above a personal bar."""
    liking = {
        t.code: t.popularity * (1.9 if group in t.groups else 1.0) * math.exp(rng.gauss(0, 0.35))
        for t in tastes
    }
    bar = rng.uniform(0.35, 0.75)
    order = sorted(liking, key=lambda code: -liking[code])
    liked = [code for code in order if liking[code] >= bar] or order[:1]
    if spec.kind is BallotKind.KNAPSACK:
        return BallotInput(projects=_fill(spec, liked, order))
    if spec.kind is BallotKind.CUMULATIVE:
        return BallotInput(points=_spread(spec, liked[:5], order, liking))
    limit = spec.max_projects or len(order)
    chosen = _without_clashes(spec, liked)[:limit]
    if len(chosen) < spec.min_projects:
        chosen = _without_clashes(spec, order)[: max(spec.min_projects, len(chosen))]
    return BallotInput(projects=chosen)


def _fill(spec: BudgetSpec, liked: list[str], order: list[str]) -> list[str]:
    """Add liked projects that still fit; then, if the rules ask for more, anything that fits."""
    cost = {p.id: p.cost for p in spec.projects}
    chosen: list[str] = []
    spent = 0
    for pool in (liked, order):
        for code in pool:
            if code in chosen or spent + cost[code] > spec.amount or _clashes(spec, chosen, code):
                continue
            if spec.max_projects is not None and len(chosen) >= spec.max_projects:
                break
            chosen.append(code)
            spent += cost[code]
        if len(chosen) >= spec.min_projects and spent >= spec.min_spent:
            break
    return chosen


def _spread(
    spec: BudgetSpec, liked: list[str], order: list[str], liking: dict[str, float]
) -> dict[object, object]:
    """Give all points to the liked projects in proportion to liking, within the per-project cap."""
    points = spec.points or 0
    cap = spec.max_points_per_project or points
    pool = _without_clashes(spec, liked + [code for code in order if code not in liked])
    liked = pool[: max(len(_without_clashes(spec, liked)), -(-points // max(cap, 1)))]
    weights = sum(liking[code] for code in liked) or 1.0
    given = {code: min(cap, int(points * liking[code] / weights)) for code in liked}
    left = points - sum(given.values())
    for code in liked * (points + 1):  # hand out what rounding left over, one point at a time
        if left <= 0:
            break
        if given[code] < cap:
            given[code] += 1
            left -= 1
    return {code: value for code, value in given.items() if value > 0}


def _clashes(spec: BudgetSpec, chosen: list[str], code: str) -> bool:
    return any(code in group and group.intersection(chosen) for group in spec.exclusive_groups)


def _without_clashes(spec: BudgetSpec, codes: list[str]) -> list[str]:
    kept: list[str] = []
    for code in codes:
        if not _clashes(spec, kept, code):
            kept.append(code)
    return kept


def add_simulated_ballots(
    actor: Any, workshop: Workshop, *, voters: int = DEFAULT_VOTERS, seed: int = DEFAULT_SEED, now: datetime
) -> int:
    """Store ``voters`` simulated ballots in the workshop's budget; returns how many. Does not commit.

    Raises:
        WorkshopError: the voting has closed, or the number is out of range.
    """
    _require(actor, workshop, "simulate")
    if not 1 <= voters <= MAX_VOTERS:
        raise WorkshopError(_l("Choose between 1 and %(most)d simulated voters.", most=MAX_VOTERS))
    budget = queries.workshop_budget(workshop)
    if budget is None:
        raise WorkshopError(_l("This workshop has no budget."))
    rules = rules_for(budget)
    categories = {p.code: (p.category.name_da if p.category else "") for p in budget.projects}
    choices = simulated_choices(rules.spec, tastes_for(workshop, rules.spec, categories), voters, seed)
    first = queries.vote_count(budget.id)
    today = now.date()
    participations, ballots, lines = [], [], []
    for number, choice in enumerate(choices, start=first):
        ballot = check_ballot(rules.spec, choice)  # validated by core, as the booth does
        retry = f"simulated-{workshop.id}-{number}"
        participations.append(
            {"budget_id": budget.id, "voter_key": f"sim:{workshop.id}:{number}", "channel": Channel.ONLINE,
             "voted_on": today, "retry_hash": keys.plain_hash(retry)}
        )  # fmt: skip
        ballot_id = keys.new_ballot_id()
        ballots.append(
            {"id": ballot_id, "budget_id": budget.id, "channel": Channel.ONLINE, "station": None,
             "cast_on": today, "receipt": keys.receipt_for(budget.id, retry)}
        )  # fmt: skip
        lines.extend(_lines(ballot_id, budget.ballot_kind, ballot.projects, ballot.points, rules.project_ids))
    if participations:
        db.session.execute(insert(Participation), participations)
        db.session.execute(insert(Ballot), ballots)
        if lines:
            db.session.execute(insert(BallotLine), lines)
    notify(workshop, now=now)
    db.session.flush()
    after = {"voters": len(choices), "seed": seed}
    record_audit(actor, "workshop.simulated", workshop, after=after, now=now)
    return len(choices)


def _lines(
    ballot_id: str, kind: BallotKind, projects: tuple[str, ...], points: tuple[int, ...], ids: dict[str, int]
) -> list[dict[str, object]]:
    """1 per approved project, the points (cumulative) or the rank (ranked), as the booth stores them."""
    if kind is BallotKind.CUMULATIVE:
        values = list(points)
    elif kind is BallotKind.RANKED:
        values = list(range(1, len(projects) + 1))
    else:
        values = [1] * len(projects)
    return [
        {"ballot_id": ballot_id, "project_id": ids[code], "value": value}
        for code, value in zip(projects, values, strict=True)
    ]
