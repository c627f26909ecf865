"""Tally runs through the database: same outcome as the core on the same ballots, digests, refusals."""

from __future__ import annotations

import random
from datetime import date

import pytest
from flask import Flask
from sqlalchemy import func, select

from pbvote.audit.models import AuditEntry
from pbvote.auth.models import Role
from pbvote.ballots.models import Channel
from pbvote.core.errors import NotAllowed
from pbvote.core.tally import count
from pbvote.core.types import Ballot, BallotKind, Profile, Project, RuleName, TieBreak
from pbvote.db import utcnow
from pbvote.extensions import db
from pbvote.processes.models import Budget, Phase
from pbvote.results import policies, queries
from pbvote.results.loading import ballots_digest, load_election
from pbvote.results.models import TallyRun
from pbvote.results.services import publish_run, tally_budget
from tests.builders import make_user, make_voting_budget
from tests.results.builders import close_voting, make_ballots

PROJECTS = [
    ("A", 120_000_00),
    ("B", 80_000_00),
    ("C", 200_000_00),
    ("D", 50_000_00),
    ("E", 150_000_00),
    ("F", 30_000_00),
    ("G", 90_000_00),
]
AMOUNT = 400_000_00


def random_ballots(kind: BallotKind, seed: int, voters: int = 80) -> list[list[object]]:
    """Ballots as make_ballots takes them: codes (ranked: best first) or (code, points) pairs."""
    rng = random.Random(seed)
    codes = [code for code, _cost in PROJECTS]
    weights = [9, 7, 5, 4, 3, 2, 1]
    ballots: list[list[object]] = []
    for _ in range(voters):
        chosen: list[str] = []
        for _pick in range(rng.randint(1, 4)):
            code = rng.choices(codes, weights)[0]
            if code not in chosen:
                chosen.append(code)
        if kind is BallotKind.CUMULATIVE:
            ballots.append([(code, rng.randint(1, 5)) for code in chosen])
        else:
            ballots.append(list(chosen))
    return ballots


def core_profile(kind: BallotKind, ballots: list[list[object]]) -> Profile:
    """The same ballots built straight in core types, as a recount from an export would."""
    core: list[Ballot] = []
    for entry in ballots:
        if kind is BallotKind.CUMULATIVE:
            core.append(Ballot(tuple(c for c, _p in entry), tuple(p for _c, p in entry)))  # type: ignore[misc]
        else:
            core.append(Ballot(tuple(entry)))  # type: ignore[arg-type]
    return Profile.from_ballots(core)


def counted_budget(kind: BallotKind, ballots: list[list[object]], **limits: object) -> Budget:
    budget = make_voting_budget(kind=kind, projects=PROJECTS, amount=AMOUNT, **limits)
    make_ballots(budget, ballots)
    close_voting(budget.process)
    return budget


def staff() -> object:
    return make_user(role=Role.STAFF)


KINDS = [BallotKind.APPROVAL, BallotKind.KNAPSACK, BallotKind.CUMULATIVE, BallotKind.RANKED]


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("rule", [RuleName.GREEDY, RuleName.MES])
def test_count_through_the_database_equals_the_core_count_on_the_same_ballots(
    app: Flask, kind: BallotKind, rule: RuleName
) -> None:
    ballots = random_ballots(kind, seed=len(kind) * 7 + len(rule))
    budget = counted_budget(kind, ballots, rule=rule)
    run = tally_budget(budget, actor=staff(), now=utcnow())
    db.session.commit()

    projects = [Project(id=code, cost=cost) for code, cost in PROJECTS]
    profile = core_profile(kind, ballots)
    expected = count(projects, AMOUNT, kind, profile, rule=rule, scale=100)
    other = RuleName.MES if rule is RuleName.GREEDY else RuleName.GREEDY
    expected_other = count(projects, AMOUNT, kind, profile, rule=other, completion=True, scale=100)
    report, alternative = run.report_data(), run.alternative_data()
    assert report["selected"] == list(expected.selected) and report["spent"] == expected.spent
    assert alternative["selected"] == list(expected_other.selected)
    assert (run.rule, report["rule"], alternative["rule"]) == (rule, expected.rule, expected_other.rule)
    assert run.ballots_count == len(ballots) == report["voters"]
    assert run.ballots_digest == ballots_digest(kind, profile)


