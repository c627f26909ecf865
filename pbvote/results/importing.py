"""Load a pabulib election as a process whose voting has closed, so it can be counted and published here.

Everything is written with bulk Core inserts in chunks (a 4 MB file holds ~130,000 ballots) and nothing
is committed: the command commits once. Ballots get random ids and receipts; participations get voter
keys derived from the slug and the file's voter id, and are never linked to the ballots.
"""

from __future__ import annotations

import base64
import hashlib
import re
import secrets
import unicodedata
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from operator import itemgetter
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import insert, select

from pbvote.audit.services import record_audit
from pbvote.ballots.keys import CODE_ALPHABET
from pbvote.ballots.models import Ballot, BallotLine, Channel, Participation, SurveyResponse
from pbvote.core.errors import DomainError
from pbvote.core.pabulib.fast import gc_paused
from pbvote.core.types import Ballot as CoreBallot
from pbvote.core.types import BallotKind, Election, RuleName
from pbvote.extensions import db
from pbvote.processes.freeze import freeze_ballots
from pbvote.processes.models import (
    PHASE_ORDER,
    Budget,
    Category,
    Municipality,
    Phase,
    Process,
    ProcessPhase,
)
from pbvote.proposals.models import Project

CHUNK = 5000  # rows per INSERT: well under SQLite's and PostgreSQL's parameter limits
DB_SCALE = 100  # the database keeps money in hundredths
CURRENCIES = {"poland": "PLN", "hungary": "HUF", "switzerland": "CHF", "denmark": "DKK", "us": "USD"}
AGE_BANDS = ((18, "under_18"), (30, "18_29"), (45, "30_44"), (65, "45_64"), (80, "65_79"))  # the booth's
_CROCKFORD = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567", CODE_ALPHABET)  # base32 → receipt alphabet
_SPELLED_OUT = str.maketrans({"æ": "ae", "ø": "oe", "å": "aa", "ł": "l", "ß": "ss", "đ": "d"})
GENDERS = {"f": "woman", "k": "woman", "w": "woman", "m": "man"}


class ImportRefused(DomainError):
    """The election cannot be imported as it is (slug taken, amounts too fine, ids too long)."""

    code = "import_refused"


@dataclass(frozen=True)
class ImportResult:
    """What an import created."""

    process: Process
    budget: Budget
    ballots: int


def import_election(election: Election, *, slug: str, now: datetime, source: str = "") -> ImportResult:
    """Store a pabulib election as a frozen process in counting, with its projects and ballots. No commit.

    Args:
        election: as read by ``read_pabulib``.
        slug: the new process's address; must be free.
        source: the file name, kept in the process summary and the audit log.

    Raises:
        ImportRefused: the slug is taken, or the file cannot be stored exactly.
    """
    factor = money_factor(election)
    slug = slug.strip().lower()
    if not re.fullmatch(r"[a-z0-9][a-z0-9-]{0,79}", slug):
        raise ImportRefused(_l("The address %(slug)s is not valid: use a-z, 0-9 and dashes.", slug=slug))
    if db.session.scalar(select(Process.id).where(Process.slug == slug)) is not None:
        raise ImportRefused(_l("The address %(slug)s is taken by another process.", slug=slug))
    long_ids = [project.id for project in election.projects if len(project.id) > 64]
    if long_ids:
        raise ImportRefused(_l("The project id %(id)s is longer than 64 characters.", id=long_ids[0][:80]))
    meta = election.meta
    voted_on = _date(meta.get("date_end", "")) or now.date()
    process = _process(election, slug, source, now)
    budget = Budget(process=process, amount=election.budget * factor, **budget_settings(election))
    db.session.add(budget)
    db.session.flush()
    project_ids = _store_projects(election, process, budget, factor, now)
    freeze_ballots(None, process, now=now)
    process.phase = Phase.COUNTING
    with gc_paused():  # hundreds of thousands of row dicts: collection passes would cost more than the work
        count = _store_ballots(election, process, budget, project_ids, voted_on)
    record_audit(None, "process.imported", process, after={"source": source, "ballots": count}, now=now)
    db.session.flush()
    return ImportResult(process, budget, count)


