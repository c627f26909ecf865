"""Front page, accessibility statement, language switch, and the liveness and readiness probes."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, jsonify, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError
from werkzeug.wrappers import Response

from pbvote.extensions import db
from pbvote.i18n import LANGUAGE_COOKIE, is_supported_locale
from pbvote.processes.queries import public_processes
from pbvote.urls import safe_next

bp = Blueprint("site", __name__, template_folder="templates")

ONE_YEAR = 365 * 24 * 3600


@bp.get("/")
def index() -> str:
    """The municipality's front page with its PB processes."""
    return render_template("site/index.html", processes=public_processes())


@bp.get("/tilgaengelighed")
def accessibility() -> str:
    """The accessibility statement Danish public websites must publish."""
    return render_template("site/accessibility.html")


@bp.post("/sprog")
def set_language() -> Response:
    """Remember the chosen language in a cookie (and on the account), then go back."""
    code = request.form.get("lang", "")
    if not is_supported_locale(code):
        abort(400)
    target = safe_next(request.form.get("next")) or url_for("site.index")
    response = redirect(target)
    response.set_cookie(
        LANGUAGE_COOKIE,
        code,
        max_age=ONE_YEAR,
        samesite="Lax",
        httponly=True,
        secure=current_app.config["SESSION_COOKIE_SECURE"],
    )
    if current_user.is_authenticated and current_user.locale != code:
        current_user.locale = code
        db.session.commit()
    return response


@bp.get("/healthz")
def healthz() -> Response:
    """Liveness: the process answers."""
    return jsonify(status="ok")


@bp.get("/readyz")
def readyz() -> tuple[Response, int]:
    """Readiness: the database answers too."""
    try:
        db.session.execute(text("SELECT 1"))
    except SQLAlchemyError:
        db.session.rollback()
        return jsonify(status="unavailable", database=False), 503
    return jsonify(status="ok", database=True), 200


@bp.app_context_processor
def inject_site() -> dict[str, object]:
    """Every page's header needs the municipality's name."""
    from pbvote.processes.queries import site_municipality

    try:
        municipality = site_municipality()
    except SQLAlchemyError:
        db.session.rollback()
        municipality = None
    name = municipality.name if municipality else current_app.config["MUNICIPALITY_NAME"]
    return {"municipality_name": name}
