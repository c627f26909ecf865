"""Optional questions after voting (age band, gender, district, first time), for the representativeness view.

The answers are stored with a random id and the date only: nothing links them to the voter, the
ballot, the session or the time of day. Every answer is optional and skipping is one click. A browser
session answers once per process (the session remembers that it answered, not what).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flask import Blueprint, abort, current_app, flash, redirect, render_template, session, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response
from wtforms import RadioField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import ValidationError

from pbvote.ballots import keys
from pbvote.ballots.models import SurveyResponse
from pbvote.db import utcnow
from pbvote.extensions import db, limiter
from pbvote.processes.labels import choices
from pbvote.processes.models import Phase, Process

survey_bp = Blueprint("ballots_survey", __name__, url_prefix="/stem/sporgsmaal", template_folder="templates")

ANSWERED_KEY = "survey_answered"
DEFAULT_RATE_LIMIT = "60 per hour"

AGE_BANDS = {
    "under_18": _l("Under 18"),
    "18_29": _l("18–29 years"),
    "30_44": _l("30–44 years"),
    "45_64": _l("45–64 years"),
    "65_79": _l("65–79 years"),
    "80_plus": _l("80 years or older"),
}
GENDERS = {"woman": _l("Woman"), "man": _l("Man"), "other": _l("Other")}
FIRST_TIME = {"yes": _l("Yes, this is the first time"), "no": _l("No, I have taken part before")}


@dataclass(frozen=True)
class SurveyAnswers:
    """What one voter chose to answer; None where they did not."""

    age_band: str | None = None
    gender: str | None = None
    district: str | None = None
    first_time: bool | None = None

    def is_empty(self) -> bool:
        return all(value is None for value in (self.age_band, self.gender, self.district, self.first_time))


def can_answer(process: Process) -> bool:
    """The questions are open while the process asks them and the voting is open."""
    return process.ask_questions and process.phase is Phase.VOTING


def districts_of(process: Process) -> list[str]:
    """The districts a voter can say they live in: those of the process's budgets."""
    return list(dict.fromkeys(budget.district for budget in process.budgets if budget.district))


def record_answers(process: Process, answers: SurveyAnswers, *, now: datetime) -> SurveyResponse | None:
    """Store the answers apart from everything else; nothing is stored when nothing was answered.

    Does not commit.
    """
    if answers.is_empty():
        return None
    response = SurveyResponse(
        id=keys.new_ballot_id(),
        process_id=process.id,
        answered_on=now.date(),
        age_band=answers.age_band,
        gender=answers.gender,
        district=answers.district,
        first_time=answers.first_time,
    )
    db.session.add(response)
    db.session.flush()
    return response


class OptionalRadioField(RadioField):
    """Radio buttons where choosing none is an answer too; a value not offered is refused in words."""

    def pre_validate(self, form: Any) -> None:
        if self.data is not None and self.data not in {choice.value for choice in self.choices}:
            raise ValidationError(_l("Choose one of the options in the list."))

    def process_formdata(self, valuelist: list[Any]) -> None:
        self.data = str(valuelist[0]) if valuelist and valuelist[0] else None


class SurveyForm(FlaskForm):
    """The four optional questions."""

    age_band = OptionalRadioField(_l("How old are you?"), choices=choices(AGE_BANDS))
    gender = OptionalRadioField(_l("What is your gender?"), choices=choices(GENDERS))
    district = OptionalRadioField(_l("Which district do you live in?"), choices=[])
    first_time = OptionalRadioField(
        _l("Is this the first time you take part in a citizens' budget?"), choices=choices(FIRST_TIME)
    )

    def answers(self) -> SurveyAnswers:
        first = self.first_time.data
        return SurveyAnswers(
            age_band=self.age_band.data or None,
            gender=self.gender.data or None,
            district=self.district.data or None,
            first_time=None if not first else first == "yes",
        )


def _rate_limit() -> str:
    return str(current_app.config.get("SURVEY_RATE_LIMIT", DEFAULT_RATE_LIMIT))


def _open_process(process_id: int) -> Process:
    process = db.session.get(Process, process_id)
    if process is None or not can_answer(process):
        abort(404)
    return process


def _answered(process: Process) -> bool:
    return process.id in session.get(ANSWERED_KEY, [])


@survey_bp.route("/<int:process_id>", methods=["GET", "POST"])
@limiter.limit(_rate_limit, methods=["POST"])
def answer(process_id: int) -> Response | str | tuple[str, int]:
    """Ask the optional questions once per browser session; skipping stores nothing."""
    process = _open_process(process_id)
    form = SurveyForm()
    districts = districts_of(process)
    form.district.choices = [SelectChoice(name, name) for name in districts]
    if _answered(process):
        return render_template("ballots/survey/questions.html", process=process, form=form, answered=True)
    if form.validate_on_submit():
        answers = form.answers()
        if answers.is_empty():  # nothing answered: the same as skipping
            return redirect(url_for("processes.detail", slug=process.slug))
        record_answers(process, answers, now=utcnow())
        db.session.commit()
        session[ANSWERED_KEY] = [*session.get(ANSWERED_KEY, []), process.id]
        flash(_("Thank you for answering."), "success")
        return redirect(url_for(".answer", process_id=process.id))
    status = 422 if form.is_submitted() else 200
    return render_template(
        "ballots/survey/questions.html", process=process, form=form, answered=False, districts=districts
    ), status
