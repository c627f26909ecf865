"""Forms of the staff side of voting: census list, voting settings, letters, voting station."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import BooleanField, HiddenField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, ValidationError

from pbvote.ballots.census import MAX_MIN_AGE
from pbvote.ballots.paper import STATION_LENGTH
from pbvote.processes.forms import WholeNumberField


class CensusUploadForm(FlaskForm):
    """The census list as a CSV file."""

    file = FileField(_l("Census list (CSV file)"))

    def validate_file(self, field: FileField) -> None:
        if not field.data or not getattr(field.data, "filename", ""):
            raise ValidationError(_l("Choose the file to upload."))


class VotingSettingsForm(FlaskForm):
    """Who must be on the census list, from what age, and whether to ask the optional questions."""

    census_required = BooleanField(_l("Voters must be on the census list"))
    min_age = WholeNumberField(_l("Minimum age (leave empty for none)"), low=0, high=MAX_MIN_AGE)
    ask_questions = BooleanField(_l("Ask voters the optional questions after they have voted"))


class LettersForm(FlaskForm):
    """The codes to print: the file the command wrote, or codes pasted in, and where to start."""

    file = FileField(_l("The codes file from the command"))
    codes = TextAreaField(_l("Or paste codes, one a line"))
    start = WholeNumberField(_l("Start at code number"), low=1, high=10_000_000)

    def validate_codes(self, field: TextAreaField) -> None:
        has_file = bool(self.file.data and getattr(self.file.data, "filename", ""))
        if not has_file and not (field.data or "").strip():
            raise ValidationError(_l("Upload the codes file or paste the codes."))


class StationForm(FlaskForm):
    """The voting station this staff member is at (kept in their session)."""

    station = StringField(
        _l("Voting station"),
        validators=[
            DataRequired(message=_l("Write the name of the voting station.")),
            Length(max=STATION_LENGTH, message=_l("At most %(max)d characters.", max=STATION_LENGTH)),
        ],
        filters=[lambda value: " ".join(value.split()) if isinstance(value, str) else value],
    )
    next = HiddenField()


class PaperForm(FlaskForm):
    """One paper ballot: who (code or person number) and what (typed codes; the rest is read by name)."""

    identity = StringField(_l("Voting code"))
    codes = StringField(_l("Project codes"))
    entry_key = HiddenField()
