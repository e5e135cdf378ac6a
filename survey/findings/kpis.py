"""The programme's recommendation KPIs, counted by the database (issue 13; DESIGN §9).

One service for every place that shows them: the API (GET /api/v1/kpis), /programme, the
dashboard, the office pages, the monthly PDF, the XLSX summary and /public. Definitions and a
worked example: docs/scoring.md, "Recommendations: the programme's figures"; the pure part
(instants, shares): survey/domain/kpis.py.

The status of a finding at an instant is the to_status of its latest finding_events row with
to_status set before it (by `at`, then id): every status change writes one (services.py
`record`), and migration 0010 backfilled them. Four queries per figure set, none loads a
finding into Python:

- opened in P, with their status at P's end: a correlated lookup per finding opened in P, on
  the index finding_events (finding_id, at);
- overdue at P's end: the findings open or in progress *now* and due before it (the partial,
  covering index ix_findings_unresolved_due), corrected for the few with a status event at
  or after P's end (the index finding_events (at)) that crossed between unresolved and
  resolved an odd number of times since, so their status then is the other side of now. A
  finding with no status event after P's end has the status it has now, since
  findings.status is always the to_status of its latest status event; so a month costs its
  own findings and the changes since, not the whole history;
- reopened during P: the index finding_events (action, at, to_status, finding_id);
- the median days to fix, by window functions (ROW_NUMBER and COUNT) over the fixed ones.

The statements are built once, with bound parameters, and reused (building one costs more
than running it). SQLite and PostgreSQL alike; timings in docs/performance.md (bench/kpis.py).
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import date, datetime
from functools import cache
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import (
    BindParameter,
    Date,
    DateTime,
    Float,
    Integer,
    SQLColumnExpression,
    and_,
    bindparam,
    case,
    func,
    literal_column,
    or_,
    select,
    text,
    true,
)
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import aliased
from sqlalchemy.sql import ColumnElement, Select
from sqlalchemy.sql.functions import FunctionElement

from ..common.time import utcnow
from ..domain.kpis import FIXED, REOPENINGS, UNRESOLVED, Kpis, Window, all_time, combine, window
from ..domain.periods import Period
from ..errors import InvalidInput
from ..extensions import db
from ..offices.models import Office
from .models import Finding, FindingEvent

Key = int | None  # an office id, or None for the figures of every office in scope

# The parameters of every statement below: Window's instants, and the offices in scope.
START = bindparam("start", type_=DateTime())
END = bindparam("end", type_=DateTime())
AS_OF = bindparam("as_of", type_=Date())
OFFICES: BindParameter[Any] = bindparam("offices", expanding=True)

LIVE = Finding.merged_into_id.is_(None)  # a merged finding never counts: its target does


# The predicate of the partial index ix_findings_unresolved_due (models.py), with literal
# values: SQLite uses a partial index only when the query repeats its WHERE terms, and a bound
# parameter never matches a literal.
def _unresolved(status: Any) -> ColumnElement[bool]:
    """Whether a status column is open or in progress (literal values, as in an index)."""
    return status.in_([literal_column(f"'{s}'") for s in UNRESOLVED])


UNRESOLVED_NOW = and_(_unresolved(Finding.status), Finding.merged_into_id.is_(None))


class DaysBetween(FunctionElement[float]):
    """(later - earlier) in days, with the fraction: julianday() on SQLite, the epoch on
    PostgreSQL. NULL when either instant is."""

    type = Float()
    inherit_cache = True
    name = "days_between"


@compiles(DaysBetween)
def _days_sqlite(element: DaysBetween, compiler: Any, **kw: Any) -> str:
    later, earlier = (compiler.process(c, **kw) for c in element.clauses)
    return f"(julianday({later}) - julianday({earlier}))"


@compiles(DaysBetween, "postgresql")
def _days_postgresql(element: DaysBetween, compiler: Any, **kw: Any) -> str:
    later, earlier = (compiler.process(c, **kw) for c in element.clauses)
    return f"CAST(EXTRACT(EPOCH FROM ({later} - {earlier})) / 86400.0 AS DOUBLE PRECISION)"


def _count_if(cond: ColumnElement[bool]) -> ColumnElement[int]:
    return func.coalesce(func.sum(case((cond, 1), else_=0)), 0).cast(Integer)


def today_utc() -> date:
    """Today's date in UTC, the clock the database's instants are kept in."""
    return utcnow().date()


def status_at(end: Any) -> ColumnElement[str]:
    """The status, just before the instant `end`, of the finding of the enclosing query: its
    latest status event (to_status set, at < end, by at then id); "open" when it has none."""
    e = aliased(FindingEvent)
    latest = (
        select(e.to_status)
        .where(e.finding_id == Finding.id, e.to_status.is_not(None), e.at < end)
        .order_by(e.at.desc(), e.id.desc())
        .limit(1)
        .correlate(Finding)
        .scalar_subquery()
    )
    return func.coalesce(latest, "open")


def _changed_since(end: Any) -> ColumnElement[bool]:
    """Whether the finding of the enclosing query has an event at or after `end`: only then
    can its status at `end` differ from its status now."""
    e = aliased(FindingEvent)
    return select(e.id).where(e.finding_id == Finding.id, e.at >= end).correlate(Finding).exists()


def _fixed_at(end: Any) -> ColumnElement[Any]:
    """When the fix standing just before `end` was made: the latest move into implemented
    before it (None when there is none)."""
    e = aliased(FindingEvent)
    return (
        select(func.max(e.at))
        .where(
            e.finding_id == Finding.id,
            e.to_status == "implemented",
            func.coalesce(e.from_status, "") != "implemented",
            e.at < end,
        )
        .correlate(Finding)
        .scalar_subquery()
    )


def _scope(scoped: bool) -> list[ColumnElement[bool]]:
    """Only the offices in the parameter "offices" (scoped), or every office."""
    return [Finding.office_id.in_(OFFICES)] if scoped else []


def _keys(by_office: bool) -> list[Any]:
    return [Finding.office_id] if by_office else []


def _opened_in_p(by_office: bool, scoped: bool, settled: bool, fixes: bool = False) -> Any:
    """The findings opened in P, each with its status at P's end (and, with fixes, when its
    standing fix was made). Looked up in finding_events only for a finding with an event at
    or after P's end; any other has now the status (and implemented_at) it had then. settled:
    no finding has such an event (a period ending today), so none is looked up."""
    status: SQLColumnExpression[str]
    fixed_at: SQLColumnExpression[datetime | None]
    if settled:
        status, fixed_at = Finding.status, Finding.implemented_at
    else:
        changed = _changed_since(END)
        status = case((changed, status_at(END)), else_=Finding.status)
        fixed_at = case((changed, _fixed_at(END)), else_=Finding.implemented_at)
    fixed = [fixed_at.label("fixed_at")]
    return (
        select(
            *_keys(by_office),
            Finding.id,
            Finding.created_at,
            Finding.recurrence_of_id,
            status.label("status"),
            *(fixed if fixes else []),
        )
        .where(Finding.created_at >= START, Finding.created_at < END, LIVE, *_scope(scoped))
        .offset(0)  # a fence: the status is looked up once per finding, not once per use
        .subquery()
    )


@cache
def _opened_statement(by_office: bool, scoped: bool, settled: bool) -> Select[Any]:
    """opened, implemented (or verified) and verified at P's end, recurrences."""
    return _opened_counts(_opened_in_p(by_office, scoped, settled), by_office)


