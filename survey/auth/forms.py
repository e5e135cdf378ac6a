"""Sign-in form: field rules only; the check of the password is the service's."""

from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField, StringField
from wtforms.validators import DataRequired, Length, Optional, Regexp


def at_most(limit: int) -> Length:
    """A length limit whose message is ours, so it is translated like every other."""
    return Length(max=limit, message=_l("Use at most %(max)d characters."))


def email_field(
    required: Any = None, invalid: Any = None, autocomplete: str = "username"
) -> EmailField:
    """An e-mail address field (spaces around it are allowed; services strip them).

    required / invalid: the messages for an empty or a malformed address.
    """
    return EmailField(
        _l("Email"),
        validators=[
            DataRequired(required or _l("Enter your email.")),
            Regexp(r"^\s*[^@\s]+@[^@\s]+\s*$", message=invalid or _l("Enter a valid email.")),
            at_most(254),
        ],
        render_kw={"autocomplete": autocomplete, "inputmode": "email"},
    )


class LoginForm(FlaskForm):
    email = email_field()
    password = PasswordField(
        _l("Password"),
        validators=[DataRequired(_l("Enter your password.")), Length(max=1000)],
        render_kw={"autocomplete": "current-password"},
    )


class AcceptInvitationForm(FlaskForm):
    name = StringField(_l("Your name"), validators=[Optional(), at_most(200)])
    password = PasswordField(
        _l("Choose a password (at least 10 characters)"),
        validators=[DataRequired(_l("Choose a password.")), at_most(1000)],
        render_kw={"autocomplete": "new-password"},
    )
    confirm = PasswordField(
        _l("The same password again"),
        validators=[DataRequired(_l("Enter the password again.")), at_most(1000)],
        render_kw={"autocomplete": "new-password"},
    )
