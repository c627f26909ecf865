"""Phase moves by an admin and by date, freezing the ballots when voting opens, unfreezing, duplicating."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from pbvote.audit.services import record_audit, verify_chain
from pbvote.core.digest import BudgetRules, budget_digest, process_digest
from pbvote.core.errors import NotAllowed
from pbvote.extensions import db
from pbvote.processes import services
from pbvote.processes.models import Budget, Category, Phase, Process, ProcessPhase
from pbvote.proposals.models import Project
from tests.builders import make_budget, make_category, make_process
from tests.processes.support import audit_actions, budget_form, count, login_admin, make_project


def reload(process: Process) -> Process:
    db.session.expire_all()
    found = db.session.get(Process, process.id)
    assert found is not None
    return found


def with_phases(process: Process, dates: dict[Phase, tuple[date | None, date | None]]) -> Process:
    for position, phase in enumerate(Phase):
        starts, ends = dates.get(phase, (None, None))
        db.session.add(
            ProcessPhase(process=process, phase=phase, position=position, starts_on=starts, ends_on=ends)
        )
    db.session.commit()
    return process


@pytest.fixture
def fake_ballots() -> Iterator[dict[int, int]]:
    """A stand-in for the ballots feature: ballots cast per process id."""
    cast: dict[int, int] = {}

    def counter(process: Process) -> int:
        return cast.get(process.id, 0)

    services.BALLOT_COUNTERS.append(counter)
    yield cast
    services.BALLOT_COUNTERS.remove(counter)


def frozen_process(client: FlaskClient) -> tuple[Process, Budget]:
    """A process moved into voting by an admin, with one budget and two projects."""
    process = make_process(phase=Phase.REVIEW)
    budget = make_budget(process, amount=50_000_000)
    make_project(budget, code="B", cost=20_000_000)
    make_project(budget, code="A", cost=15_000_000)
    login_admin(client)
    response = client.post(f"/admin/processer/{process.id}/fase/frem")
    assert response.status_code == 302
    return reload(process), budget


def test_advance_phase_moves_on_one_step_and_is_audited(client: FlaskClient) -> None:
    process = make_process(phase=Phase.DRAFT)
    admin = login_admin(client)
    response = client.post(f"/admin/processer/{process.id}/fase/frem", follow_redirects=True)
    assert "Borgerbudgettet er nu i fasen: Forslag." in response.get_data(as_text=True)
    assert reload(process).phase is Phase.PROPOSALS
    back = client.post(f"/admin/processer/{process.id}/fase/tilbage")
    assert back.status_code == 302 and reload(process).phase is Phase.DRAFT
    moves = audit_actions("process.phase_changed")
    assert [(json.loads(e.before), json.loads(e.after)) for e in moves] == [
        ({"phase": "draft"}, {"phase": "proposals"}),
        ({"phase": "proposals"}, {"phase": "draft"}),
    ]
    assert {e.actor_id for e in moves} == {admin.id}


def test_opening_voting_freezes_the_ballots_with_the_published_digest(client: FlaskClient) -> None:
    process, budget = frozen_process(client)
    assert process.phase is Phase.VOTING and process.frozen_at is not None
    rules = BudgetRules(
        amount=50_000_000,
        ballot_kind="knapsack",
        min_projects=0,
        max_projects=None,
        min_spent_percent=0,
        points=None,
        max_points_per_project=None,
        rule="greedy",
        completion=True,
        tie_break="cost",
        projects=(("A", 15_000_000), ("B", 20_000_000)),
    )
    assert db.session.get(Budget, budget.id).rules_digest == budget_digest(rules)
    assert process.rules_digest == process_digest([budget_digest(rules)])
    page = client.get(f"/processer/{process.slug}").get_data(as_text=True)
    assert process.rules_digest in page and "Fingeraftryk af reglerne (SHA-256):" in page
    (change,) = audit_actions("process.phase_changed")
    assert json.loads(change.after) == {"phase": "voting", "rules_digest": process.rules_digest}
    assert len(audit_actions("process.frozen")) == 1


def test_voting_does_not_open_while_a_budget_has_no_projects(client: FlaskClient) -> None:
    process = make_process(phase=Phase.REVIEW)
    make_budget(process, name_da="Sydhavn")
    login_admin(client)
    response = client.post(f"/admin/processer/{process.id}/fase/frem", follow_redirects=True)
    assert "Puljen Sydhavn har endnu ingen projekter på stemmesedlen." in response.get_data(as_text=True)
    process = reload(process)
    assert process.phase is Phase.REVIEW and not process.is_frozen
    assert audit_actions() == []


def test_frozen_budget_cannot_be_changed_and_each_attempt_is_logged(client: FlaskClient) -> None:
    process, budget = frozen_process(client)
    edit = client.post(
        f"/admin/processer/{process.id}/budgetter/{budget.id}", data=budget_form(amount="900.000")
    )
    assert edit.status_code == 422
    message = "Stemmesedlerne blev låst, da afstemningen åbnede"
    assert message in edit.get_data(as_text=True)
    delete = client.post(f"/admin/processer/{process.id}/budgetter/{budget.id}/slet", follow_redirects=True)
    assert message in delete.get_data(as_text=True)
    add = client.post(f"/admin/processer/{process.id}/budgetter/ny", data=budget_form())
    assert add.status_code == 422
    db.session.expire_all()
    assert db.session.get(Budget, budget.id).amount == 50_000_000 and count(Budget) == 1
    violations = audit_actions("process.freeze_violation")
    assert [json.loads(v.after)["attempt"] for v in violations] == [
        "budget.update",
        "budget.delete",
        "budget.add",
    ]
    assert all(v.target_id == str(process.id) and v.actor_email for v in violations)
    assert audit_actions("budget.updated") == []


def test_frozen_guard_refuses_other_features_and_logs_even_when_they_roll_back(app: Flask) -> None:
    process = make_process(
        phase=Phase.VOTING, frozen_at=datetime(2027, 5, 16, tzinfo=UTC), rules_digest="ab" * 32
    )
    assert services.ensure_ballot_editable(make_process(), None, now=datetime.now(UTC)) is None
    with pytest.raises(NotAllowed):
        services.ensure_ballot_editable(process, None, now=datetime.now(UTC), attempt="project.cost")
    db.session.rollback()
    (entry,) = audit_actions("process.freeze_violation")
    assert json.loads(entry.after)["attempt"] == "project.cost"


def test_process_rules_cannot_change_once_frozen(client: FlaskClient) -> None:
    process, _budget = frozen_process(client)
    page = client.get(f"/admin/processer/{process.id}/rediger")
    assert page.status_code == 200
    response = client.post(
        f"/admin/processer/{process.id}/rediger",
        data={"title_da": process.title_da, "currency": "EUR", "eligibility": "account"},
    )
    assert response.status_code == 422
    assert reload(process).currency == "DKK"
    assert len(audit_actions("process.freeze_violation")) == 1


def test_moving_back_from_voting_needs_the_ballots_unfrozen(
    client: FlaskClient, fake_ballots: dict[int, int]
) -> None:
    process, budget = frozen_process(client)
    refused = client.post(f"/admin/processer/{process.id}/fase/tilbage", follow_redirects=True)
    assert "Lås stemmesedlerne op, før du går tilbage fra afstemningen." in refused.get_data(as_text=True)
    assert reload(process).phase is Phase.VOTING

    assert client.post(f"/admin/processer/{process.id}/laas-op").status_code == 302
    process = reload(process)
    assert not process.is_frozen and process.rules_digest is None
    assert db.session.get(Budget, budget.id).rules_digest is None
    assert client.post(f"/admin/processer/{process.id}/fase/tilbage").status_code == 302
    assert reload(process).phase is Phase.REVIEW
    (unfrozen,) = audit_actions("process.unfrozen")
    assert json.loads(unfrozen.before)["rules_digest"]


def test_unfreeze_is_refused_once_ballots_exist(client: FlaskClient, fake_ballots: dict[int, int]) -> None:
    process, _budget = frozen_process(client)
    fake_ballots[process.id] = 3
    response = client.post(f"/admin/processer/{process.id}/laas-op", follow_redirects=True)
    assert "Der er allerede afgivet stemmer, så reglerne kan ikke længere låses op." in response.get_data(
        as_text=True
    )
    process = reload(process)
    assert process.is_frozen and process.rules_digest
    assert audit_actions("process.unfrozen") == []


def test_counting_back_to_voting_keeps_the_freeze(client: FlaskClient) -> None:
    process, _budget = frozen_process(client)
    digest = process.rules_digest
    client.post(f"/admin/processer/{process.id}/fase/frem")
    assert reload(process).phase is Phase.COUNTING
    client.post(f"/admin/processer/{process.id}/fase/tilbage")
    process = reload(process)
    assert process.phase is Phase.VOTING and process.rules_digest == digest
    assert len(audit_actions("process.frozen")) == 1


def test_advance_by_date_moves_due_processes_and_audits_without_actor(app: Flask) -> None:
    today = datetime.now(UTC).date()
    due = with_phases(
        make_process(phase=Phase.PROPOSALS, advance_by_date=True),
        {Phase.PROPOSALS: (today - timedelta(days=30), today - timedelta(days=1))},
    )
    starts_today = with_phases(
        make_process(phase=Phase.DRAFT, advance_by_date=True), {Phase.PROPOSALS: (today, None)}
    )
    manual = with_phases(
        make_process(phase=Phase.PROPOSALS, advance_by_date=False),
        {Phase.PROPOSALS: (today - timedelta(days=30), today - timedelta(days=1))},
    )
    running = with_phases(
        make_process(phase=Phase.PROPOSALS, advance_by_date=True),
        {Phase.PROPOSALS: (today - timedelta(days=3), today + timedelta(days=3))},
    )
    result = app.test_cli_runner().invoke(args=["phases", "advance"])
    assert result.exit_code == 0, result.output
    assert f"{due.slug}: proposals -> review" in result.output
    assert [reload(p).phase for p in (due, starts_today, manual, running)] == [
        Phase.REVIEW,
        Phase.PROPOSALS,
        Phase.PROPOSALS,
        Phase.PROPOSALS,
    ]
    moves = audit_actions("process.phase_changed")
    assert len(moves) == 2 and all(m.actor_id is None for m in moves)
    assert all(json.loads(m.after)["reason"] == "date" for m in moves)


def test_advance_by_date_catches_up_and_stops_where_voting_cannot_open(app: Flask) -> None:
    today = datetime.now(UTC).date()
    long_ago = today - timedelta(days=100)
    process = with_phases(
        make_process(phase=Phase.PROPOSALS, advance_by_date=True),
        {Phase.PROPOSALS: (long_ago, long_ago), Phase.REVIEW: (long_ago, long_ago)},
    )
    make_budget(process)
    result = app.test_cli_runner().invoke(args=["phases", "advance"])
    assert result.exit_code == 1
    assert "stays in review" in result.output
    process = reload(process)
    assert process.phase is Phase.REVIEW and not process.is_frozen

    project_budget = process.budgets[0]
    make_project(project_budget)
    again = app.test_cli_runner().invoke(args=["phases", "advance"])
    assert again.exit_code == 0, again.output
    process = reload(process)
    assert process.phase is Phase.VOTING and process.is_frozen


def test_duplicate_copies_texts_phases_budgets_and_categories_for_next_year(client: FlaskClient) -> None:
    source = make_process(
        phase=Phase.RESULTS,
        title_da="Borgerbudget Søby 2027",
        title_en="PB Søby 2027",
        advance_by_date=True,
        summary_da="Resumé",
    )
    with_phases(source, {Phase.PROPOSALS: (date(2027, 2, 1), date(2028, 2, 29))})
    budget = make_budget(source, name_da="Nordby", district="Nordby", amount=25_000_000, max_projects=3)
    make_project(budget)
    make_category(source, name_da="Trafik", name_en="Traffic")
    login_admin(client)
    response = client.post(f"/admin/processer/{source.id}/kopier")
    assert response.status_code == 302
    copy = db.session.scalar(select(Process).where(Process.id != source.id))
    assert copy is not None and response.location.endswith(f"/admin/processer/{copy.id}")
    assert (copy.title_da, copy.title_en, copy.slug) == (
        "Borgerbudget Søby 2028",
        "PB Søby 2028",
        "borgerbudget-soeby-2028",
    )
    assert copy.phase is Phase.DRAFT and not copy.is_frozen and not copy.advance_by_date
    assert copy.summary_da == "Resumé"
    proposals = next(row for row in copy.phases if row.phase is Phase.PROPOSALS)
    assert (proposals.starts_on, proposals.ends_on) == (date(2028, 2, 1), date(2029, 2, 28))
    (copied_budget,) = copy.budgets
    assert (
        copied_budget.name_da,
        copied_budget.district,
        copied_budget.amount,
        copied_budget.max_projects,
    ) == (
        "Nordby",
        "Nordby",
        25_000_000,
        3,
    )
    assert [c.name_en for c in copy.categories] == ["Traffic"]
    assert db.session.scalar(select(Project).where(Project.budget_id == copied_budget.id)) is None
    assert count(Category) == 2
    (entry,) = audit_actions("process.duplicated")
    assert entry.target_id == str(copy.id)


def test_frozen_guard_falls_back_to_the_callers_transaction_when_it_holds_the_lock(app: Flask) -> None:
    process = make_process(
        phase=Phase.VOTING, frozen_at=datetime(2027, 5, 16, tzinfo=UTC), rules_digest="cd" * 32
    )
    record_audit(None, "project.moved", ("project", "1"), now=datetime.now(UTC))  # the caller wrote first
    with pytest.raises(NotAllowed):
        services.ensure_ballot_editable(process, None, now=datetime.now(UTC), attempt="project.cost")
    db.session.commit()
    assert [entry.action for entry in audit_actions()] == ["project.moved", "process.freeze_violation"]
    assert verify_chain() == (2, None)
