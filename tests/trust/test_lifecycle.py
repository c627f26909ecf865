"""The ballot lifecycle as a hypothesis state machine driving the real services (no HTTP).

Two processes (accounts and voting codes) are opened, voted in, unfrozen and frozen again, closed, counted
and published in random orders, with casts, re-casts, used codes and invalid ballots in between. A plain
model says what each service must do; after every step the database must agree: one vote per voter per
budget, participations = ballots (= used codes), the frozen rules unchanged while frozen, and results
hidden until a run is published. Companions remove a guard and the machine must fail.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field

import pytest
from flask import Flask
from hypothesis import HealthCheck, settings
from hypothesis import Phase as Stage
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)
from sqlalchemy import func, select

from pbvote.auth.models import Role
from pbvote.auth.services import register_user
from pbvote.ballots import eligibility
from pbvote.ballots.models import Ballot, Participation, VotingCode
from pbvote.ballots.services import AlreadyVoted, DuplicateSubmission, cast_ballot, resolve_retry
from pbvote.core.digest import budget_digest
from pbvote.core.errors import DomainError, NotAllowed
from pbvote.core.validation import BallotInput, BallotInvalid
from pbvote.db import utcnow
from pbvote.extensions import db
from pbvote.processes.freeze import budget_rules, freeze_ballots, unfreeze_ballots
from pbvote.processes.models import Budget, Eligibility, Phase, Process
from pbvote.processes.phases import advance_phase
from pbvote.proposals.models import Project
from pbvote.results.policies import results_public
from pbvote.results.queries import published_run
from pbvote.results.services import publish_run, tally_budget
from tests.builders import make_budget, make_process, make_user
from tests.conftest import empty_all_tables
from tests.support.voting import issue_test_codes

PROJECTS = (("P-1", 100_000_00), ("P-2", 200_000_00), ("P-3", 300_000_00))  # all three exceed the 500,000
CHOICES = st.lists(st.sampled_from([code for code, _ in PROJECTS]), unique=True, max_size=3)
_keys = itertools.count()


@dataclass
class Box:
    """What the model expects of one process and its single budget."""

    process_id: int
    budget_id: int
    phase: Phase = Phase.REVIEW
    frozen_digest: str | None = None
    votes: dict[str, str] = field(default_factory=dict)  # voter (user id or code) -> retry key
    published: bool = False

    @property
    def open(self) -> bool:
        return self.phase is Phase.VOTING and self.frozen_digest is not None


def new_box(kind: Eligibility) -> Box:
    process = make_process(phase=Phase.REVIEW, eligibility=kind)
    budget = make_budget(process, amount=500_000_00)
    for position, (code, cost) in enumerate(PROJECTS):
        db.session.add(Project(budget_id=budget.id, code=code, cost=cost, position=position, title=code))
    db.session.commit()
    return Box(process.id, budget.id)


class Lifecycle(RuleBasedStateMachine):
    """Random walks through a PB round; the model and the database must agree after every step."""

    def __init__(self) -> None:
        super().__init__()
        db.session.rollback()
        empty_all_tables()
        self.admin = make_user(role=Role.ADMIN)
        self.staff = make_user(role=Role.STAFF)
        self.boxes = {"account": new_box(Eligibility.ACCOUNT), "code": new_box(Eligibility.CODE)}
        budget = self.budget("code")
        self.codes = issue_test_codes(budget, 4)
        self.residents: list[int] = []

    def process(self, name: str) -> Process:
        process = db.session.get(Process, self.boxes[name].process_id)
        assert process is not None
        return process

    def budget(self, name: str) -> Budget:
        budget = db.session.get(Budget, self.boxes[name].budget_id)
        assert budget is not None
        return budget

    # --- the administrator ---------------------------------------------------------------------------

    @rule(name=st.sampled_from(["account", "code"]))
    def open_voting(self, name: str) -> None:
        box = self.boxes[name]
        if box.phase is not Phase.REVIEW:
            return
        advance_phase(self.admin, self.process(name), now=utcnow())
        db.session.commit()
        box.phase, box.frozen_digest = Phase.VOTING, self.process(name).rules_digest
        assert box.frozen_digest is not None

    @rule(name=st.sampled_from(["account", "code"]))
    def close_voting(self, name: str) -> None:
        box = self.boxes[name]
        if box.phase is not Phase.VOTING or box.frozen_digest is None:
            return
        advance_phase(self.admin, self.process(name), now=utcnow())
        db.session.commit()
        box.phase = Phase.COUNTING

    @rule(name=st.sampled_from(["account", "code"]))
    def unfreeze(self, name: str) -> None:
        box = self.boxes[name]
        allowed = box.phase is Phase.VOTING and box.frozen_digest is not None and not box.votes
        try:
            unfreeze_ballots(self.admin, self.process(name), now=utcnow())
            db.session.commit()
        except NotAllowed:
            db.session.rollback()
            assert not allowed, "an unfreeze that should be allowed was refused"
            return
        assert allowed, f"unfrozen in {box.phase} with {len(box.votes)} votes cast"
        box.frozen_digest = None

    @rule(name=st.sampled_from(["account", "code"]))
    def freeze_again(self, name: str) -> None:
        box = self.boxes[name]
        if box.phase is not Phase.VOTING or box.frozen_digest is not None:
            return
        box.frozen_digest = freeze_ballots(self.admin, self.process(name), now=utcnow())
        db.session.commit()

    @rule(name=st.sampled_from(["account", "code"]))
    def count_and_publish(self, name: str) -> None:
        box = self.boxes[name]
        try:
            run = tally_budget(self.budget(name), actor=self.staff, now=utcnow())
            assert published_run(box.budget_id) is None or box.published
            publish_run(run, actor=self.staff, now=utcnow())
            db.session.commit()
        except NotAllowed:
            db.session.rollback()
            assert box.phase in (Phase.REVIEW, Phase.VOTING), "counting refused after voting closed"
            return
        assert box.phase is Phase.COUNTING, f"counted in {box.phase}"
        assert run.ballots_count == len(box.votes)
        box.published = True

    # --- residents ----------------------------------------------------------------------------------------

    @precondition(lambda self: len(self.residents) < 3)  # few residents, so the same one often tries again
    @rule()
    def register(self) -> None:
        number = next(_keys)
        user = register_user(f"borger{number}@example.dk", "correct horse battery", now=utcnow())
        db.session.commit()
        self.residents.append(user.id)

    @precondition(lambda self: bool(self.residents))
    @rule(data=st.data(), choice=CHOICES)
    def cast_with_account(self, data: st.DataObject, choice: list[str]) -> None:
        if not self.residents:
            return
        user_id = data.draw(st.sampled_from(self.residents))
        self.cast("account", str(user_id), eligibility.voter_for_account(user_id), choice)

    @rule(data=st.data(), choice=CHOICES)
    def cast_with_code(self, data: st.DataObject, choice: list[str]) -> None:
        code = data.draw(st.sampled_from(self.codes))
        box = self.boxes["code"]
        try:
            voter = eligibility.voter_for_code(self.budget("code"), code)
        except eligibility.NotEligible:
            db.session.rollback()
            assert code in box.votes, "an unused code was refused"
            return
        assert code not in box.votes, "a used code was accepted as a voter"
        self.cast("code", code, voter, choice)

    @precondition(lambda self: bool(self.boxes["account"].votes))
    @rule(data=st.data())
    def recast_the_same_submission(self, data: st.DataObject) -> None:
        """A retry of an acknowledged submission (same key) gets the same receipt and writes nothing."""
        box = self.boxes["account"]
        if not box.votes or not box.open:
            return
        user_id, key = data.draw(st.sampled_from(sorted(box.votes.items())))
        voter = eligibility.voter_for_account(int(user_id))
        budget = self.budget("account")
        try:
            cast_ballot(voter, budget, BallotInput(projects=["P-1"]), retry_key=key, now=utcnow())
            db.session.commit()
        except DuplicateSubmission:
            db.session.rollback()
            receipt = resolve_retry(voter, budget, key)
            assert db.session.scalar(select(Ballot.id).where(Ballot.receipt == receipt)) is not None
            return
        raise AssertionError("a repeated submission stored a second ballot")

    def cast(self, name: str, who: str, voter: eligibility.Voter, choice: list[str]) -> None:
        box = self.boxes[name]
        key = f"lifecycle-{next(_keys):08d}-" + "k" * 16
        valid = len(choice) < len(PROJECTS)
        try:
            cast_ballot(voter, self.budget(name), BallotInput(projects=choice), retry_key=key, now=utcnow())
            db.session.commit()
        except NotAllowed:
            db.session.rollback()
            assert not box.open, "a cast was refused while voting was open"
            return
        except BallotInvalid:
            db.session.rollback()
            assert not valid, f"a valid ballot {choice} was refused"
            return
        except DuplicateSubmission:
            db.session.rollback()
            with pytest.raises(AlreadyVoted):
                resolve_retry(voter, self.budget(name), key)
            assert who in box.votes, "a first vote was refused as a duplicate"
            return
        assert box.open, f"a ballot was accepted in {box.phase} (frozen: {box.frozen_digest is not None})"
        assert valid, f"an invalid ballot {choice} was accepted"
        assert who not in box.votes, f"voter {who} voted twice"
        box.votes[who] = key

    # --- what must hold after every step ----------------------------------------------------------------

    @invariant()
    def one_vote_per_voter_and_participations_equal_ballots(self) -> None:
        db.session.expire_all()
        for name, box in self.boxes.items():
            participations = count(Participation, Participation.budget_id == box.budget_id)
            ballots = count(Ballot, Ballot.budget_id == box.budget_id)
            assert participations == ballots == len(box.votes), (name, participations, ballots, box.votes)
            voters = db.session.scalar(
                select(func.count(func.distinct(Participation.voter_key))).where(
                    Participation.budget_id == box.budget_id
                )
            )
            assert voters == participations, f"{name}: a voter key holds two participations"
        used = count(VotingCode, VotingCode.used_on.is_not(None))
        assert used == len(self.boxes["code"].votes), "used codes differ from code votes"

    @invariant()
    def the_freeze_holds(self) -> None:
        for name, box in self.boxes.items():
            process, budget = self.process(name), self.budget(name)
            assert process.phase is box.phase
            if box.frozen_digest is None:
                assert process.rules_digest is None
                continue
            assert process.rules_digest == box.frozen_digest, f"{name}: the frozen digest changed"
            assert budget.rules_digest == budget_digest(budget_rules(budget)), f"{name}: rules changed"

    @invariant()
    def results_hidden_until_published(self) -> None:
        for name, box in self.boxes.items():
            run = published_run(box.budget_id)
            assert results_public(self.process(name), run) is box.published, f"{name}: results visibility"


def count(model: object, *where: object) -> int:
    return db.session.scalar(select(func.count()).select_from(model).where(*where)) or 0  # type: ignore[arg-type]


LIFECYCLE_SETTINGS = settings(  # 200 walks in `make test-long`; a quick 25 in every `make test`
    max_examples=200,
    stateful_step_count=20,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
)


def test_the_ballot_lifecycle_keeps_its_promises(app: Flask) -> None:
    run_state_machine_as_test(Lifecycle, settings=settings(LIFECYCLE_SETTINGS, max_examples=25))


@pytest.mark.slow
def test_the_ballot_lifecycle_keeps_its_promises_over_200_walks(app: Flask) -> None:
    run_state_machine_as_test(Lifecycle, settings=LIFECYCLE_SETTINGS)


class OpenLifecycle(Lifecycle):
    """The same machine with voting open and one resident registered: the companions reach votes sooner."""

    def __init__(self) -> None:
        super().__init__()
        self.open_voting("account")
        self.open_voting("code")
        self.register()


def _account_key_per_submission(user_id: int) -> eligibility.Voter:
    return eligibility.Voter(key=f"user:{user_id}:{next(_keys)}")  # a new key each time: no uniqueness left


def _unfreeze_always(user: object, process: Process, ballots_cast: int) -> bool:
    return process.is_frozen  # ignores the ballots already cast


@pytest.mark.parametrize(
    ("target", "broken"),
    [
        ("pbvote.ballots.eligibility.voter_for_account", _account_key_per_submission),
        ("pbvote.processes.policies.can_unfreeze", _unfreeze_always),
    ],
    ids=["one-vote-per-voter", "freeze-after-ballots"],
)
def test_the_machine_fails_when_a_guard_is_removed(
    app: Flask, monkeypatch: pytest.MonkeyPatch, target: str, broken: object
) -> None:
    """Companion: with a guard removed, some walk must break a promise (so the machine is known to bite)."""
    monkeypatch.setattr(target, broken)
    quick = settings(LIFECYCLE_SETTINGS, max_examples=300, phases=[Stage.generate], derandomize=True)
    with pytest.raises((AssertionError, DomainError)) as failure:  # the model's assertion or a service's
        run_state_machine_as_test(OpenLifecycle, settings=quick)
    print(f"guard removed ({target}): the machine failed with {failure.typename}: {failure.value}")
    db.session.rollback()