def _opened_counts(rows: Any, by_office: bool) -> Select[Any]:
    """The counts of _opened_statement over `rows` (from _opened_in_p)."""
    keys = [rows.c.office_id] if by_office else []
    return select(
        *keys,
        func.count(rows.c.id),
        _count_if(rows.c.status.in_(FIXED)),
        _count_if(rows.c.status == "verified"),
        _count_if(rows.c.recurrence_of_id.is_not(None)),
    ).group_by(*keys)


@cache
def _late_now_statement(
    by_office: bool, scoped: bool, due_only: bool, grouped: bool = True
) -> Select[*tuple[Any, ...]]:
    """Open or in progress now, opened before P's end (and due before as_of).

    On SQLite (grouped) counted by office even for the total, then summed: grouped by the
    leading column of ix_findings_unresolved_due, the count is read from that index alone
    whatever other index on due_date there is (without statistics, SQLite's planner would
    take one that reads every row). PostgreSQL reads that index alone for a plain count,
    and grouping would cost it a quarter more.
    """
    due = [Finding.due_date < AS_OF] if due_only else []
    where = [UNRESOLVED_NOW, Finding.created_at < END, *due, *_scope(scoped)]
    if not (by_office or grouped):
        return select(func.count()).where(*where)  # count(*): the index alone
    grouped_rows = (
        select(Finding.office_id, func.count().label("n")).where(*where).group_by(Finding.office_id)
    )
    if by_office:
        return grouped_rows
    counts = grouped_rows.subquery()
    return select(func.coalesce(func.sum(counts.c.n), 0))


