"""Account forms; every message is translated."""

from __future__ import annotations

from flask import current_app
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, HiddenField, PasswordField, StringField
from wtforms.validators import DataRequired, Email, EqualTo, Length, ValidationError

REQUIRED = _l("This field is required.")


def strong_enough(form: FlaskForm, field: PasswordField) -> None:
    """Passwords need the configured minimum length; long passphrases beat complex rules."""
    minimum = current_app.config["PASSWORD_MIN_LENGTH"]
    if len(field.data or "") < minimum:
        raise ValidationError(_l("Use at least %(n)d characters.", n=minimum))


def email_field() -> EmailField:
    return EmailField(
        _l("E-mail"),
        validators=[
            DataRequired(REQUIRED),
            Length(max=254, message=_l("At most %(max)d characters.", max=254)),
            Email(message=_l("Enter a valid e-mail address."), check_deliverability=False),
        ],
        render_kw={"autocomplete": "email"},
    )


def new_password_fields() -> tuple[PasswordField, PasswordField]:
    password = PasswordField(
        _l("New password"),
        validators=[DataRequired(REQUIRED), strong_enough, Length(max=200)],
        render_kw={"autocomplete": "new-password"},
    )
    confirm = PasswordField(
        _l("Repeat the password"),
        validators=[DataRequired(REQUIRED), EqualTo("password", message=_l("The passwords do not match."))],
        render_kw={"autocomplete": "new-password"},
    )
    return password, confirm


class RegistrationForm(FlaskForm):
    email = email_field()
    display_name = StringField(
        _l("Name (optional)"),
        validators=[Length(max=120, message=_l("At most %(max)d characters.", max=120))],
    )
    password, confirm = new_password_fields()


class LoginForm(FlaskForm):
    email = email_field()
    password = PasswordField(
        _l("Password"),
        validators=[DataRequired(REQUIRED), Length(max=200)],
        render_kw={"autocomplete": "current-password"},
    )
    next = HiddenField()


class ResetRequestForm(FlaskForm):
    email = email_field()


class ResetPasswordForm(FlaskForm):
    password, confirm = new_password_fields()


class ChangePasswordForm(FlaskForm):
    current_password = PasswordField(
        _l("Current password"),
        validators=[DataRequired(REQUIRED)],
        render_kw={"autocomplete": "current-password"},
    )
    password, confirm = new_password_fields()


class LogoutForm(FlaskForm):
    """Logging out is a POST with a CSRF token, so no link can log someone out."""
