"""The published tie-break orders, and how to find the groups of projects a rule could not tell apart.

``TieBreak.COST`` (the default): lower cost first, then more votes, then project id.
``TieBreak.ID``: project id compared as a plain Python string (``"10" < "9"``), as pabutools does.
The id is always the last key, so the order is total and a count is reproducible.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Mapping, Sequence

from pbvote.core.types import Project, TieBreak

TieKey = tuple[int, int, str]


def tie_break_key(project: Project, votes: int, tie_break: TieBreak) -> TieKey:
    """Give the key that puts tied projects in the published order; the smallest key wins the tie.

    Args:
        project: the project to place.
        votes: how many voters listed the project (the second key of the cost order).
        tie_break: the published order.

    Returns:
        A key to sort by, ascending.
    """
    if tie_break is TieBreak.COST:
        return (project.cost, -votes, project.id)
    return (0, 0, project.id)


def order_by_score(
    projects: Sequence[Project], score: Mapping[str, int], votes: Mapping[str, int], tie_break: TieBreak
) -> list[Project]:
    """Sort projects by score, highest first, equal scores in the published tie-break order.

    Args:
        projects: the projects to order.
        score: each project's score (the rule's primary criterion).
        votes: how many voters listed each project.
        tie_break: the published order for equal scores.

    Returns:
        The projects in the order a greedy rule considers them.
    """
    return sorted(
        projects,
        key=lambda project: (-score[project.id], tie_break_key(project, votes[project.id], tie_break)),
    )


def tied_groups(ordered_ids: Sequence[str], primary: Callable[[str], Hashable]) -> list[tuple[str, ...]]:
    """Find the runs of two or more consecutive projects equal on the rule's primary criterion.

    Args:
        ordered_ids: project ids in the order the rule considered them (ties already broken).
        primary: the criterion the rule ranks by, e.g. the score; equal values mean a tie.

    Returns:
        Each tied group in the order the tie-break put it, winner first.
    """
    groups: list[tuple[str, ...]] = []
    start = 0
    for end in range(1, len(ordered_ids) + 1):
        if end == len(ordered_ids) or primary(ordered_ids[end]) != primary(ordered_ids[start]):
            if end - start >= 2:
                groups.append(tuple(ordered_ids[start:end]))
            start = end
    return groups