@cache
def _late_correction_statement(
    by_office: bool, scoped: bool, due_only: bool, parity: bool = True
) -> Select[Any]:
    """For the findings with a status event at or after P's end: unresolved then minus
    unresolved now (same filters as _late_now_statement).

    parity=False (SQLite) looks up each changed finding's status at P's end instead: SQLite's
    planner, without statistics, groups the events by finding over the whole table for the
    form below (about 160 ms against 3 ms at national scale).

    A status event "crosses" when it moves a finding between unresolved (open, in progress)
    and resolved (implemented, verified): its from_status and to_status are on different
    sides. A finding is on the other side at P's end than now exactly when an odd number of
    its events since crossed, so only those are read, and no status at P's end is looked up:
    it is the other side of now. A finding with an event since whose from_status is unknown
    (none is written so today; kept for rows from elsewhere) has its status at P's end
    looked up instead. A finding created since is not counted at P's end (its "created"
    event is left out, and created_at filters it).
    """
    due = [Finding.due_date < AS_OF] if due_only else []
    if not parity:
        return _looked_up_correction(by_office, scoped, due)
    e = FindingEvent
    crossing = case((_unresolved(e.from_status) != _unresolved(e.to_status), 1), else_=0)
    unknown = case((e.from_status.is_(None), 1), else_=0)
    flipped = (
        select(e.finding_id, func.sum(unknown).label("unknown"))
        .where(e.at >= END, e.to_status.is_not(None), e.action != "created")
        .group_by(e.finding_id)
        .having(or_(func.sum(crossing) % 2 == 1, func.sum(unknown) > 0))
        .subquery()
    )
    now = _unresolved(Finding.status)
    then = case((flipped.c.unknown > 0, status_at(END).in_(UNRESOLVED)), else_=~now)
    moved = (
        select(*_keys(by_office), then.label("then"), now.label("now"))
        .select_from(flipped)
        .join(Finding, Finding.id == flipped.c.finding_id)
        .where(Finding.created_at < END, LIVE, *due, *_scope(scoped))
        .subquery()
    )
    keys = [moved.c.office_id] if by_office else []
    return select(*keys, _count_if(moved.c.then) - _count_if(moved.c.now)).group_by(*keys)


def _looked_up_correction(by_office: bool, scoped: bool, due: list[Any]) -> Select[Any]:
    """_late_correction_statement with each changed finding's status at P's end looked up."""
    changed = select(FindingEvent.finding_id).where(
        FindingEvent.at >= END,
        FindingEvent.to_status.is_not(None),
        FindingEvent.action != "created",  # a finding created since is not counted
    )
    moved = (
        select(
            *_keys(by_office),
            status_at(END).in_(UNRESOLVED).label("then"),
            Finding.status.in_(UNRESOLVED).label("now"),
        )
        .where(Finding.id.in_(changed), Finding.created_at < END, LIVE, *due, *_scope(scoped))
        .subquery()
    )
    keys = [moved.c.office_id] if by_office else []
    return select(*keys, _count_if(moved.c.then) - _count_if(moved.c.now)).group_by(*keys)


