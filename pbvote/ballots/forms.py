"""Forms of the voting pages: the voting code, the person number and the receipt look-up.

The booth's own form (the choice itself) is read by ``selection.read_selection``: its fields depend on
the ballot's projects, and whatever it holds is checked by ``core``.
"""

from __future__ import annotations

import re

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import StringField
from wtforms.validators import DataRequired, Length, ValidationError

from pbvote.ballots.census import normalise_person_number
from pbvote.ballots.keys import CODE_LENGTH, normalise_code

REQUIRED = _l("This field is required.")
_LOOK_ALIKES = str.maketrans("ILOU", "1100")  # receipts never hold these letters (see keys.receipt_for)
RECEIPT = re.compile(r"^[A-Z0-9]{4}-?[A-Z0-9]{4}-?[A-Z0-9]{4}$")


def strip(value: object) -> object:
    return value.strip() if isinstance(value, str) else value


class VotingCodeForm(FlaskForm):
    """The single-use code from the letter or the voting station."""

    code = StringField(
        _l("Your voting code"),
        filters=[strip],
        validators=[
            DataRequired(REQUIRED),
            Length(max=40, message=_l("At most %(max)d characters.", max=40)),
        ],
        render_kw={"autocomplete": "off", "autocapitalize": "characters", "spellcheck": "false"},
    )

    def validate_code(self, field: StringField) -> None:
        if len(normalise_code(field.data or "")) != CODE_LENGTH:
            raise ValidationError(_l("A voting code has 12 letters and digits, e.g. 7KQ2-M9XD-4HTR."))


class PersonNumberForm(FlaskForm):
    """The person number (CPR), matched against the census list and then forgotten."""

    person_number = StringField(
        _l("Your person number (CPR)"),
        filters=[strip],
        validators=[
            DataRequired(REQUIRED),
            Length(max=20, message=_l("At most %(max)d characters.", max=20)),
        ],
        render_kw={"autocomplete": "off", "inputmode": "numeric", "spellcheck": "false"},
    )

    def validate_person_number(self, field: StringField) -> None:
        if normalise_person_number(field.data or "") is None:
            raise ValidationError(_l("Write the 10 digits of your person number, e.g. 010180-1234."))


class ReceiptLookupForm(FlaskForm):
    """Check that a receipt is among the counted ballots."""

    receipt = StringField(
        _l("Receipt code"),
        filters=[strip],
        validators=[
            DataRequired(REQUIRED),
            Length(max=40, message=_l("At most %(max)d characters.", max=40)),
        ],
        render_kw={"autocomplete": "off", "autocapitalize": "characters", "spellcheck": "false"},
    )

    def validate_receipt(self, field: StringField) -> None:
        if not RECEIPT.match(normalised_receipt(field.data or "")):
            raise ValidationError(_l("A receipt code looks like ABCD-EFGH-2345."))


def normalised_receipt(text: str) -> str:
    """A typed receipt in the stored form: upper case, dashes between groups of four."""
    raw = "".join(ch for ch in text.upper() if ch.isalnum()).translate(_LOOK_ALIKES)
    return "-".join(raw[i : i + 4] for i in range(0, len(raw), 4)) if len(raw) == 12 else text.upper()
