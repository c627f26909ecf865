"""Exact conversion between the decimal money texts of a pabulib file and integer smallest units."""

from __future__ import annotations

import re

MAX_DIGITS = 30
"""More digits than any real amount has; longer numbers are refused before int() is asked to read them."""

_DECIMAL = re.compile(r"([0-9]{1,30})(?:[.,]([0-9]{1,30}))?", re.ASCII)


def split_decimal(text: str) -> tuple[str, str] | None:
    """Split a non-negative decimal text into its whole and fractional digits, or None if it is not one.

    A comma is accepted as the decimal mark, as spreadsheets in Poland and France write it.
    """
    match = _DECIMAL.fullmatch(text.strip())
    if match is None:
        return None
    return match.group(1), match.group(2) or ""


def to_units(whole: str, fraction: str, decimals: int) -> int:
    """Turn split decimal digits into an integer count of ``10**-decimals`` units, exactly.

    Args:
        whole: the digits before the decimal mark.
        fraction: the digits after it (at most ``decimals`` of them).
        decimals: how many decimal places one unit is.

    Returns:
        The amount times ``10**decimals``.
    """
    return int(whole + fraction.ljust(decimals, "0"))


def parse_amount(text: str, scale: int) -> int | None:
    """Read a decimal text as an integer number of ``1/scale`` units, or None if it does not fit exactly."""
    parts = split_decimal(text)
    if parts is None:
        return None
    decimals = decimals_of(scale)
    if decimals is None or len(parts[1]) > decimals:
        return None
    return to_units(parts[0], parts[1], decimals)


def decimals_of(scale: int) -> int | None:
    """How many decimal places a power-of-ten scale stands for (None when it is not a power of ten)."""
    text = str(scale)
    if scale < 1 or text != "1" + "0" * (len(text) - 1):
        return None
    return len(text) - 1


def format_amount(value: int, scale: int) -> str:
    """Write integer units as a decimal text with exactly as many decimals as the scale has.

    Args:
        value: the amount in ``1/scale`` units.
        scale: a power of ten.

    Returns:
        The decimal text, e.g. ``"3009585.74"`` for ``300958574`` at scale 100.

    Raises:
        ValueError: when the scale is not a power of ten.
    """
    decimals = decimals_of(scale)
    if decimals is None:
        raise ValueError(f"scale must be a power of ten, not {scale}")
    sign = "-" if value < 0 else ""
    whole, fraction = divmod(abs(value), scale)
    return f"{sign}{whole}.{fraction:0{decimals}d}" if decimals else f"{sign}{whole}"