def _reopening() -> list[ColumnElement[bool]]:
    """An event that reopened a finding during P."""
    return [
        FindingEvent.action.in_(REOPENINGS),
        FindingEvent.at >= START,
        FindingEvent.at < END,
        FindingEvent.to_status == "open",
    ]


@cache
def _reopened_statement(by_office: bool, scoped: bool) -> Select[Any]:
    """Findings reopened during P, each once however often.

    For some offices: their findings, each asked whether it has such an event. For every
    office: the distinct findings of the reopening events (read from
    ix_finding_events_action_at alone), each then looked up by its key for its office (none
    when merged): a few hundred look-ups for a month, where a join would have PostgreSQL
    hash every finding.
    """
    if scoped:
        mine = FindingEvent.finding_id == Finding.id
        reopened = select(FindingEvent.id).where(mine, *_reopening()).exists()
        return (
            select(*_keys(by_office), func.count())
            .where(reopened, LIVE, *_scope(scoped))
            .group_by(*_keys(by_office))
        )
    reopenings = select(FindingEvent.finding_id).where(*_reopening()).distinct().subquery()
    office = (
        select(Finding.office_id)
        .where(Finding.id == reopenings.c.finding_id, LIVE)
        .correlate(reopenings)
        .scalar_subquery()
        .label("office_id")
    )
    # OFFSET 0, a fence: one look-up per finding, however often office_id is used below.
    found = select(office).select_from(reopenings).offset(0).subquery()
    keys = [found.c.office_id] if by_office else []
    return select(*keys, func.count()).where(found.c.office_id.is_not(None)).group_by(*keys)


@cache
def _median_statement(by_office: bool, scoped: bool, settled: bool) -> Select[Any]:
    """Median days from opening to the standing fix, over those opened in P and implemented
    or verified at P's end: the middle value, or the mean of the two middle ones."""
    return _median_of(_opened_in_p(by_office, scoped, settled, fixes=True), by_office)


