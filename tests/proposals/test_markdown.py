"""Markdown from residents renders to harmless HTML; no payload becomes markup anywhere on the pages."""

from __future__ import annotations

from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select

from pbvote.extensions import db
from pbvote.markdown import render_markdown, sanitize_html
from pbvote.processes.models import Phase
from pbvote.proposals.models import Proposal
from tests.builders import login, make_budget, make_process, make_user
from tests.proposals.helpers import form_data, markup_problems, new_url, picture, upload

XSS_PAYLOADS = [
    "<script>alert(1)</script>",
    "<SCRIPT SRC=//evil.example/x.js></SCRIPT>",
    '"><script>alert(1)</script>',
    "'><img src=x onerror=alert(1)>",
    "<img src=x onerror=alert(1)>",
    "<svg onload=alert(1)>",
    "<svg><script>alert(1)</script></svg>",
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    '<iframe src="https://evil.example"></iframe>',
    '<iframe srcdoc="<script>alert(1)</script>"></iframe>',
    '<object data="javascript:alert(1)"></object>',
    '<embed src="javascript:alert(1)">',
    "<style>body{display:none}</style>",
    '<div style="background:url(javascript:alert(1))">x</div>',
    '<a href="javascript:alert(1)">klik</a>',
    '<a href="&#x6A;avascript:alert(1)">klik</a>',
    '<a href="jav&#x09;ascript:alert(1)">klik</a>',
    "<details open ontoggle=alert(1)>",
    "<body onload=alert(1)>",
    '<base href="https://evil.example/">',
    '<form action="javascript:alert(1)"><button>x</button></form>',
    "<input autofocus onfocus=alert(1)>",
    "<!--><script>alert(1)</script>-->",
    "[klik](javascript:alert(1))",
    "[klik](JaVaScRiPt:alert(1))",
    "[klik](&#106;avascript:alert(1))",
    "[klik]( javascript:alert(1) )",
    "[klik](vbscript:msgbox(1))",
    "[klik](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "![billede](javascript:alert(1))",
    '![billede](x" onerror="alert(1))',
    "<javascript:alert(1)>",
    "[ref]\n\n[ref]: javascript:alert(1)",
    "`<script>alert(1)</script>`",
    "```html\n<script>alert(1)</script>\n```",
    "{{ 7*7 }}{% raw %}",
]


@pytest.mark.parametrize("payload", XSS_PAYLOADS)
def test_render_markdown_never_lets_markup_through(payload: str) -> None:
    html = str(render_markdown(payload))
    assert markup_problems(html) == []
    assert "<script" not in html.lower() and "<img" not in html.lower()


@pytest.mark.parametrize("payload", [p for p in XSS_PAYLOADS if p.startswith("<")])
def test_sanitizer_alone_removes_raw_html_attacks(payload: str) -> None:
    html = sanitize_html(payload)
    assert markup_problems(html) == []
    assert "<script" not in html.lower() and "<iframe" not in html.lower()


def test_render_markdown_keeps_ordinary_formatting() -> None:
    html = str(
        render_markdown("# Overskrift\n\nEn **fed** og *kursiv* [side](https://example.dk).\n\n- a\n- b")
    )
    assert "<h3>Overskrift</h3>" in html
    assert "<strong>fed</strong>" in html and "<em>kursiv</em>" in html
    assert '<a href="https://example.dk" rel="nofollow noopener ugc">side</a>' in html
    assert "<ul>\n<li>a</li>" in html


def test_sanitizer_puts_its_own_rel_on_links() -> None:
    html = sanitize_html('<a href="https://example.dk" rel="opener" target="_blank" onclick="x()">x</a>')
    assert html == '<a href="https://example.dk" rel="nofollow noopener ugc">x</a>'


def test_render_markdown_of_nothing_is_empty() -> None:
    assert str(render_markdown("")) == "" and str(render_markdown(None)) == ""


@pytest.mark.parametrize("payload", XSS_PAYLOADS)
def test_payloads_in_every_field_never_render_as_markup(client: FlaskClient, payload: Any) -> None:
    process = make_process(phase=Phase.PROPOSALS)
    budget = make_budget(process)
    login(client, make_user(display_name=payload[:120]))
    data = form_data(
        budget,
        title=payload[:120],
        summary=payload,
        description=f"{payload}\n\n{payload}",
        address=payload[:200],
        image_1=upload(picture("PNG")),
        alt_1=payload[:200],
    )
    response = client.post(new_url(process), data=data, content_type="multipart/form-data")
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    proposal = db.session.scalar(select(Proposal))
    assert proposal is not None and proposal.title == payload[:120].strip()
    pages = {
        "detail": client.get(f"/forslag/{proposal.id}"),
        "list": client.get(f"/forslag/{process.slug}/"),
        "search": client.get(f"/forslag/{process.slug}/", query_string={"q": payload[:100]}),
        "edit": client.get(f"/forslag/{proposal.id}/rediger"),
        "withdraw": client.get(f"/forslag/{proposal.id}/traek-tilbage"),
    }
    for name, page in pages.items():
        assert page.status_code == 200, name
        assert markup_problems(page.get_data(as_text=True)) == [], name
