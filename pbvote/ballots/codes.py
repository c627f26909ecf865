"""Single-use voting codes: issued in batches, stored only as keyed hashes, printed once as letters.

``pbvote codes issue`` writes the plain codes to a CSV file, once; the database keeps their hashes only.
The letter page reads that file back (or codes pasted in), checks each code against the stored hashes
and prints one letter per unused code with a QR code that opens the ballot with the code filled in.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import IO, Any
from urllib.parse import urlencode

import segno
from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import case, func, insert, select
from sqlalchemy.exc import IntegrityError

from pbvote.audit.services import record_audit
from pbvote.ballots import keys
from pbvote.ballots.models import VotingCode
from pbvote.core.errors import DomainError, NotAllowed
from pbvote.extensions import db
from pbvote.processes.models import PHASE_ORDER, Budget, Eligibility, Phase, Process

MAX_CODES = 200_000
BATCH_LENGTH = 80
INSERT_CHUNK = 5_000
LETTERS_PER_PRINT = 500
CSV_COLUMNS = ("code", "budget_id", "budget", "process", "batch", "url")
CSV_DELIMITER = ";"  # what Danish spreadsheets expect
LANDING_ENDPOINT = "ballots.landing"  # the booth's first page: prove the right to vote


@dataclass(frozen=True)
class Letter:
    """One code to print, with the address its QR code opens."""

    code: str
    url: str
    qr: str  # a data: URI of an SVG image


@dataclass(frozen=True)
class CodeCounts:
    """How many codes a budget has, and how many have voted."""

    issued: int = 0
    used: int = 0


class CodesRefused(DomainError):
    """Some pasted or uploaded codes cannot be printed; ``problems`` names each line."""

    code = "codes_refused"

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__(str(_l("No letters were made: correct the lines below and try again.")))


def can_issue_codes(process: Process) -> bool:
    """Codes are for processes that vote with codes, any time until the voting is over."""
    return process.eligibility is Eligibility.CODE and PHASE_ORDER.index(process.phase) <= PHASE_ORDER.index(
        Phase.VOTING
    )


def issue_codes(actor: Any, budget: Budget, count: int, *, batch: str = "", now: datetime) -> list[str]:
    """Create ``count`` new codes for the budget, store their hashes, and return the plain codes once.

    Does not commit. The caller writes the codes somewhere safe before committing.

    Raises:
        DomainError: the count is outside 1..MAX_CODES or the batch label is too long.
        NotAllowed: the process does not use codes, or its voting is over.
    """
    if not 1 <= count <= MAX_CODES:
        raise DomainError(_l("The number of codes must be between 1 and %(max)d.", max=MAX_CODES))
    if len(batch) > BATCH_LENGTH:
        raise DomainError(_l("The batch name may have at most %(max)d characters.", max=BATCH_LENGTH))
    process = budget.process
    if process.eligibility is not Eligibility.CODE:
        raise NotAllowed(_l("This process does not use voting codes: change its eligibility to codes first."))
    if not can_issue_codes(process):
        raise NotAllowed(_l("The voting in this process is over, so no more codes can be issued."))
    plain: dict[str, None] = {}
    while len(plain) < count:
        plain[keys.new_voting_code()] = None
    rows = [
        {"budget_id": budget.id, "code_hash": keys.code_hash(code), "batch": batch, "created_at": now}
        for code in plain
    ]
    try:
        for start in range(0, len(rows), INSERT_CHUNK):
            db.session.execute(insert(VotingCode), rows[start : start + INSERT_CHUNK])
    except IntegrityError as exc:  # a clash with an earlier code (60 bits: practically never)
        raise DomainError(
            _l("A new code clashed with an existing one. Please run the command again.")
        ) from exc
    record_audit(actor, "codes.issued", budget, after={"count": count, "batch": batch}, now=now)
    return list(plain)


def code_counts(budget_ids: Iterable[int]) -> dict[int, CodeCounts]:
    """Issued and used codes per budget, in one query."""
    ids = list(budget_ids)
    if not ids:
        return {}
    query = (
        select(
            VotingCode.budget_id,
            func.count(),
            func.sum(case((VotingCode.used_on.is_not(None), 1), else_=0)),
        )
        .where(VotingCode.budget_id.in_(ids))
        .group_by(VotingCode.budget_id)
    )
    return {
        budget_id: CodeCounts(issued, int(used or 0)) for budget_id, issued, used in db.session.execute(query)
    }


def voting_path(process: Process) -> str:
    """The path of the process's voting page (the booth's landing page, where a code is typed)."""
    if LANDING_ENDPOINT in current_app.view_functions:
        adapter = current_app.url_map.bind(
            "localhost", script_name=current_app.config.get("APPLICATION_ROOT")
        )
        return str(adapter.build(LANDING_ENDPOINT, {"slug": process.slug}))
    return f"/stem/{process.slug}/"


def voting_url(process: Process, code: str | None = None) -> str:
    """The public address of the voting page, with the code filled in when given."""
    base = str(current_app.config["PUBLIC_URL"]).rstrip("/") + voting_path(process)
    return with_code(base, code) if code else base


def with_code(base: str, code: str) -> str:
    """The voting page's address with a code filled in (what the QR code opens)."""
    return f"{base}?{urlencode({'kode': code})}"


