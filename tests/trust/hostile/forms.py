"""The site's own forms, read from its pages, so tests can fill and submit every one of them."""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any

from sqlalchemy import func, select

from pbvote.db import Base
from pbvote.extensions import db


@dataclass
class Field:
    name: str
    kind: str  # input type, "textarea" or "select"
    value: str = ""
    options: list[str] = field(default_factory=list)
    checked: bool = False


@dataclass
class Form:
    page: str
    action: str
    multipart: bool
    fields: list[Field] = field(default_factory=list)

    @property
    def text_fields(self) -> list[Field]:
        return [f for f in self.fields if f.kind in ("text", "textarea", "search", "email", "url", "tel", "")]

    def defaults(self) -> dict[str, Any]:
        """What a browser would send untouched: values, first options, checked boxes."""
        data: dict[str, Any] = {}
        for item in self.fields:
            if item.kind in ("checkbox", "radio"):
                if item.checked:
                    data.setdefault(item.name, item.value or "on")
            elif item.kind == "select":
                data.setdefault(item.name, item.value or (item.options[0] if item.options else ""))
            elif item.kind == "file":
                continue
            elif item.kind not in ("submit", "button", "reset", "image"):
                data.setdefault(item.name, item.value)
        return data


class FormCollector(HTMLParser):
    """Every form with method=post on a page, with its fields."""

    def __init__(self, page: str) -> None:
        super().__init__(convert_charrefs=True)
        self.page = page
        self.forms: list[Form] = []
        self.current: Form | None = None
        self.select: Field | None = None
        self.option_value: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        named = {key: value or "" for key, value in attrs}
        if tag == "form":
            if named.get("method", "get").lower() == "post":
                action = named.get("action") or self.page
                multipart = named.get("enctype", "") == "multipart/form-data"
                self.current = Form(self.page, action, multipart)
                self.forms.append(self.current)
            return
        form = self.current
        if form is None or "name" not in named:
            if tag == "option" and self.select is not None:
                self._option(named)
            return
        if tag == "input":
            form.fields.append(
                Field(
                    named["name"],
                    named.get("type", "text").lower(),
                    named.get("value", ""),
                    [],
                    "checked" in named,
                )
            )
        elif tag == "textarea":
            form.fields.append(Field(named["name"], "textarea"))
        elif tag == "select":
            self.select = Field(named["name"], "select")
            form.fields.append(self.select)
        elif tag == "button" and named.get("value"):
            form.fields.append(Field(named["name"], "submit", named["value"]))

    def _option(self, named: dict[str, str]) -> None:
        assert self.select is not None
        self.select.options.append(named.get("value", ""))
        if "selected" in named:
            self.select.value = named.get("value", "")

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self.current = None
        elif tag == "select":
            self.select = None


def forms_on(page: str, html: str) -> list[Form]:
    collector = FormCollector(page)
    collector.feed(html)
    return collector.forms


def png(name: str) -> tuple[io.BytesIO, str]:
    """A real little PNG under ``name``."""
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (8, 8), (200, 30, 30)).save(out, format="PNG")
    out.seek(0)
    return out, name


# A refused change to frozen rules is logged on purpose, in its own transaction (pbvote.processes.freeze).
LOGGED_REFUSALS = ("process.freeze_violation",)


def row_counts() -> dict[str, int]:
    """Rows in every table: equal before and after means nothing was written (bar logged refusals)."""
    from pbvote.audit.models import AuditEntry

    db.session.rollback()
    tables = Base.metadata.sorted_tables
    query = select(*(select(func.count()).select_from(table).scalar_subquery() for table in tables))
    counts = dict(zip((table.name for table in tables), db.session.execute(query).one(), strict=True))
    refusals = select(func.count()).select_from(AuditEntry).where(AuditEntry.action.in_(LOGGED_REFUSALS))
    counts[AuditEntry.__tablename__] -= db.session.scalar(refusals) or 0
    return counts
