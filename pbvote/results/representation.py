"""Who took part compared with who lives there: shares per group, the gap and under-represented groups.

Pure: counts in, rows out; integers only (shares in tenths of a percent, rounded half up). A group with
fewer than ``MIN_GROUP`` participants shows no number and no share, so nobody small can be singled out.
When only one group of a dimension is hidden, the total minus the shown groups would give its number
away, so the smallest shown group is hidden too ("protected"): then only the two together can be known.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace

MIN_GROUP = 10
# Under-represented: a group's share of participants is below 4/5 (80 %) of its share of the population.
UNDER_NUMERATOR, UNDER_DENOMINATOR = 4, 5


@dataclass(frozen=True)
class GroupRow:
    """One group of one dimension; ``None`` where a figure is hidden or unknown."""

    group: str
    participants: int | None  # None: fewer than MIN_GROUP (hidden)
    participant_share: int | None  # tenths of a percent of those who answered this question
    population: int | None  # None: the group is not in the uploaded population
    population_share: int | None  # tenths of a percent of the population
    difference: int | None  # participant share minus population share, tenths of a percentage point
    under_represented: bool
    protected: bool = False  # hidden although large enough, so that a small group's number stays hidden

    @property
    def hidden(self) -> bool:
        """Whether the group is too small to show its figures."""
        return self.participants is None


@dataclass(frozen=True)
class Comparison:
    """The groups of one dimension and how many answered its question."""

    dimension: str
    answered: int
    population: int
    rows: tuple[GroupRow, ...]

    @property
    def under_represented(self) -> tuple[str, ...]:
        """The groups whose share of participants is below 80 % of their share of the population."""
        return tuple(row.group for row in self.rows if row.under_represented)


def compare(
    dimension: str,
    participants: Mapping[str, int],
    population: Mapping[str, int],
    order: Sequence[str] = (),
    *,
    min_group: int = MIN_GROUP,
) -> Comparison:
    """Compare participants' answers with the population, group by group.

    Args:
        dimension: the dimension's key (age_band, gender, district).
        participants: answers per group; those who skipped the question are not in it.
        population: people per group (may be empty when nothing was uploaded).
        order: groups in the order to show them first; other groups follow in population order, then by name.
        min_group: the fewest participants a group needs for its figures to be shown.

    Returns:
        One row per group that is in the population or was answered.
    """
    answered = sum(participants.values())
    people = sum(population.values())
    extra = sorted(group for group in participants if group not in population)
    known = [group for group in order if group in population or group in participants]
    groups = list(dict.fromkeys([*known, *population, *extra]))
    rows = [
        _row(group, participants.get(group, 0), population.get(group), answered, people, min_group)
        for group in groups
    ]
    return Comparison(dimension=dimension, answered=answered, population=people, rows=_protect(rows))


def _protect(rows: list[GroupRow]) -> tuple[GroupRow, ...]:
    """Hide the smallest shown group too when exactly one group is hidden (its number would follow)."""
    shown = [index for index, row in enumerate(rows) if not row.hidden]
    if len(rows) - len(shown) != 1 or not shown:
        return tuple(rows)
    smallest = min(shown, key=lambda index: (rows[index].participants or 0, -index))
    rows[smallest] = replace(
        rows[smallest], participants=None, participant_share=None, difference=None, protected=True
    )
    return tuple(rows)


def _row(group: str, count: int, people: int | None, answered: int, total: int, min_group: int) -> GroupRow:
    shown = count >= min_group
    participant_share = permille(count, answered) if shown and answered else None
    population_share = permille(people, total) if people is not None and total else None
    difference = None
    if participant_share is not None and people is not None and total:
        difference = _round_half_up(1000 * (count * total - people * answered), answered * total)
    under = bool(
        answered
        and people
        and total
        and UNDER_DENOMINATOR * count * total < UNDER_NUMERATOR * people * answered
    )
    return GroupRow(
        group=group,
        participants=count if shown else None,
        participant_share=participant_share,
        population=people,
        population_share=population_share,
        difference=difference,
        under_represented=under,
    )


def permille(part: int, whole: int) -> int:
    """``part / whole`` in tenths of a percent, rounded half up."""
    return _round_half_up(1000 * part, whole)


def _round_half_up(numerator: int, denominator: int) -> int:
    """numerator / denominator rounded to the nearest integer, halves away from zero."""
    sign = -1 if (numerator < 0) != (denominator < 0) else 1
    quotient, remainder = divmod(abs(numerator), abs(denominator))
    return sign * (quotient + (1 if 2 * remainder >= abs(denominator) else 0))
