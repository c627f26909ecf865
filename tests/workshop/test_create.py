"""Starting a workshop in one click: from the Danish or English template, or as a copy of a process."""

from __future__ import annotations

import pytest
from flask import Flask
from sqlalchemy import func, select

from pbvote.audit.models import AuditEntry
from pbvote.auth.models import Role
from pbvote.core.errors import NotAllowed
from pbvote.core.types import BallotKind
from pbvote.db import utcnow
from pbvote.extensions import db
from pbvote.processes.models import Eligibility, Phase, Process
from pbvote.workshop.models import Workshop, WorkshopState
from pbvote.workshop.services import WorkshopError, create_workshop
from tests.builders import login, make_category, make_user, make_voting_budget
from tests.workshop.support import english, staff_client, text


@pytest.mark.parametrize(("template", "title"), [("da", "Egeby"), ("en", "Millbrook")])
def test_create_from_template_makes_a_frozen_open_process_in_the_lobby(
    app: Flask, template: str, title: str
) -> None:
    client = staff_client(app)
    response = client.post("/sagsbehandling/workshops/ny", data={"template": template})
    assert response.status_code == 302
    workshop = db.session.scalar(select(Workshop))
    assert workshop is not None and response.location.endswith(f"/sagsbehandling/workshops/{workshop.id}")
    process = workshop.process
    assert workshop.state is WorkshopState.LOBBY and workshop.template == template
    assert len(workshop.join_code) == 6 and workshop.join_code.isdigit()
    assert process.eligibility is Eligibility.OPEN and process.is_frozen and process.rules_digest
    assert process.phase is Phase.REVIEW  # the booth stays shut until the instructor opens the voting
    [budget] = process.budgets
    assert budget.ballot_kind is BallotKind.KNAPSACK and len(budget.projects) == 12
    assert not budget.completion  # plain Equal Shares: an instant reveal, every step a real round
    assert sum(p.cost for p in budget.projects) > 2 * budget.amount  # choices must hurt
    assert all(p.category is not None for p in budget.projects)
    page = text(client.get(response.location))
    assert title in page and workshop.join_code in page and f"/j/{workshop.join_code}" in page
    assert "Open voting" in page
    actions = db.session.scalars(select(AuditEntry.action)).all()
    assert "workshop.created" in actions and "process.frozen" in actions


def test_create_as_copy_takes_the_first_budget_with_its_projects(app: Flask) -> None:
    source_budget = make_voting_budget(
        projects=(("A", 100_000_00), ("B", 250_000_00, {"exclusion_group": "park"}), ("C", 90_000_00))
    )
    source = source_budget.process
    category = make_category(source, name_da="Natur")
    source_budget.projects[0].category_id = category.id
    db.session.commit()
    client = staff_client(app)
    assert source.title("en") in text(client.get("/sagsbehandling/workshops/"))
    response = client.post("/sagsbehandling/workshops/ny", data={"template": "copy", "source": source.id})
    assert response.status_code == 302
    workshop = db.session.scalar(select(Workshop))
    assert workshop is not None and workshop.template == "copy"
    copy = workshop.process
    assert copy.id != source.id and copy.title_da == f"Workshop: {source.title_da}"
    [budget] = copy.budgets
    assert [(p.code, p.cost) for p in budget.projects] == [(p.code, p.cost) for p in source_budget.projects]
    assert budget.amount == source_budget.amount and budget.projects[1].exclusion_group == "park"
    assert budget.projects[0].category is not None and budget.projects[0].category.name_da == "Natur"
    assert copy.eligibility is Eligibility.OPEN and copy.is_frozen
    assert source_budget.completion and not budget.completion


def test_copy_needs_a_process_and_one_with_projects(app: Flask) -> None:
    client = staff_client(app)
    response = client.post("/sagsbehandling/workshops/ny", data={"template": "copy", "source": 0})
    assert response.status_code == 422 and "Choose the process to copy." in text(response)
    empty = Process(municipality_id=None, slug="tom", title_da="Tom")
    with pytest.raises(WorkshopError):
        create_workshop(None, "da", source=_empty_process(empty), now=utcnow())
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(Workshop)) == 0


def _empty_process(process: Process) -> Process:
    process.budgets = []
    return process


def test_unknown_template_and_tampered_choice_change_nothing(app: Flask) -> None:
    client = staff_client(app)
    response = client.post("/sagsbehandling/workshops/ny", data={"template": "fr"})
    assert response.status_code == 422
    with pytest.raises(WorkshopError):
        create_workshop(None, "fr", now=utcnow())
    assert db.session.scalar(select(func.count()).select_from(Workshop)) == 0


def test_join_codes_are_unique_random_six_digits(app: Flask) -> None:
    codes = {create_workshop(None, "en", now=utcnow()).join_code for _ in range(15)}
    db.session.commit()
    assert len(codes) == 15 and all(len(code) == 6 and code.isdigit() for code in codes)
    assert sorted(codes) != [f"{int(min(codes)) + i:06d}" for i in range(15)]  # not handed out in sequence


def test_only_staff_create_workshops(app: Flask) -> None:
    resident = english(app.test_client())
    login(resident, make_user(role=Role.RESIDENT))
    assert resident.post("/sagsbehandling/workshops/ny", data={"template": "da"}).status_code == 403
    with pytest.raises(NotAllowed):
        create_workshop(make_user(role=Role.RESIDENT), "da", now=utcnow())
    assert db.session.scalar(select(func.count()).select_from(Workshop)) == 0
