"""Open data of a published result: CSV and Excel for spreadsheets, the anonymous ballots as pabulib that
pabutools recounts to the published winners, and a printable summary; nothing before publication."""

from __future__ import annotations

import csv
import io
import re
from datetime import date
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from openpyxl import load_workbook
from pabutools.election import Cost_Sat, parse_pabulib
from pabutools.rules import exhaustion_by_budget_increase, greedy_utilitarian_welfare, method_of_equal_shares

import pbvote
from pbvote.auth.models import Role
from pbvote.ballots.models import Channel
from pbvote.core.pabulib import parse_pabulib_bytes
from pbvote.core.tally import count_election
from pbvote.core.types import BallotKind, RuleName, TieBreak
from pbvote.db import utcnow
from pbvote.extensions import db
from pbvote.processes.models import Budget, Phase
from pbvote.results.models import TallyRun
from pbvote.results.services import publish_run, tally_budget
from tests.builders import login, make_user, make_voting_budget
from tests.core.conftest import require_pabulib
from tests.core.test_reference_greedy import PointsTimesCostSat
from tests.results.builders import make_ballots
from tests.results.test_import import imported_budget

PROJECTS = (
    ("A", 100_000_00, {"title": '=HYPERLINK("http://evil.example","klik")'}),
    ("B", 120_000_50, {"title": "Bænke; ved åen"}),
    ("C", 90_000_00, {"title": "+45 cykelstier"}),
    ("D", 80_000_00, {"title": "@dyrehave"}),
    ("E", 50_000_00, {"title": "-1 bogkasse"}),
)
EXPORTS = ("data.csv", "data.xlsx", "stemmer.pb", "resume")


def counted(*, publish: bool = True, tie_break: TieBreak = TieBreak.COST) -> tuple[Budget, TallyRun]:
    """An approval budget of 300.000 kr.: A 40 votes, B 30, C 20, D 10 (5 on paper), E 5.

    Greedy takes A and B (79.999,50 kr. left), skips C and D (did not fit) and takes E.
    """
    budget = make_voting_budget(
        kind=BallotKind.APPROVAL, projects=PROJECTS, amount=300_000_00, name_da="Hele Søby"
    )
    make_ballots(
        budget, [["A", "B"]] * 25 + [["A", "C"]] * 15 + [["B", "C", "E"]] * 5, cast_on=date(2027, 5, 3)
    )
    make_ballots(budget, [["D"]] * 5 + [[]] * 2, cast_on=date(2027, 5, 4))
    make_ballots(budget, [["D"]] * 5, channel=Channel.PAPER, cast_on=date(2027, 5, 4))
    return close_and_count(budget, publish=publish, tie_break=tie_break)


def close_and_count(
    budget: Budget, *, publish: bool = True, tie_break: TieBreak = TieBreak.COST
) -> tuple[Budget, TallyRun]:
    budget.process.phase = Phase.COUNTING
    db.session.commit()
    run = tally_budget(budget, actor=None, tie_break=tie_break, now=utcnow())
    if publish:
        publish_run(run, actor=None, now=utcnow())
    db.session.commit()
    return budget, run


def address(budget: Budget, what: str) -> str:
    return f"/resultater/{budget.process.slug}/{budget.id}/{what}"


def download(client: FlaskClient, budget: Budget, what: str) -> bytes:
    response = client.get(address(budget, what))
    assert response.status_code == 200, response.data[:300]
    return response.data


@pytest.mark.parametrize("role", [None, Role.RESIDENT, Role.STAFF, Role.ADMIN])
def test_exports_are_not_found_before_publication_for_every_role(
    client: FlaskClient, role: Role | None
) -> None:
    budget, run = counted(publish=False)
    if role is not None:
        login(client, make_user(role=role))
    for what in EXPORTS:
        assert client.get(address(budget, what)).status_code == 404, what
    publish_run(db.session.merge(run), actor=None, now=utcnow())
    db.session.commit()
    for what in EXPORTS:
        assert client.get(address(budget, what)).status_code == 200, what


