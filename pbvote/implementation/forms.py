"""Staff forms for status, progress and updates with photos, and the residents' follow form."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from werkzeug.datastructures import FileStorage
from wtforms import EmailField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Email, Length, Optional, ValidationError

from pbvote.implementation import policies
from pbvote.implementation.labels import STATUS_LABELS
from pbvote.implementation.models import ProgressStatus
from pbvote.implementation.services import MAX_PHOTOS, NewPhoto
from pbvote.processes.forms import DayField
from pbvote.proposals import images
from pbvote.proposals.forms import INVALID_CHOICE, REQUIRED, at_most, strip

PHOTO_SLOTS = tuple(range(1, MAX_PHOTOS + 1))
PERCENT_MESSAGE = _l("Progress must be a whole number from 0 to 100.")


class PercentField(StringField):
    """A whole percentage typed as digits; ``data`` is an int or None."""

    def __init__(self, label: Any, **kwargs: Any) -> None:
        kwargs.setdefault("render_kw", {"inputmode": "numeric", "type": "number", "min": 0, "max": 100})
        super().__init__(label, **kwargs)

    def process_formdata(self, valuelist: list[Any]) -> None:
        self.raw_text = str(valuelist[0] if valuelist else "").strip()
        self.data = None
        if not self.raw_text:
            raise ValueError(PERCENT_MESSAGE)
        if not self.raw_text.isascii() or not self.raw_text.lstrip("-").isdigit() or len(self.raw_text) > 6:
            raise ValueError(PERCENT_MESSAGE)
        self.data = int(self.raw_text)
        if not policies.percent_ok(self.data):
            raise ValueError(PERCENT_MESSAGE)

    def _value(self) -> str:
        if getattr(self, "raw_text", None) is not None:
            return str(self.raw_text)
        return "" if self.data is None else str(self.data)


class ProgressForm(FlaskForm):
    """Status, percentage done and, for a cancelled project, the public reason."""

    status = SelectField(
        _l("Status"),
        choices=[SelectChoice(s.value, label) for s, label in STATUS_LABELS.items()],
        validators=[DataRequired(REQUIRED)],
        invalid_choice_message=INVALID_CHOICE,
    )
    percent = PercentField(_l("Progress in percent"))
    cancel_reason = TextAreaField(
        _l("Reason for cancelling (shown publicly)"), filters=[strip], validators=[at_most(2000)]
    )

    def validate_cancel_reason(self, field: TextAreaField) -> None:
        if self.status.data == ProgressStatus.CANCELLED.value and not field.data:
            raise ValidationError(_l("Give the reason the project was cancelled. Residents will see it."))


def photo_field(slot: int) -> FileField:
    return FileField(_l("Photo %(n)d", n=slot), render_kw={"accept": "image/jpeg,image/png,image/webp"})


def photo_alt_field(slot: int) -> StringField:
    return StringField(
        _l("Describe photo %(n)d", n=slot), filters=[strip], validators=[Optional(), at_most(200)]
    )


class UpdateForm(FlaskForm):
    """A dated update in Markdown with up to three photos, each described for screen readers."""

    happened_on = DayField(_l("Date"), validators=[DataRequired(REQUIRED)])
    text = TextAreaField(
        _l("What has happened?"), filters=[strip], validators=[DataRequired(REQUIRED), at_most(10000)]
    )
    photo_1, photo_2, photo_3 = (photo_field(slot) for slot in PHOTO_SLOTS)
    alt_1, alt_2, alt_3 = (photo_alt_field(slot) for slot in PHOTO_SLOTS)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.prepared: list[NewPhoto] = []

    def validate(self, extra_validators: Any = None) -> bool:
        """Field checks, then the photos, so one round shows every mistake at once."""
        valid = super().validate(extra_validators)
        for slot in PHOTO_SLOTS:
            valid = self._prepare_slot(slot) and valid
        return valid

    def _prepare_slot(self, slot: int) -> bool:
        upload, alt = self[f"photo_{slot}"], self[f"alt_{slot}"]
        if not isinstance(upload.data, FileStorage) or not upload.data.filename:
            return True
        if not alt.data:
            alt.errors = [*alt.errors, _l("Describe the photo for people who cannot see it.")]
            return False
        try:
            raw = upload.data.stream.read(images.MAX_UPLOAD_BYTES + 1)
            self.prepared.append(NewPhoto(image=images.prepare_image(raw), alt_text=alt.data))
        except images.ImageRejected as exc:
            upload.errors = [*upload.errors, str(exc)]
            return False
        return True


class FollowForm(FlaskForm):
    """An e-mail address that wants news of the winners; nothing about the person's vote."""

    email = EmailField(
        _l("E-mail"),
        filters=[strip],
        validators=[
            DataRequired(REQUIRED),
            Length(max=254, message=_l("At most %(max)d characters.", max=254)),
            Email(message=_l("Enter a valid e-mail address."), check_deliverability=False),
        ],
        render_kw={"autocomplete": "email"},
    )


class ConfirmForm(FlaskForm):
    """An empty form: a POST with a CSRF token, so links opened by mail scanners change nothing."""
