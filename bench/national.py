"""The shared set-up of the national-scale benchmarks: a seeded database, SQLite or PostgreSQL."""

from __future__ import annotations

import statistics
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]


@contextmanager
def seeded_app(postgres: bool, offices: int, visits: int) -> Iterator[tuple[Any, str, float]]:
    """(app with its context pushed, database URL, seconds the seeding took); cleaned up after."""
    from flask_migrate import upgrade

    from survey import create_app
    from survey.checklists.services import load_paths
    from survey.demo.services import seed_demo

    tmp = Path(tempfile.mkdtemp(prefix="adaldyq-bench-"))
    server = None
    if postgres:
        from tests.pgserver import PostgresServer

        server = PostgresServer()
        server.start()
        url = server.create_database("bench")
    else:
        url = f"sqlite:///{tmp / 'bench.db'}"
    app = create_app(
        {"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench", "MEDIA_ROOT": str(tmp / "media")}
    )
    try:
        with app.app_context():
            upgrade()
            load_paths([ROOT / "checklists"])
            start = time.perf_counter()
            seed_demo(n_offices=offices, n_visits=visits, seed=1)
            yield app, url, time.perf_counter() - start
    finally:
        if server is not None:
            server.stop()


def timed_ms(fn: Callable[[], Any], repeat: int) -> tuple[float, float]:
    """Median and worst of repeated calls, in milliseconds."""
    runs = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        runs.append((time.perf_counter() - start) * 1000)
    return statistics.median(runs), max(runs)
