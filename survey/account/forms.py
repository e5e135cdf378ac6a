"""Password forms: field rules only; the password rules are survey/auth/passwords.py's."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import PasswordField
from wtforms.validators import DataRequired

from ..auth.forms import at_most, email_field
from ..auth.passwords import MAX_LENGTH


def _new_password() -> PasswordField:
    return PasswordField(
        _l("New password"),
        validators=[DataRequired(_l("Choose a password.")), at_most(MAX_LENGTH)],
        render_kw={"autocomplete": "new-password"},
    )


def _again() -> PasswordField:
    return PasswordField(
        _l("The same password again"),
        validators=[DataRequired(_l("Enter the password again.")), at_most(MAX_LENGTH)],
        render_kw={"autocomplete": "new-password"},
    )


class ForgotPasswordForm(FlaskForm):
    email = email_field()


class ResetPasswordForm(FlaskForm):
    password = _new_password()
    confirm = _again()


class ChangePasswordForm(FlaskForm):
    current = PasswordField(
        _l("Current password"),
        validators=[DataRequired(_l("Enter your current password.")), at_most(MAX_LENGTH)],
        render_kw={"autocomplete": "current-password"},
    )
    password = _new_password()
    confirm = _again()
