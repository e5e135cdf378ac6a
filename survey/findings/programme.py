"""The recommendation KPIs for people: who may ask, for which period, and how it is written.

The numbers come from one service (findings/kpis.py); this module picks the period a page or
the API asks for, checks the caller's role (DESIGN §9: the project group and auditors; an office
head for their own office only), and renders /programme.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from flask import render_template
from flask_babel import lazy_gettext as _l

from ..auth.models import User
from ..common.l10n import day_label, month_label, quarter_label
from ..domain import disclosure, periods
from ..domain.periods import Period
from ..errors import Forbidden, InvalidInput, NotFound
from ..extensions import db
from ..offices.models import Office
from ..offices.services import get_office
from .kpis import all_time_kpis, period_kpis, programme, today_utc

READERS = ("auditor", "project_group")


def last_complete_month(today: date) -> Period:
    """The default period of /programme and GET /api/v1/kpis."""
    return periods.month(today.year, today.month).previous()


def period_label(period: Period) -> str:
    """A period as a reader says it: "October 2026", "Q3 2026", "2026", or two dates."""
    code = periods.code(period)
    if "/" in code:
        return f"{day_label(period.start, 'long')} – {day_label(period.end, 'long')}"
    if "-Q" in code:
        return quarter_label(code)
    return month_label(code) if "-" in code else code


def api_period(date_from: date | None, date_to: date | None, today: date) -> Period:
    """GET /api/v1/kpis: from/to (or a named period, already turned into dates by
    scores.services.parse_period) by the rule of every report (periods.span); neither: the
    last complete month."""
    return periods.span(date_from, date_to, today=today, default=last_complete_month(today))


def kpi_office(user: User, code: str | None) -> Office | None:
    """The office the caller asks about (None: all offices), or a refusal.

    Unknown code: 404. An office head: their own office, the default; another one: 403, as
    GET /offices/<code>/scores answers. Volunteers and admins: 403.
    """
    if user.role not in (*READERS, "office_head"):
        raise Forbidden(_l("You do not have access to office figures."))
    office = get_office(code) if code else None
    if code and office is None:
        raise NotFound(_l("No such office."))
    if user.role != "office_head":
        return office
    if office is None and user.office_id is not None:
        office = db.session.get(Office, user.office_id)
    if office is None or office.id != user.office_id:
        raise Forbidden(_l("You do not have access to this office's figures."))
    return office


def wants_all_time(raw: str | None) -> bool:
    """?all_time=1 (or true) adds the all-time figures; absent, empty or 0 leaves them out;
    anything else is InvalidInput on "all_time"."""
    value = (raw or "").strip().lower()
    if value in ("1", "true"):
        return True
    if value not in ("", "0", "false"):
        raise InvalidInput(_l("Some fields need attention."), {"all_time": [_l("Use 1 or 0.")]})
    return False


def kpis_json(
    user: User, office: Office | None, period: Period, *, with_all_time: bool = False
) -> dict[str, Any]:
    """GET /api/v1/kpis: {"period", "office", the nine figures of DESIGN §9}, and with
    with_all_time "all_time": the same nine from the first finding to today; for the office
    kpi_office allowed (None: every office). All time is asked for, not given by default: it
    counts the whole history, many times the work of one month. An office head gets the
    allow-list disclosure.KPIS (which is all of it: these are counts of the office's own
    findings, whose dates the head sees in their history)."""
    ids = [office.id] if office is not None else None
    today = today_utc()
    body = {
        "period": periods.code(period),
        "office": office.code if office is not None else None,
        **period_kpis(period, office_ids=ids, today=today).as_json(),
    }
    if with_all_time:
        body["all_time"] = all_time_kpis(office_ids=ids, today=today).as_json()
    if user.role == "office_head":
        return disclosure.restrict(body, disclosure.KPIS)
    return body


def office_columns(office: Office, period: Period, heading: str) -> list[tuple[str, Any]]:
    """(heading, figures) for an office page: the period given, and all time."""
    today = today_utc()
    ids = [office.id]
    return [
        (heading, period_kpis(period, office_ids=ids, today=today)),
        (str(_l("All time")), all_time_kpis(office_ids=ids, today=today)),
    ]


def head_columns(office: Office, quarter: Period) -> list[tuple[str, Any]]:
    """The same for the office head's page: their quarter and all time, cut to the
    allow-list like everything the head is shown."""
    return [
        (heading, disclosure.restrict(kpis.as_json(), disclosure.KPI_FIGURES))
        for heading, kpis in office_columns(office, quarter, period_label(quarter))
    ]


def chosen_period(args: Mapping[str, str]) -> Period:
    """?kind=month|quarter|year&value=… as on the dashboard; the last complete month by
    default; InvalidInput (422) for anything else."""
    try:
        return periods.parse(args.get("kind"), args.get("value"), None, None, date.today())
    except ValueError as exc:
        raise InvalidInput(_l("Give a period as YYYY-MM, YYYY-Qn or YYYY.")) from exc


def programme_page(args: Mapping[str, str], locale: str) -> str:
    """/programme: the period's figures beside all time, overall and per office."""
    period = chosen_period(args)
    figures = programme(period, locale)
    heading = period_label(period)
    return render_template(
        "findings/programme.html",
        figures=figures,
        period_heading=heading,
        columns=[(heading, figures.overall), (str(_l("All time")), figures.all_time)],
        args=args,
    )
