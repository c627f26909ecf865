"""Account pages: register, log in, log out, reset and change the password."""

from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user
from sqlalchemy.exc import SQLAlchemyError
from werkzeug.wrappers import Response

from pbvote.auth import services
from pbvote.auth.forms import (
    ChangePasswordForm,
    LoginForm,
    RegistrationForm,
    ResetPasswordForm,
    ResetRequestForm,
)
from pbvote.core.errors import DomainError
from pbvote.db import utcnow
from pbvote.extensions import db, limiter, login_manager
from pbvote.urls import safe_next

bp = Blueprint("auth", __name__, url_prefix="/konto", template_folder="templates")


@login_manager.user_loader
def load_user(identity: str) -> object:
    """Resolve the session to a user; a database hiccup means anonymous, not a crash."""
    try:
        return services.load_session_user(identity)
    except SQLAlchemyError:
        db.session.rollback()
        return None


def _login_limit() -> str:
    return str(current_app.config["LOGIN_RATE_LIMIT"])


def _login_key() -> str:
    """Count login attempts per e-mail, so a shared classroom IP does not lock everyone out."""
    return "login:" + services.normalise_email(request.form.get("email", ""))[:254]


def start_session(user: services.User) -> None:
    """Drop whatever the old session held, then log in: a new session at every login."""
    locale = session.get("locale")
    session.clear()
    if locale:
        session["locale"] = locale
    login_user(user)


@bp.route("/registrer", methods=["GET", "POST"])
def register() -> Response | str | tuple[str, int]:
    """Create a resident account."""
    form = RegistrationForm()
    if form.validate_on_submit():
        try:
            user = services.register_user(
                form.email.data, form.password.data, display_name=form.display_name.data or "", now=utcnow()
            )
        except DomainError as exc:
            db.session.rollback()
            form.email.errors.append(str(exc))
        else:
            db.session.commit()
            start_session(user)
            flash(_("Welcome! Your account has been created."), "success")
            return redirect(url_for("site.index"))
    return render_template("auth/register.html", form=form), 422 if form.errors else 200


@bp.route("/log-ind", methods=["GET", "POST"])
@limiter.limit(_login_limit, key_func=_login_key, methods=["POST"])
def login() -> Response | str | tuple[str, int]:
    """Log in with e-mail and password."""
    form = LoginForm(next=request.args.get("next", ""))
    if form.validate_on_submit():
        user = services.authenticate(form.email.data, form.password.data)
        if user is not None:
            start_session(user)
            flash(_("You are logged in."), "success")
            return redirect(safe_next(form.next.data) or url_for("site.index"))
        form.password.errors.append(_("Wrong e-mail or password."))
    return render_template("auth/login.html", form=form), 422 if form.errors else 200


@bp.post("/log-ud")
@login_required
def logout() -> Response:
    """Log out here and end this account's sessions everywhere."""
    services.end_sessions(current_user)
    db.session.commit()
    logout_user()
    session.clear()
    flash(_("You are logged out."), "success")
    return redirect(url_for("site.index"))


@bp.route("/glemt-adgangskode", methods=["GET", "POST"])
@limiter.limit(_login_limit, key_func=_login_key, methods=["POST"])
def reset_request() -> Response | str | tuple[str, int]:
    """Ask for a reset link; the answer is the same whether the e-mail is known or not."""
    form = ResetRequestForm()
    if form.validate_on_submit():
        reset_url = url_for("auth.reset_password", token="__token__", _external=True)  # noqa: S106 - a URL placeholder, not a password  # nosec B106
        services.request_password_reset(form.email.data, reset_url, now=utcnow())
        db.session.commit()
        flash(_("If an account exists for that e-mail, we have sent a link to reset the password."), "info")
        return redirect(url_for("auth.login"))
    return render_template("auth/reset_request.html", form=form), 422 if form.errors else 200


@bp.route("/nulstil/<token>", methods=["GET", "POST"])
def reset_password(token: str) -> Response | str | tuple[str, int]:
    """Choose a new password from an e-mailed link."""
    form = ResetPasswordForm()
    if form.validate_on_submit():
        try:
            services.reset_password(token, form.password.data)
        except DomainError as exc:
            db.session.rollback()
            flash(str(exc), "error")
            return render_template("auth/reset_password.html", form=form), 400
        db.session.commit()
        flash(_("Your password has been changed. Please log in."), "success")
        return redirect(url_for("auth.login"))
    return render_template("auth/reset_password.html", form=form), 422 if form.errors else 200


@bp.route("/adgangskode", methods=["GET", "POST"])
@login_required
def change_password() -> Response | str | tuple[str, int]:
    """Change the password; every other session of the account ends."""
    form = ChangePasswordForm()
    if form.validate_on_submit():
        try:
            services.change_password(current_user, form.current_password.data, form.password.data)
        except DomainError as exc:
            db.session.rollback()
            form.current_password.errors.append(str(exc))
        else:
            db.session.commit()
            start_session(current_user._get_current_object())
            flash(_("Your password has been changed. Other devices have been logged out."), "success")
            return redirect(url_for("auth.account"))
    return render_template("auth/change_password.html", form=form), 422 if form.errors else 200


@bp.get("/")
@login_required
def account() -> str:
    """The account overview."""
    return render_template("auth/account.html")


@bp.app_template_global("role_label")
def role_label(role: object) -> str:
    """A role's name in the reader's language."""
    labels = {"resident": _("Resident"), "staff": _("Staff"), "admin": _("Administrator")}
    return labels.get(str(getattr(role, "value", role)), str(role))


@bp.record_once
def _configure_login(state: object) -> None:
    """Send anonymous visitors of protected pages to the login form with a translated note."""
    from flask_babel import lazy_gettext as _l

    login_manager.login_view = "auth.login"
    login_manager.login_message = _l("Please log in to see this page.")  # type: ignore[assignment]
    login_manager.login_message_category = "info"
