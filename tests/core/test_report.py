"""The results report on hand-worked elections: table order, money left, reasons, satisfaction, JSON."""

from __future__ import annotations

import json
from functools import cache
from typing import Any

import pytest

from pbvote.core.greedy import greedy
from pbvote.core.mes import MesExplanation, equal_shares
from pbvote.core.outcome import Outcome
from pbvote.core.pabulib import read_pabulib
from pbvote.core.report import build_report, compare_reports, satisfaction
from pbvote.core.tally import count, count_election
from pbvote.core.types import Ballot, BallotKind, Election, Profile, Project, RuleName, TieBreak
from tests.core.conftest import pabulib_files, require_pabulib


def approvals(*ballots: str) -> Profile:
    """One ballot per string, each letter an approved project id."""
    return Profile.from_ballots(Ballot(tuple(letters)) for letters in ballots)


def make_projects(**costs: int) -> list[Project]:
    return [Project(code, cost, name=f"Project {code}") for code, cost in costs.items()]


def table(report: dict[str, Any]) -> list[tuple[str, bool, int | None, int | None, str, dict[str, Any]]]:
    """Each row as (code, selected, position, money_left, reason code, reason params)."""
    return [
        (
            row["code"],
            row["selected"],
            row["position"],
            row["money_left"],
            row["reason"]["code"],
            row["reason"]["params"],
        )
        for row in report["rows"]
    ]


def assert_json_ready(report: dict[str, Any]) -> None:
    assert json.loads(json.dumps(report)) == report


# A=5 votes, B=4, C=3, D=2, E=0; budget 100; threshold 3.
FIVE = make_projects(A=60, B=50, C=30, D=10, E=20)
FIVE_PROFILE = approvals("ABCD", "ABC", "ABC", "AB", "A", "D")


def test_report_greedy_marks_the_funding_line_and_projects_below_the_threshold() -> None:
    outcome = greedy(FIVE, 100, BallotKind.APPROVAL, FIVE_PROFILE, tie_break=TieBreak.COST, threshold=3)
    report = build_report(outcome, FIVE, BallotKind.APPROVAL, FIVE_PROFILE, threshold=3)
    assert table(report) == [
        ("A", True, 1, 40, "won", {"score": 5, "supporters": 5}),
        ("B", False, None, None, "did_not_fit", {"score": 4, "money_left": 40, "cost": 50}),
        ("C", True, 2, 10, "won", {"score": 3, "supporters": 3}),
        ("D", False, None, None, "below_threshold", {"score": 2, "threshold": 3}),
        ("E", False, None, None, "below_threshold", {"score": 0, "threshold": 3}),
    ]
    assert report["funding_line"] == 1
    assert report["selected"] == ["A", "C"]
    assert (report["rule"], report["tie_break"]) == ("greedy", "cost")
    assert (report["budget"], report["spent"], report["money_left"], report["voters"]) == (100, 90, 10, 6)
    assert report["ties"] == []
    assert report["rows"][0]["name"] == "Project A"
    assert [(r["cost"], r["score"], r["supporters"]) for r in report["rows"]][:2] == [(60, 5, 5), (50, 4, 4)]
    assert_json_ready(report)


def test_report_greedy_explanation_lists_every_step() -> None:
    outcome = greedy(FIVE, 100, BallotKind.APPROVAL, FIVE_PROFILE, tie_break=TieBreak.COST, threshold=3)
    explanation = build_report(outcome, FIVE, BallotKind.APPROVAL, FIVE_PROFILE)["explanation"]
    assert explanation["steps"][:2] == [
        {"project": "A", "score": 5, "votes": 5, "cost": 60, "money_left": 100, "decision": "selected"},
        {"project": "B", "score": 4, "votes": 4, "cost": 50, "money_left": 40, "decision": "does_not_fit"},
    ]
    assert [step["decision"] for step in explanation["steps"][2:]] == [
        "selected",
        "below_threshold",
        "below_threshold",
    ]
    assert explanation["funding_line_index"] == 1
    assert explanation["funding_line_score"] == 4
    assert explanation["money_left"] == 10
    assert explanation["threshold"] == 3


