"""`pbvote import-pb`: a pabulib file becomes a closed process, and counting it through the database gives
what `pbvote tally` gives on the file, for both rules."""

from __future__ import annotations

import hashlib
import re
from datetime import date
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import func, select

from pbvote.ballots.models import Ballot, BallotLine, Channel, Participation, SurveyResponse
from pbvote.core.pabulib import read_pabulib
from pbvote.core.tally import count_election
from pbvote.core.types import BallotKind, RuleName
from pbvote.db import utcnow
from pbvote.extensions import db
from pbvote.processes.models import Budget, Category, Municipality, Phase, Process
from pbvote.proposals.models import Project
from pbvote.results.services import tally_budget
from tests.builders import make_process
from tests.core.conftest import require_pabulib

HAND_MADE = """META
key;value
description;Borgerbudget Søby 2027
country;Denmark
unit;Søby
district;Nord
instance;2027
num_projects;3
num_votes;5
budget;1000.50
vote_type;cumulative
rule;equalshares/add1
date_begin;01.03.2027
date_end;15.03.2027
max_sum_points;5
currency;DKK
PROJECTS
project_id;cost;name;category
A;600.25;"Legeplads; stor";Leg
B;400;Bænke;Natur,Leg
C;100;;
VOTES
voter_id;vote;points;age;sex;voting_method;neighborhood
v1;A,B;3,2;17;F;internet;Vest
v2;A;5;29;M;paper;Øst
v3;B,C;4,1;62;K;internet;
v4;C;5;;;internet;
v5;A,C;1,4;81;X;paper;Vest
"""

# Completion on: fast enough for every run. Plain MES (no completion) keeps the bigger files quick; the
# biggest are marked slow (make test-long).
COMPLETED = [
    "Poland_Warszawa_2018_Pole_Mokotowskie.pb",
    "Poland_Warszawa_2017_Plac_Wojska_Polskiego.pb",
    "US_Stanford_Dataset_2022_Jersey_City_Ward_B_vote_knapsacks.pb",
    "Netherlands_Assen_2024.pb",
    "Poland_Gdansk_2020_Stogi.pb",
    "Switzerland_Zurich_S5R.pb",
    "Switzerland_Zurich_D10.pb",
    "Switzerland_Zurich_SN.pb",
    "France_Toulouse_2019.pb",
    "US_Stanford_Dataset_PB_Rochester_NY_2019_vote_rankings.pb",
    "Poland_Katowice_2024_Murcki.pb",
    "Poland_Czestochowa_2024_Polnoc.pb",
    "Poland_Gdynia_2021_Maly_Kack__small.pb",
    "Poland_Wieliczka_2023_Green_Budget.pb",
    "Poland_Katowice_2024_Ligota_-_Panewniki.pb",
]
PLAIN = [
    "France_Toulouse_2024.pb",
    "Netherlands_Amsterdam_489.pb",
    "Poland_Krakow_2024_Nowa_Huta.pb",
    "Poland_Warszawa_2019_Ursynow.pb",
]
PLAIN_SLOW = [
    "Hungary_Budapest_2024.pb",
    "Poland_Katowice_2020.pb",
    "Poland_Warszawa_2026.pb",
    "Poland_Krakow_2024.pb",
    "Poland_Wroclaw_2015_150_-_500.pb",
]


def run_import(app: Flask, path: Path, *extra: str) -> tuple[int, str]:
    """Run the command; return its exit code and output."""
    result = app.test_cli_runner().invoke(args=["import-pb", str(path), *extra])
    return result.exit_code, result.output


def imported_budget(app: Flask, path: Path, *extra: str) -> Budget:
    """Import a file and return its budget, from the ids the command prints."""
    code, output = run_import(app, path, *extra)
    assert code == 0, output
    budget_id = int(re.search(r"budget: (\d+)", output).group(1))  # type: ignore[union-attr]
    budget = db.session.get(Budget, budget_id)
    assert budget is not None
    return budget


def count_rows(model: type, *where: object) -> int:
    return db.session.scalar(select(func.count()).select_from(model).where(*where)) or 0


@pytest.fixture
def hand_made(tmp_path: Path) -> Path:
    path = tmp_path / "Søby_2027.pb"
    path.write_text(HAND_MADE, encoding="utf-8")
    return path


