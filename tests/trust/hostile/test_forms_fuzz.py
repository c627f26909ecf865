"""hypothesis drives every form and every page's query string: never a 500, and an error writes nothing.

The forms are read from the site's own pages (as a resident, a voter holding a code, staff and an admin), so
a new form is fuzzed without anyone listing it here. CSRF is off (the testing config), so every request
reaches the view. Values: random text, NUL bytes, huge strings, wrong types, repeated fields, missing and
extra fields, random files, and raw bodies with invalid UTF-8 percent-encoded.
"""

from __future__ import annotations

import io
from typing import Any
from urllib.parse import quote_from_bytes

import pytest
from flask import Flask
from flask.testing import FlaskClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pbvote.db import utcnow
from pbvote.demo import seed_demo
from pbvote.extensions import db
from pbvote.workshop.services import create_workshop
from tests.trust.hostile.checks import crawl, endpoint_of
from tests.trust.hostile.forms import Field, Form, forms_on, row_counts
from tests.trust.hostile.payloads import XSS_PAYLOADS
from tests.trust.hostile.test_xss_pages import enter_code
from tests.trust.hostile.world import PASSWORD, ROLE_EMAILS, start_urls

ODD_VALUES = [
    "", " ", "-1", "0", "1e309", "NaN", "-0", "99999999999999999999999999", "1.5", "١٢٣", "true", "null",
    "[]", "{}", "x" * 200_000, "\x00", "a\x00b", "\ud800"[:0] + "\ufffd", "2027-02-30", "9999-12-31",
    "../../etc/passwd", "%s%n%x", "' OR 1=1 --", *XSS_PAYLOADS[::6],
]  # fmt: skip
values = st.one_of(st.text(max_size=300), st.sampled_from(ODD_VALUES), st.integers().map(str))
EXAMPLES = 3  # per form in the fast run; the slow run tries many more


@pytest.fixture
def demo(app: Flask) -> Flask:
    app.config["HOSTILE_CODES"] = seed_demo()
    create_workshop(None, "da", now=utcnow())
    db.session.commit()
    return app


def client_as(app: Flask, role: str) -> FlaskClient:
    client = app.test_client()
    if role == "code holder":
        enter_code(client, app.config["HOSTILE_CODES"][2])
    elif role != "anonymous":
        response = client.post("/konto/log-ind", data={"email": ROLE_EMAILS[role], "password": PASSWORD})
        assert response.status_code == 302
    return client


FormKey = tuple[str, tuple[str, ...]]


def every_form(app: Flask, client: FlaskClient) -> dict[FormKey, Form]:
    found = crawl(app, client, start_urls(app), keep_html=True, per_endpoint=3)
    forms: dict[FormKey, Form] = {}
    for url, html in found.pages.items():
        for form in forms_on(url, html):
            if "log-ud" not in form.action:  # one form per view and field set, not per proposal or budget
                endpoint = endpoint_of(app, form.action.split("#")[0], "POST")
                forms.setdefault((endpoint, tuple(sorted({f.name for f in form.fields}))), form)
    return forms


@st.composite
def hostile_fields(draw: st.DrawFn, form: Form) -> dict[str, Any]:
    """The form's fields, each kept, dropped, replaced or repeated; plus an extra one now and then."""
    data: dict[str, Any] = {}
    defaults = form.defaults()
    for item in form.fields:
        if item.name == "csrf_token":
            continue
        choice = draw(st.sampled_from(["keep", "drop", "random", "random", "many"]))
        if item.kind == "file":
            if choice != "drop":
                content = draw(st.binary(max_size=2000))
                data[item.name] = (io.BytesIO(content), draw(st.sampled_from(XSS_PAYLOADS)))
        elif choice == "keep" and item.name in defaults:
            data[item.name] = defaults[item.name]
        elif choice == "random":
            data[item.name] = draw(values)
        elif choice == "many":
            data[item.name] = draw(st.lists(values, min_size=2, max_size=4))
    if draw(st.booleans()):
        data[draw(st.text(min_size=1, max_size=20))] = draw(values)
    return data


def invalid_utf8_body(form: Form, junk: bytes) -> bytes:
    """A urlencoded body whose every field is bytes that are not UTF-8."""
    names = [item.name for item in form.fields if item.name != "csrf_token"] or ["x"]
    return "&".join(f"{quote_from_bytes(name.encode())}={quote_from_bytes(junk)}" for name in names).encode()


def post(client: FlaskClient, form: Form, data: dict[str, Any] | bytes) -> int:
    if isinstance(data, bytes):
        response = client.post(form.action, data=data, content_type="application/x-www-form-urlencoded")
    else:
        content_type = "multipart/form-data" if form.multipart else None
        response = client.post(form.action, data=data, content_type=content_type)
    response.close()
    return response.status_code


def fuzz_form(client: FlaskClient, form: Form, examples: int) -> None:
    failures: list[str] = []
    fixed = examples <= EXAMPLES  # the fast run is the same every time; the slow one explores

    @settings(
        max_examples=examples,
        suppress_health_check=list(HealthCheck),
        database=None,
        deadline=None,
        derandomize=fixed,
    )
    @given(
        st.one_of(
            hostile_fields(form),
            st.binary(min_size=1, max_size=8)
            .map(lambda junk: b"\xff\xfe" + junk)
            .map(lambda junk: invalid_utf8_body(form, junk)),
        )
    )
    def check(data: dict[str, Any] | bytes) -> None:
        before = row_counts()
        status = post(client, form, data)
        assert status < 500, f"POST {form.action} answered {status}"
        if status >= 400:
            after = row_counts()
            changed = {name: (count, after[name]) for name, count in before.items() if after[name] != count}
            assert changed == {}, f"POST {form.action} answered {status} but wrote {changed} ({data!r:.300})"

    try:
        check()
    except AssertionError as exc:  # keep going to report every broken form at once
        failures.append(str(exc).splitlines()[0])
    assert failures == [], failures


