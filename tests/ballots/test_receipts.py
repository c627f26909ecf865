"""The receipt page and the public receipt list: sorted, paged, a look-up that says counted or not found."""

from __future__ import annotations

import re

from flask.testing import FlaskClient
from sqlalchemy import insert

from pbvote.ballots.models import Ballot, Channel
from pbvote.ballots.queries import RECEIPTS_PER_PAGE
from pbvote.core.types import BallotKind
from pbvote.db import utcnow
from pbvote.extensions import db
from pbvote.processes.models import Budget, Eligibility
from tests.ballots.booth_helpers import booth_url, text, vote
from tests.builders import make_voting_budget


def open_budget() -> Budget:
    return make_voting_budget(kind=BallotKind.APPROVAL, eligibility=Eligibility.OPEN)


def stored_receipts(budget: Budget, receipts: list[str]) -> None:
    today = utcnow().date()
    rows = [
        {"id": f"{n:032x}", "budget_id": budget.id, "channel": Channel.ONLINE, "cast_on": today, "receipt": r}
        for n, r in enumerate(receipts)
    ]
    db.session.execute(insert(Ballot), rows)
    db.session.commit()


def listed(page: str) -> list[str]:
    return re.findall(r"<li><code>([^<]+)</code></li>", page)


def test_receipts_page_shows_the_receipt_and_how_to_check_it(client: FlaskClient) -> None:
    budget = open_budget()
    receipt = vote(client, budget, {"project": ["P-1"]})
    page = text(client.get(booth_url(budget) + "/kvittering"))
    assert "Tak for din stemme" in page
    assert "Sådan tjekker du din stemme senere" in page
    assert f'href="/stem/pulje/{budget.id}/kvitteringer"' in page
    assert "Projekt P-1" not in page  # the receipt page does not repeat the choice
    assert receipt in listed(text(client.get(booth_url(budget) + "/kvitteringer")))


def test_receipts_page_without_a_vote_in_this_browser_goes_to_the_public_list(client: FlaskClient) -> None:
    budget = open_budget()
    response = client.get(booth_url(budget) + "/kvittering")
    assert response.status_code == 302 and response.location == booth_url(budget) + "/kvitteringer"


def test_receipts_list_is_sorted_and_paged(client: FlaskClient) -> None:
    budget = open_budget()
    receipts = [f"{n:04d}-AAAA-ZZZZ" for n in range(RECEIPTS_PER_PAGE + 5, 0, -1)]
    stored_receipts(budget, receipts)
    first = text(client.get(booth_url(budget) + "/kvitteringer"))
    assert listed(first) == sorted(receipts)[:RECEIPTS_PER_PAGE]
    assert f"Alle kvitteringer ({RECEIPTS_PER_PAGE + 5} stemmer)" in first
    assert "Side 1 af 2" in first
    second = text(client.get(booth_url(budget) + "/kvitteringer?side=2"))
    assert listed(second) == sorted(receipts)[RECEIPTS_PER_PAGE:]
    assert client.get(booth_url(budget) + "/kvitteringer?side=3").status_code == 404
    assert client.get(booth_url(budget) + "/kvitteringer?side=x").status_code == 400


def test_receipts_lookup_says_counted_or_not_found_without_the_choices(client: FlaskClient) -> None:
    budget = open_budget()
    other = open_budget()
    stored_receipts(budget, ["ABCD-EFGH-2345"])
    url = booth_url(budget) + "/kvitteringer"
    counted = text(client.post(url, data={"receipt": " abcdefgh2345 "}))
    assert "Talt med" in counted and "kvitteringen ABCD-EFGH-2345 er blandt de optalte stemmer." in counted
    assert "Projekt P-1" not in counted
    missing = text(client.post(url, data={"receipt": "ABCD-EFGH-2346"}))
    assert "Ikke fundet" in missing and "Talt med:" not in missing
    elsewhere = text(client.post(booth_url(other) + "/kvitteringer", data={"receipt": "ABCD-EFGH-2345"}))
    assert "Ikke fundet" in elsewhere


def test_receipts_lookup_refuses_something_that_is_not_a_receipt(client: FlaskClient) -> None:
    budget = open_budget()
    response = client.post(booth_url(budget) + "/kvitteringer", data={"receipt": "nonsense"})
    assert response.status_code == 422
    assert "En kvitteringskode ser sådan ud: ABCD-EFGH-2345." in text(response)


def test_receipts_list_of_an_unknown_budget_is_not_found(client: FlaskClient) -> None:
    assert client.get("/stem/pulje/999999/kvitteringer").status_code == 404