def test_import_creates_a_frozen_process_whose_voting_has_closed(app: Flask, hand_made: Path) -> None:
    code, output = run_import(app, hand_made)
    assert code == 0, output
    assert "slug: soeby-2027" in output
    process = db.session.scalar(select(Process).where(Process.slug == "soeby-2027"))
    assert process is not None
    assert process.phase is Phase.COUNTING
    assert process.is_frozen and process.rules_digest
    assert process.title_da == "Borgerbudget Søby 2027"
    assert process.municipality.name == "Søby"
    voting = next(row for row in process.phases if row.phase is Phase.VOTING)
    assert (voting.starts_on, voting.ends_on) == (date(2027, 3, 1), date(2027, 3, 15))
    (budget,) = process.budgets
    assert f"budget: {budget.id}" in output
    assert budget.amount == 1000_50  # a decimal budget, read exactly, in hundredths
    assert budget.ballot_kind is BallotKind.CUMULATIVE and budget.points == 5
    assert budget.rule is RuleName.MES and budget.district == "Nord"
    assert budget.rules_digest
    projects = {project.code: project for project in budget.projects}
    assert projects["A"].cost == 600_25 and projects["B"].cost == 400_00
    assert projects["A"].title == "Legeplads; stor" and projects["C"].title == "C"
    categories = db.session.scalars(select(Category.name_da).where(Category.process_id == process.id)).all()
    assert sorted(categories) == ["Leg", "Natur"]
    assert projects["A"].category is not None and projects["A"].category.name_da == "Leg"


def test_import_stores_ballots_participations_and_survey_answers_apart(app: Flask, hand_made: Path) -> None:
    budget = imported_budget(app, hand_made)
    assert count_rows(Ballot, Ballot.budget_id == budget.id) == 5
    assert count_rows(Participation, Participation.budget_id == budget.id) == 5
    paper = count_rows(Ballot, Ballot.budget_id == budget.id, Ballot.channel == Channel.PAPER)
    assert paper == 2
    ballots = db.session.scalars(select(Ballot).where(Ballot.budget_id == budget.id)).all()
    assert {ballot.cast_on for ballot in ballots} == {date(2027, 3, 15)}
    assert all(re.fullmatch(r"[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}", ballot.receipt) for ballot in ballots)
    assert all(re.fullmatch(r"[0-9a-f]{32}", ballot.id) for ballot in ballots)
    keys = set(db.session.scalars(select(Participation.voter_key)))
    expected = "import:" + hashlib.sha256(b"soeby-2027\x1fv1").hexdigest()
    assert expected in keys and len(keys) == 5
    points = db.session.execute(
        select(Project.code, func.sum(BallotLine.value))
        .join(Project, Project.id == BallotLine.project_id)
        .where(Project.budget_id == budget.id)
        .group_by(Project.code)
    ).all()
    assert dict(points) == {"A": 9, "B": 6, "C": 10}
    answers = db.session.execute(
        select(SurveyResponse.age_band, SurveyResponse.gender, SurveyResponse.district)
    ).all()
    assert sorted(answers, key=str) == sorted(
        [
            ("under_18", "woman", "Vest"),
            ("18_29", "man", "Øst"),
            ("45_64", "woman", None),
            ("80_plus", "other", "Vest"),
        ],
        key=str,
    )


def test_import_uses_the_existing_municipality_and_a_given_slug(app: Flask, hand_made: Path) -> None:
    existing = make_process().municipality
    budget = imported_budget(app, hand_made, "--slug", "soeby-test")
    assert budget.process.slug == "soeby-test"
    assert budget.process.municipality_id == existing.id
    assert count_rows(Municipality) == 1


def test_import_twice_with_the_same_slug_is_refused_and_changes_nothing(app: Flask, hand_made: Path) -> None:
    imported_budget(app, hand_made)
    code, output = run_import(app, hand_made)
    assert code == 1
    assert output.startswith("Error: ") and "soeby-2027" in output  # in the default locale's words
    assert len(output.strip().splitlines()) == 1
    assert count_rows(Process) == 1 and count_rows(Ballot) == 5


