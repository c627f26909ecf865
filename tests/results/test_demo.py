"""The finished demo process: counted by Equal Shares, published, explained and being built."""

from __future__ import annotations

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from pbvote.ballots.models import Ballot, Participation
from pbvote.core.types import RuleName
from pbvote.demo import seed_demo
from pbvote.extensions import db
from pbvote.implementation.models import ProgressPhoto, ProjectProgress
from pbvote.processes.models import Phase, Process
from pbvote.results.demo_data import FINISHED_SLUG, VOTERS
from pbvote.results.queries import published_run


def finished() -> Process:
    seed_demo()
    db.session.commit()
    process = db.session.scalar(select(Process).where(Process.slug == FINISHED_SLUG))
    assert process is not None
    return process


def test_demo_has_a_finished_process_with_a_published_equal_shares_result(app: Flask) -> None:
    process = finished()
    assert process.phase is Phase.IMPLEMENTATION and process.is_frozen
    budget = process.budgets[0]
    run = published_run(budget.id)
    assert run is not None and run.rule is RuleName.MES and run.ballots_count == VOTERS
    report, other = run.report_data(), run.alternative_data()
    assert report["spent"] <= budget.amount
    assert set(report["selected"]) != set(other["selected"])  # the two rules disagree: worth a look
    ballots = db.session.scalar(select(func.count()).select_from(Ballot).where(Ballot.budget_id == budget.id))
    voted = db.session.scalar(
        select(func.count()).select_from(Participation).where(Participation.budget_id == budget.id)
    )
    assert ballots == voted == VOTERS


def test_demo_winners_have_progress_and_a_photo(app: Flask) -> None:
    finished()
    assert db.session.scalar(select(func.count()).select_from(ProjectProgress)) >= 4
    assert db.session.scalar(select(func.count()).select_from(ProgressPhoto)) == 1


def test_demo_result_implementation_and_representation_pages_are_public(client: FlaskClient) -> None:
    process = finished()
    budget_id = process.budgets[0].id
    for url in (
        f"/resultater/{FINISHED_SLUG}",
        f"/resultater/{FINISHED_SLUG}/{budget_id}",
        f"/resultater/{FINISHED_SLUG}/{budget_id}/data.csv",
        f"/resultater/{FINISHED_SLUG}/repraesentation",
        f"/udfoerelse/{FINISHED_SLUG}",
    ):
        assert client.get(url).status_code == 200, url
    page = client.get(f"/resultater/{FINISHED_SLUG}/{budget_id}").get_data(as_text=True)
    assert "Bænke og skygge i Byparken" in page and "Nyt tag på Nordby Hallen" in page
