"""Reports at national scale: 1,000 offices, 100,000 approved visits (`survey demo` volume).

    .venv/bin/python bench/reports.py [--postgres] [--offices 1000] [--visits 100000]

Times GET /scores against one bare SQL GROUP BY over the stored visit scores on the same
database, the office page, the dashboard of a year, and visits.csv and summary.xlsx of every
visit (each with its process's peak memory).
Results go to docs/performance.md by hand.
"""

from __future__ import annotations

import argparse
import re
import resource
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.national import seeded_app, timed_ms  # noqa: E402


def _median_ms(fn, repeat: int) -> float:  # type: ignore[no-untyped-def]
    return timed_ms(fn, repeat)[0]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--postgres", action="store_true")
    parser.add_argument("--offices", type=int, default=1000)
    parser.add_argument("--visits", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=10)
    args = parser.parse_args()

    from sqlalchemy import select, text

    from survey.auth.models import User
    from survey.auth.services import issue_token
    from survey.extensions import db

    with seeded_app(args.postgres, args.offices, args.visits) as (app, url, _seeded):
        group = db.session.scalar(select(User).where(User.role == "project_group"))
        token = issue_token(group)
        db.session.commit()
        bare = (
            "SELECT office_id, count(score), avg(score) FROM visits "
            "WHERE status = 'approved' GROUP BY office_id"
        )
        sql_ms = _median_ms(lambda: db.session.execute(text(bare)).all(), args.repeat)
        client = app.test_client()
        headers = {"Authorization": f"Bearer {token}"}
        api_ms = _median_ms(lambda: client.get("/api/v1/scores", headers=headers), args.repeat)
        page = client.get("/login")
        csrf = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page.text).group(1)
        client.post(
            "/login",
            data={
                "email": "group@demo.adaldyq.kz",
                "password": "adaldyq-demo-2026",
                "csrf_token": csrf,
            },
        )
        office_ms = _median_ms(lambda: client.get("/offices/demo-0500"), args.repeat)
        db.session.commit()  # end this process's transaction: SQLite has one writer lock
        size, csv_s, peak = _fresh_process("--csv-only", url, token)
        book_size, book_s, book_peak = _fresh_process("--xlsx-only", url, token)
        board_ms = _median_ms(lambda: client.get("/dashboard?kind=year&value=2026"), 3)
        print(f"database {url.split(':')[0]}: {args.offices} offices, {args.visits} visits")
        print(f"bare SQL GROUP BY office         median {sql_ms:8.1f} ms")
        print(
            f"GET /api/v1/scores (1,000 rows)  median {api_ms:8.1f} ms  ratio {api_ms / sql_ms:.2f}"
        )
        print(f"office page /offices/<code>      median {office_ms:8.1f} ms")
        print(
            f"visits.csv: {size / 1e6:.1f} MB in {csv_s:.1f} s; "
            f"peak memory of the process {peak:.0f} MB"
        )
        print(
            f"summary.xlsx: {book_size / 1e6:.1f} MB in {book_s:.1f} s; "
            f"peak memory of the process {book_peak:.0f} MB"
        )
        print(f"dashboard of a year (chart, {args.offices} rows) median {board_ms:8.1f} ms")


def _fresh_process(mode: str, url: str, token: str) -> tuple[float, float, float]:
    """(bytes, seconds, peak MB) of one export run by export_only in a new process."""
    import subprocess

    done = subprocess.run(
        [sys.executable, __file__, mode, url, token], capture_output=True, text=True, check=True
    )
    size, seconds, peak = (float(v) for v in done.stdout.split())
    return size, seconds, peak


def export_only(url: str, token: str, what: str = "visits.csv") -> None:
    """In a fresh process, so its peak memory is the export's alone: bytes, seconds, MB."""
    from survey import create_app

    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench"})
    client = app.test_client()
    start = time.perf_counter()
    response = client.get(f"/api/v1/exports/{what}", headers={"Authorization": f"Bearer {token}"})
    size = sum(len(chunk) for chunk in response.response)
    elapsed = time.perf_counter() - start
    print(size, elapsed, _peak_mb())


def _peak_mb() -> float:
    """This process's peak resident memory (VmHWM). Not getrusage's ru_maxrss: Linux keeps
    that across fork and exec, so a child would report its parent's peak."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "--csv-only":
        export_only(sys.argv[2], sys.argv[3])
    elif len(sys.argv) == 4 and sys.argv[1] == "--xlsx-only":
        export_only(sys.argv[2], sys.argv[3], "summary.xlsx")
    else:
        main()