def test_import_of_a_malformed_file_names_the_line_and_writes_nothing(app: Flask, tmp_path: Path) -> None:
    broken = tmp_path / "broken.pb"
    broken.write_text(HAND_MADE.replace("v2;A;5;", "v2;Z;5;"), encoding="utf-8")
    code, output = run_import(app, broken)
    assert code == 1
    assert output.startswith("Error: broken.pb: line ") and "Traceback" not in output
    assert len(output.strip().splitlines()) == 1
    assert count_rows(Process) == 0


def test_import_of_a_missing_file_or_one_too_fine_for_hundredths_is_refused(
    app: Flask, tmp_path: Path
) -> None:
    code, output = run_import(app, tmp_path / "nowhere.pb")
    assert code == 1 and "nowhere.pb" in output and "Traceback" not in output
    fine = tmp_path / "fine.pb"
    fine.write_text(HAND_MADE.replace("budget;1000.50", "budget;1000.505"), encoding="utf-8")
    code, output = run_import(app, fine)
    assert code == 1 and len(output.strip().splitlines()) == 1 and "Traceback" not in output
    assert count_rows(Process) == 0


def test_import_maps_vote_types_to_ballot_kinds(app: Flask, hand_made: Path, tmp_path: Path) -> None:
    ranked = tmp_path / "ranked.pb"
    ranked.write_text(
        HAND_MADE.replace("vote_type;cumulative", "vote_type;ordinal")
        .replace("rule;equalshares/add1", "rule;greedy")
        .replace("voter_id;vote;points;", "voter_id;vote;")
        .replace(";3,2;", ";")
        .replace(";5;", ";")
        .replace(";4,1;", ";")
        .replace(";1,4;", ";"),
        encoding="utf-8",
    )
    budget = imported_budget(app, ranked)
    assert budget.ballot_kind is BallotKind.RANKED and budget.max_projects == 2
    assert budget.rule is RuleName.GREEDY
    ranks = db.session.scalars(select(BallotLine.value).order_by(BallotLine.value)).all()
    assert max(ranks) == 2 and ranks.count(1) == 5
    choose = tmp_path / "choose.pb"
    choose.write_text(
        "META\nkey;value\nbudget;10\nvote_type;choose-1\nPROJECTS\nproject_id;cost\na;5\nb;6\n"
        "VOTES\nvoter_id;vote\n1;a\n2;b\n",
        encoding="utf-8",
    )
    budget = imported_budget(app, choose)
    assert budget.ballot_kind is BallotKind.APPROVAL
    assert (budget.min_projects, budget.max_projects) == (1, 1)
    assert budget.amount == 10_00


def assert_db_count_equals_file_count(budget: Budget, path: Path, *, completion: bool) -> None:
    """Count through the database (official rule and the other one) and compare with `pbvote tally`."""
    if not completion:
        budget.rule, budget.completion = RuleName.MES, False
    run = tally_budget(budget, actor=None, now=utcnow())
    counted = {report["rule"]: report for report in (run.report_data(), run.alternative_data())}
    election = read_pabulib(path)
    greedy = count_election(election, rule=RuleName.GREEDY)
    mes = count_election(election, rule=RuleName.MES, completion=completion)
    assert counted["greedy"]["selected"] == list(greedy.selected)
    assert counted["mes" if completion else "mes-plain"]["selected"] == list(mes.selected)
    assert counted["greedy"]["spent"] == greedy.spent * (100 // election.scale)
    assert run.ballots_count == len(election.voters)


@pytest.mark.parametrize("name", COMPLETED)
def test_counting_an_imported_file_equals_tally_on_the_file(app: Flask, name: str) -> None:
    path = require_pabulib() / name
    assert_db_count_equals_file_count(imported_budget(app, path), path, completion=True)


@pytest.mark.parametrize("name", PLAIN)
def test_counting_a_big_imported_file_equals_tally_on_the_file(app: Flask, name: str) -> None:
    path = require_pabulib() / name
    assert_db_count_equals_file_count(imported_budget(app, path), path, completion=False)


@pytest.mark.slow
@pytest.mark.parametrize("name", PLAIN_SLOW)
def test_counting_a_huge_imported_file_equals_tally_on_the_file(app: Flask, name: str) -> None:
    path = require_pabulib() / name
    assert_db_count_equals_file_count(imported_budget(app, path), path, completion=False)
