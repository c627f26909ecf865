"""Public result pages: counted through the database, read from the stored run, hidden until published."""

from __future__ import annotations

import html
import json
import re
from datetime import date

import pytest
from flask.testing import FlaskClient

from pbvote.auth.models import Role
from pbvote.ballots.models import Channel
from pbvote.core.types import BallotKind, RuleName
from pbvote.db import utcnow
from pbvote.extensions import db
from pbvote.processes.models import Budget, Phase, Process
from pbvote.results.services import publish_run, tally_budget
from tests.builders import login, make_process, make_user, make_voting_budget
from tests.results.builders import make_ballots

PROJECTS = (
    ("A", 100_000_00, {"title": "Legeplads i parken"}),
    ("B", 100_000_00, {"title": "Bænke ved åen"}),
    ("C", 100_000_00, {"title": "Cykelsti til skolen"}),
    ("D", 100_000_00, {"title": "Dyrehave"}),
    ("E", 50_000_00, {"title": "En ny bogkasse"}),
)


def counted_budget(
    *,
    rule: RuleName = RuleName.GREEDY,
    publish: bool = True,
    process: Process | None = None,
    name: str = "Hele byen",
    completion: bool = True,
) -> Budget:
    """A bloc of 1,204 voters wants A, B and C; 800 others want D (10 of them E too).

    Greedy takes A, B, C (1,204 votes each), skips D (800 votes, 50.000 kr. left) and takes E below the
    funding line; Equal Shares gives the 800 their share: A, B, D, then E in the fill.
    """
    budget = make_voting_budget(
        kind=BallotKind.APPROVAL,
        projects=PROJECTS,
        process=process,
        amount=350_000_00,
        rule=rule,
        completion=completion,
        population=20_000,
        name_da=name,
        name_en=name + " (en)",
    )
    make_ballots(budget, [["A", "B", "C"]] * 704, cast_on=date(2027, 5, 3))
    make_ballots(budget, [["A", "B", "C"]] * 500, cast_on=date(2027, 5, 4))
    make_ballots(budget, [["D"]] * 490 + [["D", "E"]] * 10, cast_on=date(2027, 5, 4))
    make_ballots(budget, [["D"]] * 300, channel=Channel.PAPER, cast_on=date(2027, 5, 5))
    budget.process.phase = Phase.COUNTING
    db.session.commit()
    run = tally_budget(budget, actor=None, now=utcnow())
    if publish:
        publish_run(run, actor=None, now=utcnow())
    db.session.commit()
    return budget


def url(budget: Budget) -> str:
    return f"/resultater/{budget.process.slug}/{budget.id}"


def text_of(page: str) -> str:
    """The page's visible text on one line, entities decoded."""
    return re.sub(r"[ \t\r\n]+", " ", html.unescape(re.sub(r"<[^>]+>", " ", page)))


def rows_of(page: str) -> list[str]:
    """The results table's body rows, as text, funding line included."""
    body = re.search(r'<table class="data-table results-table">.*?<tbody>(.*?)</tbody>', page, re.S)
    assert body is not None
    return [text_of(row).strip() for row in re.findall(r"<tr.*?</tr>", body.group(1), re.S)]


def test_budget_page_shows_winners_funding_line_and_why_in_danish(client: FlaskClient) -> None:
    budget = counted_budget()
    response = client.get(url(budget))
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    rows = rows_of(page)
    assert [row.split(" ")[0] for row in rows] == ["1", "2", "3", "Finansieringslinje:", "4", "5"]
    assert rows[0].startswith("1 Legeplads i parken ✓ Vandt 1.204 100.000\xa0kr. 250.000\xa0kr.")
    assert "Vandt: 1.204 stemmer, plads i budgettet" in rows[0]
    assert rows[2].startswith("3 Cykelsti til skolen ✓ Vandt") and "50.000\xa0kr." in rows[2]
    assert rows[4].startswith("4 Dyrehave Ikke valgt 800 100.000\xa0kr.")
    assert (
        "Ikke valgt: 800 stemmer, men det koster 100.000\xa0kr., og der var kun 50.000\xa0kr. tilbage"
        in rows[4]
    )
    assert rows[5].startswith("5 En ny bogkasse ✓ Vandt 10 50.000\xa0kr. 0\xa0kr.")
    summary = text_of(page)
    assert "Projekter der vandt 4" in summary
    assert "Brugt 350.000\xa0kr. af 350.000\xa0kr." in summary
    assert "Vælgere 2.004 10,0\xa0% af befolkningen" in summary
    assert "1.704 online, 300 på papir" in summary
    assert f'href="/processer/{budget.process.slug}#budgets-title"' in page  # how the votes are counted


