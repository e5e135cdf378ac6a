"""The reader's language: the locale, labels of stored codes, and numbers, dates, months,
quarters and countries as that language writes them (Babel's CLDR data; docs/glossary.md).

Services (reports, exports, e-mails) and pages share these, so they live below both layers.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from babel import Locale, UnknownLocaleError
from babel.dates import format_date as babel_format_date
from babel.dates import format_skeleton
from flask_babel import format_decimal, format_time, get_locale, lazy_pgettext
from flask_babel import lazy_gettext as _l

LANGUAGES = (("kk", "Қазақша"), ("ru", "Русский"), ("en", "English"))


def current_locale() -> str:
    return str(get_locale() or "kk")


def role_labels() -> dict[str, Any]:
    return {
        "volunteer": _l("volunteer"),
        "auditor": _l("auditor"),
        "office_head": _l("head of a consular office"),
        "project_group": _l("project group"),
        "admin": _l("administrator"),
    }


def status_labels() -> dict[str, Any]:
    return {
        # Translators: a visit being filled in, not yet sent (kk: never «Жоба», which is "project").
        "draft": lazy_pgettext("visit status", "Draft"),
        "submitted": _l("Sent for review"),
        "approved": _l("Approved"),
        "returned": _l("Returned for correction"),
        "rejected": _l("Rejected"),
    }


def finding_status_labels() -> dict[str, Any]:
    return {
        # The state of a finding, never the verb: kk «Ашық», ru «Открыто» (issue 16).
        "open": lazy_pgettext("finding status", "Open"),
        "in_progress": _l("In progress"),
        "implemented": _l("Implemented"),
        "verified": _l("Verified"),
    }


def office_kind_labels() -> dict[str, Any]:
    return {
        "embassy": _l("Embassy"),
        "consulate_general": _l("Consulate general"),
        "consulate": _l("Consulate"),
        "other": _l("Other"),
    }


def severity_labels() -> dict[str, Any]:
    return {"critical": _l("Critical"), "major": _l("Major"), "minor": _l("Minor")}


def finding_action_labels() -> dict[str, Any]:
    return {
        "created": _l("Finding opened"),
        "response": _l("Answer from the office"),
        "dispute": _l("Disputed by the office"),
        "verified": _l("Fix confirmed"),
        "reopened": _l("Reopened"),
        "edited": _l("Recommendation edited"),
        "merged": _l("Merged into another finding"),
        "merged_in": _l("A duplicate was merged in"),
        "reopened_by_visit": _l("Reopened: a later visit found it again"),
        "repeated": _l("Found again by a later visit"),
        "recheck_required": _l("A passing visit was asked for before verifying"),
        "due_date": _l("Due date changed"),
        "note": _l("Note added"),
    }


def observation_labels() -> dict[str, Any]:
    return {"fail": _l("not met"), "partial": _l("partly met"), "pass": _l("met")}


def localized(text: dict[str, str] | None) -> str:
    """A checklist text in the page's language."""
    if not text:
        return ""
    return text.get(current_locale()) or text.get("en") or next(iter(text.values()))


def one_decimal(value: float | None) -> str:
    """One decimal, rounded half up, with the locale's decimal separator."""
    if value is None:
        return "–"
    rounded = Decimal(str(value)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
    return format_decimal(rounded, format="#,##0.0")


def signed(value: float | None, places: int = 1) -> str:
    """A change with its sign, as a report prints it: "+3,9", "−2,1" (U+2212 minus), "0,0";
    "–" for none. places=0 for counts: "+3", "−1", "0"."""
    if value is None:
        return "–"
    step = Decimal(1).scaleb(-places)
    rounded = Decimal(str(value)).quantize(step, rounding=ROUND_HALF_UP)
    pattern = "#,##0" + ("." + "0" * places if places else "")
    text = format_decimal(abs(rounded), format=pattern)
    if rounded == 0:
        return text
    return ("+" if rounded > 0 else "\u2212") + text


# Dates as officials write them (language review §2.4, issue 16, docs/glossary.md): no leading
# zero in the day, no abbreviated Kazakh month (CLDR's «2026 ж. 16 қыр.»), «2026 жылғы 1
# желтоқсан»; Babel's own patterns elsewhere.
DATE_PATTERNS = {
    ("kk", "short"): "d.MM.y",
    ("kk", "medium"): "y 'жылғы' d MMMM",
    ("kk", "long"): "y 'жылғы' d MMMM",
    ("ru", "short"): "d.MM.y",
}
MONTH_PATTERNS = {"kk": "y 'жылғы' MMMM"}


def day_label(day: date | None, fmt: str = "medium", locale: str | None = None) -> str:
    """A date as the reader's language writes it; "" for none."""
    if day is None:
        return ""
    chosen = locale or current_locale()
    pattern = DATE_PATTERNS.get((chosen, fmt), fmt)
    return babel_format_date(day, pattern, locale=chosen)


def moment_label(moment: datetime | str | None, fmt: str = "medium") -> str:
    """A date and time as the reader's language writes it, to the minute, never seconds
    (issue 15): "2026 жылғы 16 қыркүйек, 10:26", "16 сент. 2026 г., 10:26",
    "Sep 16, 2026, 10:26 AM".
    The clock is the moment's own (no time-zone shift); the page names the zone. A string
    (a camera's ISO 8601 capture time) is read first; one that is not a time is shown as is."""
    if not moment:
        return ""
    if isinstance(moment, str):
        text = moment
        try:
            moment = datetime.fromisoformat(text)
        except ValueError:
            return text
    time = format_time(moment, "short", rebase=False)
    return f"{day_label(moment.date(), fmt)}, {time}"


def month_label(value: str | date | None) -> str:
    """ "2026-11" (or a date) as the locale writes a month: "2026 жылғы қараша", "ноябрь
    2026 г.", "November 2026"."""
    if not value:
        return ""
    day = value if isinstance(value, date) else date.fromisoformat(f"{value}-01")
    locale = current_locale()
    if locale in MONTH_PATTERNS:
        return babel_format_date(day, MONTH_PATTERNS[locale], locale=locale)
    return format_skeleton("yMMMM", day, locale=locale)


def country_name(code: str, locale: str | None = None) -> str:
    """An ISO 3166 country code as the reader's language names it (Babel's territory
    names, CLDR): "TR" -> "Түркия", "Турция", "Türkiye"; an unknown code stays as it is."""
    try:
        names = Locale.parse(locale or current_locale()).territories
    except (ValueError, UnknownLocaleError):
        return code
    return names.get(code.upper(), code)


def quarter_label(code: str) -> str:
    """ "2026-Q3" as the locale says it: "2026 ж. 3-тоқсан", "3-й квартал 2026 г.", "Q3 2026"."""
    year, _sep, number = code.partition("-Q")
    return str(_l("Q%(quarter)s %(year)s", quarter=number, year=year))