def test_loaded_ballots_keep_ranks_and_points(app: Flask) -> None:
    ranked = counted_budget(BallotKind.RANKED, [["C", "A", "B"], ["C", "A", "B"], ["B", "C"]])
    _projects, _kind, profile = load_election(ranked)
    assert dict(zip(profile.ballots, profile.counts, strict=True)) == {
        Ballot(("C", "A", "B")): 2,
        Ballot(("B", "C")): 1,
    }
    cumulative = counted_budget(BallotKind.CUMULATIVE, [[("E", 3), ("A", 2)], [("A", 2), ("E", 3)]])
    _projects, _kind, profile = load_election(cumulative)
    assert dict(zip(profile.ballots, profile.counts, strict=True)) == {Ballot(("A", "E"), (2, 3)): 2}


def test_empty_ballots_count_as_voters(app: Flask) -> None:
    budget = counted_budget(BallotKind.APPROVAL, [["A"], [], [], ["A", "B"]])
    run = tally_budget(budget, actor=staff(), now=utcnow())
    assert run.ballots_count == 4 and run.report_data()["voters"] == 4
    _projects, _kind, profile = load_election(budget)
    assert (
        profile.num_voters == 4 and dict(zip(profile.ballots, profile.counts, strict=True))[Ballot(())] == 2
    )


def test_digest_is_independent_of_ballot_order_and_ids_but_not_of_content(app: Flask) -> None:
    ballots = random_ballots(BallotKind.APPROVAL, seed=3)
    shuffled = [list(reversed(entry)) for entry in ballots]
    random.Random(9).shuffle(shuffled)
    first = counted_budget(BallotKind.APPROVAL, ballots)
    second = counted_budget(BallotKind.APPROVAL, shuffled)
    changed = counted_budget(BallotKind.APPROVAL, [*ballots[:-1], ["G"]])
    digests = [tally_budget(b, actor=None, now=utcnow()).ballots_digest for b in (first, second, changed)]
    assert digests[0] == digests[1] != digests[2]
    assert len(digests[0]) == 64


def test_run_records_rule_parameters_turnout_and_the_frozen_rules_digest(app: Flask) -> None:
    budget = make_voting_budget(
        kind=BallotKind.APPROVAL, projects=PROJECTS, amount=AMOUNT, min_score=3, population=1_000
    )
    budget.rules_digest = "ab" * 32
    make_ballots(budget, [["A"], ["A", "B"]], cast_on=date(2026, 5, 1))
    make_ballots(budget, [["A", "B"], ["B"]], cast_on=date(2026, 5, 2))
    make_ballots(budget, [["A"]], channel=Channel.PAPER, cast_on=date(2026, 5, 2), station="Biblioteket")
    close_voting(budget.process, Phase.RESULTS)
    actor = staff()
    run = tally_budget(budget, actor=actor, rule=RuleName.MES, tie_break=TieBreak.ID, now=utcnow())
    db.session.commit()

    assert (run.rule, run.tie_break, run.completion, run.threshold) == (RuleName.MES, TieBreak.ID, True, 3)
    assert run.rules_digest == "ab" * 32 and run.created_by_id == actor.id  # type: ignore[attr-defined]
    assert not run.is_published and run.seconds >= 0
    assert run.report_data()["selected"] == ["A", "B"]  # A: 4 votes, B: 3 votes, the rest below 3
    assert run.alternative_data()["rule"] == "greedy"
    assert run.turnout_data() == {
        "ballots": 5,
        "online": 4,
        "paper": 1,
        "population": 1_000,
        "by_day": [
            {"date": "2026-05-01", "online": 2, "paper": 0},
            {"date": "2026-05-02", "online": 2, "paper": 1},
        ],
    }
    counted = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "results.counted"))
    assert counted is not None and counted.target_id == str(run.id)


