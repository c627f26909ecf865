"""Ballot validation: every kind, every violation code, many at once, and garbage that never raises."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from fractions import Fraction
from types import MappingProxyType
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pbvote.core.errors import DomainError
from pbvote.core.types import Ballot, BallotKind, BudgetSpec, Project
from pbvote.core.validation import (
    BallotInput,
    BallotInvalid,
    Violation,
    ViolationCode,
    check_ballot,
    input_limit,
    validate_ballot,
)

PROJECTS = (
    Project("a", 400),
    Project("b", 300),
    Project("c", 200),
    Project("d", 100),
    Project("e", 50),
)


def make_spec(kind: BallotKind = BallotKind.APPROVAL, **overrides: Any) -> BudgetSpec:
    """A budget of 1000 over five projects costing 400, 300, 200, 100 and 50."""
    values: dict[str, Any] = {"amount": 1000, "kind": kind, "projects": PROJECTS}
    return BudgetSpec(**{**values, **overrides})


def codes(violations: list[Violation]) -> list[str]:
    return [violation.code for violation in violations]


def choose(*projects: object) -> BallotInput:
    return BallotInput(projects=projects)


def give(points: Mapping[object, object]) -> BallotInput:
    return BallotInput(points=points)


# ---------------------------------------------------------------- approval and knapsack


def test_check_ballot_approval_sorts_ids() -> None:
    assert check_ballot(make_spec(), choose("c", "a", "e")) == Ballot(("a", "c", "e"))
    assert check_ballot(make_spec(), BallotInput(projects=["b"], points={})) == Ballot(("b",))


def test_check_ballot_approval_empty_is_valid_without_minimum() -> None:
    assert check_ballot(make_spec(), BallotInput()) == Ballot(())


def test_validate_ballot_approval_has_no_cost_limit() -> None:
    assert validate_ballot(make_spec(amount=10), choose("a", "b", "c")) == []


def test_validate_ballot_approval_count_limits() -> None:
    spec = make_spec(min_projects=2, max_projects=3)
    assert validate_ballot(spec, choose("a")) == [Violation("too_few_projects", {"minimum": 2, "actual": 1})]
    assert validate_ballot(spec, choose("a", "b", "c", "d")) == [
        Violation("too_many_projects", {"limit": 3, "actual": 4})
    ]
    assert validate_ballot(spec, choose("a", "b", "c")) == []


def test_validate_ballot_unknown_and_duplicate_projects_reported_once_each() -> None:
    violations = validate_ballot(make_spec(), choose("a", "zz", "a", "zz", "a"))
    assert violations == [
        Violation("unknown_project", {"project": "zz"}),
        Violation("duplicate_project", {"project": "a"}),
    ]


def test_validate_ballot_not_a_project_id_names_position() -> None:
    violations = validate_ballot(make_spec(), choose("a", 3, None, ["b"], b"c", True))
    assert violations == [
        Violation("not_a_project_id", {"position": position}) for position in (2, 3, 4, 5, 6)
    ]


def test_validate_ballot_knapsack_cost_limits() -> None:
    spec = make_spec(BallotKind.KNAPSACK, min_spent_share=Fraction(1, 2))
    assert validate_ballot(spec, choose("a", "b", "c", "d")) == []  # exactly the budget
    assert validate_ballot(spec, choose("a", "b", "c", "d", "e")) == [
        Violation("over_budget", {"limit": 1000, "total": 1050})
    ]
    assert validate_ballot(spec, choose("c", "d")) == [
        Violation("under_min_spent", {"minimum": 500, "total": 300})
    ]
    assert check_ballot(spec, choose("d", "a")) == Ballot(("a", "d"))


def test_validate_ballot_knapsack_min_spent_rounds_up() -> None:
    spec = make_spec(BallotKind.KNAPSACK, amount=999, min_spent_share=Fraction(1, 2))
    assert spec.min_spent == 500
    assert codes(validate_ballot(spec, choose("a", "e", "e"))) == ["duplicate_project", "under_min_spent"]


def test_validate_ballot_knapsack_counts_projects_too() -> None:
    spec = make_spec(BallotKind.KNAPSACK, max_projects=1, min_projects=1)
    assert codes(validate_ballot(spec, choose("d", "e"))) == ["too_many_projects"]
    assert codes(validate_ballot(spec, choose())) == ["too_few_projects"]


def test_validate_ballot_reports_several_violations_at_once() -> None:
    spec = make_spec(BallotKind.KNAPSACK, max_projects=3)
    violations = validate_ballot(spec, choose("a", "b", "x", 7, "a", "c", "d", "e"))
    assert violations == [
        Violation("unknown_project", {"project": "x"}),
        Violation("not_a_project_id", {"position": 4}),
        Violation("duplicate_project", {"project": "a"}),
        Violation("too_many_projects", {"limit": 3, "actual": 5}),
        Violation("over_budget", {"limit": 1000, "total": 1050}),
    ]


@pytest.mark.parametrize(
    "projects",
    ["abc", b"ab", 7, None, {"a": 1}, 3.5, {"a"}, object()],
    ids=lambda value: type(value).__name__,
)
def test_validate_ballot_wrong_shape_for_projects(projects: object) -> None:
    violations = validate_ballot(make_spec(), BallotInput(projects=projects))  # type: ignore[arg-type]
    assert violations == [Violation("wrong_ballot_shape", {"kind": "approval"})]


def test_validate_ballot_points_on_approval_is_wrong_shape() -> None:
    assert codes(validate_ballot(make_spec(), give({"a": 1}))) == ["wrong_ballot_shape"]


def test_validate_ballot_huge_list_is_only_too_many() -> None:
    spec = make_spec(max_projects=3)
    violations = validate_ballot(spec, BallotInput(projects=["zz"] * 10_000))
    assert violations == [Violation("too_many_projects", {"limit": 3, "actual": 10_000})]
    assert input_limit(spec) == 20
    assert validate_ballot(spec, BallotInput(projects=["zz"] * 20)) == [
        Violation("unknown_project", {"project": "zz"})
    ]


def test_validate_ballot_long_text_id_is_cut_short() -> None:
    (violation,) = validate_ballot(make_spec(), choose("x" * 10_000_000))
    assert violation.code == "unknown_project"
    project = violation.params["project"]
    assert isinstance(project, str)
    assert len(project) == 81
    assert project.endswith("…")


# ---------------------------------------------------------------- cumulative


def cumulative(**overrides: Any) -> BudgetSpec:
    return make_spec(BallotKind.CUMULATIVE, **{"points": 10, "max_points_per_project": 5, **overrides})


def test_check_ballot_cumulative_sorts_and_drops_zero() -> None:
    assert check_ballot(cumulative(), give({"c": 3, "a": 5, "b": 0})) == Ballot(("a", "c"), (5, 3))
    assert check_ballot(cumulative(), BallotInput()) == Ballot(())


def test_validate_ballot_cumulative_accepts_read_only_mapping() -> None:
    assert validate_ballot(cumulative(), give(MappingProxyType({"a": 2}))) == []


def test_validate_ballot_cumulative_point_faults() -> None:
    violations = validate_ballot(
        cumulative(), give({"a": -1, "b": 2.0, "c": True, "d": "3", "e": 6, "zz": None})
    )
    assert violations == [
        Violation("negative_points", {"project": "a", "value": -1}),
        Violation("not_an_integer", {"project": "b"}),
        Violation("not_an_integer", {"project": "c"}),
        Violation("not_an_integer", {"project": "d"}),
        Violation("too_many_points_for_project", {"project": "e", "limit": 5, "value": 6}),
        Violation("unknown_project", {"project": "zz"}),
        Violation("not_an_integer", {"project": "zz"}),
    ]


def test_validate_ballot_cumulative_totals() -> None:
    assert validate_ballot(cumulative(), give({"a": 5, "b": 5, "c": 1})) == [
        Violation("points_exceeded", {"limit": 10, "total": 11})
    ]
    spec = cumulative(require_all_points=True)
    assert validate_ballot(spec, give({"a": 5, "b": 4})) == [
        Violation("points_not_all_used", {"required": 10, "total": 9})
    ]
    assert validate_ballot(spec, give({"a": 5, "b": 5})) == []


def test_validate_ballot_cumulative_min_projects_counts_positive_points() -> None:
    spec = cumulative(min_projects=2)
    assert validate_ballot(spec, give({"a": 5, "b": 0})) == [
        Violation("too_few_projects", {"minimum": 2, "actual": 1})
    ]


def test_validate_ballot_cumulative_keys_must_be_ids() -> None:
    assert validate_ballot(cumulative(), give({1: 2, ("a",): 1})) == [
        Violation("not_a_project_id", {"position": 1}),
        Violation("not_a_project_id", {"position": 2}),
    ]


def test_validate_ballot_cumulative_shapes() -> None:
    assert codes(validate_ballot(cumulative(), choose("a"))) == ["wrong_ballot_shape"]
    assert codes(validate_ballot(cumulative(), give([("a", 1)]))) == ["wrong_ballot_shape"]  # type: ignore[arg-type]


def test_validate_ballot_cumulative_huge_numbers_are_clamped_in_params() -> None:
    huge = 10**100_000
    violations = validate_ballot(cumulative(), give({"a": huge, "b": -huge}))
    assert violations == [
        Violation("too_many_points_for_project", {"project": "a", "limit": 5, "value": 10**15}),
        Violation("negative_points", {"project": "b", "value": -(10**15)}),
        Violation("points_exceeded", {"limit": 10, "total": 10**15}),
    ]
    assert all(len(str(value)) < 30 for violation in violations for value in violation.params.values())


def test_validate_ballot_cumulative_without_limits() -> None:
    spec = make_spec(BallotKind.CUMULATIVE)
    assert check_ballot(spec, give({"a": 10**30})) == Ballot(("a",), (10**30,))


# ---------------------------------------------------------------- ranked


def ranked(**overrides: Any) -> BudgetSpec:
    return make_spec(BallotKind.RANKED, **{"max_projects": 3, **overrides})


def test_check_ballot_ranked_keeps_order() -> None:
    assert check_ballot(ranked(), choose("c", "a", "e")) == Ballot(("c", "a", "e"))


def test_check_ballot_ranked_from_rank_mapping() -> None:
    assert check_ballot(ranked(), give({"a": 2, "c": 1, "e": 3})) == Ballot(("c", "a", "e"))


def test_validate_ballot_ranked_length() -> None:
    assert validate_ballot(ranked(), choose("a", "b", "c", "d")) == [
        Violation("ranking_too_long", {"limit": 3, "actual": 4})
    ]
    assert validate_ballot(ranked(), choose()) == [Violation("too_few_projects", {"minimum": 1, "actual": 0})]
    assert codes(validate_ballot(ranked(min_projects=2), choose("a"))) == ["too_few_projects"]
    assert validate_ballot(ranked(max_projects=None), choose("a", "b", "c", "d", "e")) == []


def test_validate_ballot_ranked_duplicates_and_unknowns() -> None:
    assert codes(validate_ballot(ranked(), choose("a", "a", "q"))) == ["duplicate_project", "unknown_project"]


def test_validate_ballot_rank_mapping_faults() -> None:
    violations = validate_ballot(ranked(max_projects=5), give({"a": 1, "b": 1, "c": 4, "d": 0, "e": 2.5}))
    assert violations == [
        Violation("invalid_rank", {"project": "d", "rank": 0}),
        Violation("not_an_integer", {"project": "e"}),
        Violation("duplicate_rank", {"rank": 1}),
        Violation("ranks_not_contiguous", {"missing": 2}),
    ]


def test_validate_ballot_rank_mapping_duplicate_alone_is_not_a_gap() -> None:
    assert codes(validate_ballot(ranked(), give({"a": 1, "b": 1}))) == ["duplicate_rank"]
    assert codes(validate_ballot(ranked(), give({"a": 2, "b": 3}))) == ["ranks_not_contiguous"]


def test_validate_ballot_rank_mapping_too_long_and_both_inputs() -> None:
    violations = validate_ballot(ranked(max_projects=2), give({"a": 1, "b": 2, "c": 3}))
    assert violations == [Violation("ranking_too_long", {"limit": 2, "actual": 3})]
    assert codes(validate_ballot(ranked(), BallotInput(projects=("a",), points={"a": 1}))) == [
        "wrong_ballot_shape"
    ]


def test_validate_ballot_ranked_huge_inputs() -> None:
    assert codes(validate_ballot(ranked(), BallotInput(projects=["a"] * 10_000))) == ["ranking_too_long"]
    many = {str(number): number for number in range(1, 10_001)}
    assert validate_ballot(ranked(), give(many)) == [
        Violation("ranking_too_long", {"limit": 3, "actual": 10_000})
    ]


# ---------------------------------------------------------------- the error and the codes


def test_check_ballot_raises_ballot_invalid_with_every_violation() -> None:
    with pytest.raises(BallotInvalid) as caught:
        check_ballot(make_spec(max_projects=1), choose("a", "q", "b"))
    assert isinstance(caught.value, DomainError)
    assert caught.value.code == "ballot_invalid"
    assert codes(list(caught.value.violations)) == ["unknown_project", "too_many_projects"]
    assert str(caught.value) == "invalid ballot: unknown_project, too_many_projects"


def test_violation_codes_are_stable_snake_case() -> None:
    assert all(code.value == code.name.lower() for code in ViolationCode)
    assert ViolationCode.UNKNOWN_PROJECT == "unknown_project"
    assert hash(Violation("x", {"a": [1]})) == hash(Violation("x", {}))


EVERY_CODE_CASE: list[tuple[BudgetSpec, BallotInput]] = [
    (make_spec(exclusive_groups=(frozenset({"a", "b"}),)), choose("a", "b")),
    (make_spec(), BallotInput(projects="abc")),
    (make_spec(), choose(1)),
    (make_spec(), choose("q")),
    (make_spec(), choose("a", "a")),
    (make_spec(min_projects=1), choose()),
    (make_spec(max_projects=1), choose("a", "b")),
    (ranked(max_projects=1), choose("a", "b")),
    (make_spec(BallotKind.KNAPSACK), choose("a", "b", "c", "d", "e")),
    (make_spec(BallotKind.KNAPSACK, min_spent_share=Fraction(1)), choose("e")),
    (cumulative(), give({"a": "1"})),
    (cumulative(), give({"a": -1})),
    (cumulative(), give({"a": 6})),
    (cumulative(), give({"a": 5, "b": 5, "c": 5})),
    (cumulative(require_all_points=True), give({"a": 1})),
    (ranked(), give({"a": 0})),
    (ranked(), give({"a": 1, "b": 1})),
    (ranked(), give({"a": 1, "b": 3})),
]


def test_validate_ballot_every_code_is_reachable() -> None:
    seen = {code for spec, choice in EVERY_CODE_CASE for code in codes(validate_ballot(spec, choice))}
    assert seen == {code.value for code in ViolationCode}


# ---------------------------------------------------------------- untrusted objects


class ExplodingSequence(Sequence[object]):
    def __len__(self) -> int:
        raise RuntimeError("no length")

    def __getitem__(self, index: Any) -> Any:
        raise RuntimeError("no items")


class ExplodingIteration(Sequence[object]):
    def __len__(self) -> int:
        return 2

    def __getitem__(self, index: Any) -> Any:
        raise RuntimeError("no items")

    def __iter__(self) -> Iterator[object]:
        raise RuntimeError("no iteration")


class ExplodingMapping(Mapping[object, object]):
    def __getitem__(self, key: object) -> object:
        raise RuntimeError("no items")

    def __len__(self) -> int:
        return 1

    def __iter__(self) -> Iterator[object]:
        raise RuntimeError("no iteration")


@pytest.mark.parametrize("kind", list(BallotKind))
def test_validate_ballot_survives_objects_that_raise(kind: BallotKind) -> None:
    spec = make_spec(kind, points=5)
    for choice in (
        BallotInput(projects=ExplodingSequence()),
        BallotInput(projects=ExplodingIteration()),
        BallotInput(points=ExplodingMapping()),
    ):
        violations = validate_ballot(spec, choice)
        assert codes(violations) == ["wrong_ballot_shape"]


garbage = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(10**30), max_value=10**30)
    | st.floats(allow_nan=True)
    | st.text(max_size=5)
    | st.sampled_from(["a", "b", "c", "d", "e"])
    | st.binary(max_size=3),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=2), inner, max_size=3),
    max_leaves=12,
)
hashable_garbage = (
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=3) | st.sampled_from("abc")
)
specs = st.builds(
    make_spec,
    kind=st.sampled_from(list(BallotKind)),
    min_projects=st.integers(0, 3),
    max_projects=st.none() | st.integers(0, 5),
    min_spent_share=st.fractions(0, 1),
    points=st.none() | st.integers(0, 12),
    require_all_points=st.booleans(),
    max_points_per_project=st.none() | st.integers(0, 6),
)


@settings(max_examples=400, deadline=None)
@given(specs, garbage, st.none() | garbage | st.dictionaries(hashable_garbage, garbage, max_size=4))
def test_validate_ballot_never_raises_on_garbage(spec: BudgetSpec, projects: object, points: object) -> None:
    choice = BallotInput(projects=projects, points=points)  # type: ignore[arg-type]
    violations = validate_ballot(spec, choice)
    assert all(isinstance(violation, Violation) for violation in violations)
    assert all(code in {code.value for code in ViolationCode} for code in codes(violations))
    if not violations:
        assert isinstance(check_ballot(spec, choice), Ballot)


@st.composite
def valid_choices(draw: st.DrawFn) -> tuple[BudgetSpec, BallotInput, Ballot]:
    kind = draw(st.sampled_from(list(BallotKind)))
    ids = draw(st.lists(st.sampled_from([project.id for project in PROJECTS]), unique=True, max_size=5))
    cost = sum(project.cost for project in PROJECTS if project.id in ids)
    if kind is BallotKind.CUMULATIVE:
        points = {project_id: draw(st.integers(0, 4)) for project_id in ids}
        positive = sorted((project_id, value) for project_id, value in points.items() if value)
        spec = make_spec(
            kind, points=sum(points.values()) + draw(st.integers(0, 3)), max_points_per_project=4
        )
        expected = Ballot(tuple(p for p, _ in positive), tuple(v for _, v in positive))
        return spec, give(points), expected
    if kind is BallotKind.RANKED:
        ids = ids or ["a"]
        spec = make_spec(kind, max_projects=len(ids) + draw(st.integers(0, 2)))
        if draw(st.booleans()):
            return (
                spec,
                give({project_id: rank for rank, project_id in enumerate(ids, 1)}),
                Ballot(tuple(ids)),
            )
        return spec, choose(*ids), Ballot(tuple(ids))
    spec = make_spec(
        kind,
        amount=max(cost, 1),
        min_projects=len(ids),
        max_projects=len(ids),
        min_spent_share=Fraction(cost, max(cost, 1)),
    )
    return spec, choose(*reversed(ids)), Ballot(tuple(sorted(ids)))


@settings(max_examples=300, deadline=None)
@given(valid_choices())
def test_check_ballot_valid_random_ballots_pass(case: tuple[BudgetSpec, BallotInput, Ballot]) -> None:
    spec, choice, expected = case
    assert validate_ballot(spec, choice) == []
    assert check_ballot(spec, choice) == expected


def test_validate_ballot_refuses_projects_that_exclude_each_other() -> None:
    from pbvote.core.types import BallotKind, BudgetSpec, Project

    spec = BudgetSpec(
        amount=1000,
        kind=BallotKind.APPROVAL,
        projects=(Project("a", 100), Project("b", 100), Project("c", 100)),
        exclusive_groups=(frozenset({"a", "b"}),),
    )
    assert validate_ballot(spec, BallotInput(projects=["a", "c"])) == []
    violations = validate_ballot(spec, BallotInput(projects=["a", "b"]))
    assert [v.code for v in violations] == ["mutually_exclusive"]
    assert violations[0].params["projects"] == "a, b"
