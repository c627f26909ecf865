"""Paper ballots at a voting station: entered by staff, checked like online ballots, one person one vote."""

from __future__ import annotations

import re
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from werkzeug.test import TestResponse

from pbvote.auth.models import Role
from pbvote.ballots import census
from pbvote.ballots.eligibility import NotEligible, voter_for_census, voter_for_code
from pbvote.ballots.models import Ballot, BallotLine, Channel, VotingCode
from pbvote.ballots.services import cast_ballot
from pbvote.core.types import BallotKind
from pbvote.core.validation import BallotInput
from pbvote.db import utcnow
from pbvote.extensions import db
from pbvote.processes.models import Budget, Eligibility, Phase
from tests.ballots.staff_support import audit_entries, box, census_entry, code_budget, count, issue, login_as
from tests.builders import make_process, make_voting_budget

STATION = "Søby Bibliotek"


def station(client: FlaskClient, name: str = STATION) -> None:
    client.post("/sagsbehandling/afstemning/station", data={"station": name, "next": "/"})


def entry_url(budget: Budget) -> str:
    return f"/sagsbehandling/afstemning/pulje/{budget.id}/papir"


def fresh_key(client: FlaskClient, budget: Budget) -> str:
    page = client.get(entry_url(budget)).get_data(as_text=True)
    match = re.search(r'name="entry_key" type="hidden" value="([0-9a-f]{32})"', page) or re.search(
        r'id="entry_key" name="entry_key" type="hidden" value="([0-9a-f]{32})"', page
    )
    assert match, page[:3000]
    return match.group(1)


def enter(
    client: FlaskClient, budget: Budget, identity: str, key: str | None = None, **fields: Any
) -> TestResponse:
    data = {"identity": identity, "entry_key": key or fresh_key(client, budget), **fields}
    return client.post(entry_url(budget), data=data)


def text(response: TestResponse) -> str:
    return response.get_data(as_text=True)


def test_paper_entry_registers_a_ballot_with_its_station_and_an_audit_without_choices(
    app: Flask, client: FlaskClient
) -> None:
    budget = code_budget()
    first, second = issue(budget, 2)
    login_as(client, Role.STAFF)
    station(client)
    response = enter(client, budget, first.lower().replace("-", " "), codes="p-1, 3")
    assert response.status_code == 302
    page = text(client.get(response.location))
    assert "Stemmeseddel nr. 1 registreret." in page
    assert "1 papirstemmeseddel indtastet her i dag." in page
    assert "autofocus" in page and 'value=""' in page.split('id="identity"')[1][:200]
    ballot = db.session.scalar(select(Ballot))
    assert ballot is not None and ballot.channel is Channel.PAPER and ballot.station == STATION
    lines = db.session.scalars(select(BallotLine.project_id).where(BallotLine.ballot_id == ballot.id)).all()
    assert len(lines) == 2
    assert box()[3] == 1  # one code burnt
    response = enter(client, budget, second, codes="", project=["P-2"])
    assert "Stemmeseddel nr. 2 registreret." in text(client.get(response.location))
    entries = audit_entries("ballot.paper_entered")
    assert [entry.after for entry in entries] == ['{"station":"Søby Bibliotek"}'] * 2
    for entry in entries:
        assert entry.target_id == str(budget.id) and "P-" not in entry.before + entry.after
        assert first not in entry.after and second not in entry.after


def test_paper_code_used_online_is_refused(app: Flask, client: FlaskClient) -> None:
    budget = code_budget()
    [code] = issue(budget, 1)
    cast_ballot(
        voter_for_code(budget, code), budget, BallotInput(projects=["P-1"]), retry_key="o" * 32, now=utcnow()
    )
    db.session.commit()
    login_as(client, Role.STAFF)
    station(client)
    before = box()
    response = enter(client, budget, code, codes="P-2")
    assert response.status_code == 422
    assert "Denne person har allerede stemt i denne pulje, online eller på papir." in text(response)
    assert box() == before


def test_online_vote_after_paper_is_refused(app: Flask, client: FlaskClient) -> None:
    budget = code_budget()
    [code] = issue(budget, 1)
    login_as(client, Role.STAFF)
    station(client)
    assert enter(client, budget, code, codes="P-1").status_code == 302
    with pytest.raises(NotEligible):
        voter_for_code(budget, code)
    booth = app.test_client()
    response = booth.post(f"/stem/{budget.process.slug}/kode", data={"code": code})
    assert response.status_code == 422
    assert count(Ballot) == 1


def test_paper_census_person_votes_once_across_channels(app: Flask, client: FlaskClient) -> None:
    process = make_process(
        phase=Phase.REVIEW, eligibility=Eligibility.ACCOUNT, census_required=True, min_age=16
    )
    budget = make_voting_budget(process=process, kind=BallotKind.APPROVAL)
    for cpr, year in (("0101801234", 1980), ("0202021234", 2002), ("0303121234", 2012), ("0404701234", 1970)):
        db.session.add(census_entry(process, cpr, year))
    db.session.commit()
    login_as(client, Role.STAFF)
    station(client)
    assert enter(client, budget, "010180-1234", codes="P-1").status_code == 302
    again = enter(client, budget, "0101801234", codes="P-2")
    assert again.status_code == 422 and "allerede stemt" in text(again)
    unknown = enter(client, budget, "0505051234", codes="P-2")
    assert unknown.status_code == 422 and "står ikke på valglisten" in text(unknown)
    young = enter(client, budget, "0303121234", codes="P-2")
    assert young.status_code == 422 and "yngre end minimumsalderen på 16 år" in text(young)
    wrong = enter(client, budget, "12345", codes="P-2")
    assert wrong.status_code == 422 and "ikke et CPR-nummer" in text(wrong)
    online = voter_for_census(census.person_hash("0202021234") or "")
    cast_ballot(online, budget, BallotInput(projects=["P-3"]), retry_key="c" * 32, now=utcnow())
    db.session.commit()
    after_online = enter(client, budget, "020202-1234", codes="P-1")
    assert after_online.status_code == 422 and "allerede stemt" in text(after_online)
    assert (
        count(Ballot) == 2
        and db.session.scalar(select(Ballot.channel).where(Ballot.station.is_(None))) is Channel.ONLINE
    )


