"""Payloads in every user-controlled field, every page for every role: nothing in them ever runs.

A poisoned demo municipality (every free-text column a payload) is crawled link by link as anonymous,
resident, staff and admin; every HTML page is audited (scripts without the page's nonce, event attributes,
javascript: URLs, frames, evaluated templates), every CSV/XLSX export for formulas, the .pb export must still
parse, and e-mails in the outbox must stay single-line-subject plain text. A second test writes the payloads
through the site's own forms (file names included). Companion tests prove the audit bites.
"""

from __future__ import annotations

import io
from email import message_from_bytes
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from markupsafe import Markup
from sqlalchemy import select

from pbvote.core.pabulib.reader import parse_pabulib_bytes
from pbvote.extensions import db
from pbvote.outbox.models import OutboxMessage
from pbvote.outbox.services import _as_email
from pbvote.processes.models import Budget
from pbvote.proposals.models import Project
from pbvote.results.models import TallyRun
from tests.ballots.booth_helpers import vote
from tests.trust.hostile.checks import Crawl, check_response, crawl, markup_problems, page_nonce
from tests.trust.hostile.forms import Form, forms_on, png
from tests.trust.hostile.payloads import FILE_NAMES, XSS_PAYLOADS
from tests.trust.hostile.world import PASSWORD, ROLE_EMAILS, VOTING_SLUG, build_hostile_world, start_urls

ROLES = ("anonymous", "code holder", "voter", "resident", "staff", "admin")
# pages whose kind must be reached by some role, or the crawl would prove nothing about them
MUST_REACH = {
    "site.index", "processes.detail", "proposals.index", "proposals.detail", "proposals.edit",
    "proposal_reports.report", "ballots.landing", "ballots.booth", "ballots.receipts", "ballots.receipt",
    "ballots_survey.answer",
    "results.index", "results.process", "results.budget", "results.summary", "results.represent",
    "results.data_csv", "results.data_xlsx", "results.ballots_pb", "implementation.overview",
    "implementation.project", "implementation.follow", "workshop.join", "workshop_projector.projector",
    "audit.browse", "processes_manage.index", "processes_manage.show", "processes_manage.edit",
    "processes_manage.budget_edit", "processes_manage.category_edit", "proposals_manage.index",
    "proposals_manage.queue", "proposals_manage.proposal", "proposals_manage.reports",
    "proposals_manage.ballot", "ballots_manage.show", "ballots_manage.letters", "ballots_manage.paper_entry",
    "results_manage.show", "results_manage.run", "results_represent.manage", "implementation_manage.process",
    "implementation_manage.project", "workshop_manage.index", "workshop_manage.controls", "auth.account",
    "accounts.index",
}  # fmt: skip


def signed_in(app: Flask, role: str) -> FlaskClient:
    """A client as ``role``; a "code holder" has typed a voting code, a "voter" has also cast a ballot."""
    client = app.test_client()
    if role == "code holder":
        enter_code(client, app.config["HOSTILE_CODES"][1])
    elif role == "voter":
        vote(client, enter_code(client, app.config["HOSTILE_CODES"][0]), {"project": ["H-1"]})
    elif role != "anonymous":
        response = client.post("/konto/log-ind", data={"email": ROLE_EMAILS[role], "password": PASSWORD})
        assert response.status_code == 302
    return client


def enter_code(client: FlaskClient, code: str) -> int:
    """Type a voting code on the voting page; returns the budget whose booth it opens."""
    booth = client.post(f"/stem/{VOTING_SLUG}/kode", data={"code": code})
    assert booth.status_code == 302, booth.status_code
    return int(booth.location.rsplit("/", 1)[1])


def crawl_every_role(app: Flask, roles: tuple[str, ...] = ROLES, **options: Any) -> dict[str, Crawl]:
    starts = start_urls(app)
    starts += [f"/stem/pulje/{budget_id}/kvittering" for budget_id in db.session.scalars(select(Budget.id))]
    return {role: crawl(app, signed_in(app, role), starts, **options) for role in roles}


