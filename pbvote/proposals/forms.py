"""The resident's proposal form, and the public list's filter form; every message is translated."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from werkzeug.datastructures import FileStorage
from wtforms import Form, SearchField, SelectField, SelectMultipleField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from pbvote.forms_money import MoneyField
from pbvote.processes.models import Process
from pbvote.proposals import images
from pbvote.proposals.labels import status_label
from pbvote.proposals.models import Proposal, ProposalStatus

REQUIRED = _l("This field is required.")
INVALID_CHOICE = _l("Choose one of the options in the list.")
_DECIMAL = re.compile(r"^[+-]?\d{1,3}(?:[.,]\d{1,12})?$")
IMAGE_SLOTS = tuple(range(1, images.MAX_IMAGES + 1))


def at_most(n: int) -> Length:
    return Length(max=n, message=_l("At most %(max)d characters.", max=n))


def strip(value: Any) -> Any:
    return value.strip() if isinstance(value, str) else value


class CoordinateField(StringField):
    """A latitude or longitude in degrees, typed with a point or a Danish comma; ``data`` is a float."""

    def __init__(self, label: Any, *, limit: int, **kwargs: Any) -> None:
        kwargs.setdefault("render_kw", {"inputmode": "decimal", "autocomplete": "off"})
        super().__init__(label, **kwargs)
        self.limit = limit

    def process_formdata(self, valuelist: list[Any]) -> None:
        self.raw_text = str(valuelist[0] if valuelist else "").strip()
        self.data = None
        if not self.raw_text:
            return
        if not _DECIMAL.match(self.raw_text):
            raise ValueError(_l("Write a number of degrees, e.g. 55.6761."))
        value = Decimal(self.raw_text.replace(",", "."))
        if abs(value) > self.limit:
            raise ValueError(_l("Must be between -%(limit)d and %(limit)d.", limit=self.limit))
        self.data = float(value)

    def _value(self) -> str:
        if getattr(self, "raw_text", None) is not None:
            return str(self.raw_text)
        return "" if self.data is None else f"{self.data:.6f}".rstrip("0").rstrip(".")


class CheckboxListField(SelectMultipleField):
    """Several checkboxes with one name, e.g. the images to remove."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


def image_field(slot: int) -> FileField:
    return FileField(
        _l("Image %(n)d", n=slot),
        render_kw={"accept": "image/jpeg,image/png,image/webp"},
    )


def alt_field(slot: int) -> StringField:
    return StringField(
        _l("Describe image %(n)d", n=slot), filters=[strip], validators=[Optional(), at_most(200)]
    )


