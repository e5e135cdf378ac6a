"""The planning form; the rules (windows, twice in a row) are the service's."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, SelectField
from wtforms.validators import InputRequired


class AssignmentForm(FlaskForm):
    volunteer = SelectField(
        _l("Volunteer"), coerce=str, validators=[InputRequired(_l("Choose a volunteer."))]
    )
    office = SelectField(_l("Office"), validators=[InputRequired(_l("Choose an office."))])
    checklist = SelectField(
        _l("Checklist"), coerce=str, validators=[InputRequired(_l("Choose a checklist."))]
    )
    starts_on = DateField(
        _l("First day"), validators=[InputRequired(_l("Give the first day of the window."))]
    )
    ends_on = DateField(
        _l("Last day"), validators=[InputRequired(_l("Give the last day of the window."))]
    )