@pytest.mark.parametrize("phase", [Phase.DRAFT, Phase.PROPOSALS, Phase.REVIEW, Phase.VOTING])
def test_counting_is_refused_before_voting_closes_and_nothing_is_written(app: Flask, phase: Phase) -> None:
    budget = make_voting_budget(projects=PROJECTS, amount=AMOUNT)
    make_ballots(budget, [["A"]])
    close_voting(budget.process, phase)
    with pytest.raises(NotAllowed, match="når afstemningen er lukket"):
        tally_budget(budget, actor=staff(), now=utcnow())
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(TallyRun)) == 0
    assert db.session.scalar(select(func.count()).select_from(AuditEntry)) == 0


def test_residents_may_not_count_or_publish(app: Flask) -> None:
    budget = counted_budget(BallotKind.APPROVAL, [["A"]])
    resident = make_user(role=Role.RESIDENT)
    with pytest.raises(NotAllowed):
        tally_budget(budget, actor=resident, now=utcnow())
    db.session.rollback()
    run = tally_budget(budget, actor=staff(), now=utcnow())
    with pytest.raises(NotAllowed):
        publish_run(run, actor=resident, now=utcnow())
    assert not run.is_published


def test_publishing_is_audited_and_makes_the_run_the_public_result(app: Flask) -> None:
    budget = counted_budget(BallotKind.APPROVAL, [["A"], ["B"]])
    actor = staff()
    older = tally_budget(budget, actor=actor, now=utcnow())
    run = tally_budget(budget, actor=actor, rule=RuleName.MES, now=utcnow())
    db.session.commit()
    assert queries.published_run(budget.id) is None
    assert not policies.results_public(budget.process, queries.latest_run(budget.id))

    publish_run(run, actor=actor, now=utcnow())
    db.session.commit()

    assert queries.published_run(budget.id) is run and queries.latest_run(budget.id) is run
    assert queries.runs_for(budget.id) == [run, older]
    assert run.published_by_id == actor.id  # type: ignore[attr-defined]
    assert policies.results_public(budget.process, run)
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "results.published"))
    assert entry is not None and (entry.target_type, entry.target_id) == ("tally_run", str(run.id))
    assert entry.actor_id == actor.id  # type: ignore[attr-defined]
    with pytest.raises(NotAllowed, match="allerede offentliggjort"):
        publish_run(run, actor=actor, now=utcnow())


def test_publishing_is_refused_when_the_process_is_back_in_voting(app: Flask) -> None:
    budget = counted_budget(BallotKind.APPROVAL, [["A"]])
    run = tally_budget(budget, actor=None, now=utcnow())
    db.session.commit()
    close_voting(budget.process, Phase.VOTING)
    with pytest.raises(NotAllowed, match="når afstemningen er lukket"):
        publish_run(run, actor=staff(), now=utcnow())
    db.session.rollback()
    assert not db.session.get(TallyRun, run.id).is_published  # type: ignore[union-attr]
    assert db.session.scalar(select(func.count()).where(AuditEntry.action == "results.published")) == 0


@pytest.mark.parametrize(
    ("phase", "closed"),
    [(Phase.VOTING, False), (Phase.COUNTING, True), (Phase.RESULTS, True), (Phase.IMPLEMENTATION, True)],
)
def test_policies_follow_the_phase_and_the_role(app: Flask, phase: Phase, closed: bool) -> None:
    budget = make_voting_budget(projects=PROJECTS)
    close_voting(budget.process, phase)
    process = budget.process
    assert policies.voting_closed(process) is closed
    assert policies.can_count(staff(), process) is closed
    assert policies.can_count(make_user(role=Role.ADMIN), process) is closed
    assert policies.can_count(make_user(role=Role.RESIDENT), process) is False
    run = TallyRun(
        budget=budget, rule=RuleName.GREEDY, tie_break=TieBreak.COST, ballots_digest="", report="{}"
    )
    assert policies.can_publish(staff(), process, run) is closed
    assert policies.results_public(process, run) is False
    run.published_at = utcnow()
    assert policies.results_public(process, run) is closed
    assert policies.can_publish(staff(), process, run) is False