def test_report_satisfaction_counts_voters_with_a_winner_and_the_money_they_supported() -> None:
    # Winners A (60) and C (30): ABCD, ABC, ABC hold 90 each, AB and A hold 60, D holds nothing.
    outcome = greedy(FIVE, 100, BallotKind.APPROVAL, FIVE_PROFILE, tie_break=TieBreak.COST, threshold=3)
    report = build_report(outcome, FIVE, BallotKind.APPROVAL, FIVE_PROFILE)
    assert report["satisfaction"] == {
        "voters": 6,
        "with_winner": 5,
        "share_with_winner_permille": 833,  # 5/6 = 833.3‰
        "avg_money_supported": 65,  # 390 / 6
    }


def test_report_satisfaction_rounds_the_share_half_up_and_the_average_down() -> None:
    projects = make_projects(A=30, B=100)
    profile = Profile((Ballot(("A",)), Ballot(("B",))), (1, 15))
    outcome = greedy(projects, 50, BallotKind.APPROVAL, profile, tie_break=TieBreak.COST)
    assert outcome.selected == ("A",)
    assert build_report(outcome, projects, BallotKind.APPROVAL, profile)["satisfaction"] == {
        "voters": 16,
        "with_winner": 1,
        "share_with_winner_permille": 63,  # 62.5‰ rounds up
        "avg_money_supported": 1,  # 30 / 16 = 1.875 rounds down
    }


def test_satisfaction_with_no_voters_is_zero() -> None:
    assert satisfaction(Profile((), ()), {"A": 10}) == {
        "voters": 0,
        "with_winner": 0,
        "share_with_winner_permille": 0,
        "avg_money_supported": 0,
    }


# Four voters with 100 each: A is paid by three, D by one, and B's supporters have 33⅓ left.
MES_PROJECTS = make_projects(A=200, B=300, D=100, C=50)
MES_PROFILE = approvals("A", "A", "AB", "BD")


def test_report_mes_says_whose_money_ran_out_and_who_nobody_supported() -> None:
    outcome = equal_shares(MES_PROJECTS, 400, BallotKind.APPROVAL, MES_PROFILE, completion=False)
    report = build_report(outcome, MES_PROJECTS, BallotKind.APPROVAL, MES_PROFILE)
    assert table(report) == [
        ("A", True, 1, 200, "won_round", {"round": 1, "payers": 3, "supporters": 3}),
        (
            "B",
            False,
            None,
            None,
            "supporters_ran_out",
            {"supporters": 2, "supporters_money": 33, "cost": 300},
        ),
        ("D", True, 2, 100, "won_round", {"round": 2, "payers": 1, "supporters": 1}),
        ("C", False, None, None, "no_supporters", {}),
    ]
    assert report["rule"] == "mes-plain"
    assert report["funding_line"] is None
    assert report["satisfaction"] == {
        "voters": 4,
        "with_winner": 4,
        "share_with_winner_permille": 1000,
        "avg_money_supported": 175,  # (200 + 200 + 200 + 100) / 4
    }
    assert isinstance(outcome.explanation, MesExplanation)
    assert report["explanation"] == outcome.explanation.to_dict()
    assert_json_ready(report)


def test_report_mes_completion_walks_the_fill_with_the_money_left_at_each_turn() -> None:
    # MES funds A and C; B's two supporters hold 298 of its 300, and the fill cannot rescue it either
    # (300 > 250); the fill adds E (250 left); D's supporter holds 65 of 200 and the fill has only 150.
    projects = make_projects(A=500, B=300, C=250, D=200, E=100)
    profile = approvals("A", "A", "A", "A", "A", "AD", "B", "B", "C", "CE")
    outcome = equal_shares(projects, 1000, BallotKind.APPROVAL, profile, completion=True)
    report = build_report(outcome, projects, BallotKind.APPROVAL, profile)
    assert table(report) == [
        ("A", True, 1, 500, "won_round", {"round": 1, "payers": 6, "supporters": 6}),
        ("C", True, 2, 250, "won_round", {"round": 2, "payers": 2, "supporters": 2}),
        (
            "B",
            False,
            None,
            None,
            "supporters_ran_out",
            {"supporters": 2, "supporters_money": 298, "cost": 300, "money_left": 250},
        ),
        ("E", True, 3, 150, "won_fill", {"score": 1, "money_left": 250}),
        (
            "D",
            False,
            None,
            None,
            "supporters_ran_out",
            {"supporters": 1, "supporters_money": 65, "cost": 200, "money_left": 150},
        ),
    ]
    assert report["rule"] == "mes"
    assert report["ties"] == [{"stage": "mes completion", "projects": ["E", "D"]}]
    assert report["satisfaction"]["with_winner"] == 8
    assert report["satisfaction"]["avg_money_supported"] == 360  # (6 × 500 + 250 + 350) / 10
    assert report["explanation"]["added_by_completion"] == ["E"]
    assert_json_ready(report)


