"""The recommendation KPIs at national scale: 1,000 offices, 100,000 approved visits.

    .venv/bin/python bench/kpis.py [--postgres] [--offices 1000] [--visits 100000]

Times the KPI service (survey/findings/kpis.py) for the last complete month, the target of
issue 13 ("the programme KPIs for a month ≤ 2× a bare GROUP BY over the findings table"),
against `SELECT status, COUNT(*) FROM findings GROUP BY status` on the same database; then
older months, a quarter, a year, all time, all 1,000 offices at once, GET /api/v1/kpis and the
/programme page. Each figure is the median (and worst) of repeated calls, after one warm-up
call. On PostgreSQL the tables are analysed first (VACUUM ANALYZE), as autovacuum would after
a bulk load; SQLite is measured as the app leaves it, without ANALYZE. Results go to
docs/performance.md by hand. Not a test: timings depend on the machine.
"""

from __future__ import annotations

import argparse
import re
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.national import seeded_app, timed_ms  # noqa: E402

BARE = "SELECT status, COUNT(*) FROM findings GROUP BY status"


def _analyse(db: Any) -> None:
    """PostgreSQL: statistics and the visibility map, as autovacuum leaves them."""
    if db.engine.dialect.name != "postgresql":
        return
    with db.engine.connect() as conn:
        conn.execution_options(isolation_level="AUTOCOMMIT").exec_driver_sql("VACUUM ANALYZE")


def _signed_in(app: Any) -> Any:
    client = app.test_client()
    page = client.get("/login")
    csrf = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page.text).group(1)
    login = {"email": "group@demo.adaldyq.kz", "password": "adaldyq-demo-2026"}
    client.post("/login", data={**login, "csrf_token": csrf})
    return client


def _line(name: str, fn: Callable[[], Any], repeat: int, bare: float | None = None) -> float:
    fn()  # warm-up: statement compilation, caches
    median, worst = timed_ms(fn, repeat)
    ratio = f"   {median / bare:5.2f}× bare" if bare else ""
    print(f"{name:<60} median {median:8.1f} ms   worst {worst:8.1f} ms{ratio}")
    return median


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--postgres", action="store_true", help="start a throw-away PostgreSQL")
    parser.add_argument("--offices", type=int, default=1000)
    parser.add_argument("--visits", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args()

    from sqlalchemy import func, select, text

    from survey.auth.models import User
    from survey.auth.services import issue_token
    from survey.domain import periods
    from survey.extensions import db
    from survey.findings.kpis import all_time_kpis, kpis_by_office, period_kpis, today_utc
    from survey.findings.models import Finding, FindingEvent
    from survey.findings.programme import last_complete_month
    from survey.offices.models import Office

    with seeded_app(args.postgres, args.offices, args.visits) as (app, _url, seeded):
        _analyse(db)
        group = db.session.scalar(select(User).where(User.role == "project_group"))
        token = issue_token(group)
        db.session.commit()
        findings = db.session.scalar(select(func.count(Finding.id)))
        events = db.session.scalar(select(func.count(FindingEvent.id)))
        print(
            f"database: {db.engine.dialect.name}; {args.offices} offices, {args.visits} visits "
            f"seeded in {seeded:.0f} s; {findings} findings, {events} finding events"
        )
        today = today_utc()
        month = last_complete_month(today)
        older = month
        for _ in range(5):
            older = older.previous()
        quarter = periods.completed_quarters(today, None)[0]
        repeat = args.repeat
        bare = _line(BARE, lambda: db.session.execute(text(BARE)).all(), repeat)
        code = periods.code(month)
        name = f"KPIs for the last complete month ({code})"
        _line(name, lambda: period_kpis(month), repeat, bare)
        _line(
            f"KPIs for a month six months back ({periods.code(older)})",
            lambda: period_kpis(older),
            repeat,
            bare,
        )
        name = f"KPIs for a quarter ({periods.code(quarter)})"
        _line(name, lambda: period_kpis(quarter), 5, bare)
        year = periods.year(today.year)
        _line(f"KPIs for a year ({today.year}, so far)", lambda: period_kpis(year), 5, bare)
        _line("KPIs for all time", all_time_kpis, 5, bare)
        _line(f"KPIs of all {args.offices} offices, {code}", lambda: kpis_by_office(month), 5, bare)
        one = [db.session.scalar(select(Office.id).order_by(Office.code).offset(args.offices // 2))]
        _line(
            f"KPIs of one office, {code} and all time (office page)",
            lambda: (period_kpis(month, office_ids=one), all_time_kpis(office_ids=one)),
            repeat,
        )
        client = app.test_client()
        headers = {"Authorization": f"Bearer {token}"}
        url = f"/api/v1/kpis?period={code}"
        _line(f"GET {url}", lambda: client.get(url, headers=headers), repeat, bare)
        _line(f"GET {url}&all_time=1", lambda: client.get(f"{url}&all_time=1", headers=headers), 5)
        db.session.commit()  # SQLite has one writer lock: end this process's transaction
        browser = _signed_in(app)
        page = f"/programme?kind=month&value={code}"
        _line(f"GET {page} (every office, and all time)", lambda: browser.get(page), 5)


if __name__ == "__main__":
    main()
