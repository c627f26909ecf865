"""Population shares staff upload to compare participants with, and the participants' survey answers.

Staff upload a CSV file with one group a line::

    dimension;group;people
    age_band;18_29;4210
    gender;woman;10512
    district;Nordby;8312

Columns are separated by ``;`` or ``,``; the file is UTF-8 with or without a byte-order mark; a first line
naming the columns is skipped. Age bands and genders use the survey's answer keys (``18_29``, ``woman`` …)
or their Danish or English names. Every line is checked and every bad line is named; a file with any bad
line stores nothing. A new upload replaces the process's previous shares.
"""

from __future__ import annotations

import csv
import enum
import io
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flask_babel import force_locale
from flask_babel import lazy_gettext as _l
from sqlalchemy import ForeignKey, String, UniqueConstraint, delete, func, select
from sqlalchemy.orm import Mapped, mapped_column

from pbvote.audit.services import record_audit
from pbvote.auth.policies import can_review
from pbvote.ballots.models import SurveyResponse
from pbvote.ballots.survey import AGE_BANDS, GENDERS, districts_of
from pbvote.core.errors import DomainError, NotAllowed
from pbvote.extensions import db
from pbvote.processes.models import Process, str_enum

MAX_ROWS = 1_000
MAX_PEOPLE = 100_000_000
GROUP_LENGTH = 120
ERRORS_SHOWN = 50


class Dimension(enum.StrEnum):
    """What the participants are compared by."""

    AGE_BAND = "age_band"
    GENDER = "gender"
    DISTRICT = "district"


DIMENSION_NAMES = {  # what a file may call a dimension besides its key
    "aldersgruppe": Dimension.AGE_BAND,
    "alder": Dimension.AGE_BAND,
    "age": Dimension.AGE_BAND,
    "køn": Dimension.GENDER,
    "bydel": Dimension.DISTRICT,
    "distrikt": Dimension.DISTRICT,
}

FIXED_GROUPS: dict[Dimension, Mapping[str, Any]] = {Dimension.AGE_BAND: AGE_BANDS, Dimension.GENDER: GENDERS}


