"""Participants join a workshop with its 6-digit code (no account, no name) and go to the booth.

``/j/<code>`` sets the booth's browser cookie exactly as the booth does, records the join and sends the
phone to the ballot. While the instructor has not opened the voting, it shows a waiting page whose
script asks ``/j/<code>/state.json`` every few seconds and moves on when voting opens.
``/w/<code>/qr.svg`` is the QR code of the join address.
"""

from __future__ import annotations

import io
from urllib.parse import urlsplit

import segno
from flask import (
    Blueprint,
    current_app,
    has_request_context,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from pbvote.ballots import access
from pbvote.ballots.services import has_voted
from pbvote.core.errors import DomainError
from pbvote.db import utcnow
from pbvote.extensions import db
from pbvote.workshop import queries, services
from pbvote.workshop.models import Workshop, WorkshopState

bp = Blueprint("workshop", __name__, template_folder="templates")

View = Response | str | tuple[Response | str, int]
LOBBY_REFRESH_SECONDS = 3
LOOPBACK = ("127.0.0.1", "localhost", "::1", "[::1]")


@bp.after_request
def _cookie_and_no_cache(response: Response) -> Response:
    """A new browser token goes out as the booth's cookie; join pages change with the state, never cache."""
    response.headers["Cache-Control"] = "no-store"
    return access.set_browser_cookie(response)


@bp.get("/j")
def enter_code() -> View:
    """A page to type the code on (the form sends it to /j/<code>)."""
    code = request.args.get("code", "").strip()
    if code:
        digits = "".join(ch for ch in code if ch.isdigit())
        if len(digits) == 6:
            return redirect(url_for("workshop.join", code=digits))
        return _code_page(_("A workshop code has 6 digits. Check the code on the screen."), code, 422)
    return _code_page(None, "", 200)


@bp.get("/j/<code>")
def join(code: str) -> View:
    """Join (once per browser) and go to the booth; wait in the lobby; or say the voting has closed."""
    workshop = queries.workshop_by_code(code)
    if workshop is None:
        return _code_page(_("There is no workshop with the code %(code)s. Check the code on the screen.",
                            code=code[:12]), code[:12], 404)  # fmt: skip
    budget = queries.workshop_budget(workshop)
    if workshop.state in (WorkshopState.CLOSED, WorkshopState.REVEALED) or budget is None:
        return render_template("workshop/join_closed.html", workshop=workshop)
    try:
        services.join(workshop, access.browser_token(), now=utcnow())
        db.session.commit()
    except DomainError as exc:
        db.session.rollback()
        return _code_page(str(exc), code, 409)
    if workshop.state is WorkshopState.LOBBY:
        return render_template("workshop/lobby.html", workshop=workshop, refresh=LOBBY_REFRESH_SECONDS)
    voter = access.voter_for_browser(access.browser_token())
    if has_voted(voter.key, budget):
        return render_template("workshop/join_closed.html", workshop=workshop, voted=True)
    return redirect(url_for("ballots.booth", budget_id=budget.id))


@bp.get("/j/<code>/state.json")
def state(code: str) -> View:
    """Only the workshop's state (never a count or a result), so a waiting phone knows when to go on."""
    workshop = queries.workshop_by_code(code)
    if workshop is None:
        return jsonify(error={"status": 404, "message": _("There is no workshop with this code.")}), 404
    return jsonify(state=str(workshop.state))


@bp.get("/w/<code>/qr.svg")
def qr_code(code: str) -> View:
    """The QR code of the join address, as SVG (scales to any projector)."""
    workshop = queries.workshop_by_code(code)
    if workshop is None:
        return Response(_("There is no workshop with this code."), status=404, mimetype="text/plain")
    buffer = io.BytesIO()
    segno.make(join_address(workshop), error="m").save(
        buffer, kind="svg", scale=10, border=2, title=_("QR code for joining the workshop"), xmldecl=False
    )
    return Response(buffer.getvalue(), mimetype="image/svg+xml")


def join_address(workshop: Workshop) -> str:
    """The address phones open: PBVOTE_PUBLIC_URL, or this request's host when that is set to localhost.

    A phone cannot reach 127.0.0.1, so while PUBLIC_URL still points at this computer's loopback the
    address the instructor's browser used (e.g. http://192.168.1.20:5000) is the better guess.
    """
    base = str(current_app.config.get("PUBLIC_URL") or "").rstrip("/")
    if has_request_context() and (not base or _is_loopback(base)) and not _is_loopback(request.host_url):
        base = request.host_url.rstrip("/")
    return f"{base}/j/{workshop.join_code}"


def _is_loopback(url: str) -> bool:
    return (urlsplit(url).hostname or "") in LOOPBACK or (urlsplit(url).hostname or "").startswith("127.")


def _code_page(message: str | None, code: str, status: int) -> tuple[str, int]:
    return render_template("workshop/enter_code.html", message=message, code=code), status
