"""The optional questions after voting: every answer optional, stored apart from voter and ballot."""

from __future__ import annotations

import re

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import inspect, select

from pbvote.ballots.models import SurveyResponse
from pbvote.db import utcnow
from pbvote.extensions import db
from pbvote.processes.models import Eligibility, Phase, Process
from tests.ballots.staff_support import count
from tests.builders import make_voting_budget


def asking_process(**overrides: object) -> Process:
    budget = make_voting_budget(eligibility=Eligibility.CODE, district="Nordby")
    make_voting_budget(process=budget.process, district="Sydhavn")
    process = budget.process
    process.ask_questions = True
    for name, value in overrides.items():
        setattr(process, name, value)
    db.session.commit()
    return process


def url(process: Process) -> str:
    return f"/stem/sporgsmaal/{process.id}"


def test_survey_answers_are_stored_without_any_link(app: Flask, client: FlaskClient) -> None:
    process = asking_process()
    page = client.get(url(process)).get_data(as_text=True)
    assert "Nordby" in page and "Sydhavn" in page and "Spring spørgsmålene over" in page
    response = client.post(
        url(process),
        data={"age_band": "30_44", "gender": "woman", "district": "Sydhavn", "first_time": "yes"},
    )
    assert response.status_code == 302
    assert "Tak, fordi du svarede." in client.get(response.location).get_data(as_text=True)
    stored = db.session.scalar(select(SurveyResponse))
    assert stored is not None
    assert (stored.age_band, stored.gender, stored.district, stored.first_time) == (
        "30_44",
        "woman",
        "Sydhavn",
        True,
    )
    assert stored.answered_on == utcnow().date() and re.fullmatch(r"[0-9a-f]{32}", stored.id)
    columns = {column["name"] for column in inspect(db.engine).get_columns("survey_response")}
    assert columns == {"id", "process_id", "answered_on", "age_band", "gender", "district", "first_time"}
    foreign = inspect(db.engine).get_foreign_keys("survey_response")
    assert [key["referred_table"] for key in foreign] == ["process"]


def test_survey_answers_once_per_browser_session(app: Flask, client: FlaskClient) -> None:
    process = asking_process()
    client.post(url(process), data={"gender": "man"})
    again = client.post(url(process), data={"gender": "woman"})
    assert again.status_code == 200 and "Dine svar er modtaget" in again.get_data(as_text=True)
    assert count(SurveyResponse) == 1
    app.test_client().post(url(process), data={"first_time": "no"})
    assert count(SurveyResponse) == 2


def test_survey_blank_answers_store_nothing(app: Flask, client: FlaskClient) -> None:
    process = asking_process()
    response = client.post(url(process), data={})
    assert response.status_code == 302
    assert count(SurveyResponse) == 0


def test_survey_refuses_values_not_offered(app: Flask, client: FlaskClient) -> None:
    process = asking_process()
    response = client.post(url(process), data={"age_band": "17", "district": "Atlantis"})
    assert response.status_code == 422
    assert "Vælg en af mulighederne på listen." in response.get_data(as_text=True)
    assert count(SurveyResponse) == 0


def test_survey_is_only_there_when_asked_and_voting(app: Flask, client: FlaskClient) -> None:
    silent = asking_process(ask_questions=False)
    assert client.get(url(silent)).status_code == 404
    assert client.post(url(silent), data={"gender": "man"}).status_code == 404
    closed = asking_process(phase=Phase.RESULTS)
    assert client.get(url(closed)).status_code == 404
    assert client.get("/stem/sporgsmaal/987654").status_code == 404
    assert count(SurveyResponse) == 0
