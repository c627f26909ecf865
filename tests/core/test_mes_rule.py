"""Hand-worked Method of Equal Shares counts: rounds, rho, payments, ties, utilities, completion."""

from __future__ import annotations

import json
from fractions import Fraction

import pytest

from pbvote.core.mes import Reason, equal_shares
from pbvote.core.outcome import Tie
from pbvote.core.types import Ballot, BallotKind, Profile, Project, TieBreak


def make_profile(*ballots: tuple[str, ...], points: tuple[tuple[int, ...], ...] = ()) -> Profile:
    """Group hand-written ballots (optionally with points, aligned) into a profile."""
    if points:
        return Profile.from_ballots(Ballot(b, p) for b, p in zip(ballots, points, strict=True))
    return Profile.from_ballots(Ballot(b) for b in ballots)


# 4 voters, 400 to spend: 100 each. C (100) is liked by all, A (200) by two, B (300) by the other two.
SPLIT_PROJECTS = [Project("A", 200), Project("B", 300), Project("C", 100)]
SPLIT_PROFILE = make_profile(("A", "C"), ("A", "C"), ("B", "C"), ("B", "C"))


def test_equal_shares_plain_funds_cheapest_per_supporter_and_explains_the_rest() -> None:
    outcome = equal_shares(SPLIT_PROJECTS, 400, BallotKind.APPROVAL, SPLIT_PROFILE, completion=False)
    assert outcome.rule == "mes-plain"
    assert outcome.selected == ("C",)
    assert outcome.spent == 100
    explanation = outcome.explanation
    (round_one,) = explanation.rounds
    assert (round_one.project, round_one.rho, round_one.payers, round_one.paid_all) == (
        "C",
        Fraction(1, 4),
        4,
        0,
    )
    assert round_one.max_payment == 25
    assert explanation.share.initial == explanation.share.final == 100
    reasons = {item.project: (item.reason, item.supporters_money) for item in explanation.not_funded}
    assert reasons == {"A": (Reason.SUPPORTERS_RAN_OUT, 150), "B": (Reason.SUPPORTERS_RAN_OUT, 150)}


def test_equal_shares_completion_keeps_last_share_that_fits_then_fills() -> None:
    outcome = equal_shares(SPLIT_PROJECTS, 400, BallotKind.APPROVAL, SPLIT_PROFILE)
    # A becomes affordable at a share of 125; at 175 B would too and 600 > 400: add1 keeps 174.
    assert outcome.rule == "mes"
    assert outcome.selected == ("C", "A")
    assert outcome.explanation.share.final == 174
    assert outcome.explanation.share.raises == 74
    assert [r.project for r in outcome.explanation.rounds] == ["C", "A"]
    (b_left,) = outcome.explanation.not_funded
    assert (b_left.project, b_left.reason) == ("B", Reason.DID_NOT_FIT)


def test_equal_shares_completion_raises_by_whole_units_of_scale() -> None:
    cents = [Project(p.id, p.cost * 100) for p in SPLIT_PROJECTS]
    outcome = equal_shares(cents, 40_000, BallotKind.APPROVAL, SPLIT_PROFILE, scale=100)
    assert outcome.selected == ("C", "A")
    assert outcome.explanation.share.final == 17_400
    assert outcome.explanation.share.raises == 74


def test_equal_shares_completion_stops_when_all_supported_funded_then_fills() -> None:
    projects = [Project("A", 200), Project("C", 100), Project("F", 90), Project("G", 10)]
    profile = make_profile(("A", "C"), ("A", "C"), ("C", "F"), ("C",))
    # share 100: only C. F fits from share 115, A from 125 (390 in all); G has no supporter.
    outcome = equal_shares(projects, 400, BallotKind.APPROVAL, profile)
    assert outcome.selected == ("C", "A", "F", "G")
    assert outcome.explanation.share.final == 125
    assert outcome.explanation.added_by_completion == ("G",)
    assert outcome.explanation.not_funded == ()
    assert outcome.spent == 400


