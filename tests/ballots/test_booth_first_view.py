"""The booth's first view for a new browser in open voting comes from the page cache; nothing else does."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from flask import Flask

from pbvote.ballots import access, firstview
from pbvote.core.types import BallotKind
from pbvote.pagecache import CSRF_MARK, NONCE_MARK, cache
from pbvote.processes.models import Eligibility
from tests.ballots.booth_helpers import booth_url, card_order, text, vote
from tests.builders import make_voting_budget

PROJECTS = [(f"P-{n}", 10_000_00) for n in range(1, 11)]
TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')


@pytest.fixture
def caching(app: Flask) -> Iterator[Flask]:
    app.config.update(PAGE_CACHE_SECONDS=60, WTF_CSRF_ENABLED=True)
    cache.clear()
    firstview.forget()
    yield app
    cache.clear()
    firstview.forget()


def first_views(app: Flask, url: str, visitors: int) -> list[str]:
    """Each new browser's booth page."""
    return [text(app.test_client().get(url)) for _ in range(visitors)]


def test_new_browsers_in_open_voting_get_the_booth_without_touching_the_database(
    caching: Flask, statements: list[str]
) -> None:
    budget = make_voting_budget(kind=BallotKind.APPROVAL, eligibility=Eligibility.OPEN, projects=PROJECTS)
    url = booth_url(budget)
    orders = {tuple(card_order(page)) for page in first_views(caching, url, 300)}
    assert len(orders) == len(PROJECTS)  # one order per starting place: 300 visitors met all 10 (but surely)
    assert {order[0] for order in orders} == {code for code, _ in PROJECTS}  # each project first for some
    statements.clear()
    client = caching.test_client()
    response = client.get(url)
    assert response.status_code == 200 and statements == []
    assert access.BROWSER_COOKIE in response.headers.get("Set-Cookie", "")  # one vote per browser still
    assert response.headers["Cache-Control"] == "no-store"


def test_a_cached_first_view_carries_the_visitors_own_token(caching: Flask) -> None:
    budget = make_voting_budget(kind=BallotKind.APPROVAL, eligibility=Eligibility.OPEN, projects=PROJECTS)
    pages = first_views(caching, booth_url(budget), 60)
    by_order: dict[tuple[str, ...], list[str]] = {}
    for page in pages:
        assert NONCE_MARK not in page and CSRF_MARK not in page
        by_order.setdefault(tuple(card_order(page)), []).append(page)
    same = max(by_order.values(), key=len)
    assert len(same) > 1, "no two of 60 visitors started at the same of 10 places"
    assert len({TOKEN.search(page).group(1) for page in same}) == len(same)  # type: ignore[union-attr]


def test_a_visitors_order_stays_the_same_from_the_cached_first_view_to_their_choices(caching: Flask) -> None:
    budget = make_voting_budget(kind=BallotKind.APPROVAL, eligibility=Eligibility.OPEN, projects=PROJECTS)
    url = booth_url(budget)
    first_views(caching, url, 50)  # fill the cache
    client = caching.test_client()
    first = text(client.get(url))
    token = TOKEN.search(first)
    assert token is not None
    added = text(client.post(url, data={"csrf_token": token.group(1), "add": "P-3"}))
    assert card_order(added) == card_order(first)
    assert 'name="project" value="P-3"' in added


def test_a_browser_that_voted_is_told_so_and_not_shown_the_cached_booth(caching: Flask) -> None:
    caching.config["WTF_CSRF_ENABLED"] = False
    budget = make_voting_budget(kind=BallotKind.APPROVAL, eligibility=Eligibility.OPEN, projects=PROJECTS)
    url = booth_url(budget)
    first_views(caching, url, 50)
    voter = caching.test_client()
    vote(voter, budget, {"project": ["P-1"]})
    again = voter.get(url)
    assert "P-1" not in card_order(text(again))
    assert "allerede stemt" in text(again)


def test_code_voting_asks_a_new_browser_for_its_code_even_with_the_cache_on(caching: Flask) -> None:
    budget = make_voting_budget(kind=BallotKind.APPROVAL, eligibility=Eligibility.CODE, projects=PROJECTS)
    for _ in range(3):
        page = text(caching.test_client().get(booth_url(budget), follow_redirects=True))
        assert card_order(page) == []