def test_paper_invalid_ballots_write_nothing(app: Flask, client: FlaskClient) -> None:
    budget = code_budget()
    [code] = issue(budget, 1)
    login_as(client, Role.STAFF)
    station(client)
    before = box()
    over = enter(client, budget, code, codes="P-2 P-3 P-4")
    assert over.status_code == 422 and "mere end budgettet" in text(over)
    unknown = enter(client, budget, code, codes="P-9")
    assert unknown.status_code == 422 and "P-9" in text(unknown)
    no_code = enter(client, budget, "", codes="P-1")
    assert no_code.status_code == 422 and "Skriv stemmekoden fra vælgerens brev." in text(no_code)
    bad_code = enter(client, budget, "AAAA-BBBB-CCCC", codes="P-1")
    assert bad_code.status_code == 422
    huge = enter(client, budget, code, codes=" ".join(f"X{i}" for i in range(10_000)))
    assert huge.status_code == 422
    assert box() == before
    assert 'value="P-2 P-3 P-4"' in text(over)  # what was typed comes back, to be corrected


def test_paper_double_submission_registers_one_ballot(app: Flask, client: FlaskClient) -> None:
    budget = code_budget()
    first, second = issue(budget, 2)
    login_as(client, Role.STAFF)
    station(client)
    key = fresh_key(client, budget)
    assert enter(client, budget, first, key=key, codes="P-1").status_code == 302
    repeat = enter(client, budget, first, key=key, codes="P-1")
    assert repeat.status_code == 302
    assert "Stemmeseddel nr. 1 var allerede registreret." in text(client.get(repeat.location))
    reused = enter(client, budget, second, key=key, codes="P-1")
    assert reused.status_code == 422 and "Indtast den igen" in text(reused)
    assert count(Ballot) == 1 and len(audit_entries("ballot.paper_entered")) == 1


def test_paper_cumulative_and_ranked_ballots_by_numbers(app: Flask, client: FlaskClient) -> None:
    cumulative = code_budget(kind=BallotKind.CUMULATIVE, points=10)
    ranked = code_budget(kind=BallotKind.RANKED, max_projects=3)
    [c_code], [r_code, r_code2] = issue(cumulative, 1), issue(ranked, 2)
    login_as(client, Role.STAFF)
    station(client)
    ids = {p.code: p.id for p in cumulative.projects}
    response = enter(client, cumulative, c_code, **{f"points-{ids['P-1']}": "7", f"points-{ids['P-3']}": "3"})
    assert response.status_code == 302
    too_many = enter(client, cumulative, c_code, **{f"points-{ids['P-1']}": "11"})
    assert too_many.status_code == 422
    rids = {p.code: p.id for p in ranked.projects}
    assert (
        enter(client, ranked, r_code, **{f"rank-{rids['P-2']}": "1", f"rank-{rids['P-1']}": "2"}).status_code
        == 302
    )
    assert enter(client, ranked, r_code2, codes="P-3 P-1").status_code == 302
    values = sorted(db.session.execute(select(BallotLine.project_id, BallotLine.value)).tuples())
    assert (ids["P-1"], 7) in values and (rids["P-2"], 1) in values and (rids["P-3"], 1) in values


def test_paper_entry_needs_a_station_staff_and_open_voting(app: Flask, client: FlaskClient) -> None:
    budget = code_budget()
    [code] = issue(budget, 1)
    assert client.get(entry_url(budget)).status_code == 302
    login_as(client, Role.RESIDENT)
    assert client.post(entry_url(budget), data={"identity": code, "codes": "P-1"}).status_code == 403
    staff = app.test_client()
    login_as(staff, Role.STAFF)
    no_station = enter(staff, budget, code, key="a" * 32, codes="P-1")
    assert no_station.status_code == 422 and "Vælg det valgsted" in text(no_station)
    station(staff)
    budget.process.phase = Phase.COUNTING
    db.session.commit()
    closed = enter(staff, budget, code, key="b" * 32, codes="P-1")
    assert closed.status_code == 403
    assert count(Ballot) == 0 and count(VotingCode) == 1


def test_paper_entry_refused_when_voters_cannot_be_identified(app: Flask, client: FlaskClient) -> None:
    budget = make_voting_budget(eligibility=Eligibility.ACCOUNT)
    login_as(client, Role.STAFF)
    station(client)
    page = text(client.get(entry_url(budget)))
    assert "Papirstemmesedler kræver stemmekoder eller en valgliste" in page
    response = enter(client, budget, "0101801234", key="c" * 32, codes="P-1")
    assert response.status_code == 403 and count(Ballot) == 0
