"""What a worker pays at start-up, and the heavy libraries it loads only on first use.

    .venv/bin/python bench/worker.py

Each case runs in a fresh interpreter: the app is made (create_app), then one heavy library
is imported, and the resident memory (VmRSS) and the time of that import are printed; then
the Student-t quantile is timed (the first call loads SciPy). Results go to
docs/performance.md and docs/architecture.md by hand. Not a test: figures depend on the
machine.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
HEAVY = ("scipy.special", "matplotlib.figure", "weasyprint", "openpyxl", "av", "zxcvbn")

PROBE = """
import importlib, json, sys, time
from pathlib import Path
import survey

def rss_mb():
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS"):
            return int(line.split()[1]) / 1024

survey.create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://"})
result = {"app_mb": rss_mb(), "loaded": [m for m in %(heavy)r if m in sys.modules]}
name = sys.argv[1]
if name == "t_quantile":
    from survey.domain import stats
    start = time.perf_counter()
    stats.t_quantile(0.975, 9)
    result["first_ms"] = (time.perf_counter() - start) * 1000
    start = time.perf_counter()
    for df in range(10, 10010):
        stats.t_quantile(0.975, df)
    result["call_us"] = (time.perf_counter() - start) * 1e6 / 10000
elif name != "-":
    start = time.perf_counter()
    importlib.import_module(name)
    result["import_ms"] = (time.perf_counter() - start) * 1000
result["after_mb"] = rss_mb()
print(json.dumps(result))
"""


def run(case: str) -> dict[str, object]:
    """One fresh interpreter: {"app_mb", "loaded", "after_mb", and the case's timing}."""
    code = PROBE % {"heavy": HEAVY}
    out = subprocess.run(
        [sys.executable, "-c", code, case], cwd=ROOT, capture_output=True, text=True, check=True
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    base = run("-")
    print(f"app made: {base['app_mb']:.0f} MB resident; heavy libraries loaded: {base['loaded']}")
    for name in HEAVY:
        found = run(name)
        grown = float(found["after_mb"]) - float(found["app_mb"])  # type: ignore[arg-type]
        print(f"{name:18} +{found['import_ms']:.0f} ms  +{grown:.0f} MB")
    t = run("t_quantile")
    first, call = t["first_ms"], t["call_us"]
    print(f"t quantile: first call {first:.0f} ms (loads SciPy), then {call:.1f} µs a call")


if __name__ == "__main__":
    main()
