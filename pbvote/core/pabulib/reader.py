"""Read a pabulib ``.pb`` file into an Election, exactly and fast, failing with the line of any fault."""

from __future__ import annotations

import os
from pathlib import Path

from pbvote.core.errors import PabulibError
from pbvote.core.pabulib import schema
from pbvote.core.pabulib.amounts import MAX_DIGITS, split_decimal, to_units
from pbvote.core.pabulib.ballots import VoteContext
from pbvote.core.pabulib.fast import gc_paused
from pbvote.core.pabulib.rows import RowCursor, show
from pbvote.core.pabulib.votes import read_voters
from pbvote.core.types import Election, Project

_MetaLines = dict[str, int]


def read_pabulib(path: str | os.PathLike[str]) -> Election:
    """Read a pabulib file from disk.

    Args:
        path: where the ``.pb`` file is.

    Returns:
        The election, money scaled to integers.

    Raises:
        PabulibError: the file is not valid UTF-8 or not a valid pabulib file (names the line).
        OSError: the file cannot be read at all.
    """
    path = Path(path)
    return parse_pabulib_bytes(path.read_bytes(), source=path.name)


def parse_pabulib_bytes(data: bytes, source: str = "<bytes>") -> Election:
    """Read a pabulib file from raw bytes, e.g. an upload; the bytes must be UTF-8.

    Args:
        data: the file's bytes (a UTF-8 byte-order mark is allowed).
        source: a name for the file in error messages.

    Returns:
        The election.

    Raises:
        PabulibError: the bytes are not UTF-8 or not a valid pabulib file (names the line).
    """
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        where = "" if source.startswith("<") else f" [{source}]"
        raise PabulibError(f"bytes {data[exc.start : exc.end]!r} are not valid UTF-8{where}", line) from None
    return parse_pabulib_text(text, source)


def parse_pabulib_text(text: str, source: str = "<text>") -> Election:
    """Read a pabulib file from its text.

    Args:
        text: the whole file, LF or CRLF line endings.
        source: a name for the file in error messages.

    Returns:
        The election: every META field, every PROJECTS and VOTES column kept; approval and cumulative
        ballots with their ids sorted (points parallel), ordinal ones best first.

    Raises:
        PabulibError: the text is not a valid pabulib file; the message names the line and the fault.
    """
    cursor = RowCursor(text.removeprefix("\ufeff"), source)
    if not cursor.text or cursor.text.isspace():
        cursor.fail("the file is empty", 1)
    with gc_paused():
        return _read_election(cursor)


def _read_election(cursor: RowCursor) -> Election:
    meta, meta_lines = _read_meta(cursor)
    vote_type = meta.get(schema.VOTE_TYPE, "").strip()
    if vote_type not in schema.VOTE_TYPES:
        known = ", ".join(schema.VOTE_TYPES)
        cursor.fail(f"unknown vote_type {show(vote_type)} (known: {known})", meta_lines.get(schema.VOTE_TYPE))
    kind = schema.VOTE_TYPES[vote_type]
    cursor.expect_title("PROJECTS")
    project_columns = cursor.header("PROJECTS")
    project_rows = _project_rows(cursor, project_columns)
    budget_digits = _budget_digits(cursor, meta, meta_lines)
    decimals = max([len(budget_digits[1])] + [len(cost[1]) for _, _, cost in project_rows])
    projects = tuple(
        _project(cursor, project_columns, row, line, cost, decimals) for row, line, cost in project_rows
    )
    _check_unique_ids(cursor, projects, [line for _, line, _ in project_rows])
    cursor.expect_title("VOTES")
    vote_columns = cursor.header("VOTES")
    context = VoteContext(vote_type, kind, frozenset(project.id for project in projects), cursor.line)
    voters = read_voters(cursor, vote_columns, context)
    return Election(
        meta=meta,
        projects=projects,
        voters=voters,
        budget=to_units(*budget_digits, decimals),
        kind=kind,
        vote_type=vote_type,
        scale=10**decimals,
        threshold=_threshold(cursor, meta, meta_lines),
        project_columns=project_columns,
        vote_columns=vote_columns,
    )


def _read_meta(cursor: RowCursor) -> tuple[dict[str, str], _MetaLines]:
    """Read META as key → value in file order, with the line of each key for later messages."""
    cursor.expect_title("META")
    title_line = cursor.line
    if len(cursor.header("META")) != 2:
        cursor.fail("the META header must have two columns, key;value")
    meta: dict[str, str] = {}
    lines: _MetaLines = {"": title_line}
    for row, line in cursor.section_rows("META", 2):
        key = row[0].strip()
        if key in meta:
            cursor.fail(f"META key {show(key)} appears twice", line)
        meta[key] = row[1]
        lines[key] = line
    return meta, lines


def _budget_digits(cursor: RowCursor, meta: dict[str, str], lines: _MetaLines) -> tuple[str, str]:
    if schema.BUDGET not in meta:
        cursor.fail("META has no budget", lines[""])
    digits = split_decimal(meta[schema.BUDGET])
    if digits is None:
        cursor.fail(f"budget {show(meta[schema.BUDGET])} is not a non-negative number", lines[schema.BUDGET])
    return digits


def _threshold(cursor: RowCursor, meta: dict[str, str], lines: _MetaLines) -> int | None:
    text = meta.get(schema.THRESHOLD, "").strip()
    if text.lower() in schema.MISSING_VALUES:
        return None
    if not text.isascii() or not text.lstrip("-").isdigit() or len(text) > MAX_DIGITS:
        cursor.fail(f"{schema.THRESHOLD} {show(text)} is not a whole number", lines[schema.THRESHOLD])
    return int(text)


def _project_rows(
    cursor: RowCursor, columns: tuple[str, ...]
) -> list[tuple[list[str], int, tuple[str, str]]]:
    """Read the PROJECTS rows with their lines and split costs (the scale needs every cost first)."""
    for required in (schema.PROJECT_ID, schema.COST):
        if required not in columns:
            cursor.fail(f"the PROJECTS header has no {required} column")
    cost_at = columns.index(schema.COST)
    rows = []
    for row, line in cursor.section_rows("PROJECTS", len(columns)):
        cost = split_decimal(row[cost_at])
        if cost is None:
            cursor.fail(f"cost {show(row[cost_at])} is not a non-negative number", line)
        rows.append((row, line, cost))
    return rows


def _project(
    cursor: RowCursor,
    columns: tuple[str, ...],
    row: list[str],
    line: int,
    cost: tuple[str, str],
    decimals: int,
) -> Project:
    fields = dict(zip(columns, row, strict=True))
    project_id = fields[schema.PROJECT_ID].strip()
    if not project_id or "," in project_id:
        cursor.fail(
            f"project_id {show(project_id)} is empty or holds a comma (votes list ids with commas)", line
        )
    return Project(
        id=project_id,
        cost=to_units(*cost, decimals),
        name=fields.get(schema.NAME, ""),
        category=schema.parse_category(fields.get(schema.CATEGORY, "")),
        district=fields.get(schema.DISTRICT, ""),
        coordinates=schema.coordinates_of(fields),
        fields=fields,
    )


def _check_unique_ids(cursor: RowCursor, projects: tuple[Project, ...], lines: list[int]) -> None:
    seen: set[str] = set()
    for project, line in zip(projects, lines, strict=True):
        if project.id in seen:
            cursor.fail(f"project_id {show(project.id)} appears twice in PROJECTS", line)
        seen.add(project.id)
