"""Translated error pages, and JSON errors under /api/: no traceback ever reaches a user."""

from __future__ import annotations

from flask import Flask, Response, current_app, jsonify, make_response, render_template, request
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError, PendingRollbackError, SQLAlchemyError
from werkzeug.exceptions import HTTPException

from pbvote.extensions import db

ERROR_TEXTS = {
    400: (_l("Bad request"), _l("We could not understand what was sent. Please go back and try again.")),
    403: (_l("Access denied"), _l("You do not have permission to see this page.")),
    404: (_l("Page not found"), _l("The page you asked for does not exist or has moved.")),
    405: (_l("Method not allowed"), _l("This address cannot be used that way.")),
    413: (_l("Too large"), _l("What you sent is larger than we accept. Try a smaller file.")),
    429: (_l("Too many attempts"), _l("Please wait a moment before you try again.")),
    500: (
        _l("Something went wrong"),
        _l("An error occurred on our side. Nothing was saved; please try again."),
    ),
    503: (
        _l("Temporarily unavailable"),
        _l("The service is busy or under maintenance. Please try again soon."),
    ),
}
CSRF_TEXT = _l("Your form expired or was not sent from this site. Please reload the page and try again.")


def init_app(app: Flask) -> None:
    """Route every HTTP error, CSRF failure and unexpected exception to a friendly answer."""
    app.register_error_handler(CSRFError, handle_csrf_error)
    app.register_error_handler(HTTPException, handle_http_error)
    app.register_error_handler(Exception, handle_unexpected_error)


def wants_json() -> bool:
    """API clients get JSON errors; browsers get pages."""
    return request.path.startswith("/api/")


def error_response(status: int, message: str | None = None) -> tuple[Response | str, int]:
    """Render the translated page (or JSON) for a status code."""
    title, text = ERROR_TEXTS.get(status, ERROR_TEXTS[500])
    detail = message or str(text)
    if wants_json():
        return jsonify(error={"status": status, "title": str(title), "message": detail}), status
    return render_template("errors/error.html", status=status, title=title, message=detail), status


def handle_csrf_error(error: CSRFError) -> tuple[Response | str, int]:
    """A missing or stale CSRF token: explain, change nothing."""
    db.session.rollback()
    return error_response(400, str(CSRF_TEXT))


def handle_http_error(error: HTTPException) -> Response | HTTPException:
    """Known HTTP errors keep their status and headers (Allow, Retry-After) but get our page."""
    if error.code is None or error.code < 400:
        return error
    db.session.rollback()
    response = make_response(*error_response(error.code))
    for name, value in error.get_headers():
        if name in ("Allow", "Retry-After"):
            response.headers[name] = value
    return response


def handle_unexpected_error(error: Exception) -> tuple[Response | str, int]:
    """Log the failure for operators; show a plain 500 (or 503 when the database is away); roll back."""
    try:
        db.session.rollback()
    except SQLAlchemyError:  # the connection died with the database: the pool will replace it
        db.session.close()
    if _database_away(error):
        current_app.logger.warning("Database unavailable: %s", type(error).__name__)
        return error_response(503)
    current_app.logger.exception("Unhandled error", exc_info=error)
    return error_response(500)


def _database_away(error: BaseException) -> bool:
    """Whether the error, or what caused it, says the database connection is gone (not a bug in the code)."""
    seen: set[int] = set()
    cause: BaseException | None = error
    while cause is not None and id(cause) not in seen:
        seen.add(id(cause))
        if isinstance(cause, OperationalError | InterfaceError | PendingRollbackError):
            return True
        if isinstance(cause, DBAPIError) and cause.connection_invalidated:
            return True
        cause = cause.__cause__ or cause.__context__
    return False
