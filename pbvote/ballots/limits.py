"""Rate limits on the booth's posts: per participant in open (workshop) voting, per address otherwise.

A whole class votes from one network address, so an open-eligibility booth counts per browser (its
signed voter cookie); a visitor without a valid cookie is counted per address. Every other process keeps
the per-address limit (PBVOTE_BOOTH_RATE_LIMIT, default 120 posts a minute).
"""

from __future__ import annotations

from flask import current_app, request
from flask_limiter.util import get_remote_address
from sqlalchemy import select

from pbvote.ballots import access, keys
from pbvote.extensions import db
from pbvote.processes.models import Budget, Eligibility, Process

BOOTH_LIMIT = "120 per minute"


def booth_limit() -> str:
    return str(current_app.config.get("BOOTH_RATE_LIMIT") or BOOTH_LIMIT)


def booth_key() -> str:
    """The participant in open voting (their browser), else the client address."""
    budget_id = (request.view_args or {}).get("budget_id")
    query = select(Process.eligibility).join(Budget, Budget.process_id == Process.id)
    eligibility = db.session.scalar(query.where(Budget.id == budget_id))
    if eligibility is Eligibility.OPEN and (token := access.cookie_token()) is not None:
        return "browser:" + keys.keyed_hash("browser", token)
    return f"address:{get_remote_address()}"