def write_codes_csv(stream: IO[str], budget: Budget, codes: Iterable[str], *, batch: str = "") -> None:
    """Write the plain codes with their budget, process and voting address (the only copy there is)."""
    writer = csv.writer(stream, delimiter=CSV_DELIMITER, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    base, process_title = voting_url(budget.process), budget.process.title_da
    for code in codes:
        writer.writerow((code, budget.id, budget.name_da, process_title, batch, with_code(base, code)))


def read_pasted_codes(text: str) -> list[tuple[int, str]]:
    """(line number, code as typed) for codes pasted one a line, or several a line between commas."""
    return [
        (number, token.strip())
        for number, line in enumerate(text.splitlines(), start=1)
        for token in line.replace(";", ",").split(",")
        if token.strip()
    ]


def read_codes_file(text: str) -> list[tuple[int, str]]:
    """(line number, code) from the CSV the command wrote: the ``code`` column, else the first one."""
    text = text.removeprefix("\ufeff")
    sample = next((line for line in text.splitlines() if line.strip()), "")
    delimiter = next((d for d in (";", ",", "\t") if d in sample), None)
    if delimiter is None:
        return read_pasted_codes(text)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    column, first, found = 0, True, []
    for fields in reader:
        cells = [field.strip() for field in fields]
        if not any(cells):
            continue
        names = [cell.lower() for cell in cells]
        if first and "code" in names:  # the header the command writes
            column = names.index("code")
        else:
            found.append((reader.line_num, cells[column] if column < len(cells) else ""))
        first = False
    return found


def letters_for(budget: Budget, entries: list[tuple[int, str]]) -> tuple[list[Letter], int]:
    """The letters for codes of this budget, refusing codes that are not; used codes are left out.

    Returns:
        The letters, and how many codes were left out because they have voted already.

    Raises:
        CodesRefused: a line holds no code, a code appears twice, or a code is not one of this budget's.
    """
    problems: list[str] = []
    hashes: dict[str, tuple[int, str]] = {}
    for line, typed in entries:
        normal = keys.normalise_code(typed)
        if len(normal) != keys.CODE_LENGTH or any(ch not in keys.CODE_ALPHABET for ch in normal):
            problems.append(str(_l("Line %(line)d: this is not a voting code.", line=line)))
            continue
        digest = keys.code_hash(normal)
        if digest in hashes:
            problems.append(
                str(
                    _l(
                        "Line %(line)d: the code is also on line %(first)d.",
                        line=line,
                        first=hashes[digest][0],
                    )
                )
            )
            continue
        hashes[digest] = (line, "-".join(normal[i : i + 4] for i in range(0, keys.CODE_LENGTH, 4)))
    stored = _stored_codes(budget, list(hashes))
    for digest, (line, _code) in hashes.items():
        if digest not in stored:
            problems.append(str(_l("Line %(line)d: the code is not a code of this budget.", line=line)))
    if problems:
        raise CodesRefused(problems)
    base = voting_url(budget.process)
    letters = [
        Letter(code=code, url=(url := with_code(base, code)), qr=qr_data_uri(url))
        for digest, (_line, code) in hashes.items()
        if stored[digest] is None
    ]
    return letters, len(hashes) - len(letters)


def _stored_codes(budget: Budget, hashes: list[str]) -> dict[str, object]:
    """The budget's codes among ``hashes``: hash → the date it was used (None while unused)."""
    found: dict[str, object] = {}
    for start in range(0, len(hashes), 900):  # below SQLite's limit on bound parameters
        query = select(VotingCode.code_hash, VotingCode.used_on).where(
            VotingCode.budget_id == budget.id, VotingCode.code_hash.in_(hashes[start : start + 900])
        )
        found.update(dict(db.session.execute(query).tuples().all()))
    return found


def qr_data_uri(url: str) -> str:
    """A QR code for ``url`` as an SVG data URI (allowed by the CSP, crisp in print)."""
    return str(segno.make(url, error="m").svg_data_uri(scale=4, border=2))