def money_factor(election: Election) -> int:
    """How many hundredths one of the file's units is; refuses amounts finer than hundredths."""
    if election.scale > DB_SCALE or DB_SCALE % election.scale:
        raise ImportRefused(_l("Amounts with more than two decimals cannot be stored exactly."))
    return DB_SCALE // election.scale


def default_slug(name: str) -> str:
    """An address made from a file name: ASCII letters, digits and dashes."""
    text = unicodedata.normalize("NFKD", name.lower().translate(_SPELLED_OUT))
    text = text.encode("ascii", "ignore").decode("ascii").lower()
    return re.sub(r"[^a-z0-9]+", "-", text).strip("-")[:80].strip("-") or "pabulib"


def budget_settings(election: Election) -> dict[str, Any]:
    """The budget's ballot kind, limits and rule from the file's vote type and META."""
    meta = election.meta
    settings: dict[str, Any] = {
        "name_da": _cut(meta.get("subunit") or meta.get("district") or meta.get("unit") or "Pulje", 120),
        "district": _cut(meta["district"], 120) if meta.get("district") else None,
        "min_projects": _int(meta.get("min_length")) or 0,
        "max_projects": _int(meta.get("max_length")),
        "rule": RuleName.MES if meta.get("rule", "").strip().startswith("equalshares") else RuleName.GREEDY,
        "completion": True,
        "min_score": election.threshold,
    }
    settings["name_en"] = settings["name_da"]
    if election.vote_type == "choose-1":
        settings.update(ballot_kind=BallotKind.APPROVAL, min_projects=1, max_projects=1)
    elif election.kind is BallotKind.APPROVAL:
        # Approval and knapsack ballots count the same; a cost cap on the ballot makes it a knapsack.
        knapsack = _int(meta.get("max_sum_cost")) is not None
        settings["ballot_kind"] = BallotKind.KNAPSACK if knapsack else BallotKind.APPROVAL
    elif election.kind is BallotKind.CUMULATIVE:
        sums = (sum(voter.ballot.points) for voter in election.voters)
        settings.update(
            ballot_kind=BallotKind.CUMULATIVE,
            points=_int(meta.get("max_sum_points")) or max(sums, default=1),
            max_points_per_project=_int(meta.get("max_points")),
        )
    else:
        longest = max((len(voter.ballot.projects) for voter in election.voters), default=1)
        settings.update(ballot_kind=BallotKind.RANKED, max_projects=settings["max_projects"] or longest)
    return settings


def _process(election: Election, slug: str, source: str, now: datetime) -> Process:
    meta = election.meta
    currency = (meta.get("currency") or CURRENCIES.get(meta.get("country", "").lower(), "DKK")).upper()[:3]
    title = meta.get("description") or f"{meta.get('unit', '')} {meta.get('instance', '')}".strip() or slug
    process = Process(
        municipality=_municipality(meta.get("unit", ""), currency),
        slug=slug,
        title_da=_cut(title, 200),
        title_en=_cut(title, 200),
        summary_da=f"Importeret fra pabulib ({source}).",
        summary_en=f"Imported from pabulib ({source}).",
        currency=currency,
        created_at=now,
    )
    voting = (_date(meta.get("date_begin", "")), _date(meta.get("date_end", "")))
    for position, phase in enumerate(PHASE_ORDER):
        dates = voting if phase is Phase.VOTING else (None, None)
        process.phases.append(
            ProcessPhase(phase=phase, position=position, starts_on=dates[0], ends_on=dates[1])
        )
    db.session.add(process)
    return process


def _municipality(unit: str, currency: str) -> Municipality:
    """The site's municipality; a new one named after the file's unit when there is none yet."""
    existing = db.session.scalar(select(Municipality).order_by(Municipality.id).limit(1))
    if existing is not None:
        return existing
    name = unit.strip() or "Pabulib"
    return Municipality(slug=default_slug(name), name=_cut(name, 120), currency=currency)


