"""Domain errors raised by the core; the web layer translates them by code."""

from __future__ import annotations


class DomainError(Exception):
    """A rule of the domain was broken; safe to show to a user once translated."""

    code = "domain_error"


class PabulibError(DomainError):
    """A pabulib file could not be read; names the line so the file can be fixed."""

    code = "pabulib_error"

    def __init__(self, message: str, line: int | None = None) -> None:
        self.line = line
        super().__init__(f"line {line}: {message}" if line is not None else message)


class NotAllowed(DomainError):
    """The actor may not do this now (wrong role, wrong phase, not their object)."""

    code = "not_allowed"
