"""Danish and English: the locale choice that sticks, and money and dates formatted per locale."""

from __future__ import annotations

import re
from datetime import date, datetime
from decimal import Decimal

from babel.numbers import format_currency, get_currency_symbol
from flask import Flask, current_app, has_request_context, request
from flask_babel import format_date, format_datetime, get_locale
from flask_login import current_user

from pbvote.extensions import babel

LANGUAGE_COOKIE = "pbvote_lang"
LANGUAGE_NAMES = {"da": "Dansk", "en": "English"}
_SYMBOL_BEFORE_DIGIT = re.compile(r"^([^\W\d]+)(\d)")  # CLDR currency spacing: "DKK 1,234", not "DKK1,234"
MINOR_UNITS = {"DKK": 100, "EUR": 100, "PLN": 100, "SEK": 100, "NOK": 100, "USD": 100, "CHF": 100, "HUF": 100}


def init_app(app: Flask) -> None:
    """Bind Flask-Babel and expose the formatting helpers to templates."""
    babel.init_app(app, locale_selector=select_locale)
    app.jinja_env.globals.update(
        current_locale=lambda: str(get_locale()),
        language_names=LANGUAGE_NAMES,
    )
    app.jinja_env.filters.update(money=format_money, date=format_day, datetime=format_moment)


def select_locale() -> str:
    """The visitor's chosen language (cookie, then account), else the municipality's default."""
    supported = current_app.config["LOCALES"]
    if not has_request_context():  # CLI commands and e-mails rendered outside a request
        return str(current_app.config["DEFAULT_LOCALE"])
    chosen = request.cookies.get(LANGUAGE_COOKIE)
    if chosen in supported:
        return str(chosen)
    if current_user and current_user.is_authenticated and current_user.locale in supported:
        return str(current_user.locale)
    return str(current_app.config["DEFAULT_LOCALE"])


def is_supported_locale(code: str | None) -> bool:
    """Whether a language code can be chosen in this installation."""
    return code in current_app.config["LOCALES"]


def format_money(amount: int, currency: str | None = None) -> str:
    """Format an amount in the smallest unit the local way: '1.234.567 kr.' in Danish, no øre when whole."""
    currency = currency or current_app.config["CURRENCY"]
    minor = MINOR_UNITS.get(currency, 100)
    value = Decimal(amount) / minor
    locale = get_locale() or current_app.config["DEFAULT_LOCALE"]
    if value == value.to_integral_value():
        pattern = _whole_pattern(str(locale))
        text = format_currency(value, currency, format=pattern, locale=locale, currency_digits=False)
    else:
        text = format_currency(value, currency, locale=locale)
    return _SYMBOL_BEFORE_DIGIT.sub("\\1\xa0\\2", text)


def _whole_pattern(locale: str) -> str:
    """The locale's currency pattern without decimals."""
    from babel import Locale

    pattern = Locale.parse(locale).currency_formats["standard"].pattern
    return pattern.replace("#,##0.00", "#,##0").replace("0.00", "0")


def currency_symbol(currency: str | None = None) -> str:
    """The symbol used beside amounts in the current locale ('kr.' for DKK in Danish)."""
    currency = currency or current_app.config["CURRENCY"]
    return get_currency_symbol(currency, locale=str(get_locale()))


def format_day(value: date | datetime | None) -> str:
    """A date in the current locale ('29. nov. 2026')."""
    return "" if value is None else format_date(value, "medium")


def format_moment(value: datetime | None) -> str:
    """A date and time in the current locale and the municipality's time zone."""
    return "" if value is None else format_datetime(value, "medium")