def _store_projects(
    election: Election, process: Process, budget: Budget, factor: int, now: datetime
) -> dict[str, int]:
    names = list(dict.fromkeys(_cut(p.category[0], 80) for p in election.projects if p.category))
    categories = [Category(name_da=name, name_en=name, position=i) for i, name in enumerate(names)]
    process.categories.extend(categories)
    db.session.flush()
    category_ids = {category.name_da: category.id for category in categories}
    rows = [
        {
            "budget_id": budget.id,
            "code": project.id,
            "position": position,
            "title": _cut(project.name.strip() or project.id, 200),
            "summary": project.fields.get("description", ""),
            "cost": project.cost * factor,
            "category_id": category_ids[_cut(project.category[0], 80)] if project.category else None,
            "created_at": now,  # every column given: COPY applies no Python-side defaults
        }
        for position, project in enumerate(election.projects)
    ]
    _insert(Project, rows)
    query = select(Project.code, Project.id).where(Project.budget_id == budget.id)
    return dict(db.session.execute(query).tuples().all())


def _store_ballots(
    election: Election, process: Process, budget: Budget, project_ids: dict[str, int], voted_on: date
) -> int:
    """Insert a participation, a ballot with its lines and any survey answers per voter; return the count."""
    count, budget_id, process_id, slug = len(election.voters), budget.id, process.id, process.slug
    receipts, ballot_ids, answer_ids = _receipts(count), _random_ids(count), _random_ids(count)
    participations, ballots, lines, answers = [], [], [], []
    extras: dict[int, tuple[str, dict[str, str | None]]] = {}  # voters with equal columns share a dict
    pairs: dict[int, list[tuple[int, int]]] = {}  # voters with equal votes share a Ballot
    for index, voter in enumerate(election.voters):
        if id(voter.fields) not in extras:
            extras[id(voter.fields)] = (
                _channel(voter.fields.get("voting_method", "")),
                _answers(voter.fields),
            )
        channel, answer = extras[id(voter.fields)]  # channel as its stored text: COPY takes no enums
        if id(voter.ballot) not in pairs:
            pairs[id(voter.ballot)] = _line_values(election.kind, voter.ballot, project_ids)
        key = hashlib.sha256(f"{slug}\x1f{voter.id}".encode()).hexdigest()
        participations.append(
            {"budget_id": budget_id, "voter_key": f"import:{key}", "channel": channel, "voted_on": voted_on}
        )
        ballot_id = ballot_ids[index]
        ballots.append(
            {
                "id": ballot_id,
                "budget_id": budget_id,
                "channel": channel,
                "cast_on": voted_on,
                "receipt": receipts[index],
            }
        )
        lines.extend(
            {"ballot_id": ballot_id, "project_id": project, "value": value}
            for project, value in pairs[id(voter.ballot)]
        )
        if answer:
            answers.append(
                {"id": answer_ids[index], "process_id": process_id, "answered_on": voted_on, **answer}
            )
    # Rows go in in key order: B-tree appends instead of random page writes, and the random ballot ids
    # leave no trace of the file's order.
    participations.sort(key=itemgetter("voter_key"))
    ballots.sort(key=itemgetter("id"))
    lines.sort(key=itemgetter("ballot_id", "project_id"))
    answers.sort(key=itemgetter("id"))
    for model, data in ((Participation, participations), (Ballot, ballots), (BallotLine, lines)):
        _insert(model, data)
    _insert(SurveyResponse, answers)
    return count


def _line_values(kind: BallotKind, ballot: CoreBallot, project_ids: dict[str, int]) -> list[tuple[int, int]]:
    """(project row id, value) per chosen project: 1, the points (cumulative) or the rank (ranked)."""
    codes = ballot.projects
    if kind is BallotKind.CUMULATIVE:
        values: Sequence[int] = ballot.points
    elif kind is BallotKind.RANKED:
        values = range(1, len(codes) + 1)
    else:
        values = [1] * len(codes)
    return [(project_ids[code], value) for code, value in zip(codes, values, strict=True)]


