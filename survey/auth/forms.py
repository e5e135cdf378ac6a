"""Sign-in form: field rules only; the check of the password is the service's."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField, StringField
from wtforms.validators import DataRequired, Length, Optional, Regexp


def at_most(limit: int) -> Length:
    """A length limit whose message is ours, so it is translated like every other."""
    return Length(max=limit, message=_l("Use at most %(max)d characters."))


class LoginForm(FlaskForm):
    email = EmailField(
        _l("Email"),
        validators=[
            DataRequired(_l("Enter your email.")),
            Regexp(r"^[^@\s]+@[^@\s]+$", message=_l("Enter a valid email.")),
            Length(max=254),
        ],
        render_kw={"autocomplete": "username", "inputmode": "email"},
    )
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
