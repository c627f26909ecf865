"""What would run in a browser: a strict HTML audit, export checks, and a crawler that visits every page."""

from __future__ import annotations

import csv
import io
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

from flask import Flask
from flask.testing import FlaskClient
from werkzeug.exceptions import HTTPException
from werkzeug.routing import RequestRedirect

from tests.trust.hostile.payloads import TEMPLATE_EVALUATED, is_formula

URL_ATTRIBUTES = frozenset(
    {"href", "src", "action", "formaction", "xlink:href", "data", "poster", "background", "srcset", "srcdoc"}
)
FOREIGN_TAGS = frozenset({"iframe", "frame", "frameset", "object", "embed", "applet", "base", "portal"})
BAD_SCHEMES = ("javascript:", "vbscript:", "data:text", "data:application", "data:image/svg")
MARKER = re.compile(r"pwn\d+")
NONCE = re.compile(r"'nonce-([^']+)'")
EVALUATED = re.compile(TEMPLATE_EVALUATED + r"\s*pwn5")


class MarkupAudit(HTMLParser):
    """Collects everything in a page that could run code or load from elsewhere."""

    def __init__(self, nonce: str | None) -> None:
        super().__init__(convert_charrefs=True)
        self.nonce = nonce
        self.problems: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        named = dict(attrs)
        if tag == "script":
            src = named.get("src") or ""
            own_file = src.startswith("/static/") and not src.startswith("/static//")
            data_block = not src and (named.get("type") or "").lower() == "application/json"
            if not (own_file or data_block) and (self.nonce is None or named.get("nonce") != self.nonce):
                self.problems.append(f"<script> without the page's nonce: {attrs}")
        if tag in FOREIGN_TAGS:
            self.problems.append(f"<{tag}>")
        if tag == "meta" and (named.get("http-equiv") or "").lower() == "refresh":
            self.problems.append("<meta http-equiv=refresh>")
        if tag == "link" and not (named.get("href") or "").startswith("/static/"):
            self.problems.append(f"<link href={named.get('href')!r}>")
        if tag == "style" and named.get("nonce") != self.nonce:
            self.problems.append("<style> without the page's nonce")
        for name, value in attrs:
            if name.startswith("on"):
                self.problems.append(f"{tag}[{name}={value!r}]")
            if name == "style":
                self.problems.append(f"{tag}[style]")  # CSP refuses inline styles: a violation at least
            if name in URL_ATTRIBUTES and value:
                compact = "".join(ch for ch in value if ch > " ").lower()
                if compact.startswith(BAD_SCHEMES) or name == "srcdoc":
                    self.problems.append(f"{tag}[{name}={value!r}]")

    handle_startendtag = handle_starttag


def page_nonce(csp: str | None) -> str | None:
    match = NONCE.search(csp or "")
    return match.group(1) if match else None


def markup_problems(html: str, nonce: str | None) -> list[str]:
    """Every script without the nonce, event attribute, javascript: URL, frame or evaluated template."""
    audit = MarkupAudit(nonce)
    audit.feed(html)
    audit.close()
    if EVALUATED.search(html):
        audit.problems.append("a template evaluated user text ({{ 1337*3 }} became 4011)")
    if "testing-secret" in html:
        audit.problems.append("the secret key leaked into the page")
    return audit.problems


def csv_formula_cells(data: bytes) -> list[str]:
    """Cells a spreadsheet would run as formulas."""
    text = data.decode("utf-8-sig")
    dialect = csv.Sniffer().sniff(text[:2000], delimiters=";,")
    return [cell for row in csv.reader(io.StringIO(text), dialect) for cell in row if is_formula(cell)]


def xlsx_formula_cells(data: bytes) -> list[str]:
    """Cells stored as formulas, or text an older spreadsheet would still take for one."""
    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(data))
    return [
        f"{sheet.title}!{cell.coordinate}={cell.value!r}"
        for sheet in book.worksheets
        for row in sheet.iter_rows()
        for cell in row
        if cell.data_type == "f"
    ]


