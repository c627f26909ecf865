"""The census list of a process: who may vote, known only by keyed hashes of their person numbers.

An admin uploads a CSV file with one person a line::

    person number;birth year;district
    0101801234;1980;Nordby
    020395-4321;1995;

Columns are separated by ``;`` or ``,``; the file is UTF-8 with or without a byte-order mark; a first
line naming the columns is skipped; the district may be left out. The plain person numbers are read,
hashed with the site's key and forgotten: they are never stored, logged or shown, and a refusal names
the line, not the number. A new upload replaces the whole list.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, func, insert, select

from pbvote.audit.services import record_audit
from pbvote.auth.policies import can_manage_processes
from pbvote.ballots import keys
from pbvote.ballots.models import CensusEntry
from pbvote.core.errors import DomainError, NotAllowed
from pbvote.extensions import db
from pbvote.processes.models import PHASE_ORDER, Eligibility, Phase, Process

MAX_ROWS = 1_000_000
ERRORS_SHOWN = 50
INSERT_CHUNK = 5_000
DISTRICT_LENGTH = 120
OLDEST_BIRTH_YEAR = 1880
MAX_MIN_AGE = 120


@dataclass(frozen=True)
class CensusRow:
    """One person of an uploaded list, already hashed."""

    person_hash: str
    birth_year: int
    district: str | None


class CensusFileInvalid(DomainError):
    """The uploaded list has bad lines; ``problems`` names each one (nothing has been stored)."""

    code = "census_file_invalid"

    def __init__(self, problems: list[str], more: int = 0) -> None:
        self.problems = problems
        self.more = more
        super().__init__(str(_l("The file was not read: correct the lines below and upload it again.")))


def normalise_person_number(text: str) -> str | None:
    """A Danish person number (CPR) as ten digits, or None if it cannot be one ('010180-1234' is fine)."""
    digits = "".join(ch for ch in text if ch not in " -\u00a0")
    if len(digits) != 10 or not digits.isascii() or not digits.isdigit():
        return None
    try:
        date(2000, int(digits[2:4]), int(digits[0:2]))  # a leap year, so 29 February passes
    except ValueError:
        return None
    return digits


def person_hash(text: str) -> str | None:
    """The stored form of a person number, or None if the text is not a person number."""
    number = normalise_person_number(text)
    return None if number is None else keys.keyed_hash("census", number)


def match_person(process: Process, cpr: str) -> CensusEntry | None:
    """The census entry of the person with this number in the process, if they are on the list."""
    digest = person_hash(cpr)
    if digest is None:
        return None
    return db.session.scalar(
        select(CensusEntry).where(CensusEntry.process_id == process.id, CensusEntry.person_hash == digest)
    )


def old_enough(entry: CensusEntry, process: Process, today: date) -> bool:
    """Whether the person reaches the process's minimum age this calendar year (judged by birth year)."""
    if process.min_age is None:
        return True
    if entry.birth_year is None:
        return False
    return today.year - entry.birth_year >= process.min_age


def census_count(process: Process) -> int:
    """How many people are on the process's census list."""
    query = select(func.count()).select_from(CensusEntry).where(CensusEntry.process_id == process.id)
    return db.session.scalar(query) or 0


def can_change_census(user: Any, process: Process) -> bool:
    """Admins replace the list until the voting is over (and may delete it at any time)."""
    return can_manage_processes(user) and PHASE_ORDER.index(process.phase) <= PHASE_ORDER.index(Phase.VOTING)


def voting_has_opened(process: Process) -> bool:
    """Whether the process is in voting or later: who may vote can no longer change."""
    return process.is_frozen or PHASE_ORDER.index(process.phase) >= PHASE_ORDER.index(Phase.VOTING)


def read_census_file(data: bytes, *, this_year: int) -> list[CensusRow]:
    """Read and hash an uploaded list, refusing it whole if any line is bad.

    Raises:
        CensusFileInvalid: the file is not UTF-8 text, is empty, or has bad lines (each named by number).
    """
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise CensusFileInvalid(
            [str(_l("The file is not UTF-8 text. In Excel, save it as “CSV UTF-8”."))]
        ) from exc
    rows: list[CensusRow] = []
    problems: list[str] = []
    first_line: dict[str, int] = {}
    for line, fields in _records(text):
        if len(rows) >= MAX_ROWS:
            raise CensusFileInvalid([str(_l("The file has more than %(num)d people.", num=MAX_ROWS))])
        problem, row = _read_row(line, fields, this_year)
        if row is not None and row.person_hash in first_line:
            problem = _l(
                "Line %(line)d: the same person number is also on line %(first)d.",
                line=line,
                first=first_line[row.person_hash],
            )
        if problem is not None:
            problems.append(str(problem))
        elif row is not None:
            first_line[row.person_hash] = line
            rows.append(row)
    if problems:
        raise CensusFileInvalid(problems[:ERRORS_SHOWN], more=max(0, len(problems) - ERRORS_SHOWN))
    if not rows:
        raise CensusFileInvalid([str(_l("The file has no people in it."))])
    return rows