def test_report_mes_money_left_runs_down_the_table_not_the_rounds() -> None:
    # After round 1 (X), Y's supporters v1 and v2 are nearly broke: Z (2 votes) wins round 2 before Y (3).
    projects = make_projects(X=360, Y=80, Z=60)
    profile = approvals("XY", "XY", "X", "X", "YZ", "Z")
    outcome = equal_shares(projects, 600, BallotKind.APPROVAL, profile, completion=False)
    report = build_report(outcome, projects, BallotKind.APPROVAL, profile)
    assert report["selected"] == ["X", "Z", "Y"]
    assert table(report) == [
        ("X", True, 1, 240, "won_round", {"round": 1, "payers": 4, "supporters": 4}),
        ("Y", True, 3, 160, "won_round", {"round": 3, "payers": 3, "supporters": 3}),
        ("Z", True, 2, 100, "won_round", {"round": 2, "payers": 2, "supporters": 2}),
    ]


def test_report_mes_explains_projects_left_out_by_the_threshold() -> None:
    outcome = count(FIVE, 100, BallotKind.APPROVAL, FIVE_PROFILE, rule=RuleName.MES, threshold=3)
    report = build_report(outcome, FIVE, BallotKind.APPROVAL, FIVE_PROFILE, threshold=3)
    reasons = {row["code"]: row["reason"] for row in report["rows"]}
    assert reasons["D"] == {"code": "below_threshold", "params": {"score": 2, "threshold": 3}}
    assert reasons["E"] == {"code": "below_threshold", "params": {"score": 0, "threshold": 3}}


def test_report_refuses_an_outcome_it_cannot_explain() -> None:
    outcome = count(FIVE, 100, BallotKind.APPROVAL, FIVE_PROFILE, rule=RuleName.MES, threshold=3)
    with pytest.raises(ValueError, match="neither funded nor explained"):
        build_report(outcome, FIVE, BallotKind.APPROVAL, FIVE_PROFILE)
    with pytest.raises(ValueError, match="not on the ballot"):
        build_report(outcome, FIVE[:1], BallotKind.APPROVAL, FIVE_PROFILE)


def test_report_cumulative_scores_points_and_records_the_tie_that_mattered() -> None:
    # A and B both get 5 points; the cost tie-break puts B (30) first, then A (60) no longer fits.
    projects = make_projects(A=60, B=30, C=50)
    profile = Profile.from_ballots(
        [Ballot(("A", "B"), (3, 1)), Ballot(("B",), (4,)), Ballot(("A", "C"), (2, 2))]
    )
    outcome = greedy(projects, 80, BallotKind.CUMULATIVE, profile, tie_break=TieBreak.COST)
    report = build_report(outcome, projects, BallotKind.CUMULATIVE, profile)
    assert table(report) == [
        ("B", True, 1, 50, "won", {"score": 5, "supporters": 2}),
        ("A", False, None, None, "did_not_fit", {"score": 5, "money_left": 50, "cost": 60}),
        ("C", True, 2, 0, "won", {"score": 2, "supporters": 1}),
    ]
    assert report["funding_line"] == 1
    assert report["ties"] == [{"stage": "greedy order", "projects": ["B", "A"]}]
    assert report["satisfaction"]["avg_money_supported"] == 36  # (30 + 30 + 50) / 3
    assert_json_ready(report)


def test_report_ranked_scores_positional_points() -> None:
    # A: 3 + 1 = 4, B: 2 + 2 = 4, C: 1 + 1 = 2 points; two voters rank each.
    projects = make_projects(A=10, B=20, C=30)
    profile = Profile.from_ballots([Ballot(("A", "B", "C")), Ballot(("B", "A")), Ballot(("C",))])
    outcome = greedy(projects, 40, BallotKind.RANKED, profile, tie_break=TieBreak.COST)
    report = build_report(outcome, projects, BallotKind.RANKED, profile)
    assert table(report) == [
        ("A", True, 1, 30, "won", {"score": 4, "supporters": 2}),
        ("B", True, 2, 10, "won", {"score": 4, "supporters": 2}),
        ("C", False, None, None, "did_not_fit", {"score": 2, "money_left": 10, "cost": 30}),
    ]
    mes = build_report(
        equal_shares(projects, 40, BallotKind.RANKED, profile), projects, BallotKind.RANKED, profile
    )
    assert [row["code"] for row in mes["rows"]] == ["A", "B", "C"]
    assert_json_ready(mes)


