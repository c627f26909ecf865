"""Test pictures made in memory with Pillow, form data for the proposal form, and row counts."""

from __future__ import annotations

import io
import struct
import zlib
from html.parser import HTMLParser
from typing import Any

from PIL import Image
from sqlalchemy import func, select

from pbvote.extensions import db
from pbvote.processes.models import Budget, Process
from pbvote.proposals.models import Proposal, ProposalEvent, ProposalFollower, ProposalImage


def picture(fmt: str = "PNG", size: tuple[int, int] = (40, 30), mode: str = "RGB", **save: Any) -> bytes:
    """A small real picture in ``fmt``."""
    color = (200, 30, 30, 128) if mode == "RGBA" else (200, 30, 30)
    out = io.BytesIO()
    Image.new(mode, size, color).save(out, format=fmt, **save)
    return out.getvalue()


def png_claiming(width: int, height: int) -> bytes:
    """A tiny PNG whose header claims ``width`` x ``height`` pixels: a decompression bomb's calling card."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\x00" * 64))
        + chunk(b"IEND", b"")
    )


def upload(data: bytes, name: str = "billede.png") -> tuple[io.BytesIO, str]:
    return io.BytesIO(data), name


def form_data(budget: Budget, /, **overrides: Any) -> dict[str, Any]:
    """A valid proposal form; override any field."""
    data: dict[str, Any] = {
        "title": "Bænke i Byparken",
        "summary": "Flere bænke langs søen, så ældre kan hvile sig.",
        "description": "Vi ønsker **fem** nye bænke.",
        "budget": str(budget.id),
        "cost_guess": "",
        "address": "",
        "latitude": "",
        "longitude": "",
    }
    data.update(overrides)
    return data


def count(model: type) -> int:
    return db.session.scalar(select(func.count()).select_from(model)) or 0


def counts() -> dict[str, int]:
    """How many rows each proposal table holds: 'writes nothing' means these do not change."""
    return {m.__name__: count(m) for m in (Proposal, ProposalEvent, ProposalFollower, ProposalImage)}


def new_url(process: Process) -> str:
    return f"/forslag/{process.slug}/nyt"


class MarkupAudit(HTMLParser):
    """Collects what would run or load in a browser: script-like tags, event attributes, risky URLs."""

    DANGEROUS_TAGS = frozenset(
        {"script", "iframe", "object", "embed", "style", "svg", "math", "base", "frame"}
    )

    def __init__(self) -> None:
        super().__init__()
        self.problems: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self.DANGEROUS_TAGS:
            self.problems.append(f"<{tag}>")
        for name, value in attrs:
            if name.startswith("on") or name in ("style", "srcdoc", "formaction"):
                self.problems.append(f"{tag}[{name}]")
            if name in ("href", "src", "action") and value:
                compact = "".join(value.split()).lower()
                if compact.startswith(("javascript:", "data:", "vbscript:")):
                    self.problems.append(f"{tag}[{name}={value}]")


def markup_problems(html: str) -> list[str]:
    audit = MarkupAudit()
    audit.feed(html)
    return audit.problems