class LinkCollector(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.links: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "a":
            href = dict(attrs).get("href")
            if href:
                self.links.append(href)


NEVER_FOLLOW = ("/static/", "/konto/log-ud")
STREAMS = re.compile(r"^/w/[^/]+/events")  # server-sent events never end


@dataclass
class Visit:
    url: str
    status: int
    mimetype: str
    endpoint: str
    problems: list[str]
    markers: set[str]


@dataclass
class Crawl:
    """The pages one client reached by following links from ``starts``, with what was wrong on each."""

    visits: list[Visit] = field(default_factory=list)
    pages: dict[str, str] = field(default_factory=dict)  # url -> HTML, when asked to keep them

    @property
    def endpoints(self) -> set[str]:
        return {visit.endpoint for visit in self.visits if visit.status == 200}

    @property
    def markers(self) -> set[str]:
        """The payload markers that reached a page, as text: proof the payloads were really shown."""
        return set().union(*(visit.markers for visit in self.visits))

    def failures(self) -> list[str]:
        return [f"{v.url} [{v.status}]: {v.problems}" for v in self.visits if v.problems]


def endpoint_of(app: Flask, url: str, method: str = "GET") -> str:
    parts = urlsplit(url)
    adapter = app.url_map.bind("localhost")
    try:
        endpoint, _args = adapter.match(parts.path, method=method)
    except (HTTPException, RequestRedirect):
        return "?"
    return str(endpoint)


def check_response(url: str, status: int, mimetype: str, data: bytes, csp: str | None) -> list[str]:
    """What is wrong with one answer: a 5xx, markup that would run, or a formula in an export."""
    problems: list[str] = [f"status {status}"] if status >= 500 else []
    if mimetype == "text/html":
        problems += markup_problems(data.decode("utf-8", "replace"), page_nonce(csp))
        if not csp:
            problems.append("no Content-Security-Policy")
    elif mimetype == "text/csv":
        problems += [f"formula cell {cell!r}" for cell in csv_formula_cells(data)]
    elif url.endswith(".xlsx"):
        problems += [f"formula cell {cell}" for cell in xlsx_formula_cells(data)]
    return problems


def crawl(
    app: Flask,
    client: FlaskClient,
    starts: Iterable[str],
    *,
    limit: int = 600,
    per_endpoint: int = 8,
    keep_html: bool = False,
) -> Crawl:
    """Breadth-first over the site's own links; at most ``per_endpoint`` addresses of each page kind."""
    result, queue, seen = Crawl(), list(dict.fromkeys(starts)), set[str]()
    per_kind: Counter[str] = Counter()
    while queue and len(result.visits) < limit:
        url = queue.pop(0)
        if url in seen:
            continue
        seen.add(url)
        endpoint = endpoint_of(app, url)
        if per_kind[endpoint] >= per_endpoint:
            continue
        response = client.get(url)
        per_kind[endpoint] += response.status_code == 200  # refusals do not use up a page kind's turns
        data = response.get_data()
        problems = check_response(
            url,
            response.status_code,
            response.mimetype,
            data,
            response.headers.get("Content-Security-Policy"),
        )
        markers = set(MARKER.findall(data.decode("utf-8", "replace")))
        result.visits.append(Visit(url, response.status_code, response.mimetype, endpoint, problems, markers))
        if response.mimetype != "text/html":
            continue
        html = data.decode("utf-8", "replace")
        if keep_html:
            result.pages[url] = html
        collector = LinkCollector()
        collector.feed(html)
        for href in collector.links:
            absolute = urljoin("http://localhost" + url, href)
            parts = urlsplit(absolute)
            if parts.netloc != "localhost" or parts.scheme != "http":
                continue
            target = parts.path + (f"?{parts.query}" if parts.query else "")
            if target.startswith(NEVER_FOLLOW) or STREAMS.match(parts.path) or target in seen:
                continue
            queue.append(target)
    return result