def test_exports_of_an_unknown_budget_or_process_are_not_found(client: FlaskClient) -> None:
    budget, _run = counted()
    assert client.get(f"/resultater/{budget.process.slug}/{budget.id + 1}/data.csv").status_code == 404
    assert client.get(f"/resultater/ingen-proces/{budget.id}/data.csv").status_code == 404


def test_csv_opens_in_danish_excel_and_runs_no_formula(client: FlaskClient) -> None:
    budget, run = counted()
    data = download(client, budget, "data.csv")
    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig")), delimiter=";"))
    assert len(rows) == 1 + len(PROJECTS) and all(len(row) == len(rows[0]) for row in rows)
    by_code = {row[1]: row for row in rows[1:]}
    assert by_code["A"][2] == '\'=HYPERLINK("http://evil.example","klik")'
    assert by_code["C"][2] == "'+45 cykelstier"
    assert by_code["D"][2] == "'@dyrehave"
    assert by_code["E"][2] == "'-1 bogkasse"
    assert by_code["B"][2] == "Bænke; ved åen"
    assert by_code["B"][3] == "120000,50" and by_code["A"][3] == "100000,00"
    assert [row[1] for row in rows[1:]] == [row["code"] for row in run.report_data()["rows"]]
    assert by_code["A"][4] == "40" and by_code["D"][4] == "10"
    assert by_code["A"][8] == "200000,00"  # money left after A in table order
    assert {code: row[9] for code, row in by_code.items()}["C"] == "did_not_fit"
    response = client.get(address(budget, "data.csv"))
    assert response.mimetype == "text/csv" and "attachment" in response.headers["Content-Disposition"]


def test_xlsx_opens_with_openpyxl_and_keeps_text_as_text(client: FlaskClient) -> None:
    budget, _run = counted()
    book = load_workbook(io.BytesIO(download(client, budget, "data.xlsx")))
    sheet = book.active
    rows = list(sheet.iter_rows(min_row=2))
    by_code = {row[1].value: row for row in rows}
    title = by_code["A"][2]
    assert title.value == '=HYPERLINK("http://evil.example","klik")' and title.data_type == "s"
    assert by_code["B"][3].value == pytest.approx(120000.5) and by_code["B"][3].data_type == "n"
    assert by_code["A"][4].value == 40


def recount_with_pabutools(text: str, tmp_path: Path, rule: str) -> set[str]:
    """Parse the export with pabutools from a file and count it as the published rule does."""
    path = tmp_path / "stemmer.pb"
    path.write_text(text, encoding="utf-8")
    instance, profile = parse_pabulib(str(path))
    if rule == "greedy":
        sat = PointsTimesCostSat if instance.meta["vote_type"] == "cumulative" else Cost_Sat
        return {project.name for project in greedy_utilitarian_welfare(instance, profile, sat_class=sat)}
    raised = exhaustion_by_budget_increase(
        instance,
        profile,
        method_of_equal_shares,
        {"sat_class": Cost_Sat},
        budget_step=profile.num_ballots(),
        exhaustive_stop=False,
    )
    filled = greedy_utilitarian_welfare(
        instance, profile, sat_class=Cost_Sat, initial_budget_allocation=raised
    )
    return {project.name for project in filled}


def test_pb_export_is_anonymous_and_recounts_to_the_published_winners(
    client: FlaskClient, tmp_path: Path
) -> None:
    budget, run = counted(tie_break=TieBreak.ID)
    text = download(client, budget, "stemmer.pb").decode("utf-8")
    election = parse_pabulib_bytes(text.encode("utf-8"))
    assert election.vote_columns == ("voter_id", "vote")
    assert sorted(int(voter.id) for voter in election.voters) == list(range(1, 58))
    assert election.meta["num_votes"] == "57" and election.meta["vote_type"] == "approval"
    assert election.meta["rule"] == "greedy" and election.meta["currency"] == "DKK"
    assert election.scale == 100 and election.budget == 300_000_00  # B's cost has øre, so all amounts do
    assert {voter.ballot.projects for voter in election.voters if not voter.ballot.projects} == {()}
    assert not re.search(r"\d{4}-\d{2}-\d{2}|[0-9a-f]{32}", text.split("VOTES", 1)[1])
    published = run.report_data()["selected"]
    assert {p.id: p.fields["selected"] for p in election.projects} == {
        code: "1" if code in published else "0" for code, *_rest in PROJECTS
    }
    recount = count_election(election, rule=RuleName.GREEDY, tie_break=TieBreak.ID)
    assert list(recount.selected) == published
    assert recount_with_pabutools(text, tmp_path, "greedy") == set(published)


