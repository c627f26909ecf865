"""Read the containers of an untrusted BallotInput without ever raising, whatever they hold."""

from __future__ import annotations

from collections.abc import Mapping, Sequence, Sized

from pbvote.core.types import BudgetSpec, Project
from pbvote.core.validation.violations import Violation, ViolationCode, shown, violation


def safe_len(value: object) -> int | None:
    """The length of a sized value, or None when it has none or refuses to tell."""
    if not isinstance(value, Sized):
        return None
    try:
        return len(value)
    except Exception:
        return None


def is_given(value: object) -> bool:
    """Tell whether an input field holds something: not None and not an empty container."""
    return value is not None and safe_len(value) != 0


def as_list(value: object) -> list[object] | None:
    """The entries of a list-like input, or None when it is not one (a text is not a list of ids)."""
    if isinstance(value, str | bytes | bytearray) or not isinstance(value, Sequence):
        return None
    try:
        return list(value)
    except Exception:
        return None


def as_items(value: object) -> list[tuple[object, object]] | None:
    """The (key, value) pairs of a mapping input, or None when it is not a mapping."""
    if value is None:
        return []
    if not isinstance(value, Mapping):
        return None
    try:
        return list(value.items())
    except Exception:
        return None


def whole(value: object) -> int | None:
    """The value when it is a whole number, else None; booleans are not, nor are 3.0 or "3"."""
    return value if isinstance(value, int) and not isinstance(value, bool) else None


class IdReader:
    """Check entries one by one as project ids, reporting each fault once, in the order met."""

    def __init__(self, spec: BudgetSpec, violations: list[Violation]) -> None:
        self.projects: dict[str, Project] = {project.id: project for project in spec.projects}
        self.violations = violations
        self._seen: set[str] = set()
        self._reported: set[str] = set()

    def read(self, position: int, entry: object) -> str | None:
        """The entry as a known, not yet chosen project id, or None after recording why not.

        Args:
            position: the entry's 1-based place in the input, for ``not_a_project_id``.
            entry: what the client sent.

        Returns:
            The id, or None when the entry is not one, is unknown or repeats an earlier entry.
        """
        if not isinstance(entry, str):
            self.violations.append(violation(ViolationCode.NOT_A_PROJECT_ID, position=position))
            return None
        if entry not in self.projects:
            self._report_once(ViolationCode.UNKNOWN_PROJECT, entry)
            return None
        if entry in self._seen:
            self._report_once(ViolationCode.DUPLICATE_PROJECT, entry)
            return None
        self._seen.add(entry)
        return entry

    def read_all(self, entries: list[object]) -> list[str]:
        """The entries that are known project ids, each once, in input order."""
        ids = (self.read(position, entry) for position, entry in enumerate(entries, 1))
        return [project_id for project_id in ids if project_id is not None]

    def _report_once(self, code: ViolationCode, entry: str) -> None:
        if entry not in self._reported:
            self._reported.add(entry)
            self.violations.append(violation(code, project=shown(entry)))


def count_limits(
    violations: list[Violation], actual: int, minimum: int, limit: int | None, too_long: ViolationCode
) -> None:
    """Record too few or too many chosen projects."""
    if actual < minimum:
        violations.append(violation(ViolationCode.TOO_FEW_PROJECTS, minimum=minimum, actual=actual))
    if limit is not None and actual > limit:
        violations.append(violation(too_long, limit=limit, actual=actual))


def input_limit(spec: BudgetSpec) -> int:
    """The most entries an input may hold before it is refused unread: twice the projects, plus slack."""
    return 2 * len(spec.projects) + 10
