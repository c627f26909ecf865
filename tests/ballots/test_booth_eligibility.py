"""Who may vote in the booth: accounts (optionally matched on the census list), voting codes, open votes."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from flask import Flask
from flask.testing import FlaskClient

from pbvote.ballots import census
from pbvote.ballots.codes import issue_codes
from pbvote.ballots.models import CensusEntry, VotingCode
from pbvote.core.types import BallotKind
from pbvote.db import utcnow
from pbvote.extensions import db
from pbvote.processes.models import Budget, Eligibility
from tests.ballots.booth_helpers import booth_url, box, confirm, count, review, text, vote, voter_keys
from tests.builders import login, make_user, make_voting_budget
from tests.conftest import empty_all_tables, make_test_app

CPR = "010180-1234"


def codes_for(budget: Budget, n: int = 2) -> list[str]:
    codes = issue_codes(None, budget, n, now=utcnow())
    db.session.commit()
    return codes


def enter_code(client: FlaskClient, budget: Budget, code: str) -> object:
    return client.post(f"/stem/{budget.process.slug}/kode", data={"code": code})


# --- account ----------------------------------------------------------------------------------------


def test_booth_account_vote_needs_a_login_and_counts_the_account_once(client: FlaskClient) -> None:
    budget = make_voting_budget(kind=BallotKind.APPROVAL, eligibility=Eligibility.ACCOUNT)
    response = client.get(booth_url(budget))
    assert response.status_code == 302 and response.location.startswith("/konto/log-ind?next=")
    landing = client.get(f"/stem/{budget.process.slug}/")
    assert landing.status_code == 302 and "/konto/log-ind" in landing.location
    assert confirm(client, budget, {"project": ["P-1"]}, "k" * 32).status_code == 302
    assert box() == (0, 0, 0, 0)
    user = make_user()
    login(client, user)
    vote(client, budget, {"project": ["P-1"]})
    assert voter_keys(budget) == [f"user:{user.id}"]
    assert "Du har allerede stemt" in text(client.get(booth_url(budget)))


def census_budget(**process_fields: object) -> Budget:
    budget = make_voting_budget(
        kind=BallotKind.APPROVAL, eligibility=Eligibility.ACCOUNT, name_da="Hele byen"
    )
    budget.process.census_required = True
    for name, value in process_fields.items():
        setattr(budget.process, name, value)
    db.session.commit()
    return budget


def add_person(budget: Budget, cpr: str, birth_year: int, district: str | None = None) -> None:
    digest = census.person_hash(cpr)
    assert digest is not None
    db.session.add(
        CensusEntry(
            process_id=budget.process_id, person_hash=digest, birth_year=birth_year, district=district
        )
    )
    db.session.commit()


def test_booth_census_voter_types_the_person_number_once_and_votes_as_that_person(
    client: FlaskClient,
) -> None:
    budget = census_budget()
    add_person(budget, CPR, 1980)
    login(client, make_user())
    response = client.get(booth_url(budget))
    assert response.status_code == 302 and response.location == f"/stem/{budget.process.slug}/"
    landing = text(client.get(response.location))
    assert "Skriv dit CPR-nummer for at stemme." in landing
    assert "Dit CPR-nummer" in landing
    answer = client.post(f"/stem/{budget.process.slug}/cpr", data={"person_number": CPR})
    assert answer.status_code == 302
    vote(client, budget, {"project": ["P-2"]})
    assert voter_keys(budget) == [f"census:{census.person_hash(CPR)}"]
    assert "1234" not in "".join(voter_keys(budget))


def test_booth_census_refuses_a_bad_unknown_or_too_young_person_number(client: FlaskClient) -> None:
    budget = census_budget(min_age=15)
    add_person(budget, "020120-4321", utcnow().year - 10)
    login(client, make_user())
    url = f"/stem/{budget.process.slug}/cpr"
    for typed, message in (
        ("12345", "Skriv de 10 cifre i dit CPR-nummer, fx 010180-1234."),
        (CPR, "Dette CPR-nummer står ikke på listen over stemmeberettigede i denne afstemning."),
        ("020120-4321", "Du skal være mindst 15 år for at stemme."),
    ):
        response = client.post(url, data={"person_number": typed})
        assert response.status_code == 422
        assert message in text(response)
    assert client.get(booth_url(budget)).status_code == 302  # still not matched
    assert box() == (0, 0, 0, 0)


def test_booth_census_voter_sees_their_own_district_first(client: FlaskClient) -> None:
    budget = census_budget()
    make_voting_budget(process=budget.process, kind=BallotKind.APPROVAL, name_da="Nordby", district="Nordby")
    make_voting_budget(
        process=budget.process, kind=BallotKind.APPROVAL, name_da="Sydhavn", district="Sydhavn"
    )
    add_person(budget, CPR, 1980, district="Sydhavn")
    login(client, make_user())
    client.post(f"/stem/{budget.process.slug}/cpr", data={"person_number": CPR})
    landing = text(client.get(f"/stem/{budget.process.slug}/"))
    assert (
        landing.index("Stem i Sydhavn") < landing.index("Stem i Hele byen") < landing.index("Stem i Nordby")
    )
    assert "Din bydel" in landing


# --- codes ------------------------------------------------------------------------------------------


def test_booth_code_voter_types_the_code_votes_once_and_burns_it(client: FlaskClient) -> None:
    budget = make_voting_budget(kind=BallotKind.APPROVAL, eligibility=Eligibility.CODE)
    code, spare = codes_for(budget)
    assert client.get(booth_url(budget)).location == f"/stem/{budget.process.slug}/"
    landing = text(client.get(f"/stem/{budget.process.slug}/"))
    assert "Skriv din stemmekode" in landing
    response = enter_code(client, budget, code.lower().replace("-", " "))
    assert response.status_code == 302 and response.location == booth_url(budget)
    vote(client, budget, {"project": ["P-1", "P-2"]})
    assert box() == (1, 1, 2, 1)
    assert voter_keys(budget)[0].startswith("code:") and code not in voter_keys(budget)[0]
    assert client.get(booth_url(budget)).location == f"/stem/{budget.process.slug}/"  # the code is forgotten
    again = enter_code(client, budget, code)
    assert again.status_code == 422
    assert "Denne stemmekode er allerede brugt." in text(again)
    assert enter_code(client, budget, spare).status_code == 302


def test_booth_code_refuses_a_mistyped_or_unknown_code_in_danish(client: FlaskClient) -> None:
    budget = make_voting_budget(kind=BallotKind.APPROVAL, eligibility=Eligibility.CODE)
    other = make_voting_budget(kind=BallotKind.APPROVAL, eligibility=Eligibility.CODE)
    (foreign,) = codes_for(other, 1)
    short = enter_code(client, budget, "ABC")
    assert short.status_code == 422
    assert "En stemmekode har 12 bogstaver og tal, fx 7KQ2-M9XD-4HTR." in text(short)
    for typed in ("ZZZZ-ZZZZ-ZZZZ", foreign):
        response = enter_code(client, budget, typed)
        assert response.status_code == 422
        assert "Stemmekoden hører ikke til denne afstemning." in text(response)
    assert db.session.query(VotingCode).filter(VotingCode.used_on.is_not(None)).count() == 0


def test_booth_code_double_submit_returns_the_same_receipt(client: FlaskClient, app: Flask) -> None:
    budget = make_voting_budget(kind=BallotKind.APPROVAL, eligibility=Eligibility.CODE)
    (code,) = codes_for(budget, 1)
    enter_code(client, budget, code)
    data = {"project": ["P-3"]}
    key = review(client, budget, data)
    session_cookie = client.get_cookie("session")
    assert session_cookie is not None
    first = confirm(client, budget, data, key)
    twin = app.test_client()  # the second click left before the first answer came back
    twin.set_cookie("session", session_cookie.value)
    second = confirm(twin, budget, data, key)
    assert first.status_code == second.status_code == 302
    first_page, second_page = text(client.get(first.location)), text(twin.get(second.location))
    receipt = first_page.split('<p class="receipt-code"><code>')[1][:14]
    assert receipt in second_page
    assert box() == (1, 1, 1, 1)


@pytest.fixture
def limited_client(database_url: str) -> Iterator[FlaskClient]:
    """A client of an app that enforces rate limits (the test config turns them off)."""
    app = make_test_app(database_url, RATELIMIT_ENABLED=True)
    with app.app_context():
        yield app.test_client()
        db.session.rollback()
        empty_all_tables()
        db.session.remove()
        db.engine.dispose()


def test_booth_code_guessing_is_rate_limited_per_address(limited_client: FlaskClient) -> None:
    budget = make_voting_budget(kind=BallotKind.APPROVAL, eligibility=Eligibility.CODE)
    statuses = [enter_code(limited_client, budget, "ZZZZ-ZZZZ-ZZZZ").status_code for _ in range(21)]
    assert statuses[:20] == [422] * 20
    assert statuses[20] == 429
    response = enter_code(limited_client, budget, "ZZZZ-ZZZZ-ZZZZ")
    assert "For mange forsøg" in text(response)  # type: ignore[arg-type]


# --- open -------------------------------------------------------------------------------------------


def test_booth_open_vote_is_marked_and_allows_one_vote_per_browser(client: FlaskClient, app: Flask) -> None:
    budget = make_voting_budget(kind=BallotKind.APPROVAL, eligibility=Eligibility.OPEN)
    banner = "Åben afstemning – kun til workshops og demonstrationer"
    assert banner in text(client.get(f"/stem/{budget.process.slug}/"))
    assert banner in text(client.get(booth_url(budget)))
    cookie = client.get_cookie("pbvote_voter")
    assert cookie is not None and cookie.http_only
    vote(client, budget, {"project": ["P-1"]})
    assert banner in text(client.get(booth_url(budget) + "/kvittering"))
    assert confirm(client, budget, {"project": ["P-2"]}, "x" * 32).status_code == 409
    vote(app.test_client(), budget, {"project": ["P-2"]})  # another browser
    assert count(VotingCode) == 0 and box()[:2] == (2, 2)
    assert all(key.startswith("browser:") for key in voter_keys(budget))


def test_booth_open_vote_ignores_a_forged_browser_cookie(client: FlaskClient) -> None:
    budget = make_voting_budget(kind=BallotKind.APPROVAL, eligibility=Eligibility.OPEN)
    client.set_cookie("pbvote_voter", "forged-token-without-signature")
    client.get(booth_url(budget))
    cookie = client.get_cookie("pbvote_voter")
    assert cookie is not None and cookie.value != "forged-token-without-signature"
