"""The census list: upload (admin), hashing, replacing, refusing bad lines; matching and minimum age."""

from __future__ import annotations

from datetime import date

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from pbvote.auth.models import Role
from pbvote.ballots import census, keys
from pbvote.ballots.models import CensusEntry
from pbvote.extensions import db
from pbvote.processes.models import Eligibility, Phase, Process
from tests.ballots.staff_support import audit_entries, count, csv_upload, database_text, login_as
from tests.builders import make_process

GOOD_LIST = (
    "CPR-nummer;fødselsår;bydel\n010180-1234;1980;Nordby\n0203954321;1995;\n311208-9999;2008;Sydhavn\n"
)


def upload(client: FlaskClient, process: Process, text: str, **kwargs: str) -> str:
    response = client.post(
        f"/sagsbehandling/afstemning/{process.id}/valgliste",
        data={"file": csv_upload(text, **kwargs)},
        content_type="multipart/form-data",
        follow_redirects=True,
    )
    return f"{response.status_code}\n{response.get_data(as_text=True)}"


def test_census_upload_stores_only_keyed_hashes_and_shows_the_count(app: Flask, client: FlaskClient) -> None:
    process = make_process(phase=Phase.REVIEW)
    login_as(client, Role.ADMIN)
    page = upload(client, process, "\ufeff" + GOOD_LIST)
    assert page.startswith("200") and "Valglisten rummer nu 3 personer." in page
    rows = list(db.session.scalars(select(CensusEntry).order_by(CensusEntry.birth_year)))
    assert [(row.birth_year, row.district) for row in rows] == [
        (1980, "Nordby"),
        (1995, None),
        (2008, "Sydhavn"),
    ]
    assert rows[0].person_hash == keys.keyed_hash("census", "0101801234")
    everything = database_text()
    for number in ("0101801234", "010180-1234", "0203954321", "3112089999"):
        assert number not in everything
    [entry] = audit_entries("census.replaced")
    assert entry.after == '{"count":3}'


def test_census_upload_reads_commas_and_replaces_the_old_list(app: Flask, client: FlaskClient) -> None:
    process = make_process(phase=Phase.REVIEW)
    login_as(client, Role.ADMIN)
    upload(client, process, GOOD_LIST)
    page = upload(client, process, "1111111111,1970,Nordby\r\n1212121212,1971,\r\n")
    assert "Valglisten rummer nu 2 personer." in page
    assert count(CensusEntry) == 2
    assert census.match_person(process, "010180-1234") is None
    assert census.match_person(process, "111111-1111") is not None


def test_census_upload_names_bad_lines_and_writes_nothing(app: Flask, client: FlaskClient) -> None:
    process = make_process(phase=Phase.REVIEW)
    login_as(client, Role.ADMIN)
    upload(client, process, GOOD_LIST)
    before = (count(CensusEntry), len(audit_entries("census.replaced")))
    bad = (
        "0101801234;1980;Nordby\n12345;1980;\n0202021234;80;\n0101801234;1980;\n0303031234\n3213011234;1990\n"
    )
    page = upload(client, process, bad)
    assert page.startswith("422")
    assert "Linje 2: CPR-nummeret skal have 10 cifre" in page
    assert "Linje 3: fødselsåret skal være et årstal" in page
    assert "Linje 4: det samme CPR-nummer står også på linje 1." in page
    assert "Linje 5: der skal være 2 eller 3 kolonner" in page
    assert "Linje 6: CPR-nummeret skal have 10 cifre" in page
    assert "12345" not in page.split("Linje 2")[1][:80]  # the number itself is never echoed
    assert (count(CensusEntry), len(audit_entries("census.replaced"))) == before
    typo_first = upload(client, process, "01018O1234;1980;Nordby\n0202021234;2002;\n")
    assert "Linje 1: CPR-nummeret skal have 10 cifre" in typo_first  # not mistaken for a header line
    assert count(CensusEntry) == before[0]


def test_census_upload_refuses_a_file_that_is_not_utf8_or_empty(app: Flask, client: FlaskClient) -> None:
    process = make_process(phase=Phase.REVIEW)
    login_as(client, Role.ADMIN)
    page = upload(client, process, "0101801234;1980;Århus\n", encoding="cp1252")
    assert page.startswith("422") and "UTF-8" in page
    assert upload(client, process, "\n\n").startswith("422")
    missing = client.post(f"/sagsbehandling/afstemning/{process.id}/valgliste", data={})
    assert missing.status_code == 422
    assert count(CensusEntry) == 0