def test_budget_page_in_english_formats_numbers_the_english_way(client: FlaskClient) -> None:
    budget = counted_budget()
    client.set_cookie("pbvote_lang", "en")
    page = client.get(url(budget)).get_data(as_text=True)
    rows = rows_of(page)
    assert "Won: 1,204 votes, fitted in the budget" in rows[0]
    assert rows[3].startswith("Funding line:")
    assert "Not chosen: 800 votes, but it costs DKK\xa0100,000 and only DKK\xa050,000 was left" in rows[4]
    assert "Won: 10 votes, fitted in the budget" in rows[5]
    assert "Voters 2,004 10.0% of the population" in text_of(page)


def test_equal_shares_page_says_whose_share_ran_out(client: FlaskClient) -> None:
    budget = counted_budget(rule=RuleName.MES, completion=False)
    page = client.get(url(budget)).get_data(as_text=True)
    rows = rows_of(page)
    assert "Finansieringslinje:" not in " ".join(rows)  # Equal Shares has no funding line
    assert "Vandt i runde 1: 1.204 vælgere der støttede det, delte prisen" in rows[0]
    assert rows[2].startswith("3 Cykelsti til skolen Ikke valgt 1.204 100.000")
    assert "Ikke valgt: de 1.204 vælgere der støttede det havde brugt deres andel" in rows[2]
    assert rows[3].startswith("4 Dyrehave ✓ Vandt 800 100.000") and "Vandt i runde 3: 800 vælgere" in rows[3]
    assert "Ikke valgt: de 10 vælgere der støttede det havde brugt deres andel" in rows[4]
    client.set_cookie("pbvote_lang", "en")
    rows = rows_of(client.get(url(budget)).get_data(as_text=True))
    assert "Not chosen: the 1,204 voters who supported it had spent their share" in rows[2]
    assert "Won in round 3: 800 voters who supported it shared the cost" in rows[3]


def test_equal_shares_completion_fills_the_money_left_by_votes(client: FlaskClient) -> None:
    budget = counted_budget(rule=RuleName.MES)
    rows = rows_of(client.get(url(budget)).get_data(as_text=True))
    assert rows[2].startswith("3 Cykelsti til skolen Ikke valgt 1.204")
    assert rows[4].startswith("5 En ny bogkasse ✓ Vandt 10 50.000")
    assert (
        "Vandt, da de resterende penge blev fordelt efter stemmer: 10 stemmer, "
        "og der var plads i de 50.000\xa0kr. der var tilbage" in rows[4]
    )


def test_greedy_and_equal_shares_side_by_side_say_what_would_change(client: FlaskClient) -> None:
    budget = counted_budget()
    client.set_cookie("pbvote_lang", "en")
    page = client.get(url(budget)).get_data(as_text=True)
    section = re.search(
        r'<section aria-labelledby="compare-title">(.*?)<section aria-labelledby="about', page, re.S
    )
    assert section is not None
    compare = text_of(section.group(1))
    assert "Greedy and Equal Shares side by side" in compare
    assert "Most votes first (greedy) Official" in compare and "Method of Equal Shares" in compare
    assert "With Method of Equal Shares these projects would also win: Dyrehave" in compare
    assert "With Method of Equal Shares these projects would not win: Cykelsti til skolen" in compare
    # satisfaction: greedy gives a winner to the 1,204 and the 10 (1,214 of 2,004); Equal Shares to all
    assert "Voters with at least one winning project 60.6%" in compare
    assert "Voters with at least one winning project 100.0%" in compare


def test_process_page_has_a_tab_per_published_budget(client: FlaskClient) -> None:
    first = counted_budget(name="Nordby")
    second = counted_budget(process=first.process, name="Sydhavn")
    hidden = counted_budget(process=first.process, name="Midtby", publish=False)
    page = client.get(f"/resultater/{first.process.slug}").get_data(as_text=True)
    tabs = re.search(r'<nav class="result-tabs"[^>]*>(.*?)</nav>', page, re.S)
    assert tabs is not None
    assert re.findall(r">([^<>]+)</a>", tabs.group(1)) == ["Nordby", "Sydhavn"]
    assert url(first) in tabs.group(1) and url(second) in tabs.group(1)
    budget_page = client.get(url(second)).get_data(as_text=True)
    assert re.search(rf'href="{url(second)}"\s*aria-current="page">Sydhavn<', budget_page)
    assert client.get(url(hidden)).status_code == 404


def test_results_index_lists_processes_with_published_results_only(client: FlaskClient) -> None:
    shown = counted_budget()
    unpublished = counted_budget(publish=False)
    page = client.get("/resultater/").get_data(as_text=True)
    assert f'href="/resultater/{shown.process.slug}"' in page
    assert f"/resultater/{unpublished.process.slug}" not in page