def assert_nothing_runs(crawls: dict[str, Crawl], must_reach: set[str] = MUST_REACH) -> None:
    failures = [f"{role}: {failure}" for role, found in crawls.items() for failure in found.failures()]
    assert failures == [], "\n".join(failures[:40])
    reached = set().union(*(found.endpoints for found in crawls.values()))
    assert must_reach - reached == set(), "pages never reached"


@pytest.fixture
def hostile(app: Flask) -> Flask:
    app.config["HOSTILE_CODES"] = build_hostile_world()
    return app


def test_poisoned_world_renders_safely_on_every_page_for_every_role(hostile: Flask) -> None:
    crawls = crawl_every_role(hostile, per_endpoint=4)
    assert_nothing_runs(crawls)
    shown = set().union(*(found.markers for found in crawls.values()))
    assert len(shown) >= 40, f"too few payloads were shown as text: {sorted(shown)}"
    staff_only = crawls["admin"].endpoints - crawls["anonymous"].endpoints
    assert {"audit.browse", "proposals_manage.reports"} <= staff_only


@pytest.mark.slow
@pytest.mark.parametrize("offset", range(1, len(XSS_PAYLOADS), 12))
def test_other_payloads_in_every_field_render_safely(app: Flask, offset: int) -> None:
    app.config["HOSTILE_CODES"] = build_hostile_world(offset)  # each cell gets a different payload
    assert_nothing_runs(crawl_every_role(app, per_endpoint=4))


def test_exports_of_the_poisoned_world_hold_no_formula_and_still_parse(hostile: Flask) -> None:
    client = signed_in(hostile, "anonymous")
    runs = list(db.session.scalars(select(TallyRun).where(TallyRun.published_at.is_not(None))))
    assert runs
    for run in runs:
        budget = db.session.get(Budget, run.budget_id)
        assert budget is not None
        base = f"/resultater/{budget.process.slug}/{budget.id}"
        for name in ("data.csv", "data.xlsx"):
            response = client.get(f"{base}/{name}")
            assert response.status_code == 200, name
            problems = check_response(name, 200, response.mimetype, response.get_data(), "")
            assert problems == [], (name, problems)
        election = parse_pabulib_bytes(client.get(f"{base}/stemmer.pb").get_data())
        projects = db.session.scalars(select(Project).where(Project.budget_id == budget.id)).all()
        assert len(election.projects) == len(projects), "a title broke out of its .pb field"
        titles = {project.fields.get("name") for project in election.projects}
        assert titles <= {project.title for project in projects} | {None}, titles


def test_emails_with_payloads_stay_plain_text_with_one_line_subjects(hostile: Flask) -> None:
    messages = list(db.session.scalars(select(OutboxMessage)))
    assert len(messages) >= 5
    for message in messages:
        email = message_from_bytes(_as_email(message, "pbvote@localhost").as_bytes())
        assert email.get_content_type() == "text/plain"
        assert not email.is_multipart()
        assert "\n" not in str(email["Subject"]).strip() and email["Bcc"] is None


# --- payloads through the site's own forms ---------------------------------------------------------------

LAST = ("slet", "log-ud", "laas-op", "/fase/", "kopier", "nulstil", "reset")  # destructive: submit last


def hostile_data(form: Form, number: int) -> dict[str, Any]:
    """The form as a browser would send it, with a payload in every text field and hostile file names."""
    data = form.defaults()
    for index, item in enumerate(form.text_fields):
        if item.name not in ("csrf_token", "next", "email") and not item.name.endswith(("_id", "key")):
            data[item.name] = XSS_PAYLOADS[(number * 5 + index) % len(XSS_PAYLOADS)]
    for index, item in enumerate(f for f in form.fields if f.kind == "file"):
        name = FILE_NAMES[(number + index) % len(FILE_NAMES)]
        if "repraesentation" in form.action:
            groups = "\n".join(
                f"district;{p.replace(';', ',')[:100]};{100 + i}" for i, p in enumerate(XSS_PAYLOADS[:8])
            )
            data[item.name] = (io.BytesIO(f"dimension;group;people\n{groups}\n".encode()), name)
        elif "valgliste" in form.action:
            data[item.name] = (io.BytesIO(f"0101901234;1990;{XSS_PAYLOADS[number % 9]}\n".encode()), name)
        else:
            data[item.name] = png(name)
    return data