@pytest.mark.parametrize(
    ("name", "rule"),
    [
        ("Netherlands_Assen_2024.pb", "mes"),
        pytest.param(
            "Poland_Wieliczka_2023_Green_Budget.pb", "mes", marks=pytest.mark.slow
        ),  # pabutools: 90 s
        ("Poland_Gdansk_2020_Stogi.pb", "greedy"),
        ("Poland_Warszawa_2017_Plac_Wojska_Polskiego.pb", "greedy"),
    ],
)
def test_pb_export_of_an_imported_file_recounts_with_pabutools(
    app: Flask, client: FlaskClient, tmp_path: Path, name: str, rule: str
) -> None:
    path = require_pabulib() / name
    if name.startswith("Poland_Wieliczka") and db.engine.dialect.name != "sqlite":
        pytest.skip("pabutools takes minutes here, and the export is the same on every backend")
    budget, run = close_and_count(imported_budget(app, path), tie_break=TieBreak.ID)
    assert run.rule == RuleName(rule)
    text = download(client, budget, "stemmer.pb").decode("utf-8")
    original = parse_pabulib_bytes(path.read_bytes())
    again = parse_pabulib_bytes(text.encode("utf-8"))
    assert again.scale == 1 and again.budget == original.budget
    assert sorted(again.profile().counts) == sorted(original.profile().counts)
    assert recount_with_pabutools(text, tmp_path, rule) == set(run.report_data()["selected"])


def test_pb_export_keeps_decimal_amounts_exact(app: Flask, client: FlaskClient) -> None:
    path = require_pabulib() / "Poland_Krakow_2024_Nowa_Huta.pb"
    budget, run = close_and_count(imported_budget(app, path))
    again = parse_pabulib_bytes(download(client, budget, "stemmer.pb"))
    assert again.meta["budget"] == "3009585.74" and again.vote_type == "ordinal"
    assert list(count_election(again, rule=RuleName.GREEDY).selected) == run.report_data()["selected"]


def test_export_pb_command_writes_the_same_anonymous_file(app: Flask, tmp_path: Path) -> None:
    budget, run = counted()
    target = tmp_path / "out.pb"
    runner = app.test_cli_runner()
    result = runner.invoke(args=["export-pb", budget.process.slug, str(budget.id), "-o", str(target)])
    assert result.exit_code == 0, result.output
    election = parse_pabulib_bytes(target.read_bytes())
    assert len(election.voters) == 57 and election.meta["rule"] == "greedy"
    assert list(count_election(election, rule=RuleName.GREEDY).selected) == run.report_data()["selected"]
    missing = runner.invoke(args=["export-pb", "ingen-proces", str(budget.id)])
    assert missing.exit_code == 1 and "ingen-proces" in missing.output


def test_summary_page_shows_winners_money_turnout_and_digests(client: FlaskClient) -> None:
    budget, run = counted()
    page = download(client, budget, "resume").decode("utf-8")
    assert "Hele Søby" in page
    winners = page.split("<table", 1)[1].split("</table>", 1)[0]
    assert "Bænke; ved åen" in winners and "-1 bogkasse" in winners
    assert "+45 cykelstier" not in winners and "@dyrehave" not in winners
    assert run.ballots_digest in page and (run.rules_digest or "–") in page
    assert "57" in page
    assert "stemmer.pb" in page
    css = (Path(pbvote.__file__).parent / "static" / "css" / "pbvote.css").read_text("utf-8")
    assert ".result-summary" in css.split("@media print", 3)[-1]
