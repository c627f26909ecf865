"""Representativeness: population upload (staff), the comparison, small groups hidden, public after close."""

from __future__ import annotations

import io
import re

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from pbvote.audit.models import AuditEntry
from pbvote.auth.models import Role
from pbvote.ballots import keys
from pbvote.ballots.models import SurveyResponse
from pbvote.db import utcnow
from pbvote.extensions import db
from pbvote.processes.models import Phase, Process
from pbvote.results.population import PopulationShare
from pbvote.results.representation import compare
from tests.builders import login, make_budget, make_process, make_user

POPULATION = (
    "\ufeffdimension;group;people\n"
    "age_band;18_29;2000\n"
    "age_band;30–44 years;3000\n"  # a group may be given by its name
    "age_band;65_79;5000\n"
    "gender;woman;5100\n"
    "gender;man;4900\n"
    "district;nordby;6.000\n"  # matched to the process's spelling; Danish thousands
    "district;Sydhavn;4000\n"
)


def process_in(phase: Phase) -> Process:
    process = make_process(phase=phase, ask_questions=True)
    make_budget(process, district="Nordby")
    make_budget(process, district="Sydhavn")
    return process


def answer(process: Process, times: int, **answers: str) -> None:
    """Store ``times`` survey responses with the same answers, as the survey would."""
    for _ in range(times):
        db.session.add(
            SurveyResponse(
                id=keys.new_ballot_id(), process_id=process.id, answered_on=utcnow().date(), **answers
            )
        )
    db.session.commit()


def in_english(client: FlaskClient) -> FlaskClient:
    client.set_cookie("pbvote_lang", "en")
    return client


def staff_client(client: FlaskClient, role: Role = Role.STAFF) -> FlaskClient:
    login(client, make_user(role=role))
    return in_english(client)


def upload(client: FlaskClient, process: Process, text: str | bytes) -> tuple[int, str]:
    data = text.encode() if isinstance(text, str) else text
    response = client.post(
        f"/sagsbehandling/repraesentation/{process.slug}",
        data={"file": (io.BytesIO(data), "befolkning.csv")},
        content_type="multipart/form-data",
        follow_redirects=True,
    )
    return response.status_code, response.get_data(as_text=True)


def shares() -> list[tuple[str, str, int]]:
    db.session.expire_all()
    rows = db.session.scalars(select(PopulationShare).order_by(PopulationShare.id))
    return [(str(row.dimension), row.group, row.people) for row in rows]


def row_of(page: str, label: str) -> str:
    """The text of the table row whose header is ``label``, tags removed."""
    match = re.search(rf'<th scope="row">{re.escape(label)}</th>(.*?)</tr>', page, re.S)
    assert match, f"no row {label!r}"
    return " ".join(re.sub(r"<[^>]+>", " ", match.group(1)).split())


# --- the comparison itself (pure) ------------------------------------------------------------------


def test_compare_hides_small_groups_and_flags_groups_below_80_percent_of_their_share() -> None:
    people = {"18_29": 20, "30_44": 30, "65_79": 40, "80_plus": 10}
    result = compare("age_band", {"18_29": 9, "30_44": 40, "65_79": 51}, people)
    by_group = {row.group: row for row in result.rows}
    assert result.answered == 100 and result.population == 100
    young = by_group["18_29"]
    assert (young.participants, young.participant_share, young.difference) == (None, None, None)
    assert young.population_share == 200 and young.under_represented  # 9 % < 80 % of 20 %
    middle = by_group["30_44"]
    assert (middle.participants, middle.participant_share, middle.difference) == (40, 400, 100)
    assert not middle.under_represented
    assert by_group["80_plus"].hidden and not by_group["80_plus"].protected  # nobody answered 80+
    assert result.under_represented == ("18_29", "80_plus")


def test_compare_hides_the_smallest_shown_group_too_when_one_group_alone_is_hidden() -> None:
    one_small = compare("gender", {"woman": 34, "man": 12, "other": 3}, {"woman": 51, "man": 49})
    assert [(row.group, row.participants, row.protected) for row in one_small.rows] == [
        ("woman", 34, False),
        ("man", None, True),
        ("other", None, False),
    ]
    two_small = compare("gender", {"woman": 34, "man": 8, "other": 3}, {})
    assert {row.group: row.participants for row in two_small.rows} == {
        "woman": 34,
        "man": None,
        "other": None,
    }
    assert not any(row.protected for row in two_small.rows)
    nobody = compare("gender", {}, {"woman": 51})
    assert [(row.participants, row.protected) for row in nobody.rows] == [(None, False)]


