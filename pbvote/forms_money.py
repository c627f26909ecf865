"""A form field for amounts typed the Danish way ('1.234.567', '1234567,50', '2 mio.' is not accepted)."""

from __future__ import annotations

import re
from typing import Any

from flask_babel import lazy_gettext as _l
from wtforms import StringField

MAX_AMOUNT_UNITS = 10**13  # ten trillion kroner: beyond any municipal budget, within BIGINT
_AMOUNT = re.compile(r"^\d{1,3}(?:[.\s\u00a0]\d{3})*(?:,\d{1,2})?$|^\d+(?:,\d{1,2})?$")


def parse_amount(text: str, minor_units: int = 100) -> int | None:
    """Kroner as typed by a Dane to øre, or None if it is not an amount ('1.234,50' → 123450)."""
    cleaned = text.strip().removesuffix("kr.").removesuffix("kr").strip()
    if not cleaned or not _AMOUNT.match(cleaned):
        return None
    whole, _, fraction = cleaned.partition(",")
    units = int(re.sub(r"[.\s\u00a0]", "", whole))
    if units > MAX_AMOUNT_UNITS:
        return None
    return units * minor_units + int(fraction.ljust(2, "0")) if fraction else units * minor_units


def format_amount_for_input(amount: int | None, minor_units: int = 100) -> str:
    """Øre back to the text a form field shows ('123450' → '1234,50')."""
    if amount is None:
        return ""
    whole, fraction = divmod(amount, minor_units)
    return f"{whole},{fraction:02d}" if fraction else str(whole)


class MoneyField(StringField):
    """A text field holding kroner; ``data`` is the amount in øre (int) or None when empty."""

    def process_formdata(self, valuelist: list[Any]) -> None:
        self.raw_text = (valuelist[0] if valuelist else "") or ""
        if not str(self.raw_text).strip():
            self.data = None
            return
        amount = parse_amount(str(self.raw_text))
        if amount is None:
            self.data = None
            raise ValueError(_l("Write an amount in kroner, e.g. 250.000 or 1250,50."))
        self.data = amount

    def _value(self) -> str:
        if getattr(self, "raw_text", None) is not None and self.data is None:
            return str(self.raw_text)
        return format_amount_for_input(self.data) if isinstance(self.data, int) else ""