def _records(text: str) -> Iterator[tuple[int, list[str]]]:
    """(line number, fields) for each non-blank line, without a first line that names the columns."""
    sample = next((line for line in text.splitlines() if line.strip()), "")
    delimiter = ";" if sample.count(";") >= sample.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    first = True
    for fields in reader:
        if not any(field.strip() for field in fields):
            continue
        if first and _is_header(fields):
            first = False
            continue
        first = False
        yield reader.line_num, fields


def _is_header(fields: list[str]) -> bool:
    """A first line that names the columns: words where the number and the year would be."""
    year = fields[1].strip() if len(fields) > 1 else ""
    return any(ch.isalpha() for ch in fields[0]) and not year.isdigit()


def _read_row(line: int, fields: list[str], this_year: int) -> tuple[Any, CensusRow | None]:
    """One line's problem (a translated text) or its row."""
    fields = [field.strip() for field in fields]
    if len(fields) not in (2, 3):
        return _l(
            "Line %(line)d: expected 2 or 3 columns (person number, birth year, district), found %(num)d.",
            line=line,
            num=len(fields),
        ), None
    digest = person_hash(fields[0])
    if digest is None:
        return _l("Line %(line)d: the person number must be 10 digits, such as 010180-1234.", line=line), None
    year = fields[1]
    if not (
        len(year) == 4 and year.isascii() and year.isdigit() and OLDEST_BIRTH_YEAR <= int(year) <= this_year
    ):
        return _l("Line %(line)d: the birth year must be a year such as 1984.", line=line), None
    district = fields[2] if len(fields) == 3 else ""
    if len(district) > DISTRICT_LENGTH:
        return _l(
            "Line %(line)d: the district may have at most %(max)d characters.", line=line, max=DISTRICT_LENGTH
        ), None
    return None, CensusRow(person_hash=digest, birth_year=int(year), district=district or None)


def replace_census(actor: Any, process: Process, rows: list[CensusRow], *, now: datetime) -> int:
    """Put a new census list in place of the old one; returns how many people it holds. Does not commit.

    Raises:
        NotAllowed: not an admin, or the voting is over.
    """
    if not can_change_census(actor, process):
        raise NotAllowed(_l("The census list can only be changed by an administrator until the voting ends."))
    before = census_count(process)
    db.session.execute(delete(CensusEntry).where(CensusEntry.process_id == process.id))
    values = [
        {
            "process_id": process.id,
            "person_hash": row.person_hash,
            "birth_year": row.birth_year,
            "district": row.district,
        }
        for row in rows
    ]
    for start in range(0, len(values), INSERT_CHUNK):
        db.session.execute(insert(CensusEntry), values[start : start + INSERT_CHUNK])
    record_audit(
        actor, "census.replaced", process, before={"count": before}, after={"count": len(rows)}, now=now
    )
    db.session.flush()
    return len(rows)


def delete_census(actor: Any, process: Process, *, now: datetime) -> int:
    """Delete the whole list (e.g. when the voting is over); returns how many were deleted. Does not commit.

    Raises:
        NotAllowed: not an admin.
    """
    if not can_manage_processes(actor):
        raise NotAllowed(_l("Only administrators can manage the census list."))
    before = census_count(process)
    db.session.execute(delete(CensusEntry).where(CensusEntry.process_id == process.id))
    record_audit(actor, "census.deleted", process, before={"count": before}, after={"count": 0}, now=now)
    db.session.flush()
    return before


def update_voting_settings(
    actor: Any,
    process: Process,
    *,
    census_required: bool,
    min_age: int | None,
    ask_questions: bool,
    now: datetime,
) -> None:
    """Set who must be on the census list, the minimum age and the optional questions. Does not commit.

    Raises:
        NotAllowed: not an admin, or the census rules change after voting opened.
        DomainError: a census list is asked for in a process where voters do not log in.
    """
    if not can_manage_processes(actor):
        raise NotAllowed(_l("Only administrators can change the voting settings."))
    before = {
        "census_required": process.census_required,
        "min_age": process.min_age,
        "ask_questions": process.ask_questions,
    }
    after = {"census_required": census_required, "min_age": min_age, "ask_questions": ask_questions}
    census_changed = before["census_required"] != census_required or before["min_age"] != min_age
    if census_changed and voting_has_opened(process):
        raise NotAllowed(_l("Who may vote cannot change once the voting has opened."))
    if census_required and process.eligibility is not Eligibility.ACCOUNT:
        raise DomainError(_l("A census list can only be required when voters log in with an account."))
    if min_age is not None and not 0 <= min_age <= MAX_MIN_AGE:
        raise DomainError(_l("The minimum age must be between 0 and %(max)d.", max=MAX_MIN_AGE))
    if before == after:
        return
    process.census_required, process.min_age, process.ask_questions = census_required, min_age, ask_questions
    record_audit(actor, "process.voting_settings_changed", process, before=before, after=after, now=now)
    db.session.flush()
