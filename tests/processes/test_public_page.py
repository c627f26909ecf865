"""The public process page: rules in plain Danish, the timeline, budgets, categories; drafts hidden."""

from __future__ import annotations

import re
from datetime import date

from flask.testing import FlaskClient

from pbvote.core.types import BallotKind, RuleName
from pbvote.extensions import db
from pbvote.processes.models import Phase, ProcessPhase
from tests.builders import login, make_budget, make_category, make_process, make_user
from tests.processes.support import login_admin


def test_public_page_states_each_budgets_rules_in_danish(client: FlaskClient) -> None:
    process = make_process(phase=Phase.PROPOSALS)
    make_budget(process, name_da="Hele byen", amount=50_000_000, ballot_kind=BallotKind.KNAPSACK, position=0)
    make_budget(
        process,
        name_da="Nordby",
        district="Nordby",
        amount=20_000_000,
        ballot_kind=BallotKind.APPROVAL,
        max_projects=5,
        rule=RuleName.MES,
        position=1,
    )
    make_budget(
        process, name_da="Point", amount=1_000_000, ballot_kind=BallotKind.CUMULATIVE, points=10, position=2
    )
    make_budget(
        process, name_da="Rang", amount=1_000_000, ballot_kind=BallotKind.RANKED, max_projects=5, position=3
    )
    make_category(process, name_da="Natur og miljø")
    page = client.get(f"/processer/{process.slug}").get_data(as_text=True)
    assert "Du kan vælge projekter for op til 500.000\xa0kr." in page
    assert "Du kan vælge op til 5 projekter." in page
    assert "Du har 10 point at fordele mellem projekterne." in page
    assert "Du kan rangere op til 5 projekter." in page
    assert "De projekter med flest stemmer vinder, så længe der er penge." in page
    assert "Puljen deles ligeligt mellem alle, der stemmer" in page
    assert "200.000\xa0kr." in page and "Natur og miljø" in page
    assert "Fingeraftryk" not in page  # not frozen yet


def test_public_page_timeline_marks_the_current_phase_in_words(client: FlaskClient) -> None:
    process = make_process(phase=Phase.REVIEW)
    for position, phase in enumerate(Phase):
        db.session.add(ProcessPhase(process=process, phase=phase, position=position))
    review = db.session.query(ProcessPhase).filter_by(process_id=process.id, phase=Phase.REVIEW).one()
    review.starts_on, review.ends_on, review.text_da = (
        date(2027, 4, 1),
        date(2027, 5, 15),
        "Vi regner på det.",
    )
    db.session.commit()
    page = client.get(f"/processer/{process.slug}").get_data(as_text=True)
    current = re.search(r'<li class="timeline-step is-current" aria-current="step">(.*?)</li>', page, re.S)
    assert current is not None
    assert "Vurdering" in current.group(1) and "(nu)" in current.group(1)
    assert "Vi regner på det." in current.group(1) and "2027" in current.group(1)
    assert page.count("(afsluttet)") == 2  # draft and proposals
    assert page.count('aria-current="step"') == 1
    assert "Borgerne stemmer på de projekter, de ønsker." in page  # a phase without its own text


def test_draft_process_is_hidden_from_the_public_but_shown_to_admins(client: FlaskClient) -> None:
    process = make_process(phase=Phase.DRAFT)
    assert client.get(f"/processer/{process.slug}").status_code == 404
    login(client, make_user())
    assert client.get(f"/processer/{process.slug}").status_code == 404
    login_admin(client)
    page = client.get(f"/processer/{process.slug}")
    assert page.status_code == 200
    assert "Borgerbudgettet er en kladde." in page.get_data(as_text=True)


def test_public_page_renders_the_description_as_safe_markdown(client: FlaskClient) -> None:
    process = make_process(description_da="Læs **reglerne**.\n\n<script>alert(1)</script>")
    page = client.get(f"/processer/{process.slug}").get_data(as_text=True)
    assert "<strong>reglerne</strong>" in page
    assert "<script>alert" not in page


def test_unknown_process_is_not_found(client: FlaskClient) -> None:
    assert client.get("/processer/findes-ikke").status_code == 404