ROLES = ("admin", "staff", "resident", "code holder", "anonymous")  # each form by the first role that has it


DESTRUCTIVE = ("slet", "/fase/", "laas-op", "kopier", "/reset", "/afgiv")  # fuzzed last: they change the rest


def fuzz_every_form(app: Flask, examples: int) -> int:
    """Read every role's forms first (fuzzing moves processes on), then fuzz each form once."""
    todo: dict[FormKey, tuple[str, FlaskClient, Form]] = {}
    for role in ROLES:
        client = client_as(app, role)
        for key, form in every_form(app, client).items():
            todo.setdefault(key, (role, client, form))
    order = sorted(todo.values(), key=lambda item: any(word in item[2].action for word in DESTRUCTIVE))
    failures = []
    for role, client, form in order:
        try:
            fuzz_form(client, form, examples)
        except AssertionError as exc:
            failures.append(f"{role}: {exc}")
    assert failures == [], "\n".join(failures)
    return len(todo)


def test_every_form_survives_random_fields_and_writes_nothing_on_error(demo: Flask) -> None:
    assert fuzz_every_form(demo, EXAMPLES) >= 30


@pytest.mark.slow
def test_every_form_survives_many_random_fields(demo: Flask) -> None:
    fuzz_every_form(demo, 12)


# --- query strings: unknown sort and filter keys -----------------------------------------------------------

KNOWN_KEYS = ["sort", "order", "page", "side", "q", "category", "status", "budget", "action", "target_type",
              "filter", "phase", "district", "kode", "code", "next", "lang", "rule", "kind"]  # fmt: skip


def fuzz_query(client: FlaskClient, path: str, examples: int) -> None:
    @settings(
        max_examples=examples,
        suppress_health_check=list(HealthCheck),
        database=None,
        deadline=None,
        derandomize=examples <= EXAMPLES,
    )
    @given(st.dictionaries(st.one_of(st.sampled_from(KNOWN_KEYS), st.text(max_size=10)), values, max_size=4))
    def check(query: dict[str, str]) -> None:
        response = client.get(path, query_string=query)
        response.close()
        assert response.status_code < 500, f"GET {path} {query!r:.200} answered {response.status_code}"

    check()


def fuzz_queries(app: Flask, examples: int) -> None:
    failures: list[str] = []
    for role in ("anonymous", "admin"):
        client = client_as(app, role)
        found = crawl(app, client, start_urls(app), per_endpoint=1)
        pages = {visit.endpoint: visit.url for visit in found.visits}
        for url in sorted(pages.values()):
            try:
                fuzz_query(client, url.split("?")[0], examples)
            except AssertionError as exc:
                failures.append(f"{role}: {str(exc).splitlines()[0]}")
    assert failures == [], "\n".join(failures)


def test_unknown_sort_and_filter_keys_are_refused_or_ignored_never_a_500(demo: Flask) -> None:
    fuzz_queries(demo, 3)
    client = client_as(demo, "admin")
    assert client.get("/admin/log/", query_string={"action": "drop.table"}).status_code == 400
    assert client.get("/admin/log/", query_string={"page": "-1"}).status_code == 400
    listing = client.get("/forslag/borgerbudget-soeby-2027/", query_string={"sort": "evil", "category": "x"})
    assert listing.status_code in (200, 400)


@pytest.mark.slow
def test_query_strings_never_give_a_500(demo: Flask) -> None:
    fuzz_queries(demo, 15)


def test_nul_bytes_are_a_bad_request_that_writes_nothing(demo: Flask) -> None:
    """Found by the fuzzer on PostgreSQL: a NUL in a category name or a search was a 500."""
    from sqlalchemy import select

    from pbvote.processes.models import Category

    category = db.session.scalars(select(Category)).first()
    assert category is not None
    client = client_as(demo, "admin")
    before = row_counts()
    edit = f"/admin/processer/{category.process_id}/kategorier/{category.id}"
    assert client.post(edit, data={"name_da": "Natur", "name_en": "a\x00b"}).status_code == 400
    assert client.post("/admin/processer/ny", data={"title_da": "\x00"}).status_code == 400
    search = client.get("/forslag/borgerbudget-soeby-2027/", query_string={"q": "a\x00b"})
    assert search.status_code == 400 and "Ugyldig forespørgsel" in search.get_data(as_text=True)
    assert row_counts() == before
    db.session.expire_all()
    assert db.session.get(Category, category.id).name_en != "a\x00b"  # type: ignore[union-attr]


def test_the_fuzzer_bites_on_a_form_that_crashes(demo: Flask) -> None:
    @demo.post("/test-only/crash")
    def crash() -> str:
        from flask import request

        return str(int(request.form.get("number", "0")))  # a 500 on anything but digits

    demo.config["PROPAGATE_EXCEPTIONS"] = False
    form = Form("/test-only", "/test-only/crash", False)
    form.fields.append(Field("number", "text", "1"))
    with pytest.raises(AssertionError, match="answered 500"):
        fuzz_form(demo.test_client(), form, 30)