class ProposalForm(FlaskForm):
    """Title, texts, budget, category, a cost guess, a place and up to three pictures."""

    title = StringField(_l("Title"), filters=[strip], validators=[DataRequired(REQUIRED), at_most(120)])
    summary = TextAreaField(
        _l("Short summary"), filters=[strip], validators=[DataRequired(REQUIRED), at_most(500)]
    )
    description = TextAreaField(_l("Description"), filters=[strip], validators=[at_most(20000)])
    budget = SelectField(
        _l("Budget"), validators=[DataRequired(REQUIRED)], invalid_choice_message=INVALID_CHOICE
    )
    category = SelectField(_l("Category"), invalid_choice_message=INVALID_CHOICE)
    cost_guess = MoneyField(_l("What do you think it costs? (optional)"), render_kw={"inputmode": "decimal"})
    address = StringField(_l("Address or place (optional)"), filters=[strip], validators=[at_most(200)])
    latitude = CoordinateField(_l("Latitude (optional)"), limit=90)
    longitude = CoordinateField(_l("Longitude (optional)"), limit=180)
    remove_images = CheckboxListField(_l("Remove images"), invalid_choice_message=INVALID_CHOICE)
    image_1, image_2, image_3 = (image_field(slot) for slot in IMAGE_SLOTS)
    alt_1, alt_2, alt_3 = (alt_field(slot) for slot in IMAGE_SLOTS)

    def __init__(
        self, process: Process, locale: str, proposal: Proposal | None = None, **kwargs: Any
    ) -> None:
        super().__init__(obj=proposal, **kwargs)
        self.prepared: list[tuple[images.PreparedImage, str]] = []
        self.existing = list(proposal.images) if proposal else []
        self.budget.choices = [("", _l("Choose a budget"))] + [
            (str(b.id), b.name(locale)) for b in process.budgets
        ]
        if process.categories:
            self.category.choices = [("", _l("No category"))] + [
                (str(c.id), c.name(locale)) for c in process.categories
            ]
        else:
            del self.category
        self.remove_images.choices = [
            (image.token, _l("Remove image %(n)d", n=n)) for n, image in enumerate(self.existing, 1)
        ]
        if proposal is not None and not self.is_submitted():
            self.budget.data = str(proposal.budget_id)
            if "category" in self:
                self.category.data = str(proposal.category_id or "")
        for name in ("budget", "category"):
            if name in self and not isinstance(self[name].data, str):
                self[name].data = ""  # not sent at all: the empty choice, never the object's relationship

    def validate(self, extra_validators: Any = None) -> bool:
        """Field checks, then the pictures, so one round shows every mistake at once."""
        valid = super().validate(extra_validators)
        kept = len(self.existing) - len(set(self.remove_images.data or []))
        for slot in IMAGE_SLOTS:
            valid = self._prepare_slot(slot) and valid
        if kept + len(self.prepared) > images.MAX_IMAGES:
            self.image_1.errors.append(_l("A proposal can have at most %(n)d images.", n=images.MAX_IMAGES))
            valid = False
        return valid

    def _prepare_slot(self, slot: int) -> bool:
        upload, alt = self[f"image_{slot}"], self[f"alt_{slot}"]
        if not isinstance(upload.data, FileStorage) or not upload.data.filename:
            return True
        if not alt.data:
            alt.errors = [*alt.errors, _l("Describe the image for people who cannot see it.")]
            return False
        try:
            raw = upload.data.stream.read(images.MAX_UPLOAD_BYTES + 1)
            self.prepared.append((images.prepare_image(raw), alt.data))
        except images.ImageRejected as exc:
            upload.errors = [*upload.errors, str(exc)]
            return False
        return True

    def chosen_id(self, name: str) -> int | None:
        """The id picked in a select, or None for the empty choice."""
        value = self[name].data if name in self else ""
        return int(value) if value else None

    def validate_latitude(self, field: CoordinateField) -> None:
        if field.errors or self.longitude.process_errors:
            return
        if (field.data is None) != (self.longitude.data is None):
            raise ValidationError(_l("Give both latitude and longitude, or neither."))


SORT_LABELS = {
    "newest": _l("Newest first"),
    "oldest": _l("Oldest first"),
    "title": _l("Title (A–Z)"),
    "cost": _l("Cost (lowest first)"),
}


class ProposalFilterForm(Form):
    """The list's search, filters and sorting, read from the query string."""

    q = SearchField(_l("Search"), filters=[strip], validators=[at_most(100)])
    budget = SelectField(_l("Budget"), default="", invalid_choice_message=INVALID_CHOICE)
    category = SelectField(_l("Category"), default="", invalid_choice_message=INVALID_CHOICE)
    status = SelectField(_l("Status"), default="", invalid_choice_message=INVALID_CHOICE)
    sort = SelectField(_l("Sort by"), default="newest", invalid_choice_message=INVALID_CHOICE)

    def __init__(self, process: Process, locale: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        everything = ("", _l("All"))
        self.budget.choices = [everything] + [(str(b.id), b.name(locale)) for b in process.budgets]
        self.category.choices = [everything] + [(str(c.id), c.name(locale)) for c in process.categories]
        self.status.choices = [everything] + [(s.value, status_label(s)) for s in ProposalStatus]
        self.sort.choices = list(SORT_LABELS.items())

    def id_of(self, name: str) -> int | None:
        value = self[name].data
        return int(value) if value else None


class ConfirmForm(FlaskForm):
    """An empty form: a POST with a CSRF token, for withdraw, follow and unfollow buttons."""
