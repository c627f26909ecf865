"""A CSV cursor over a pabulib text that knows which line each row starts on and fails with that line."""

from __future__ import annotations

import csv
from collections.abc import Iterable
from itertools import repeat
from typing import TYPE_CHECKING, NoReturn

from pbvote.core.errors import PabulibError
from pbvote.core.pabulib.schema import SECTIONS, UNKNOWN_SECTION, is_title

if TYPE_CHECKING:
    from _csv import Reader


def _csv_reader(source: Iterable[str]) -> Reader:
    return csv.reader(source, delimiter=";", quotechar='"', strict=True)


def is_blank(row: list[str]) -> bool:
    """Tell whether a row carries nothing (an empty line or one of spaces), as pabutools skips them."""
    return not row or (len(row) == 1 and not row[0].strip())


def show(value: str, limit: int = 40) -> str:
    """Quote a cell for an error message on one line, cut short when long."""
    return repr(value if len(value) <= limit else value[:limit] + "…")


class _Lines:
    """Hand the CSV reader one line at a time, remembering how far into the text it has read.

    Cheaper than wrapping a whole 4 MB text in a StringIO when only the first sections go
    through the CSV reader.
    """

    def __init__(self, text: str) -> None:
        self.text = text
        self.offset = 0

    def __iter__(self) -> _Lines:
        return self

    def __next__(self) -> str:
        start = self.offset
        if start >= len(self.text):
            raise StopIteration
        end = self.text.find("\n", start)
        self.offset = len(self.text) if end < 0 else end + 1
        return self.text[start : self.offset]


class RowCursor:
    """Hand out the non-blank rows of a pabulib text in order, remembering where each one starts."""

    def __init__(self, text: str, source: str) -> None:
        if "\n" not in text:
            text = text.replace("\r", "\n")  # old Mac line endings
        self.text = text
        self.source = source
        self._lines = _Lines(text)
        self._reader = _csv_reader(self._lines)
        self._pending: list[str] | None = None
        self.rest_used_csv = False  # whether rest() went through the CSV reader (so split every cell)
        self.line = 0  # the line the last row handed out starts on

    def fail(self, message: str, line: int | None = None) -> NoReturn:
        """Raise a PabulibError naming the line (the last row's by default) and the file."""
        where = "" if self.source.startswith("<") else f" [{self.source}]"
        raise PabulibError(message + where, self.line if line is None else line)

    @property
    def last_line(self) -> int:
        """The last line the CSV reader has consumed."""
        return self._reader.line_num

    def next_row(self) -> list[str] | None:
        """The next non-blank row, or None at the end of the text."""
        if self._pending is not None:
            row, self._pending = self._pending, None
            return row
        while True:
            before = self._reader.line_num
            try:
                row = next(self._reader)
            except StopIteration:
                return None
            except csv.Error as exc:
                self.fail(f"malformed CSV: {exc}", before + 1)
            if not is_blank(row):
                self.line = before + 1
                return row

    def push_back(self, row: list[str]) -> None:
        """Return a row so the next call hands it out again (a section title ending a section)."""
        self._pending = row

    def rest(self, leading: int) -> list[list[str]]:
        """Every remaining row, blank lines dropped, at C speed (the VOTES section is most of a file).

        Text without quotes is split on ``;`` directly, as the CSV reader would split it, only faster,
        and only into ``leading`` cells plus one cell holding the rest of the line unsplit (when there
        is more; -1 splits every cell). Quoted text goes through the CSV reader, split fully;
        ``rest_used_csv`` tells which way was taken.
        """
        offset = self._lines.offset
        text = self.text.replace("\r\n", "\n") if "\r" in self.text else self.text
        quoted = self.text.find('"', offset) >= 0 or self.text.find("\0", offset) >= 0
        self.rest_used_csv = quoted or "\r" in text  # a lone CR left after the CRLFs are gone
        if self.rest_used_csv:
            rows = self._csv_rest(self.text[offset:])
        else:
            # The line reader split at "\n" too, so the lines it has not handed out are these.
            lines = text.split("\n")[self._reader.line_num :]
            if lines and not lines[-1]:
                lines.pop()
            rows = list(map(str.split, lines, repeat(";"), repeat(leading)))
        if not set(map(len, rows)).isdisjoint((0, 1)):
            rows = [row for row in rows if not is_blank(row)]
        return rows

    def _csv_rest(self, text: str) -> list[list[str]]:
        reader = _csv_reader(_Lines(text))
        rows: list[list[str]] = []
        before = 0
        try:
            for row in reader:
                rows.append(row)
                before = reader.line_num
        except csv.Error as exc:
            self.fail(f"malformed CSV: {exc}", self._reader.line_num + before + 1)
        return rows

    def expect_title(self, title: str) -> None:
        """Read the title line of the next section, failing clearly when it is missing or unknown."""
        row = self.next_row()
        if row is None:
            self.fail(f"missing section {title}: the file ends here", max(self.last_line, 1))
        if is_title(row):
            found = row[0].strip().upper()
            if found != title:
                self.fail(
                    f"missing section {title}: found {found} instead (sections go {', '.join(SECTIONS)})"
                )
            return
        self.fail(describe_stray_row(row, f"expected the section title {title}"))

    def header(self, title: str) -> tuple[str, ...]:
        """Read a section's header row of column names; names must be unique."""
        row = self.next_row()
        if row is None or is_title(row):
            self.fail(f"section {title} has no header row", self.last_line if row is None else None)
        columns = tuple(cell.strip() for cell in row)
        seen: set[str] = set()
        for column in columns:
            if column in seen:
                self.fail(f"column {show(column)} appears twice in the {title} header")
            seen.add(column)
        return columns

    def section_rows(self, title: str, width: int) -> list[tuple[list[str], int]]:
        """Read a section's data rows with their line numbers, up to the next title or the end."""
        rows: list[tuple[list[str], int]] = []
        while (row := self.next_row()) is not None:
            if is_title(row):
                self.push_back(row)
                break
            if len(row) != width:
                self.fail(
                    describe_stray_row(
                        row, f"wrong number of fields in {title}: {len(row)}, expected {width}"
                    )
                )
            rows.append((row, self.line))
        return rows

    def line_of_rest_row(self, start_line: int, index: int) -> int:
        """Find where the index-th non-blank row after start_line starts, by reading the text again.

        Only used to report an error, so the fast path never tracks lines row by row.
        """
        reader = _csv_reader(_Lines(self.text))
        seen = -1
        before = 0
        for row in reader:
            if before >= start_line and not is_blank(row):
                seen += 1
                if seen == index:
                    return before + 1
            before = reader.line_num
        return before


def describe_stray_row(row: list[str], otherwise: str) -> str:
    """Name an unexpected row: a section title out of place, an unknown one, or else what was expected."""
    if is_title(row):
        return f"section {row[0].strip().upper()} out of place (sections go {', '.join(SECTIONS)}, once each)"
    if len(row) == 1 and UNKNOWN_SECTION.fullmatch(row[0].strip()):
        return f"unknown section {show(row[0].strip())} (sections go {', '.join(SECTIONS)})"
    return otherwise
