"""Measure office figures and the ranking at national scale (1,000 offices, 100,000 visits).

    .venv/bin/python bench/office_figures.py [--postgres] [--offices N] [--visits M]

Prints timings (median and worst of repeated calls) and peak memory; results go to
docs/performance.md by hand. Not a test: timings depend on the machine.
"""

from __future__ import annotations

import argparse
import random
import resource
import sys
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.national import seeded_app, timed_ms  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--postgres", action="store_true", help="start a throw-away PostgreSQL")
    parser.add_argument("--offices", type=int, default=1000)
    parser.add_argument("--visits", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args()

    from sqlalchemy import select

    from survey.auth.models import User
    from survey.extensions import db
    from survey.offices.models import Office
    from survey.scores.services import office_figures, ranking

    with seeded_app(args.postgres, args.offices, args.visits) as (_app, _url, seeded):
        group = db.session.scalar(select(User).where(User.role == "project_group"))
        offices = list(db.session.scalars(select(Office)))
        rng = random.Random(1)
        year_ago = date.today() - timedelta(days=365)
        one = lambda: office_figures(group, rng.choice(offices), None, None)  # noqa: E731
        period = lambda: office_figures(group, rng.choice(offices), year_ago, date.today())  # noqa: E731
        rank = lambda: ranking(group, year_ago, date.today())  # noqa: E731
        print(
            f"database: {db.engine.dialect.name}; {args.offices} offices, "
            f"{args.visits} visits seeded in {seeded:.1f} s"
        )
        for name, fn in (
            ("office figures, all time", one),
            ("office figures, last 12 months", period),
            ("ranking of all offices, 12 months", rank),
        ):
            median, worst = timed_ms(fn, args.repeat)
            print(f"{name:<36} median {median:8.1f} ms   worst {worst:8.1f} ms")
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(f"peak memory of this process: {peak:.0f} MB")


if __name__ == "__main__":
    main()