def _median_of(rows: Any, by_office: bool) -> Select[Any]:
    """The median of _median_statement over `rows` (from _opened_in_p with fixes)."""
    keys = [rows.c.office_id] if by_office else []
    days = (
        select(*keys, DaysBetween(rows.c.fixed_at, rows.c.created_at).label("days"))
        .where(rows.c.status.in_(FIXED))
        .subquery()
    )
    part = [days.c.office_id] if by_office else []
    ranked = (
        select(
            *part,
            days.c.days,
            func.row_number().over(partition_by=part or None, order_by=days.c.days).label("rn"),
            func.count().over(partition_by=part or None).label("n"),
        )
        .where(days.c.days.is_not(None))
        .subquery()
    )
    keys = [ranked.c.office_id] if by_office else []
    middle = or_(ranked.c.rn == (ranked.c.n + 1) // 2, ranked.c.rn == (ranked.c.n + 2) // 2)
    return select(*keys, func.avg(ranked.c.days)).where(middle).group_by(*keys)


@cache
def _total_statement(scoped: bool, settled: bool, grouped: bool = True) -> Select[Any]:
    """Every figure of P over the offices in scope, in one statement (one round trip): the
    one-row statements above side by side. Columns: opened, implemented, verified,
    recurrences, overdue now, [the correction of overdue, unless settled], reopened, median.
    grouped: SQLite's forms of the overdue count and its correction (see _late_now_statement
    and _late_correction_statement)."""
    # The findings opened in P, with their status and fix at P's end, looked up once for
    # both the counts and the median (a CTE used twice is computed once).
    month = _opened_in_p(False, scoped, settled, fixes=True).element.cte("opened_in_p")
    parts = [
        _opened_counts(month, False),
        _late_now_statement(False, scoped, True, grouped),
        *([] if settled else [_late_correction_statement(False, scoped, True, not grouped)]),
        _reopened_statement(False, scoped),
        _median_of(month, False),
    ]
    first, *others = [part.subquery() for part in parts]
    joined: Any = first
    for other in others:  # each has one row: a join on nothing puts them side by side
        joined = joined.join(other, true())
    return select(*[c for sub in (first, *others) for c in sub.c]).select_from(joined)


def _total(params: dict[str, Any], settled: bool) -> Kpis:
    """The figures of P over the offices in scope (params "offices", or all)."""
    grouped = not _postgresql()
    statement = _total_statement("offices" in params, settled, grouped)
    row = list(db.session.execute(statement, params).one())
    opened, implemented, verified, recurrences, overdue = row[:5]
    corrected = 0 if settled else row[5]
    reopened, median = row[-2:]
    counts = {
        "opened": opened,
        "implemented": implemented,
        "verified": verified,
        "recurrences": recurrences,
        "overdue": int(overdue or 0) + int(corrected or 0),
        "reopened": reopened,
    }
    return combine(counts, _float(median))


def _run(statement: Select[Any], params: dict[str, Any], by_office: bool) -> dict[Key, Any]:
    """Rows by office id (grouped statement) or under None (one row)."""
    result = db.session.execute(statement, params)
    if by_office:
        return {row[0]: row[1:] for row in result}
    return {None: result.one()}


def _window(period: Period, today: date | None) -> Window:
    """P's instants (domain/kpis.window), today by default in UTC.

    Raises InvalidInput (field "period") for a period that has not begun: it has no figures,
    and counting today's backlog under its name would mislead."""
    day = today or today_utc()
    if period.start > day:
        problem = _l("This period has not begun yet: choose one that has.")
        raise InvalidInput(problem, {"period": [problem]})
    return window(period, day)


def _params(w: Window, office_ids: Collection[int] | None) -> dict[str, Any]:
    params: dict[str, Any] = {"start": w.start, "end": w.end, "as_of": w.as_of}
    if office_ids is not None:
        params["offices"] = list(office_ids)
    return params


SETTLED = select(FindingEvent.id).where(FindingEvent.at >= END).limit(1)


def _postgresql() -> bool:
    return db.session.get_bind().dialect.name == "postgresql"


def _settled(params: dict[str, Any]) -> bool:
    """Whether no finding has an event at or after P's end: then every status at P's end is
    the status now (always so for a period that ends today).

    First asked before every set of figures, so it also tells PostgreSQL to plan this
    transaction's statements for their own parameters: prepared after a few runs, a statement
    may otherwise be given one generic plan for every period, and for a month that plan costs
    about three times the one made for it (docs/performance.md).
    """
    if _postgresql():
        db.session.execute(text("SET LOCAL plan_cache_mode = force_custom_plan"))
    return db.session.execute(SETTLED, params).first() is None


def _late(params: dict[str, Any], by_office: bool, due_only: bool, settled: bool) -> dict[Key, int]:
    """Findings opened before P's end, open or in progress at its end (and due before as_of
    when due_only): those unresolved now, plus the changed ones unresolved then, minus the
    changed ones unresolved now (none changed when settled)."""
    scoped = "offices" in params
    statements = [_late_now_statement(by_office, scoped, due_only)]
    if not settled:
        statements.append(_late_correction_statement(by_office, scoped, due_only, _postgresql()))
    out: dict[Key, int] = {}
    for statement in statements:
        for key, (count,) in _run(statement, params, by_office).items():
            out[key] = out.get(key, 0) + int(count or 0)
    return out


def _gather(
    period: Period, office_ids: Collection[int] | None, by_office: bool, today: date | None
) -> dict[Key, Kpis]:
    """The figures of P by office id (by_office) or under None, from five or six queries."""
    params = _params(_window(period, today), office_ids)
    scoped, settled = office_ids is not None, _settled(params)
    counts: dict[Key, dict[str, int]] = {}
    opened = _run(_opened_statement(by_office, scoped, settled), params, by_office)
    for key, row in opened.items():
        names = ("opened", "implemented", "verified", "recurrences")
        counts.setdefault(key, {}).update(zip(names, row, strict=True))
    for key, overdue in _late(params, by_office, True, settled).items():
        counts.setdefault(key, {})["overdue"] = overdue
    for key, (reopened,) in _run(_reopened_statement(by_office, scoped), params, by_office).items():
        counts.setdefault(key, {})["reopened"] = reopened
    medians = _run(_median_statement(by_office, scoped, settled), params, by_office)
    return {
        key: combine(values, _float(medians.get(key, (None,))[0])) for key, values in counts.items()
    }


def _float(value: Any) -> float | None:
    return float(value) if value is not None else None


def period_kpis(
    period: Period, *, office_ids: Collection[int] | None = None, today: date | None = None
) -> Kpis:
    """The figures of period P over every office, or over the offices given (ids).

    today (UTC by default) cuts off a period that has not ended yet.
    """
    params = _params(_window(period, today), office_ids)
    return _total(params, _settled(params))


def kpis_by_office(
    period: Period, *, office_ids: Collection[int] | None = None, today: date | None = None
) -> dict[int, Kpis]:
    """The figures of period P by office id, for each office with something to count: a
    finding opened in P, reopened in P, or overdue at P's end (an office absent here has
    every figure 0)."""
    found = _gather(period, office_ids, True, today)
    return {key: kpis for key, kpis in found.items() if key is not None}


def all_time_kpis(*, office_ids: Collection[int] | None = None, today: date | None = None) -> Kpis:
    """The figures from the first finding to today."""
    day = today or today_utc()
    return period_kpis(all_time(day), office_ids=office_ids, today=day)


@dataclass(frozen=True)
class OfficeKpis:
    """One office's row of the programme table: its period figures and its all-time ones."""

    office: str  # code
    name: str  # in the reader's language
    period: Kpis
    all_time: Kpis


@dataclass(frozen=True)
class Programme:
    """The /programme page, the dashboard and the reports: overall and per office."""

    period: Period
    overall: Kpis
    all_time: Kpis
    rows: list[OfficeKpis]  # best share implemented in the period first, then by code

    @property
    def by_code(self) -> dict[str, OfficeKpis]:
        """The rows by office code (an office absent has nothing to count in the period)."""
        return {row.office: row for row in self.rows}


def programme(
    period: Period,
    locale: str,
    *,
    office_ids: Collection[int] | None = None,
    today: date | None = None,
    office_all_time: bool = True,
) -> Programme:
    """Overall and per-office figures for period P, with the all-time ones beside them
    (for each office too, unless office_all_time is False: then its all_time is empty)."""
    day = today or today_utc()
    ever = all_time(day)
    per_office = kpis_by_office(period, office_ids=office_ids, today=day)
    ever_by_office = (
        kpis_by_office(ever, office_ids=office_ids, today=day) if office_all_time else {}
    )
    offices = {o.id: o for o in db.session.scalars(select(Office))}
    rows = [
        OfficeKpis(
            offices[oid].code, offices[oid].name(locale), kpis, ever_by_office.get(oid, Kpis())
        )
        for oid, kpis in per_office.items()
    ]
    rows.sort(key=lambda r: (-(r.period.share_implemented or 0), r.office))
    return Programme(
        period=period,
        overall=period_kpis(period, office_ids=office_ids, today=day),
        all_time=period_kpis(ever, office_ids=office_ids, today=day),
        rows=rows,
    )


def most_unresolved(
    period: Period, limit: int = 10, *, today: date | None = None
) -> list[tuple[str, int, int]]:
    """The offices with the most findings open or in progress at P's end, most first (ties by
    code): (office code, open or in progress, of which overdue)."""
    params = _params(_window(period, today), None)
    settled = _settled(params)
    unresolved = _late(params, True, False, settled)
    overdue = _late(params, True, True, settled)
    codes = {oid: code for oid, code in db.session.execute(select(Office.id, Office.code))}
    found = [
        (codes[oid], count, overdue.get(oid, 0))
        for oid, count in unresolved.items()
        if oid is not None and count > 0
    ]
    found.sort(key=lambda row: (-row[1], row[0]))
    return found[:limit]
