"""Admin forms: field rules only; what is allowed is the services' to decide."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import BooleanField, SelectField, StringField
from wtforms.validators import Optional

from ..auth.forms import at_most, email_field


class InviteForm(FlaskForm):
    email = email_field(
        _l("Enter an email address."), _l("Enter a valid email address."), autocomplete="off"
    )
    name = StringField(_l("Name"), validators=[Optional(), at_most(200)])
    role = SelectField(_l("Role"), validate_choice=False)
    office = SelectField(_l("Office (for an office head)"), validate_choice=False)
    locale = SelectField(_l("Language of the email"), validate_choice=False)


class RoleForm(FlaskForm):
    role = SelectField(_l("Role"), validate_choice=False)
    office = SelectField(_l("Office (for an office head)"), validate_choice=False)


class OfficeForm(FlaskForm):
    code = StringField(
        _l("Code"),
        validators=[at_most(64)],
        render_kw={"autocomplete": "off", "spellcheck": "false"},
    )
    kind = SelectField(_l("Kind"), validate_choice=False)
    country = StringField(
        _l("Country (two-letter ISO code)"),
        validators=[at_most(2)],
        render_kw={"autocomplete": "off", "maxlength": 2},
    )
    city = StringField(_l("City"), validators=[at_most(120)])
    name_kk = StringField(_l("Name in Kazakh"), validators=[at_most(300)])
    name_ru = StringField(_l("Name in Russian"), validators=[at_most(300)])
    name_en = StringField(_l("Name in English"), validators=[at_most(300)])
    timezone = StringField(
        _l("Time zone (for example Europe/Istanbul)"),
        validators=[at_most(64)],
        render_kw={"autocomplete": "off", "spellcheck": "false"},
    )
    active = BooleanField(_l("Open for visits"))


class UploadForm(FlaskForm):
    """One file: a checklist definition (YAML) or an office list (CSV)."""

    file = FileField(_l("File"))
