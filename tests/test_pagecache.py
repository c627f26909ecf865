"""The few-seconds page cache: anonymous readers of results share a rendering; nothing personal is shared."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from pbvote.auth.models import Role
from pbvote.extensions import db
from pbvote.pagecache import CSRF_MARK, NONCE_MARK, cache
from pbvote.processes.models import Budget
from tests.builders import login, make_user
from tests.results.test_pages import counted_budget, url

NONCE = re.compile(r'nonce="([^"]+)"')


@pytest.fixture
def caching(app: Flask) -> Iterator[Flask]:
    app.config.update(PAGE_CACHE_SECONDS=60)
    cache.clear()
    yield app
    cache.clear()


def test_a_second_anonymous_reader_gets_the_page_without_touching_the_database(
    caching: Flask, statements: list[str]
) -> None:
    budget = counted_budget()
    first = caching.test_client().get(url(budget))
    statements.clear()
    second = caching.test_client().get(url(budget))
    assert second.status_code == 200 and statements == []
    assert _without_secrets(first) == _without_secrets(second)


def test_every_answer_has_its_own_nonce_matching_its_policy_and_no_mark_leaks(caching: Flask) -> None:
    budget = counted_budget()
    nonces = []
    for _ in range(3):
        response = caching.test_client().get(url(budget))
        page = response.get_data(as_text=True)
        assert NONCE_MARK not in page and CSRF_MARK not in page
        in_page = set(NONCE.findall(page))
        assert len(in_page) == 1
        nonce = in_page.pop()
        policy = response.headers["Content-Security-Policy"]
        assert f"script-src 'self' 'nonce-{nonce}'" in policy
        assert f"style-src 'self' 'nonce-{nonce}'" in policy  # the charts' style elements still work
        nonces.append(nonce)
    assert len(set(nonces)) == 3


def test_the_language_switch_on_a_cached_page_carries_the_readers_own_token(caching: Flask) -> None:
    caching.config["WTF_CSRF_ENABLED"] = True
    budget = counted_budget()
    caching.test_client().get(url(budget))
    reader = caching.test_client()
    page = reader.get(url(budget)).get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert token is not None
    switched = reader.post("/sprog", data={"csrf_token": token.group(1), "lang": "en", "next": url(budget)})
    assert switched.status_code == 302
    english = reader.get(url(budget)).get_data(as_text=True)
    assert 'lang="en"' in english and "Hele byen (en)" in english
    stranger = caching.test_client().post("/sprog", data={"csrf_token": token.group(1), "lang": "en"})
    assert stranger.status_code == 400  # the token belongs to the reader's session, not to the cached page


def test_logged_in_readers_see_changes_at_once_and_anonymous_ones_after_the_cache_time(
    caching: Flask, client: FlaskClient
) -> None:
    budget = counted_budget()
    assert "Hele byen" in caching.test_client().get(url(budget)).get_data(as_text=True)
    db.session.get(Budget, budget.id).name_da = "Nyt navn på puljen"  # type: ignore[union-attr]
    db.session.commit()
    assert "Nyt navn på puljen" not in caching.test_client().get(url(budget)).get_data(as_text=True)
    login(client, make_user(role=Role.STAFF))
    staff_page = client.get(url(budget)).get_data(as_text=True)
    assert "Nyt navn på puljen" in staff_page and "Log ud" in staff_page
    cache.clear()  # what the passing of PAGE_CACHE_SECONDS does
    assert "Nyt navn på puljen" in caching.test_client().get(url(budget)).get_data(as_text=True)


def test_refusals_are_not_kept_and_a_publication_shows_without_waiting(caching: Flask) -> None:
    budget = counted_budget(publish=False)
    reader = caching.test_client()
    assert reader.get(url(budget)).status_code == 404
    assert reader.get(f"/api/v1/budgets/{budget.id}/results").status_code == 404
    from pbvote.db import utcnow
    from pbvote.results.queries import latest_run
    from pbvote.results.services import publish_run

    publish_run(latest_run(budget.id), actor=None, now=utcnow())  # type: ignore[arg-type]
    db.session.commit()
    assert reader.get(url(budget)).status_code == 200
    assert reader.get(f"/api/v1/budgets/{budget.id}/results").status_code == 200


def test_the_api_keeps_one_answer_per_language(caching: Flask) -> None:
    budget = counted_budget()
    budget.process.title_da, budget.process.title_en = "Borgerbudget", "Citizens' budget"
    db.session.commit()
    address = f"/api/v1/processes/{budget.process.slug}"
    reader = caching.test_client()
    danish = reader.get(address, headers={"Accept-Language": "da"}).get_json()
    english = reader.get(address, headers={"Accept-Language": "en"}).get_json()
    assert danish == reader.get(address, headers={"Accept-Language": "da"}).get_json()
    assert danish["title"] == "Borgerbudget" and english["title"] == "Citizens' budget"


def _without_secrets(response: Any) -> str:
    page = response.get_data(as_text=True)
    page = NONCE.sub('nonce=""', page)
    return re.sub(r'name="csrf_token" value="[^"]+"', 'name="csrf_token" value=""', page)
