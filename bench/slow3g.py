"""A fresh phone on slow 3G: how soon can the volunteer tap the first question of a section?

    .venv/bin/python bench/slow3g.py [--repeat 5] [--kbit 400] [--rtt 400]

Issue 15 sets the target: on an emulated slow 3G link (400 kbit/s each way, 400 ms round
trip, Chromium's DevTools network emulation), a phone with an empty cache and no service worker
can tap the first question of a section within 1.3 s of navigation.

How it is measured. The app runs under gunicorn on loopback, as `make run` serves it. A
volunteer signs in and starts a visit in one browser context; for each repeat, a *new* context
(empty cache, no open connection, service workers blocked) gets only the session cookie, the
emulation is switched on, and the section page is opened. In the page, a requestAnimationFrame
poll (rAF does not run while rendering is blocked, so nothing counts before the page can paint)
records when the first question's first answer control has a box on the first screen and the
first contentful paint has happened: that instant, in ms since navigation start, is the time
to tap. The bytes that crossed the link (all responses, as encoded on the wire) are summed.

Prints each repeat and the median. Only 127.0.0.1 is contacted.
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.e2e.conftest import CHROMIUM_ARGS, sign_in, start_visit  # noqa: E402
from tests.e2e.test_offline import Server  # noqa: E402

# When the first answer control is on the first screen and the page has painted: ms since
# navigation start, or false (polled each animation frame, which rendering gates).
TAPPABLE = """() => {
  const control = document.querySelector('main fieldset input, main fieldset textarea');
  const painted = performance.getEntriesByName('first-contentful-paint').length > 0;
  if (!control || !painted) return false;
  const box = control.getBoundingClientRect();
  if (box.height === 0 || box.bottom > innerHeight) return false;
  return performance.now();
}"""


def _one_visit(browser, cookies: list, section: str, args) -> tuple[float, int, float]:  # type: ignore[no-untyped-def]
    """One fresh phone opens the section: (ms to tap, bytes on the wire, ms to FCP)."""
    context = browser.new_context(
        viewport={"width": 360, "height": 740},
        device_scale_factor=2,
        is_mobile=True,
        has_touch=True,
        locale="kk-KZ",
        service_workers="block",
    )
    context.add_cookies(cookies)
    page = context.new_page()
    cdp = context.new_cdp_session(page)
    cdp.send("Network.enable")
    cdp.send("Network.setCacheDisabled", {"cacheDisabled": True})
    throughput = args.kbit * 1000 / 8
    cdp.send(
        "Network.emulateNetworkConditions",
        {
            "offline": False,
            "latency": args.rtt,
            "downloadThroughput": throughput,
            "uploadThroughput": throughput,
        },
    )
    wire: dict[str, int] = {}
    cdp.on(
        "Network.loadingFinished",
        lambda e: wire.__setitem__(e["requestId"], e["encodedDataLength"]),
    )
    page.goto(section, wait_until="commit")
    tap = page.wait_for_function(TAPPABLE, polling="raf", timeout=60_000).json_value()
    page.wait_for_load_state("load")
    fcp = page.evaluate("performance.getEntriesByName('first-contentful-paint')[0].startTime")
    time.sleep(0.2)  # the last loadingFinished events
    context.close()
    return float(tap), sum(wire.values()), float(fcp)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--kbit", type=int, default=400, help="link speed each way, kbit/s")
    parser.add_argument("--rtt", type=int, default=400, help="round trip added per request, ms")
    args = parser.parse_args()
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium is None:
        sys.exit("chromium is not installed (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    tmp = Path(tempfile.mkdtemp(prefix="adaldyq-slow3g-"))
    server = Server(tmp)
    server.prepare("slow@bench.kz")
    process = server.gunicorn()
    try:
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
            context = browser.new_context(
                viewport={"width": 360, "height": 740}, locale="kk-KZ", has_touch=True
            )
            page = context.new_page()
            sign_in(page, server.url, "slow@bench.kz")
            section = start_visit(page, server.url)
            cookies = context.cookies()
            context.close()
            results = [_one_visit(browser, cookies, section, args) for _ in range(args.repeat)]
            browser.close()
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait()
        shutil.rmtree(tmp, ignore_errors=True)
    print(f"link: {args.kbit} kbit/s each way, {args.rtt} ms round trip added per request")
    for tap, size, fcp in results:
        print(
            f"  tap first question {tap:7.0f} ms   first paint {fcp:7.0f} ms"
            f"   {size / 1024:5.1f} KB on the wire"
        )
    print(
        f"median: tap {statistics.median(r[0] for r in results):.0f} ms, "
        f"first paint {statistics.median(r[2] for r in results):.0f} ms, "
        f"{statistics.median(r[1] for r in results) / 1024:.1f} KB"
    )


if __name__ == "__main__":
    main()
