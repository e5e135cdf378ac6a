"""Checklist sections turned into WTForms, through a registry keyed by item kind.

After ONS eq-questionnaire-runner's field handlers: the checklist is data, each kind knows how to
become a field and how to read its value back. Fields carry no validators: the domain checks
answers (the same checks as the API), and its messages are shown on the page.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    DateTimeLocalField,
    Field,
    HiddenField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired

from ..common.l10n import number_text
from ..domain.checklist import Item, Section

FieldBuilder = Callable[[Item, str], Field]


def _t(text: dict[str, str] | None, locale: str) -> str:
    return (text or {}).get(locale) or (text or {}).get("en", "")


def yesno_labels() -> dict[str, Any]:
    return {"yes": _l("Yes"), "no": _l("No"), "na": _l("Not applicable")}


def _yesno(item: Item, locale: str) -> Field:
    labels = yesno_labels()
    codes = ("yes", "no", "na") if item.allow_na else ("yes", "no")
    return RadioField(choices=[SelectChoice(c, labels[c]) for c in codes], validate_choice=False)


def _scale(item: Item, locale: str) -> Field:
    assert item.min is not None and item.max is not None
    choices = [SelectChoice(str(v), str(v)) for v in range(item.min, item.max + 1)]
    return RadioField(choices=choices, validate_choice=False)


def _number(item: Item, locale: str) -> Field:
    """A number as text (a decimal comma is accepted); a whole number gets the digit keypad."""
    mode = "numeric" if item.whole else "decimal"
    return StringField(render_kw={"inputmode": mode, "autocomplete": "off"})


def _choice(item: Item, locale: str) -> Field:
    choices = [SelectChoice(o.code, _t(o.label, locale)) for o in item.options]
    return RadioField(choices=choices, validate_choice=False)


def _text(item: Item, locale: str) -> Field:
    return TextAreaField(render_kw={"rows": 4, "maxlength": 5000})


FIELD_BUILDERS: dict[str, FieldBuilder] = {
    "yesno": _yesno,
    "scale": _scale,
    "number": _number,
    "choice": _choice,
    "text": _text,
}


# Digits 0-9 with one decimal point or comma; a space (or no-break space) only between groups of
# three ("1 500"). Not "1e1", "42 5", "١٢" or "Infinity", which float() would take.
NUMBER_TEXT = re.compile(r"[+-]?(?:[0-9]{1,3}(?:[ \u00a0\u202f][0-9]{3})+|[0-9]+)(?:[.,][0-9]+)?")


def parse_number(raw: str) -> Any:
    """Accept 12.5 and 12,5 (Kazakh and Russian write a decimal comma) and "1 500"; else keep
    the text, which the domain refuses ("Give a number.")."""
    text = raw.strip()
    if not text:
        return None
    if not NUMBER_TEXT.fullmatch(text):
        return raw
    number = float(re.sub(r"[ \u00a0\u202f]", "", text).replace(",", "."))
    return int(number) if number.is_integer() else number


SMALL_INT = re.compile(r"-?[0-9]{1,6}")

VALUE_READERS: dict[str, Callable[[Any], Any]] = {
    "yesno": lambda v: v or None,
    "scale": lambda v: int(v) if isinstance(v, str) and SMALL_INT.fullmatch(v) else (v or None),
    "number": lambda v: parse_number(v) if isinstance(v, str) else v,
    "choice": lambda v: v or None,
    "text": lambda v: (v or "").strip() or None,
}


def value_for_field(item: Item, value: Any) -> Any:
    """The stored value as the field shows it, numbers with the locale's decimal sign."""
    if value is None:
        return None
    if item.kind == "number" and isinstance(value, int | float):
        return number_text(value, "0.##########")  # 12,5 in kk and ru, never 1.2E+1
    return str(value)


class SectionForm(FlaskForm):
    """Filled in by section_form(): one value field and one comment field per item."""


def section_form(section: Section, locale: str, stored: dict[str, dict[str, Any]]) -> SectionForm:
    """A form for one section, with the stored answers as defaults."""

    class _Form(SectionForm):
        pass

    for item in section.items:
        setattr(_Form, item.code, FIELD_BUILDERS[item.kind](item, locale))
        setattr(_Form, f"{item.code}__comment", TextAreaField(render_kw={"rows": 2}))
    data: dict[str, Any] = {}
    for item in section.items:
        answer = stored.get(item.code) or {}
        data[item.code] = value_for_field(item, answer.get("value"))
        data[f"{item.code}__comment"] = answer.get("comment") or ""
    return _Form(data=data)


def read_answers(section: Section, form: SectionForm) -> dict[str, dict[str, Any]]:
    """The section's answers as the API shape: {code: {"value", "comment"}}."""
    answers = {}
    for item in section.items:
        value = VALUE_READERS[item.kind](form[item.code].data)
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
