"""Staff results pages: count after the close, preview a run, publish it with a confirmation."""

from __future__ import annotations

import re

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from pbvote.audit.models import AuditEntry
from pbvote.auth.models import Role
from pbvote.core.types import BallotKind
from pbvote.extensions import db
from pbvote.processes.models import Budget, Phase
from pbvote.results.models import TallyRun
from tests.builders import login, make_user, make_voting_budget
from tests.results.builders import close_voting, make_ballots

PROJECTS = (
    ("P-1", 300_000_00, {"title": "Legeplads i parken"}),
    ("P-2", 250_000_00, {"title": "Cykelsti til skolen"}),
    ("P-3", 100_000_00, {"title": "Bænke ved søen"}),
)


def voted_budget(phase: Phase = Phase.COUNTING) -> Budget:
    budget = make_voting_budget(kind=BallotKind.APPROVAL, projects=PROJECTS, amount=500_000_00)
    make_ballots(budget, [["P-1"], ["P-1", "P-2"], ["P-2", "P-3"], ["P-1", "P-3"], ["P-2"]])
    close_voting(budget.process, phase)
    return budget


def as_role(client: FlaskClient, role: Role) -> object:
    user = make_user(role=role)
    login(client, user)
    return user


def runs() -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(TallyRun)) or 0


def count_url(budget: Budget) -> str:
    return f"/sagsbehandling/resultater/{budget.process.slug}/{budget.id}/optael"


def start_count(client: FlaskClient, budget: Budget, rule: str = "greedy", tie: str = "cost") -> str:
    response = client.post(
        count_url(budget), data={f"b{budget.id}-rule": rule, f"b{budget.id}-tie_break": tie}
    )
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    return response.headers["Location"]


def test_staff_count_preview_and_publish_with_confirmation(app: Flask, client: FlaskClient) -> None:
    budget = voted_budget()
    slug = budget.process.slug
    as_role(client, Role.STAFF)

    listing = client.get("/sagsbehandling/resultater/").get_data(as_text=True)
    assert budget.process.title_da in listing
    page = client.get(f"/sagsbehandling/resultater/{slug}").get_data(as_text=True)
    assert "Tæl stemmerne" in page or "Count the votes" in page
    assert re.search(r'<option selected value="greedy">', page)

    location = start_count(client, budget)
    preview = client.get(location)
    text = preview.get_data(as_text=True)
    assert preview.status_code == 200 and preview.headers["Cache-Control"] == "no-store"
    # P-1 and P-2 have 3 votes each; the cost tie-break takes the cheaper P-2 first, then P-1 no longer fits.
    assert text.index("Cykelsti til skolen") < text.index("Legeplads i parken")
    assert "Method of Equal Shares" in text or "Lige andele" in text or "lige andele" in text.lower()
    run = db.session.scalar(select(TallyRun))
    assert run is not None and run.report_data()["selected"] == ["P-2", "P-3"]

    publish_url = f"/sagsbehandling/resultater/{slug}/optaelling/{run.id}/offentliggoer"
    unconfirmed = client.post(publish_url, data={})
    assert unconfirmed.status_code == 422
    db.session.expire_all()
    assert not db.session.get(TallyRun, run.id).is_published  # type: ignore[union-attr]

    confirmed = client.post(publish_url, data={"confirm": "y"})
    assert confirmed.status_code == 302
    db.session.expire_all()
    assert db.session.get(TallyRun, run.id).is_published  # type: ignore[union-attr]
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "results.published"))
    assert entry is not None and entry.target_id == str(run.id)
    again = client.post(publish_url, data={"confirm": "y"})
    assert again.status_code == 403


def test_the_page_offers_the_budgets_own_rule_and_counts_the_chosen_one(
    app: Flask, client: FlaskClient
) -> None:
    budget = voted_budget()
    as_role(client, Role.ADMIN)
    start_count(client, budget, rule="mes", tie="id")
    run = db.session.scalar(select(TallyRun))
    assert run is not None and (run.rule.value, run.tie_break.value) == ("mes", "id")
    assert run.alternative_data()["rule"] == "greedy"


def test_counting_before_the_close_is_refused_and_writes_nothing(app: Flask, client: FlaskClient) -> None:
    budget = voted_budget(Phase.VOTING)
    as_role(client, Role.STAFF)
    page = client.get(f"/sagsbehandling/resultater/{budget.process.slug}").get_data(as_text=True)
    assert f'action="{count_url(budget)}"' not in page
    response = client.post(
        count_url(budget), data={f"b{budget.id}-rule": "greedy", f"b{budget.id}-tie_break": "cost"}
    )
    assert response.status_code == 403
    assert runs() == 0 and db.session.scalar(select(func.count()).select_from(AuditEntry)) == 0
    listing = client.get("/sagsbehandling/resultater/").get_data(as_text=True)
    assert budget.process.title_da not in listing


def test_a_rule_outside_the_list_is_refused_with_a_message(app: Flask, client: FlaskClient) -> None:
    budget = voted_budget()
    as_role(client, Role.STAFF)
    response = client.post(
        count_url(budget), data={f"b{budget.id}-rule": "borda", f"b{budget.id}-tie_break": "cost"}
    )
    assert response.status_code == 422 and runs() == 0


@pytest.mark.parametrize("method", ["get", "post"])
def test_residents_get_403_and_visitors_must_log_in(app: Flask, client: FlaskClient, method: str) -> None:
    budget = voted_budget()
    slug = budget.process.slug
    urls = ["/sagsbehandling/resultater/", f"/sagsbehandling/resultater/{slug}"]
    if method == "post":
        urls = [count_url(budget)]
    anonymous = getattr(client, method)(urls[0])
    assert anonymous.status_code == 302 and "/konto/log-ind" in anonymous.headers["Location"]
    as_role(client, Role.RESIDENT)
    for url in urls:
        assert getattr(client, method)(url).status_code == 403
    assert runs() == 0


def test_unknown_process_budget_or_run_is_404(app: Flask, client: FlaskClient) -> None:
    budget = voted_budget()
    other = voted_budget()
    as_role(client, Role.STAFF)
    slug = budget.process.slug
    assert client.get("/sagsbehandling/resultater/findes-ikke").status_code == 404
    assert client.post(f"/sagsbehandling/resultater/{slug}/{other.id}/optael").status_code == 404
    start_count(client, other)
    run = db.session.scalar(select(TallyRun))
    assert run is not None
    assert client.get(f"/sagsbehandling/resultater/{slug}/optaelling/{run.id}").status_code == 404


def test_staff_navigation_links_to_the_results_pages(app: Flask, client: FlaskClient) -> None:
    as_role(client, Role.STAFF)
    page = client.get("/").get_data(as_text=True)
    assert 'href="/sagsbehandling/resultater/"' in page
