"""Checklist sections turned into WTForms: each item's kind (survey/domain/answer_kinds.py)
gives its field, shows a stored value in it and reads the typed value back, in the page's
locale. Fields carry no validators: the domain checks answers (the same checks as the API),
and its messages are shown on the page.
"""

from __future__ import annotations

from typing import Any

from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateTimeLocalField, HiddenField, SelectField, TextAreaField
from wtforms.validators import InputRequired

from ..domain.answer_kinds import kind_of
from ..domain.spec import Section


class SectionForm(FlaskForm):
    """Filled in by section_form(): one value field and one comment field per item, and the
    locale its numbers are written and read in."""

    locale = "kk"


def section_form(section: Section, locale: str, stored: dict[str, dict[str, Any]]) -> SectionForm:
    """A form for one section in `locale`, with the stored answers as defaults."""

    class _Form(SectionForm):
        pass

    _Form.locale = locale
    data: dict[str, Any] = {}
    for item in section.items:
        kind, answer = kind_of(item), stored.get(item.code) or {}
        setattr(_Form, item.code, kind.field(item, locale, gettext))
        setattr(_Form, f"{item.code}__comment", TextAreaField(render_kw={"rows": 2}))
        value = answer.get("value")
        data[item.code] = None if value is None else kind.field_value(item, value, locale)
        data[f"{item.code}__comment"] = answer.get("comment") or ""
    return _Form(data=data)


def read_answers(section: Section, form: SectionForm) -> dict[str, dict[str, Any]]:
    """The section's answers as the API shape: {code: {"value", "comment"}}."""
    answers = {}
    for item in section.items:
        value = kind_of(item).read(item, form[item.code].data, form.locale)
        comment = (form[f"{item.code}__comment"].data or "").strip() or None
        if value is not None or comment:
            answers[item.code] = {"value": value, "comment": comment}
    return answers


class StartForm(FlaskForm):
    office = SelectField(_l("Office"), validators=[InputRequired(_l("Choose an office."))])
    checklist = SelectField(_l("Checklist"), validators=[InputRequired(_l("Choose a checklist."))])
    visited_at = DateTimeLocalField(
        _l("Date and time of the visit"),
        format=["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S"],
        validators=[InputRequired(_l("Give the date and time of the visit."))],
    )
    # Made by the phone when the visit is started without a connection (sent later, once).
    uuid = HiddenField()