def charts_of(page: str) -> dict:
    script = re.search(r'<script type="application/json" id="results-charts">(.*?)</script>', page, re.S)
    assert script is not None
    return json.loads(script.group(1))


def test_charts_are_embedded_as_valid_figure_json(client: FlaskClient) -> None:
    budget = counted_budget()
    page = client.get(url(budget)).get_data(as_text=True)
    payload = charts_of(page)
    figures = payload["figures"]
    assert set(figures) == {"votes", "budget", "turnout"}
    won, lost, cost = figures["votes"]["data"]
    assert won["x"] == [1, 2, 3, 5] and won["y"] == [1204, 1204, 1204, 10]
    assert lost["x"] == [4] and lost["y"] == [800]
    assert cost["y"] == [100_000, 100_000, 100_000, 100_000, 50_000]  # whole kroner
    assert figures["votes"]["layout"]["shapes"][0]["x0"] == 3.5  # the funding line, between rows 3 and 4
    assert figures["votes"]["layout"]["separators"] == ",."
    spent, left = figures["budget"]["data"]
    assert spent["x"] == [350_000] and left["x"] == [0]
    online, paper = figures["turnout"]["data"]
    assert online["x"] == ["2027-05-03", "2027-05-04", "2027-05-05"]
    assert online["y"] == [704, 1000, 0] and paper["y"] == [0, 0, 300]
    for name in ("plotly.min.js", "results.js"):
        assert f'src="/static/{"vendor" if name.startswith("plotly") else "js"}/{name}"' in page


def test_plotly_style_sheet_is_allowed_by_nonce_on_the_budget_page_only(client: FlaskClient) -> None:
    budget = counted_budget()
    response = client.get(url(budget))
    nonce = re.search(
        r'<style id="plotly.js-style-global" nonce="([^"]+)"></style>', response.get_data(as_text=True)
    )
    assert nonce is not None
    assert f"style-src 'self' 'nonce-{nonce.group(1)}'" in response.headers["Content-Security-Policy"]
    other = client.get(f"/resultater/{budget.process.slug}")
    assert "style-src 'self';" in other.headers["Content-Security-Policy"]


def test_result_pages_carry_open_graph_previews(client: FlaskClient) -> None:
    budget = counted_budget()
    client.set_cookie("pbvote_lang", "en")
    for path in ("/resultater/", f"/resultater/{budget.process.slug}", url(budget)):
        page = client.get(path).get_data(as_text=True)
        tags = dict(re.findall(r'<meta property="og:([a-z:_]+)" content="([^"]*)">', page))
        assert tags["image"] == "http://localhost/static/img/og-results.png", path
        assert tags["title"] and tags["description"], path
        assert tags["url"] == "http://localhost" + path
    tags = dict(re.findall(r'<meta property="og:([a-z:_]+)" content="([^"]*)">', page))
    assert (
        html.unescape(tags["description"])
        == "4 projects won. DKK\xa0350,000 of DKK\xa0350,000 is spent. 2,004 voted."
    )


@pytest.mark.parametrize("role", [None, Role.RESIDENT, Role.STAFF, Role.ADMIN])
def test_nothing_is_shown_before_publication_to_anyone(client: FlaskClient, role: Role | None) -> None:
    budget = counted_budget(publish=False)
    if role is not None:
        login(client, make_user(role=role))
    for path in (url(budget), f"/resultater/{budget.process.slug}"):
        assert client.get(path).status_code == 404, (role, path)
    assert budget.process.slug not in client.get("/resultater/").get_data(as_text=True)


@pytest.mark.parametrize("role", [None, Role.STAFF, Role.ADMIN])
def test_a_published_run_is_hidden_again_if_voting_reopens(client: FlaskClient, role: Role | None) -> None:
    budget = counted_budget()
    budget.process.phase = Phase.VOTING
    db.session.commit()
    if role is not None:
        login(client, make_user(role=role))
    assert client.get(url(budget)).status_code == 404
    assert client.get(f"/resultater/{budget.process.slug}").status_code == 404


def test_unknown_process_or_budget_of_another_process_is_404(client: FlaskClient) -> None:
    budget = counted_budget()
    other = counted_budget()
    assert client.get("/resultater/findes-ikke").status_code == 404
    assert client.get(f"/resultater/{budget.process.slug}/{other.id}").status_code == 404
    assert client.get(f"/resultater/{budget.process.slug}/999999").status_code == 404
    assert client.get(f"/resultater/{budget.process.slug}/abc").status_code == 404


def test_draft_process_without_runs_is_404(client: FlaskClient) -> None:
    process = make_process(phase=Phase.DRAFT)
    assert client.get(f"/resultater/{process.slug}").status_code == 404