def test_compare_flags_exactly_below_the_80_percent_line() -> None:
    at_line = compare("gender", {"woman": 40, "man": 60}, {"woman": 50, "man": 50})  # 40 % = 80 % of 50 %
    below = compare("gender", {"woman": 39, "man": 61}, {"woman": 50, "man": 50})
    assert at_line.under_represented == ()
    assert below.under_represented == ("woman",)
    assert {row.group: row.difference for row in below.rows} == {"woman": -110, "man": 110}


def test_compare_without_population_shows_answers_and_flags_nothing() -> None:
    result = compare("district", {"Nordby": 12, "Sydhavn": 3, "Vestby": 2}, {})
    assert [(row.group, row.participants, row.participant_share) for row in result.rows] == [
        ("Nordby", 12, 706),
        ("Sydhavn", None, None),
        ("Vestby", None, None),
    ]
    assert result.under_represented == ()


# --- uploading the population figures -----------------------------------------------------------


def test_upload_stores_the_figures_replaces_old_ones_and_is_audited(app: Flask, client: FlaskClient) -> None:
    process = process_in(Phase.VOTING)
    staff_client(client)
    status, page = upload(client, process, POPULATION)
    assert status == 200 and "The population figures now hold 7 groups." in page
    assert shares()[1:3] == [("age_band", "30_44", 3000), ("age_band", "65_79", 5000)]
    assert ("district", "Nordby", 6000) in shares()
    status, page = upload(client, process, "gender,woman,10\r\ngender,man,12\r\n")
    assert status == 200 and "now hold 2 groups" in page
    assert shares() == [("gender", "woman", 10), ("gender", "man", 12)]
    actions = db.session.scalars(select(AuditEntry.action).where(AuditEntry.action == "population.replaced"))
    assert len(list(actions)) == 2


def test_upload_with_bad_lines_names_every_line_and_stores_nothing(app: Flask, client: FlaskClient) -> None:
    process = process_in(Phase.VOTING)
    staff_client(client)
    upload(client, process, "gender;woman;10\n")
    bad = (
        "dimension;group;people\n"
        "age_band;18_29;2000\n"
        "height;tall;5\n"
        "gender;robot;5\n"
        "age_band;18_29;7\n"
        "district;Nordby;many\n"
        "district;Nordby\n"
        "district;;12\n"
    )
    status, page = upload(client, process, bad)
    assert status == 422
    assert "Line 3: the dimension must be age_band, gender or district" in page
    assert "Line 4: “robot” is not one of the groups woman, man, other." in page
    assert "Line 5: the same group is also on line 2." in page
    assert "Line 6: the number of people must be a whole number" in page
    assert "Line 7: expected 3 columns" in page
    assert "Line 8: the district must have a name" in page
    assert "Nothing was stored" in page
    assert shares() == [("gender", "woman", 10)]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ("køn;kvinde;10".encode("latin-1"), "not UTF-8"),
        (b"dimension;group;people\n\n", "no groups"),
        (b"", "Choose the file to upload."),
    ],
)
def test_upload_refuses_files_that_are_no_population_figures(
    app: Flask, client: FlaskClient, data: bytes, message: str
) -> None:
    process = process_in(Phase.VOTING)
    staff_client(client)
    if data:
        status, page = upload(client, process, data)
    else:
        response = client.post(f"/sagsbehandling/repraesentation/{process.slug}", data={})
        status, page = response.status_code, response.get_data(as_text=True)
    assert status == 422 and message in page
    assert shares() == []


def test_upload_accepts_danish_names_for_dimensions_and_groups(app: Flask, client: FlaskClient) -> None:
    process = process_in(Phase.VOTING)
    login(client, make_user(role=Role.ADMIN))
    status, _page = upload(client, process, "Køn;Kvinde;51\nkøn;Mand;49\naldersgruppe;18–29 år;20\n")
    assert status == 200
    assert shares() == [("gender", "woman", 51), ("gender", "man", 49), ("age_band", "18_29", 20)]


# --- the staff page ------------------------------------------------------------------------------


