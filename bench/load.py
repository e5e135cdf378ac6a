"""Load: 50 phones submitting visits with a photo each, for 60 s, against gunicorn on loopback.

    .venv/bin/python bench/load.py [--postgres] [--phones 50] [--seconds 60]

Bounded in time and count; only 127.0.0.1 is contacted. Prints requests, errors and latency
percentiles; results go to docs/performance.md by hand.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import statistics
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.e2e.conftest import CHECKLIST_SLUG, CHECKLIST_VERSION  # noqa: E402
from tests.integration.test_crash import _multipart, _request  # noqa: E402
from tests.media import makers  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--postgres", action="store_true")
    parser.add_argument("--phones", type=int, default=50)
    parser.add_argument("--seconds", type=int, default=60)
    args = parser.parse_args()
    from tests.e2e.test_offline import Server

    tmp = Path(tempfile.mkdtemp(prefix="adaldyq-load-"))
    server = Server(tmp)
    pg = None
    if args.postgres:
        from tests.pgserver import PostgresServer

        pg = PostgresServer()
        pg.start()
        server.env["SURVEY_DATABASE_URL"] = pg.create_database("load")
    token = server.prepare("load@example.kz")
    process = server.gunicorn(workers=4, threads=8)
    photos = [
        makers.jpeg_with_secrets(size=(1600, 1200), colour=(i * 40, 90, 30)) for i in range(5)
    ]
    latencies: list[float] = []
    errors: list[int] = []
    lock = threading.Lock()
    deadline = time.monotonic() + args.seconds

    def phone(index: int) -> None:
        while time.monotonic() < deadline:
            body = {
                "uuid": str(uuid.uuid4()),
                "office": "tr-istanbul-cg",
                "checklist": {"slug": CHECKLIST_SLUG, "version": CHECKLIST_VERSION},
                "visited_at": "2026-03-05T10:00:00+03:00",
                "answers": {},
            }
            for method, path, payload, ctype in (
                ("POST", "/api/v1/visits", json.dumps(body).encode(), "application/json"),
                (
                    "POST",
                    f"/api/v1/visits/{body['uuid']}/evidence",
                    *_multipart(photos[index % len(photos)], str(uuid.uuid4())),
                ),
            ):
                start = time.perf_counter()
                try:  # a phone on a slow line waits; a minute is the limit here
                    status, _ = _request(server.port, method, path, token, payload, ctype, 60)
                except OSError:
                    status = 0
                elapsed = (time.perf_counter() - start) * 1000
                with lock:
                    latencies.append(elapsed)
                    if status not in (200, 201):
                        errors.append(status)
                if status not in (200, 201):
                    break  # no visit, no photo for it

    threads = [threading.Thread(target=phone, args=(i,)) for i in range(args.phones)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    os.killpg(process.pid, signal.SIGTERM)
    process.wait()
    if pg is not None:
        pg.stop()
    ordered = sorted(latencies)
    p95 = ordered[int(len(ordered) * 0.95) - 1] if ordered else float("nan")
    print(
        f"database {'postgresql' if args.postgres else 'sqlite'}: {args.phones} phones, "
        f"{args.seconds} s, {len(latencies)} requests ({len(latencies) / args.seconds:.1f}/s)"
    )
    print(f"errors: {len(errors)} {sorted(set(errors))}")
    if errors and (tmp / "server.log").exists():
        print("server log (end):", (tmp / "server.log").read_text()[-1500:])
    print(
        f"latency ms: median {statistics.median(ordered):.0f}, p95 {p95:.0f}, max {ordered[-1]:.0f}"
    )


if __name__ == "__main__":
    main()
