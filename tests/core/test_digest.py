"""The frozen-rules digests: a published recipe, sensitive to every rule, blind to project order."""

from __future__ import annotations

import dataclasses
import hashlib

import pytest

from pbvote.core.digest import BudgetRules, budget_digest, canonical_json, digest_all, process_digest


def make_rules(**overrides: object) -> BudgetRules:
    fields: dict[str, object] = {
        "amount": 50_000_000,
        "ballot_kind": "knapsack",
        "min_projects": 0,
        "max_projects": None,
        "min_spent_percent": 0,
        "points": None,
        "max_points_per_project": None,
        "rule": "greedy",
        "completion": True,
        "tie_break": "cost",
        "projects": (("P2", 20_000_000), ("P1", 15_000_000)),
    }
    fields.update(overrides)
    return BudgetRules(**fields)  # type: ignore[arg-type]


def test_budget_digest_follows_the_published_recipe() -> None:
    expected_json = (
        '{"amount":50000000,"ballot_kind":"knapsack","completion":true,"max_points_per_project":null,'
        '"max_projects":null,"min_projects":0,"min_spent_percent":0,"points":null,'
        '"projects":[{"code":"P1","cost":15000000},{"code":"P2","cost":20000000}],'
        '"rule":"greedy","tie_break":"cost","version":1}'
    )
    assert canonical_json(make_rules().as_data()) == expected_json
    assert budget_digest(make_rules()) == hashlib.sha256(expected_json.encode()).hexdigest()


def test_budget_digest_ignores_the_order_projects_are_given_in() -> None:
    shuffled = make_rules(projects=(("P1", 15_000_000), ("P2", 20_000_000)))
    assert budget_digest(shuffled) == budget_digest(make_rules())


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("amount", 50_000_001),
        ("ballot_kind", "approval"),
        ("min_projects", 1),
        ("max_projects", 3),
        ("min_spent_percent", 10),
        ("points", 10),
        ("max_points_per_project", 5),
        ("rule", "mes"),
        ("completion", False),
        ("tie_break", "id"),
        ("projects", (("P2", 20_000_000), ("P1", 15_000_001))),
        ("projects", (("P2", 20_000_000), ("P1", 15_000_000), ("P3", 1))),
        ("projects", (("P2", 20_000_000),)),
    ],
)
def test_budget_digest_changes_with_every_rule(field: str, value: object) -> None:
    changed = dataclasses.replace(make_rules(), **{field: value})
    assert budget_digest(changed) != budget_digest(make_rules())


def test_budget_digest_refuses_duplicate_project_codes() -> None:
    with pytest.raises(ValueError, match="share a code"):
        budget_digest(make_rules(projects=(("P1", 1), ("P1", 2))))


def test_process_digest_covers_each_budget_and_their_order() -> None:
    first, second = budget_digest(make_rules()), budget_digest(make_rules(amount=1))
    combined = process_digest([first, second])
    expected = hashlib.sha256(f'{{"budgets":["{first}","{second}"],"version":1}}'.encode()).hexdigest()
    assert combined == expected
    assert process_digest([second, first]) != combined
    assert process_digest([first]) != combined
    assert len(combined) == 64 and all(c in "0123456789abcdef" for c in combined)


def test_digest_all_returns_budget_digests_in_order_and_the_process_digest() -> None:
    rules = [make_rules(), make_rules(rule="mes")]
    digests, overall = digest_all(rules)
    assert digests == [budget_digest(r) for r in rules]
    assert overall == process_digest(digests)
