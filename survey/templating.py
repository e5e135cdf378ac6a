"""What every template may use: the locale, the language list, labels for codes."""

from __future__ import annotations

from typing import Any

from flask import Flask
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l

LANGUAGES = (("kk", "Қазақша"), ("ru", "Русский"), ("en", "English"))


def role_labels() -> dict[str, Any]:
    return {
        "volunteer": _l("volunteer"),
        "auditor": _l("auditor"),
        "office_head": _l("head of a consular office"),
        "project_group": _l("project group"),
        "admin": _l("administrator"),
    }


def register(app: Flask) -> None:
    @app.context_processor
    def _globals() -> dict[str, Any]:
        return {
            "current_locale": str(get_locale() or "kk"),
            "languages": LANGUAGES,
            "role_label": lambda role: role_labels().get(role, role),
        }
