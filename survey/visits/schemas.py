"""The shape of a visit as a client sends it (API now, the phone page later)."""

from __future__ import annotations

import uuid as uuid_lib
from typing import Any

from flask_babel import lazy_gettext as _l
from marshmallow import EXCLUDE, Schema, ValidationError, fields


def _messages() -> dict[str, Any]:
    return {
        "required": _l("This field is required."),
        "null": _l("This field may not be empty."),
        "invalid": _l("This value is not valid here."),
    }


class UUIDString(fields.String):
    def _deserialize(self, value: Any, attr: Any, data: Any, **kwargs: Any) -> str:
        text = super()._deserialize(value, attr, data, **kwargs)
        try:
            return str(uuid_lib.UUID(text))
        except ValueError as exc:
            raise ValidationError(_l("Give a UUID such as 0b7c…-…; the app makes one.")) from exc


class StrictBool(fields.Field):
    def _deserialize(self, value: Any, attr: Any, data: Any, **kwargs: Any) -> bool:
        if not isinstance(value, bool):
            raise ValidationError(_l("Must be true or false."))
        return value


class StrictInt(fields.Field):
    def _deserialize(self, value: Any, attr: Any, data: Any, **kwargs: Any) -> int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise ValidationError(_l("Must be a whole number."))
        return value


class ChecklistRefSchema(Schema):
    class Meta:
        unknown = EXCLUDE

    slug = fields.String(required=True, error_messages=_messages())
    version = StrictInt(required=True, error_messages=_messages())


class VisitInputSchema(Schema):
    """POST /visits body. Answers are checked against the checklist by the service."""

    class Meta:
        unknown = EXCLUDE

    uuid = UUIDString(required=True, error_messages=_messages())
    office = fields.String(required=True, error_messages=_messages())
    checklist = fields.Nested(ChecklistRefSchema, required=True, error_messages=_messages())
    visited_at = fields.String(required=True, error_messages=_messages())
    answers = fields.Raw(load_default=dict, allow_none=True)
    submit = StrictBool(load_default=False)


class ReviewInputSchema(Schema):
    class Meta:
        unknown = EXCLUDE

    decision = fields.String(required=True, error_messages=_messages())
    note = fields.String(load_default=None, allow_none=True)
    # Evidence uuids the office head is shown; absent: the default (those of failed items).
    office_evidence = fields.List(fields.String(), load_default=None, allow_none=True)
