"""The projector: a large-type page the instructor shows the room, kept live by Server-Sent Events.

``/w/<code>/projektor`` draws the current scene (lobby, voting, closed, revealed); ``static/js/projector.js``
keeps its counts live from ``/w/<code>/events`` (SSE) or, when that fails, by polling
``/w/<code>/status.json`` every second, and fetches ``/w/<code>/projektor/scene`` when the state or the
reveal step changes. Everything is staff only: before the reveal, nothing here may show a result.

Each event stream ends after ``WORKSHOP_STREAM_SECONDS`` (60) so a gunicorn thread is freed; the browser
reconnects by itself.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from typing import Any

from flask import Blueprint, Response, abort, current_app, jsonify, render_template, stream_with_context
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user

from pbvote.auth.policies import can_review
from pbvote.extensions import db, login_manager
from pbvote.workshop import queries
from pbvote.workshop.live import ChangeListener
from pbvote.workshop.models import Workshop, WorkshopState
from pbvote.workshop.projector_reveal import build_reveal, how_text
from pbvote.workshop.views import join_address

projector_bp = Blueprint("workshop_projector", __name__, template_folder="templates")

STREAM_SECONDS = 60.0  # an event stream's life; the browser reconnects after it
HEARTBEAT_SECONDS = 15.0
RECHECK_SECONDS = 1.0  # the counts are read again at least this often while a stream waits
JSON_ENDPOINTS = ("workshop_projector.events", "workshop_projector.status")


@projector_bp.before_request
def staff_only() -> Response | None:
    """Staff only: pages send visitors to the login page, the live data answers 401 or 403 as JSON."""
    from flask import request

    if can_review(current_user):
        return None
    wants_json = request.endpoint in JSON_ENDPOINTS
    if not current_user.is_authenticated:
        if wants_json:
            return _json_error(401, _("Log in as staff to follow the workshop."))
        return login_manager.unauthorized()  # type: ignore[no-any-return]
    if wants_json:
        return _json_error(403, _("Only staff can show the projector."))
    abort(403)


@projector_bp.after_request
def never_cache(response: Response) -> Response:
    """Live figures are never cached, neither by the browser nor by a proxy."""
    response.headers["Cache-Control"] = "no-store"
    return response


@projector_bp.get("/w/<code>/projektor")
def projector(code: str) -> str:
    """The projector page, drawn at the current scene."""
    workshop = _workshop_or_404(code)
    return render_template("workshop/projector.html", **_scene(workshop))


@projector_bp.get("/w/<code>/projektor/scene")
def scene(code: str) -> str:
    """Only the scene, for the projector's script to swap in when the state or the step changes."""
    workshop = _workshop_or_404(code)
    return render_template("workshop/projector_scene.html", **_scene(workshop))


@projector_bp.get("/w/<code>/status.json")
def status(code: str) -> Response:
    """The live status for polling: state, joined, votes, step, steps_total, version."""
    workshop = _workshop_or_404(code)
    return jsonify(queries.live_status(workshop))


@projector_bp.get("/w/<code>/events")
def events(code: str) -> Response:
    """Server-Sent Events: the live status now and whenever it changes, a heartbeat comment meanwhile."""
    workshop = _workshop_or_404(code)
    seconds = float(current_app.config.get("WORKSHOP_STREAM_SECONDS", STREAM_SECONDS))
    heartbeat = float(current_app.config.get("WORKSHOP_HEARTBEAT_SECONDS", HEARTBEAT_SECONDS))
    stream = _stream(workshop.id, seconds=seconds, heartbeat=heartbeat)
    db.session.rollback()  # the stream reads fresh; hold no transaction while it waits
    response = Response(stream_with_context(stream), mimetype="text/event-stream")
    response.headers["X-Accel-Buffering"] = "no"  # nginx: pass each event on at once
    return response


def _stream(workshop_id: int, *, seconds: float, heartbeat: float) -> Iterator[str]:
    """Yield the status whenever it differs from the last one sent, until ``seconds`` have passed."""
    started = time.monotonic()
    yield "retry: 1000\n\n"  # reconnect a second after the stream ends or breaks
    last: dict[str, Any] | None = None
    beat = started + heartbeat
    with ChangeListener(workshop_id) as listener:
        while True:
            now_status = _fresh_status(workshop_id)
            if now_status is None:
                yield "event: gone\ndata: {}\n\n"
                return
            now = time.monotonic()
            if now_status != last:
                last = now_status
                beat = now + heartbeat
                yield f"id: {now_status['version']}\ndata: {json.dumps(now_status)}\n\n"
            elif now >= beat:
                beat = now + heartbeat
                yield ": heartbeat\n\n"
            remaining = started + seconds - now
            if remaining <= 0:
                return
            listener.wait(last["version"], min(remaining, RECHECK_SECONDS, max(beat - now, 0.05)))


def _fresh_status(workshop_id: int) -> dict[str, Any] | None:
    """The live status read afresh from the database, or None when the workshop is gone."""
    db.session.rollback()
    try:
        workshop = db.session.get(Workshop, workshop_id)
        return None if workshop is None else queries.live_status(workshop)
    finally:
        db.session.rollback()


def _workshop_or_404(code: str) -> Workshop:
    workshop = queries.workshop_by_code(code)
    if workshop is None:
        abort(404)
    return workshop


def _json_error(status: int, message: str) -> Response:
    response = jsonify({"error": message})
    response.status_code = status
    return response


def _scene(workshop: Workshop) -> dict[str, Any]:
    """What the scene templates need: the status, the join address, and after the reveal both rules' steps."""
    status = queries.live_status(workshop)
    join_url = join_address(workshop)
    reveal = None
    if workshop.state is WorkshopState.REVEALED:
        budget = queries.workshop_budget(workshop)
        run = queries.latest_run(budget.id) if budget is not None else None
        if run is not None:
            reveal = build_reveal(run, workshop.step)
    return {
        "workshop": workshop,
        "title": workshop.process.title(str(get_locale() or "da")),
        "status": status,
        "join_url": join_url,
        "join_host": join_url.split("://", 1)[-1],
        "code_text": f"{workshop.join_code[:3]} {workshop.join_code[3:]}",
        "reveal": reveal,
        "how_text": how_text,
        "states": WorkshopState,
    }