def submit(client: FlaskClient, form: Form, number: int) -> list[str]:
    """Post the hostile form; audit the answer and the page it leads to."""
    content_type = "multipart/form-data" if form.multipart else None
    response = client.post(form.action, data=hostile_data(form, number), content_type=content_type)
    headers = response.headers
    problems = check_response(
        form.action,
        response.status_code,
        response.mimetype,
        response.get_data(),
        headers.get("Content-Security-Policy"),
    )
    if response.status_code in (301, 302, 303) and response.location.startswith("/"):
        follow = client.get(response.location)
        problems += check_response(
            response.location,
            follow.status_code,
            follow.mimetype,
            follow.get_data(),
            follow.headers.get("Content-Security-Policy"),
        )
    return [f"POST {form.action} (from {form.page}): {p}" for p in problems]


def every_form(app: Flask, client: FlaskClient) -> list[Form]:
    """One form per distinct action and field set, from every page this client reaches."""
    found = crawl(app, client, start_urls(app), keep_html=True)
    forms: dict[tuple[str, tuple[str, ...]], Form] = {}
    for url, html in found.pages.items():
        for form in forms_on(url, html):
            forms.setdefault((form.action, tuple(f.name for f in form.fields)), form)
    return sorted(forms.values(), key=lambda form: any(word in form.action for word in LAST))


@pytest.fixture
def demo(app: Flask) -> Flask:
    from pbvote.db import utcnow
    from pbvote.demo import seed_demo
    from pbvote.workshop.services import create_workshop

    app.config["HOSTILE_CODES"] = seed_demo()
    create_workshop(None, "da", now=utcnow())
    db.session.commit()
    return app


@pytest.mark.slow
def test_payloads_written_through_every_form_never_run_anywhere(demo: Flask) -> None:
    problems: list[str] = []
    submitted = 0
    for role in ("resident", "staff", "admin"):
        client = signed_in(demo, role)
        for number, form in enumerate(every_form(demo, client)):
            if "log-ud" in form.action or form.action.endswith("/deaktiver"):
                continue  # logging out, or disabling the accounts the crawl below signs in with
            problems += submit(client, form, number)
            submitted += 1
    assert submitted >= 30, submitted
    assert problems == [], "\n".join(problems[:40])
    # the forms moved processes on and used codes: only check what still exists, as every role but a voter
    crawls = crawl_every_role(demo, roles=("anonymous", "resident", "staff", "admin"))
    assert_nothing_runs(crawls, must_reach={"proposals.detail", "audit.browse", "results.budget"})


# --- the audit bites ---------------------------------------------------------------------------------------

MARKUP_PAYLOADS = [p for p in XSS_PAYLOADS if p.lstrip("\ufeff\u202e").startswith(("<", '"', "'", "</"))]


@pytest.mark.parametrize("payload", MARKUP_PAYLOADS)
def test_the_audit_flags_a_payload_rendered_unescaped(app: Flask, payload: str) -> None:
    @app.get("/unsafe")
    def unsafe() -> str:
        from flask import render_template_string

        return render_template_string(
            '<p title="{{ value }}">{{ value }}</p><a href="{{ link }}">x</a>'
            '<script nonce="{{ csp_nonce() }}"></script>',
            value=Markup(payload),  # noqa: S704 - deliberately unsafe
            link=Markup("javascript:alert('pwn')"),
        )

    response = app.test_client().get("/unsafe")
    nonce = page_nonce(response.headers["Content-Security-Policy"])
    html = response.get_data(as_text=True)
    assert markup_problems(html, nonce), f"the audit missed {payload!r}"
    assert markup_problems('<script nonce="{n}"></script>'.replace("{n}", nonce or ""), nonce) == []


def test_the_crawl_catches_markdown_rendered_without_its_sanitiser(hostile: Flask) -> None:
    hostile.jinja_env.filters["markdown"] = lambda text: Markup(text or "")  # noqa: S704
    found = crawl(hostile, signed_in(hostile, "anonymous"), start_urls(hostile))
    assert any("onerror" in failure or "<script>" in failure for failure in found.failures())