class PopulationShare(db.Model):
    """How many people of a process's population are in one group (e.g. 4.210 people aged 18–29)."""

    __tablename__ = "population_share"
    __table_args__ = (UniqueConstraint("process_id", "dimension", "group"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    process_id: Mapped[int] = mapped_column(ForeignKey("process.id", ondelete="CASCADE"))
    dimension: Mapped[Dimension] = mapped_column(str_enum(Dimension))
    group: Mapped[str] = mapped_column(String(GROUP_LENGTH))
    people: Mapped[int]


@dataclass(frozen=True)
class PopulationRow:
    """One group of an uploaded file."""

    dimension: Dimension
    group: str
    people: int


class PopulationFileInvalid(DomainError):
    """The uploaded file has bad lines; ``problems`` names each one (nothing has been stored)."""

    code = "population_file_invalid"

    def __init__(self, problems: list[str], more: int = 0) -> None:
        self.problems = problems
        self.more = more
        super().__init__(str(_l("The file was not read: correct the lines below and upload it again.")))


def read_population_file(data: bytes) -> list[PopulationRow]:
    """Read an uploaded file of population shares, refusing it whole if any line is bad.

    Raises:
        PopulationFileInvalid: not UTF-8 text, empty, or bad lines (each named by its line number).
    """
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise PopulationFileInvalid(
            [str(_l("The file is not UTF-8 text. In Excel, save it as “CSV UTF-8”."))]
        ) from exc
    aliases = _group_aliases()
    rows: list[PopulationRow] = []
    problems: list[str] = []
    first_line: dict[tuple[Dimension, str], int] = {}
    for line, fields in _records(text):
        if line > MAX_ROWS + 1:
            raise PopulationFileInvalid([str(_l("The file has more than %(num)d lines.", num=MAX_ROWS))])
        problem, row = _read_row(line, fields, aliases)
        key = (row.dimension, row.group.casefold()) if row else None
        if key is not None and key in first_line:
            problem = _l(
                "Line %(line)d: the same group is also on line %(first)d.", line=line, first=first_line[key]
            )
        if problem is not None:
            problems.append(str(problem))
        elif row is not None and key is not None:
            first_line[key] = line
            rows.append(row)
    if problems:
        raise PopulationFileInvalid(problems[:ERRORS_SHOWN], more=max(0, len(problems) - ERRORS_SHOWN))
    if not rows:
        raise PopulationFileInvalid([str(_l("The file has no groups in it."))])
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
    """A first line that names the columns: no known dimension first and no number last."""
    first = fields[0].strip().casefold()
    return _dimension(first) is None and _people(fields[-1]) is None


def _dimension(text: str) -> Dimension | None:
    text = text.strip().casefold()
    return DIMENSION_NAMES.get(text) or next((d for d in Dimension if d.value == text), None)


def _people(text: str) -> int | None:
    """A whole number of people; thousands may be grouped with '.' or spaces as in Danish ('12.345')."""
    text = text.strip().replace("\u00a0", "").replace(" ", "")
    parts = text.split(".")
    if len(parts) > 1 and (not 1 <= len(parts[0]) <= 3 or any(len(part) != 3 for part in parts[1:])):
        return None
    digits = "".join(parts)
    if not digits or not digits.isascii() or not digits.isdigit():
        return None
    return int(digits)


def _group_aliases() -> dict[Dimension, dict[str, str]]:
    """Age bands and genders by key and by their Danish and English names (dashes and case ignored)."""
    aliases: dict[Dimension, dict[str, str]] = {}
    for dimension, labels in FIXED_GROUPS.items():
        names = aliases.setdefault(dimension, {})
        for key, label in labels.items():
            names[_plain(key)] = key
            for locale in ("da", "en"):
                with force_locale(locale):
                    names[_plain(str(label))] = key
    return aliases


def _plain(text: str) -> str:
    return " ".join(text.replace("–", "-").replace("—", "-").casefold().split())


def _read_row(line: int, fields: list[str], aliases: dict[Dimension, dict[str, str]]) -> tuple[Any, Any]:
    """One line's problem (a translated text) or its row."""
    fields = [field.strip() for field in fields]
    if len(fields) != 3:
        return _l(
            "Line %(line)d: expected 3 columns (dimension, group, people), found %(num)d.",
            line=line,
            num=len(fields),
        ), None
    dimension = _dimension(fields[0])
    if dimension is None:
        return _l(
            "Line %(line)d: the dimension must be age_band, gender or district, not “%(text)s”.",
            line=line,
            text=fields[0][:40],
        ), None
    group = fields[1]
    if dimension in aliases:
        key = aliases[dimension].get(_plain(group))
        if key is None:
            allowed = ", ".join(FIXED_GROUPS[dimension])
            return _l(
                "Line %(line)d: “%(text)s” is not one of the groups %(allowed)s.",
                line=line,
                text=group[:40],
                allowed=allowed,
            ), None
        group = key
    elif not group or len(group) > GROUP_LENGTH:
        return _l(
            "Line %(line)d: the district must have a name of at most %(max)d characters.",
            line=line,
            max=GROUP_LENGTH,
        ), None
    people = _people(fields[2])
    if people is None or people > MAX_PEOPLE:
        return _l("Line %(line)d: the number of people must be a whole number such as 4210.", line=line), None
    return None, PopulationRow(dimension=dimension, group=group, people=people)


def replace_population(actor: Any, process: Process, rows: list[PopulationRow], *, now: datetime) -> int:
    """Put new population shares in place of the process's old ones; returns how many groups. Does not commit.

    Raises:
        NotAllowed: the actor is not staff.
    """
    if not can_review(actor):
        raise NotAllowed(_l("Only staff can upload population figures."))
    before = len(population_shares(process))
    spelling = {name.casefold(): name for name in districts_of(process)}  # as the survey offers them
    db.session.execute(delete(PopulationShare).where(PopulationShare.process_id == process.id))
    for row in rows:
        group = (
            spelling.get(row.group.casefold(), row.group)
            if row.dimension is Dimension.DISTRICT
            else row.group
        )
        db.session.add(
            PopulationShare(process_id=process.id, dimension=row.dimension, group=group, people=row.people)
        )
    record_audit(
        actor, "population.replaced", process, before={"groups": before}, after={"groups": len(rows)}, now=now
    )
    db.session.flush()
    return len(rows)


def population_shares(process: Process) -> list[PopulationShare]:
    """The process's uploaded population groups."""
    query = (
        select(PopulationShare).where(PopulationShare.process_id == process.id).order_by(PopulationShare.id)
    )
    return list(db.session.scalars(query))


def population_by_dimension(process: Process) -> dict[Dimension, dict[str, int]]:
    """People per group for each dimension, in upload order."""
    found: dict[Dimension, dict[str, int]] = {dimension: {} for dimension in Dimension}
    for share in population_shares(process):
        found[share.dimension][share.group] = share.people
    return found


def participants_by_dimension(process: Process) -> dict[Dimension, dict[str, int]]:
    """Survey answers per group and dimension; answers are optional, so a skipped question is not counted."""
    found: dict[Dimension, dict[str, int]] = {}
    for dimension in Dimension:
        column = getattr(SurveyResponse, dimension.value)
        query = (
            select(column, func.count())
            .where(SurveyResponse.process_id == process.id, column.is_not(None))
            .group_by(column)
        )
        found[dimension] = {str(group): count for group, count in db.session.execute(query).tuples()}
    return found


def survey_count(process: Process) -> int:
    """How many voters answered at least one question."""
    query = select(func.count()).select_from(SurveyResponse).where(SurveyResponse.process_id == process.id)
    return db.session.scalar(query) or 0
