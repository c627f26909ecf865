"""Account administration: administrators list accounts and switch them off or on again."""

from __future__ import annotations

from dataclasses import dataclass

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import Select, func, or_, select
from werkzeug.wrappers import Response

from pbvote.auth import services
from pbvote.auth.decorators import role_required
from pbvote.auth.models import Role, User
from pbvote.auth.policies import can_switch_account
from pbvote.core.errors import DomainError
from pbvote.db import utcnow
from pbvote.extensions import db

bp = Blueprint("accounts", __name__, url_prefix="/konto/brugere", template_folder="templates")
PER_PAGE = 50
SEARCH_MAX = 100


@dataclass(frozen=True)
class AccountPage:
    """One page of accounts and what the pager needs."""

    users: list[User]
    page: int
    pages: int
    total: int


def account_page(search: str, page: int) -> AccountPage:
    """Accounts whose e-mail or name contains ``search``, by e-mail; ``page`` counts from 1."""
    query: Select[tuple[User]] = select(User)
    if search:
        pattern = "%" + search.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        query = query.where(
            or_(User.email.ilike(pattern, escape="\\"), User.display_name.ilike(pattern, escape="\\"))
        )
    total = db.session.scalar(select(func.count()).select_from(query.subquery())) or 0
    pages = max(1, -(-total // PER_PAGE))
    rows = db.session.scalars(query.order_by(User.email).offset((page - 1) * PER_PAGE).limit(PER_PAGE))
    return AccountPage(users=list(rows), page=page, pages=pages, total=total)


@bp.get("/")
@role_required(Role.ADMIN)
def index() -> str:
    """Every account, searchable, with the button that switches it off or on."""
    search = request.args.get("q", "").strip()
    page_text = request.args.get("page", "1")
    if len(search) > SEARCH_MAX or not page_text.isdigit() or int(page_text) < 1:
        abort(400)
    result = account_page(search, int(page_text))
    if result.page > result.pages:
        abort(404)
    return render_template("auth/users.html", result=result, search=search)


@bp.post("/<int:user_id>/deaktiver")
@role_required(Role.ADMIN)
def disable(user_id: int) -> Response:
    """An administrator switches an account off; its sessions die with the next request."""
    return _switch(user_id, active=False)


@bp.post("/<int:user_id>/aktiver")
@role_required(Role.ADMIN)
def enable(user_id: int) -> Response:
    """An administrator switches an account on again; the person logs in afresh."""
    return _switch(user_id, active=True)


def _switch(user_id: int, *, active: bool) -> Response:
    user = db.get_or_404(User, user_id)
    try:
        if active:
            services.enable_user(current_user, user, now=utcnow())
        else:
            services.disable_user(current_user, user, now=utcnow())
    except DomainError as exc:
        db.session.rollback()
        flash(str(exc), "error")
    else:
        db.session.commit()
        done = _("The account has been enabled.") if active else _("The account has been disabled.")
        flash(done, "success")
    return redirect(url_for("accounts.index", q=request.form.get("q") or None))


@bp.app_context_processor
def _account_policies() -> dict[str, object]:
    return {"can_switch_account": can_switch_account}
