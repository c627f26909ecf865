"""`pbvote tally FILE.pb` counts a pabulib file with no database or configuration."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from pbvote.cli import make_cli

SMALL_ELECTION = """META
key;value
description;A hand-made election
country;Denmark
unit;Søby
instance;2027
num_projects;4
num_votes;5
budget;100
vote_type;approval
rule;greedy
date_begin;2027-01-01
date_end;2027-01-31
PROJECTS
project_id;cost;name
a;60;Legeplads
b;50;Cykelsti
c;40;Bænke
d;10;Belysning
VOTES
voter_id;vote
1;a,d
2;a,b
3;a,c
4;b,c
5;b
"""


@pytest.fixture
def election_file(tmp_path: Path) -> Path:
    path = tmp_path / "soeby.pb"
    path.write_text(SMALL_ELECTION, encoding="utf-8")
    return path


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(make_cli(), ["tally", *args], catch_exceptions=False, env={"PBVOTE_ENV": ""})
    return result.exit_code, result.output


def test_tally_greedy_prints_winners_spent_and_time(election_file: Path) -> None:
    code, output = run(str(election_file), "--rule", "greedy")
    assert code == 0, output
    # a and b tie on 3 votes; the default tie-break funds the cheaper b first, then a no longer fits
    assert "selected (3): b c d" in output
    assert "spent: 100 of 100" in output
    assert "ties: 1" in output
    assert "time:" in output


def test_tally_tie_break_by_id_changes_the_winners(election_file: Path) -> None:
    code, output = run(str(election_file), "--rule", "greedy", "--tie-break", "id")
    assert code == 0, output
    assert "selected (2): a c" in output


def test_tally_json_has_the_documented_keys(election_file: Path) -> None:
    code, output = run(str(election_file), "--rule", "greedy", "--tie-break", "id", "--json")
    assert code == 0, output
    data = json.loads(output)
    assert set(data) >= {"rule", "budget", "spent", "selected", "ties"}
    assert data["budget"] == 100
    assert data["spent"] <= 100


def test_tally_mes_runs_with_and_without_completion(election_file: Path) -> None:
    for extra in ([], ["--no-completion"]):
        code, output = run(str(election_file), "--rule", "mes", "--json", *extra)
        assert code == 0, output
        assert json.loads(output)["spent"] <= 100


def test_tally_malformed_file_gives_one_line_error_with_line_number(tmp_path: Path) -> None:
    broken = tmp_path / "broken.pb"
    broken.write_text(SMALL_ELECTION.replace("c;40;Bænke", "c;forty;Bænke"), encoding="utf-8")
    code, output = run(str(broken))
    assert code != 0
    lines = [line for line in output.splitlines() if line.strip()]
    assert len(lines) == 1, output
    assert "line 18" in lines[0]
    assert "Traceback" not in output


def test_tally_missing_file_is_a_clear_error(tmp_path: Path) -> None:
    code, output = run(str(tmp_path / "nope.pb"))
    assert code != 0
    assert "Traceback" not in output