def test_staff_page_during_voting_flags_under_represented_groups_and_hides_small_ones(
    app: Flask, client: FlaskClient
) -> None:
    process = process_in(Phase.VOTING)
    answer(process, 30, age_band="65_79", gender="woman", district="Nordby")
    answer(process, 12, age_band="30_44", gender="man", district="Sydhavn")
    answer(process, 4, age_band="18_29", gender="woman")
    answer(process, 3, age_band="45_64", gender="other")  # no district answered
    staff_client(client)
    upload(client, process, POPULATION)
    page = client.get(f"/sagsbehandling/repraesentation/{process.slug}").get_data(as_text=True)
    assert "49 voters answered at least one question." in page
    assert "below 80% of its share of the population" in page
    # 4 of 49 answers aged 18–29 (8.2 %) against 20 % of the population: hidden, but flagged for staff
    assert row_of(page, "18–29 years") == "fewer than 10 – 2,000 20.0% – Under-represented"
    # 12 of 49 (24.5 %) against 30 %: not below 80 % of it (24.0 %), so not flagged
    assert row_of(page, "30–44 years") == "12 24.5% 3,000 30.0% −5.5 No"
    assert row_of(page, "45–64 years") == "fewer than 10 – – – – No"  # answered, but not in the population
    assert row_of(page, "65–79 years") == "30 61.2% 5,000 50.0% +11.2 No"
    assert row_of(page, "Woman") == "34 69.4% 5,100 51.0% +18.4 No"
    # "Other" (3) is the only small gender: the total would give it away, so the next smallest hides too
    assert row_of(page, "Other") == "fewer than 10 – – – – No"
    assert row_of(page, "Man") == "hidden * – 4,900 49.0% – Under-represented"
    assert "cannot be worked out from the total" in page
    assert row_of(page, "Sydhavn") == "12 28.6% 4,000 40.0% −11.4 Under-represented"
    assert "<caption" in page and 'scope="col"' in page


def test_staff_page_is_for_staff_only(app: Flask, client: FlaskClient) -> None:
    process = process_in(Phase.VOTING)
    url = f"/sagsbehandling/repraesentation/{process.slug}"
    anonymous = client.get(url)
    assert anonymous.status_code == 302 and "/konto/log-ind" in anonymous.location
    assert client.post(url, data={}).status_code == 302
    login(client, make_user(role=Role.RESIDENT))
    assert client.get(url).status_code == 403
    assert upload(client, process, POPULATION)[0] == 403
    assert shares() == []
    assert client.get("/sagsbehandling/repraesentation/findes-ikke").status_code == 403


def test_staff_page_of_an_unknown_process_is_404(app: Flask, client: FlaskClient) -> None:
    staff_client(client)
    assert client.get("/sagsbehandling/repraesentation/findes-ikke").status_code == 404


# --- the public page -----------------------------------------------------------------------------


@pytest.mark.parametrize("phase", [Phase.DRAFT, Phase.PROPOSALS, Phase.VOTING])
def test_public_page_is_404_until_the_voting_has_closed_for_everyone(
    app: Flask, client: FlaskClient, phase: Phase
) -> None:
    process = process_in(phase)
    answer(process, 20, gender="woman")
    url = f"/resultater/{process.slug}/repraesentation"
    assert client.get(url).status_code == 404
    login(client, make_user(role=Role.ADMIN))
    assert client.get(url).status_code == 404


def test_public_page_after_close_hides_small_groups_and_marks_nothing(
    app: Flask, client: FlaskClient
) -> None:
    process = process_in(Phase.VOTING)
    answer(process, 15, gender="woman", district="Nordby")
    answer(process, 5, gender="man", district="Sydhavn")
    answer(process, 3, gender="other")
    staff_client(client)
    upload(client, process, POPULATION)
    process.phase = Phase.COUNTING
    db.session.commit()
    response = in_english(app.test_client()).get(f"/resultater/{process.slug}/repraesentation")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert row_of(page, "Woman") == "15 65.2% 51.0% +14.2"
    assert row_of(page, "Man") == "fewer than 10 – 49.0% –"
    assert row_of(page, "Other") == "fewer than 10 – – –"
    assert "Under-represented" not in page and "4,900" not in page  # staff see the marks and counts
    assert row_of(page, "Sydhavn") == "fewer than 10 – 40.0% –"
    assert row_of(page, "Nordby") == "hidden * – 60.0% –"  # else 20 answers − 15 would give Sydhavn away


def test_public_page_in_danish_formats_shares_the_danish_way(app: Flask, client: FlaskClient) -> None:
    process = process_in(Phase.RESULTS)
    answer(process, 11, gender="woman")
    answer(process, 10, gender="man")
    page = client.get(f"/resultater/{process.slug}/repraesentation").get_data(as_text=True)
    assert "52,4\xa0%" in page and "47,6\xa0%" in page
    assert db.session.scalar(select(func.count()).select_from(PopulationShare)) == 0