def test_equal_shares_supporters_run_out_mid_round() -> None:
    projects = [Project("X", 90), Project("Y", 60)]
    profile = make_profile(("X", "Y"), ("X",), ("X",))
    # share 30: X costs 30 each, Y alone 60 > 30. X funded, voter 1 has nothing left for Y.
    outcome = equal_shares(projects, 90, BallotKind.APPROVAL, profile, completion=False)
    assert outcome.selected == ("X",)
    (y_left,) = outcome.explanation.not_funded
    assert (y_left.project, y_left.reason, y_left.supporters_money) == ("Y", Reason.SUPPORTERS_RAN_OUT, 0)


@pytest.mark.parametrize(
    ("tie_break", "winner", "order"),
    [(TieBreak.ID, "A", ("A", "B")), (TieBreak.COST, "B", ("B", "A"))],
)
def test_equal_shares_tie_recorded_under_both_tie_breaks(
    tie_break: TieBreak, winner: str, order: tuple[str, ...]
) -> None:
    projects = [Project("A", 20), Project("B", 10)]
    profile = make_profile(("A", "B"), ("A", "B"))
    outcome = equal_shares(projects, 24, BallotKind.APPROVAL, profile, completion=False, tie_break=tie_break)
    assert outcome.selected == (winner,)
    assert outcome.ties == (Tie("mes round 1", order),)
    assert outcome.explanation.rounds[0].tied_with == order[1:]
    assert outcome.tie_break == str(tie_break)


def test_equal_shares_cumulative_pays_in_proportion_to_points() -> None:
    projects = [Project("P", 60), Project("Q", 40)]
    profile = make_profile(("P", "Q"), ("P", "Q"), points=((3, 1), (1, 3)))
    outcome = equal_shares(projects, 100, BallotKind.CUMULATIVE, profile, completion=False)
    assert outcome.selected == ("Q", "P")
    assert [r.rho for r in outcome.explanation.rounds] == [10, 20]
    second = outcome.explanation.payments(2)
    assert sorted((p.group, p.per_voter) for p in second) == [(0, 40), (1, 20)]
    assert outcome.explanation.rounds[1].paid_all == 1


def test_equal_shares_ranked_uses_positional_points() -> None:
    projects = [Project("A", 15), Project("B", 15)]
    profile = make_profile(("A", "B"), ("A", "B"), ("B", "A"))
    outcome = equal_shares(projects, 30, BallotKind.RANKED, profile, completion=False)
    assert outcome.selected == ("A", "B")
    assert [r.rho for r in outcome.explanation.rounds] == [3, 4]
    assert sorted((p.group, p.per_voter, p.voters) for p in outcome.explanation.payments(2)) == [
        (0, 4, 2),
        (1, 7, 1),
    ]


def test_equal_shares_project_without_supporters_is_explained() -> None:
    projects = [Project("A", 10), Project("N", 10_000)]
    outcome = equal_shares(projects, 20, BallotKind.APPROVAL, make_profile(("A",), ("A",)), completion=False)
    assert outcome.selected == ("A",)
    (left,) = outcome.explanation.not_funded
    assert (left.project, left.reason, left.supporters_money) == ("N", Reason.NO_SUPPORTERS, None)


def test_equal_shares_explanation_is_json() -> None:
    outcome = equal_shares(SPLIT_PROJECTS, 400, BallotKind.APPROVAL, SPLIT_PROFILE)
    data = json.loads(json.dumps(outcome.explanation.to_dict()))
    assert data["rounds"][0]["rho"] == {"exact": "1/4", "approx": 0.25}
    assert data["share"] == {
        "initial": {"exact": "100/1", "approx": 100.0},
        "final": {"exact": "174/1", "approx": 174.0},
        "raises": 74,
        "runs": outcome.explanation.share.runs,
    }
    assert data["not_funded"] == [
        {"project": "B", "reason": "did_not_fit", "cost": 300, "supporters_money": 298}
    ]


def test_equal_shares_no_voters_funds_nothing_without_completion() -> None:
    outcome = equal_shares(SPLIT_PROJECTS, 400, BallotKind.APPROVAL, Profile((), ()), completion=False)
    assert outcome.selected == ()
    assert outcome.spent == 0


def test_equal_shares_rejects_non_positive_scale() -> None:
    with pytest.raises(ValueError, match="scale"):
        equal_shares(SPLIT_PROJECTS, 400, BallotKind.APPROVAL, SPLIT_PROFILE, scale=0)