def test_report_table_follows_the_id_tie_break_when_the_outcome_used_it() -> None:
    projects = make_projects(B=10, A=50)
    profile = approvals("AB")
    outcome = greedy(projects, 100, BallotKind.APPROVAL, profile, tie_break=TieBreak.ID)
    report = build_report(outcome, projects, BallotKind.APPROVAL, profile)
    assert report["tie_break"] == "id"
    assert [row["code"] for row in report["rows"]] == ["A", "B"]


def test_compare_reports_lists_what_the_other_rule_would_change() -> None:
    # Greedy funds A and B for the seven; Equal Shares gives the three their own project C.
    projects = make_projects(A=150, B=150, C=100)
    profile = approvals(*["AB"] * 7, *["C"] * 3)
    reports = {
        rule: build_report(
            count(projects, 300, BallotKind.APPROVAL, profile, rule=rule),
            projects,
            BallotKind.APPROVAL,
            profile,
        )
        for rule in RuleName
    }
    assert reports[RuleName.GREEDY]["selected"] == ["A", "B"]
    assert sorted(reports[RuleName.MES]["selected"]) == ["A", "C"]
    assert compare_reports(reports[RuleName.GREEDY], reports[RuleName.MES]) == {
        "only_official": ["B"],
        "only_alternative": ["C"],
        "both": ["A"],
    }
    assert compare_reports(reports[RuleName.MES], reports[RuleName.MES]) == {
        "only_official": [],
        "only_alternative": [],
        "both": reports[RuleName.MES]["selected"],
    }


# Real elections: every small shared file by both rules, and Warszawa 2026 (61,668 voters) by greedy.
SMALL = [path.name for path in pabulib_files() if path.stat().st_size < 200_000] or ["<missing>"]
SLOW_MES = {"France_Toulouse_2024.pb"}  # its MES completion takes ~30 s; test_mes_reference counts it
REAL_CASES = [
    (name, rule) for name in SMALL for rule in RuleName if rule is RuleName.GREEDY or name not in SLOW_MES
] + [("Poland_Warszawa_2026.pb", RuleName.GREEDY)]


@cache
def election(name: str) -> Election:
    """Read a shared file once per test session."""
    return read_pabulib(require_pabulib() / name)


def assert_report_matches(report: dict[str, Any], outcome: Outcome, e: Election) -> None:
    assert report["selected"] == list(outcome.selected)
    assert sorted(row["code"] for row in report["rows"]) == sorted(p.id for p in e.projects)
    assert report["spent"] + report["money_left"] == report["budget"] == e.budget
    assert [row["code"] for row in report["rows"] if row["selected"]] == sorted(
        outcome.selected, key=lambda code: [row["code"] for row in report["rows"]].index(code)
    )
    selected_rows = [row for row in report["rows"] if row["selected"]]
    assert all(row["reason"]["code"].startswith("won") for row in selected_rows)
    assert not any(row["reason"]["code"].startswith("won") for row in report["rows"] if not row["selected"])
    assert [row["money_left"] for row in selected_rows][-1:] == (
        [report["money_left"]] if selected_rows else []
    )
    assert report["satisfaction"]["voters"] == report["voters"] == e.profile().num_voters
    assert_json_ready(report)


@pytest.mark.parametrize(("name", "rule"), REAL_CASES)
def test_report_on_real_election_covers_every_project(name: str, rule: RuleName) -> None:
    e = election(name)
    outcome = count_election(e, rule=rule)
    report = build_report(outcome, e.projects, e.kind, e.profile(), threshold=e.threshold)
    assert_report_matches(report, outcome, e)
    if isinstance(outcome.explanation, MesExplanation):
        filled = [row["code"] for row in report["rows"] if row["reason"]["code"] == "won_fill"]
        assert filled == list(outcome.explanation.added_by_completion)
    else:
        line = report["funding_line"]
        assert line is None or report["rows"][line]["reason"]["code"] == "did_not_fit"
