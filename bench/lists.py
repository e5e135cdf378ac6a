"""Lists at national scale (issue 13): 1,000 offices, 100,000 approved visits.

    .venv/bin/python bench/lists.py [--postgres] [--offices 1000] [--visits 100000]

Times the first page of findings (50 rows) through the API (`GET /api/v1/findings?limit=50`)
and the page (`GET /findings`, signed in as the project group), unfiltered and with each
filter alone, then the 1,000th page; and the first, 1,000th and 2,000th page of visits.
Each request goes through the whole app (routing, auth, SQL, JSON or HTML). Prints the
median and worst of repeated requests, and how many SQL statements one request ran. On
PostgreSQL the database is vacuumed and analysed after seeding, as autovacuum would do
(`--no-analyze` measures before that).
Results go to docs/performance.md by hand ("Lists"). Not a test: timings depend on the
machine.
"""

from __future__ import annotations

import argparse
import re
import sys
from datetime import date, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.national import seeded_app, timed_ms  # noqa: E402

TARGET_MS = 200.0


def _filters() -> list[tuple[str, str]]:
    """(label, query string): no filter, then each filter of DESIGN §9 alone."""
    last_month = date.today().replace(day=1) - timedelta(days=1)
    return [
        ("no filter", ""),
        ("q (office name, Russian)", "q=Стамбуле"),
        ("office", "office=demo-0500"),
        ("country", "country=TR"),
        ("section", "section=accessibility"),
        ("item", "item=ramp"),
        ("status", "status=open"),
        ("severity", "severity=critical"),
        ("overdue", "overdue=1"),
        ("period (last month)", f"period={last_month:%Y-%m}"),
        ("sort=-status", "sort=-status"),
        ("sort=office", "sort=office"),
    ]


def _statements(app: Any) -> list[int]:
    """A counter of SQL statements, read and reset by the caller."""
    from sqlalchemy import event

    from survey.extensions import db

    seen = [0]

    def count(*_args: Any) -> None:
        seen[0] += 1

    with app.app_context():
        event.listen(db.engine, "before_cursor_execute", count)
    return seen


def _measure(
    label: str, fn: Any, repeat: int, seen: list[int], rows: list[tuple[str, float, float, int]]
) -> None:
    fn()  # once to warm the caches of this query shape
    seen[0] = 0
    fn()
    statements = seen[0]
    median, worst = timed_ms(fn, repeat)
    rows.append((label, median, worst, statements))
    mark = "" if median < TARGET_MS else "   OVER 200 ms"
    print(f"{label:<52} median {median:7.1f} ms  worst {worst:7.1f} ms  {statements:3d} SQL{mark}")


def _whole(client: Any, path: str, headers: dict[str, str]) -> None:
    """A whole list (no `limit`, DESIGN §7), read as a client would, chunk by chunk: seconds,
    bytes, rows and the peak of Python's allocations while it is written (tracemalloc)."""
    import time
    import tracemalloc

    tracemalloc.start()
    start = time.perf_counter()
    resp = client.get(path, headers=headers, buffered=False)
    size, last = 0, b""
    for chunk in resp.response:  # written and dropped, as a socket would
        size += len(chunk)
        last = chunk
    seconds = time.perf_counter() - start
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert resp.status_code == 200 and last.endswith(b"]"), (path, resp.status_code)
    print(
        f"whole {path}: {resp.headers['X-Total-Count']} rows, {size / 1e6:.1f} MB in "
        f"{seconds:.1f} s, peak of Python allocations while writing {peak / 1e6:.1f} MB"
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--postgres", action="store_true", help="start a throw-away PostgreSQL")
    parser.add_argument("--offices", type=int, default=1000)
    parser.add_argument("--visits", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=10)
    parser.add_argument(
        "--whole-only", action="store_true", help="only the whole lists (no limit): time, memory"
    )
    parser.add_argument(
        "--no-analyze", action="store_true", help="PostgreSQL: measure before VACUUM ANALYZE"
    )
    args = parser.parse_args()

    from sqlalchemy import func, select, text

    from survey.auth.models import User
    from survey.auth.services import issue_token
    from survey.extensions import db
    from survey.findings.models import Finding

    with seeded_app(args.postgres, args.offices, args.visits) as (app, url, seeded):
        if args.postgres and not args.no_analyze:
            # What autovacuum does within minutes of a bulk load: statistics and the
            # visibility map (index-only scans). Without them the planner guesses.
            db.session.commit()
            with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                conn.execute(text("VACUUM ANALYZE"))
        group = db.session.scalar(select(User).where(User.role == "project_group"))
        token = issue_token(group)
        findings = db.session.scalar(
            select(func.count()).select_from(Finding).where(Finding.merged_into_id.is_(None))
        )
        db.session.commit()
        print(
            f"database {url.split(':')[0]}: {args.offices} offices, {args.visits} visits "
            f"(seeded in {seeded:.0f} s), {findings} findings"
        )
        api = app.test_client()
        headers = {"Authorization": f"Bearer {token}"}
        browser = app.test_client()
        login = browser.get("/login")
        csrf = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', login.text).group(1)  # type: ignore[union-attr]
        browser.post(
            "/login",
            data={
                "email": "group@demo.adaldyq.kz",
                "password": "adaldyq-demo-2026",
                "csrf_token": csrf,
            },
        )
        for path in ("/api/v1/findings", "/api/v1/visits"):
            _whole(api, path, headers)
        if args.whole_only:
            return
        seen = _statements(app)
        rows: list[tuple[str, float, float, int]] = []

        def get(client: Any, path: str, **kw: Any) -> Any:
            def call() -> None:
                resp = client.get(path, **kw)
                assert resp.status_code == 200, (path, resp.status_code, resp.text[:300])

            return call

        for label, query in _filters():
            sep = f"&{query}" if query else ""
            _measure(
                f"findings API, first page, {label}",
                get(api, f"/api/v1/findings?limit=50{sep}", headers=headers),
                args.repeat,
                seen,
                rows,
            )
            _measure(
                f"findings page, first page, {label}",
                get(browser, f"/findings?{query}"),
                args.repeat,
                seen,
                rows,
            )
        deep = 999 * 50
        if findings > deep:
            _measure(
                "findings API, 1,000th page (offset 49,950)",
                get(api, f"/api/v1/findings?limit=50&offset={deep}", headers=headers),
                args.repeat,
                seen,
                rows,
            )
            _measure(
                "findings page, 1,000th page (?page=1000)",
                get(browser, "/findings?page=1000"),
                args.repeat,
                seen,
                rows,
            )
        for label, offset in (("first", 0), ("1,000th", 49_950), ("2,000th", 99_950)):
            _measure(
                f"visits API, {label} page",
                get(api, f"/api/v1/visits?limit=50&offset={offset}", headers=headers),
                args.repeat,
                seen,
                rows,
            )
        _measure(
            "visits page, 1,000th page (all statuses)",
            get(browser, "/visits?status=all&page=1000"),
            args.repeat,
            seen,
            rows,
        )
        first = [r for r in rows if "first page" in r[0] and "findings" in r[0]]
        worst = max(first, key=lambda r: r[1])
        print(
            f"slowest first page of findings: {worst[0]}: median {worst[1]:.1f} ms "
            f"(target < {TARGET_MS:.0f} ms)"
        )


if __name__ == "__main__":
    main()