def _answers(fields: Mapping[str, str]) -> dict[str, str | None]:
    """Survey answers from a voter's age, sex and neighbourhood columns (empty when none is given)."""
    age = _int(fields.get("age"))
    band = None if age is None else next((name for limit, name in AGE_BANDS if age < limit), "80_plus")
    sex = fields.get("sex", "").strip().lower()
    gender = None if sex in ("", "none", "nan") else GENDERS.get(sex[:1], "other")
    place = (fields.get("neighborhood") or fields.get("district") or "").strip()
    district = _cut(place, 120) if place and place.lower() != "none" else None
    if band is None and gender is None and district is None:
        return {}
    return {"age_band": band, "gender": gender, "district": district}


def _channel(method: str) -> str:
    paper = method.strip().lower() in ("paper", "papier", "papír", "analog")
    return (Channel.PAPER if paper else Channel.ONLINE).value


def _random_ids(count: int) -> list[str]:
    """Random 128-bit hex ids, as the booth gives ballots, drawn in one go."""
    text = secrets.token_bytes(16 * count).hex()
    return [text[start : start + 32] for start in range(0, 32 * count, 32)]


def _receipts(count: int) -> list[str]:
    """Distinct random receipts in the booth's format (12 Crockford base-32 characters in groups of 4)."""
    found: dict[str, None] = {}
    while len(found) < count:
        needed = count - len(found)
        text = (
            base64.b32encode(secrets.token_bytes(15 * (needed // 2 + 1)))
            .decode("ascii")
            .translate(_CROCKFORD)
        )
        for start in range(0, 12 * needed, 12):
            found[
                f"{text[start : start + 4]}-{text[start + 4 : start + 8]}-{text[start + 8 : start + 12]}"
            ] = None
    return list(found)[:count]


def _insert(model: Any, rows: list[dict[str, Any]]) -> None:
    """Bulk insert: COPY on PostgreSQL, else Core executemany in chunks (the ORM's bulk path costs more).

    Rows must give every column that has a Python-side default: COPY knows only the database's.
    """
    if not rows:
        return
    table = model.__table__
    connection = db.session.connection()
    if connection.dialect.name == "postgresql":
        columns = list(rows[0])
        names = ", ".join(connection.dialect.identifier_preparer.quote(name) for name in columns)
        table_name = connection.dialect.identifier_preparer.format_table(table)
        raw = connection.connection.driver_connection
        with raw.cursor() as cursor, cursor.copy(f"COPY {table_name} ({names}) FROM STDIN") as copy:  # type: ignore[union-attr]
            for row in rows:
                copy.write_row([row[name] for name in columns])
        return
    statement = insert(table)
    for chunk in _chunks(rows):
        connection.execute(statement, chunk)


def _chunks(rows: list[dict[str, Any]]) -> Iterator[list[dict[str, Any]]]:
    for start in range(0, len(rows), CHUNK):
        yield rows[start : start + CHUNK]


def _int(text: str | None) -> int | None:
    cleaned = (text or "").strip()
    return int(cleaned) if cleaned.isascii() and cleaned.isdigit() and len(cleaned) < 16 else None


def _date(text: str) -> date | None:
    """A META date: 'dd.mm.yyyy' or 'yyyy-mm-dd'; None for a bare year or anything else."""
    for pattern in (r"(\d{1,2})\.(\d{1,2})\.(\d{4})", r"(\d{4})-(\d{1,2})-(\d{1,2})"):
        match = re.fullmatch(pattern, text.strip())
        if match:
            parts = [int(part) for part in match.groups()]
            day, month, year = parts if pattern.startswith(r"(\d{1,2})") else parts[::-1]
            try:
                return date(year, month, day)
            except ValueError:
                return None
    return None


def _cut(text: str, length: int) -> str:
    return text.strip()[:length]
