"""The API's JSON answers: every error has the same shape, ``{"error": {status, title, message, code}}``."""

from __future__ import annotations

from typing import Any

from flask import Response, jsonify
from flask_babel import lazy_gettext as _l

from pbvote.errors import ERROR_TEXTS

TITLES = {
    **{status: title for status, (title, _text) in ERROR_TEXTS.items()},
    409: _l("Already voted"),
    422: _l("Ballot not accepted"),
}


def api_error(status: int, message: str, code: str, **extra: Any) -> tuple[Response, int]:
    """A JSON error with a translated title and message and a stable machine-readable ``code``."""
    title = TITLES.get(status, TITLES[400])
    body = {"error": {"status": status, "title": str(title), "message": message, "code": code}, **extra}
    return jsonify(body), status


def not_found(message: str | None = None) -> tuple[Response, int]:
    """The API's 404: the thing asked for does not exist or is not public."""
    return api_error(404, message or str(ERROR_TEXTS[404][1]), "not_found")