def test_census_pages_are_for_admins(app: Flask, client: FlaskClient) -> None:
    process = make_process(phase=Phase.REVIEW)
    login_as(client, Role.STAFF)
    assert client.get(f"/sagsbehandling/afstemning/{process.id}").status_code == 200
    assert upload(client, process, GOOD_LIST).startswith("403")
    settings = client.post(f"/sagsbehandling/afstemning/{process.id}/indstillinger", data={"min_age": "15"})
    assert settings.status_code == 403
    assert count(CensusEntry) == 0


def test_census_match_person_accepts_any_spelling_of_the_number(app: Flask, client: FlaskClient) -> None:
    process, other = make_process(phase=Phase.REVIEW), make_process(phase=Phase.REVIEW)
    login_as(client, Role.ADMIN)
    upload(client, process, GOOD_LIST)
    for spelling in ("0101801234", "010180-1234", " 010180 1234 "):
        entry = census.match_person(process, spelling)
        assert entry is not None and entry.birth_year == 1980
    assert census.match_person(other, "0101801234") is None
    assert census.match_person(process, "0101801235") is None
    assert census.match_person(process, "not a number") is None


def test_census_old_enough_goes_by_birth_year(app: Flask) -> None:
    process = make_process(phase=Phase.REVIEW, min_age=18)
    today = date(2026, 3, 1)
    assert census.old_enough(CensusEntry(birth_year=2008), process, today)
    assert not census.old_enough(CensusEntry(birth_year=2009), process, today)
    assert not census.old_enough(CensusEntry(birth_year=None), process, today)
    process.min_age = None
    assert census.old_enough(CensusEntry(birth_year=2020), process, today)


def test_census_settings_are_saved_and_audited(app: Flask, client: FlaskClient) -> None:
    process = make_process(phase=Phase.REVIEW, eligibility=Eligibility.ACCOUNT)
    login_as(client, Role.ADMIN)
    response = client.post(
        f"/sagsbehandling/afstemning/{process.id}/indstillinger",
        data={"census_required": "y", "min_age": "16", "ask_questions": "y"},
        follow_redirects=True,
    )
    assert "Afstemningsindstillingerne er gemt." in response.get_data(as_text=True)
    db.session.expire_all()
    saved = db.session.get(Process, process.id)
    assert saved is not None and (saved.census_required, saved.min_age, saved.ask_questions) == (
        True,
        16,
        True,
    )
    [entry] = audit_entries("process.voting_settings_changed")
    assert '"min_age":16' in entry.after


def test_census_settings_refuse_bad_and_late_changes(app: Flask, client: FlaskClient) -> None:
    by_code = make_process(phase=Phase.REVIEW, eligibility=Eligibility.CODE)
    voting = make_process(phase=Phase.VOTING, eligibility=Eligibility.ACCOUNT)
    login_as(client, Role.ADMIN)
    url = "/sagsbehandling/afstemning/{}/indstillinger"
    ignored = client.post(url.format(by_code.id), data={"census_required": "y", "min_age": "18"})
    assert ignored.status_code == 302  # voters with codes are not on a census list: the fields are not read
    late = client.post(url.format(voting.id), data={"min_age": "18"})
    assert late.status_code == 403
    odd = client.post(url.format(voting.id), data={"min_age": "atten"})
    assert odd.status_code == 422
    questions = client.post(url.format(voting.id), data={"ask_questions": "y"})
    assert questions.status_code == 302  # the questions may be switched on during the voting
    db.session.expire_all()
    assert db.session.get(Process, voting.id).min_age is None  # type: ignore[union-attr]
    assert db.session.get(Process, by_code.id).census_required is False  # type: ignore[union-attr]
    assert db.session.get(Process, by_code.id).min_age is None  # type: ignore[union-attr]


def test_census_delete_removes_the_list(app: Flask, client: FlaskClient) -> None:
    process = make_process(phase=Phase.RESULTS)
    db.session.add(CensusEntry(process_id=process.id, person_hash="a" * 64, birth_year=1990))
    db.session.commit()
    login_as(client, Role.ADMIN)
    assert upload(client, process, GOOD_LIST).startswith("403")  # the voting is over: no new list
    response = client.post(f"/sagsbehandling/afstemning/{process.id}/valgliste/slet", follow_redirects=True)
    assert "Valglisten er slettet." in response.get_data(as_text=True)
    assert count(CensusEntry) == 0
