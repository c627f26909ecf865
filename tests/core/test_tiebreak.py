"""The published tie-break orders and the detection of tied groups."""

from __future__ import annotations

from pbvote.core.tiebreak import order_by_score, tie_break_key, tied_groups
from pbvote.core.types import Project, TieBreak


def _ids(projects: list[Project]) -> list[str]:
    return [project.id for project in projects]


def test_tie_break_key_cost_prefers_lower_cost_then_more_votes_then_id() -> None:
    cheap = Project("z", 10)
    dear_popular = Project("a", 20)
    dear_popular_twin = Project("b", 20)
    keys = {
        "z": tie_break_key(cheap, 1, TieBreak.COST),
        "a": tie_break_key(dear_popular, 5, TieBreak.COST),
        "b": tie_break_key(dear_popular_twin, 5, TieBreak.COST),
        "c": tie_break_key(Project("c", 20), 7, TieBreak.COST),
    }
    assert sorted(keys, key=keys.__getitem__) == ["z", "c", "a", "b"]


def test_tie_break_key_id_compares_ids_as_strings() -> None:
    projects = [Project("9", 1), Project("10", 99), Project("100", 5)]
    keys = {project.id: tie_break_key(project, 0, TieBreak.ID) for project in projects}
    assert sorted(keys, key=keys.__getitem__) == ["10", "100", "9"]


def test_tie_break_key_id_ignores_cost_and_votes() -> None:
    assert tie_break_key(Project("x", 1), 100, TieBreak.ID) == tie_break_key(
        Project("x", 500), 0, TieBreak.ID
    )


def test_order_by_score_puts_higher_scores_first_whatever_the_tie_break() -> None:
    projects = [Project("a", 50), Project("b", 10), Project("c", 30)]
    score = {"a": 3, "b": 1, "c": 2}
    votes = dict(score)
    for tie_break in TieBreak:
        assert _ids(order_by_score(projects, score, votes, tie_break)) == ["a", "c", "b"]


def test_order_by_score_breaks_equal_scores_by_the_published_order() -> None:
    projects = [Project("9", 30), Project("10", 40), Project("8", 30), Project("top", 99)]
    score = {"9": 5, "10": 5, "8": 5, "top": 6}
    votes = {"9": 2, "10": 5, "8": 3, "top": 6}
    assert _ids(order_by_score(projects, score, votes, TieBreak.COST)) == ["top", "8", "9", "10"]
    assert _ids(order_by_score(projects, score, votes, TieBreak.ID)) == ["top", "10", "8", "9"]


def test_tied_groups_finds_runs_of_equal_primary_values_in_order() -> None:
    score = {"a": 5, "b": 5, "c": 4, "d": 3, "e": 3, "f": 3, "g": 1}
    assert tied_groups(list(score), score.__getitem__) == [("a", "b"), ("d", "e", "f")]


def test_tied_groups_is_empty_without_equal_neighbours() -> None:
    score = {"a": 3, "b": 2, "c": 3}
    assert tied_groups(list(score), score.__getitem__) == []
    assert tied_groups([], score.__getitem__) == []
