"""A whole visit in airplane mode: the server is stopped and the browser offline (its offline
switch alone does not cover service workers). Back online, it arrives exactly once."""

from __future__ import annotations

import hashlib
import json
import os
import random
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from PIL import Image

from tests.e2e.conftest import CHECKLIST, CHROMIUM_ARGS, NUMBER, PASSWORD, _chromium, axe_violations
from tests.media import makers

pytestmark = pytest.mark.e2e
SURVEY = str(Path(sys.executable).with_name("survey"))


class Server:
    """`survey run` in its own process, so it can be stopped and started again on one port."""

    def __init__(self, tmp: Path) -> None:
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            self.port = sock.getsockname()[1]
        self.env = {
            **os.environ,
            "SURVEY_DATABASE_URL": f"sqlite:///{tmp / 'offline.db'}",
            "SURVEY_MEDIA_ROOT": str(tmp / "media"),
            "SURVEY_SECRET_KEY": "offline-test",
        }
        self.process: subprocess.Popen[bytes] | None = None
        self.url = f"http://127.0.0.1:{self.port}"

    def prepare(self, email: str, role: str = "volunteer") -> str:
        """A migrated instance with the checklists, one office and one account; its token."""
        self.cli("db", "upgrade")
        self.cli("checklists", "load")
        offices = Path(self.env["SURVEY_MEDIA_ROOT"]).parent / "offices.csv"
        offices.write_text(
            "code,kind,country,city,name_kk,name_ru,name_en\n"
            "tr-istanbul-cg,consulate_general,TR,Istanbul,Стамбұл,Стамбул,Istanbul\n"
        )
        self.cli("offices", "import", str(offices))
        self.cli("users", "create", email, "--role", role, stdin=f"{PASSWORD}\n{PASSWORD}\n")
        return self.cli("users", "token", email).strip().splitlines()[-1]

    def cli(self, *args: str, stdin: str | None = None) -> str:
        done = subprocess.run(
            [SURVEY, *args], env=self.env, input=stdin, text=True, capture_output=True, check=True
        )
        return done.stdout

    def start(self) -> None:
        self.process = subprocess.Popen(
            [SURVEY, "run", "--port", str(self.port), "--no-reload", "--with-threads"],
            env=self.env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            try:
                urllib.request.urlopen(f"{self.url}/login", timeout=1)
                return
            except OSError:
                time.sleep(0.2)
        raise RuntimeError("server did not start")

    def gunicorn(self, workers: int = 2, threads: int = 4) -> subprocess.Popen[bytes]:
        """The app under gunicorn (gthread workers, warnings only), as `make run` serves it, on
        this port, in its own process group; returned once it accepts connections."""
        gunicorn = str(Path(sys.executable).with_name("gunicorn"))
        process = subprocess.Popen(
            [
                gunicorn,
                "-w",
                str(workers),
                "--worker-class",
                "gthread",
                "--threads",
                str(threads),
                "-b",
                f"127.0.0.1:{self.port}",
                "--log-level",
                "warning",
                "survey:create_app()",
            ],
            env=self.env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                return process
            except OSError:
                time.sleep(0.2)
        process.kill()
        raise RuntimeError("gunicorn did not start")

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(timeout=10)
            self.process = None


@pytest.fixture
def server(tmp_path):  # type: ignore[no-untyped-def]
    if _chromium() is None:
        pytest.skip("chromium is not installed")
    srv = Server(tmp_path)
    srv.token = srv.prepare("walker@offline.kz")
    srv.start()
    yield srv
    srv.stop()


def _answer(page) -> None:  # type: ignore[no-untyped-def]
    for fieldset in page.locator("fieldset.item").all():
        if fieldset.locator("input[type=radio]").count():
            fieldset.locator(".option label").first.click()
        elif fieldset.locator(NUMBER).count():
            fieldset.locator(NUMBER).fill("10")


def _phone(browser, profile: Path | None = None):  # type: ignore[no-untyped-def]
    """A 390 px phone; with a profile folder, one whose storage outlives closing the browser."""
    options = {
        "viewport": {"width": 390, "height": 844},
        "bypass_csp": True,
        "locale": "en-GB",
        "has_touch": True,
    }
    if profile is None:
        return browser.new_context(**options)
    return browser.browser_type.launch_persistent_context(
        str(profile), executable_path=_chromium(), args=CHROMIUM_ARGS, headless=True, **options
    )


def _sign_in(page, base: str) -> None:  # type: ignore[no-untyped-def]
    page.fill("#email", "walker@offline.kz")
    page.fill("#password", PASSWORD)
    page.locator("button.primary").click()
    page.wait_for_url(f"{base}/")


def _signed_in(context, base: str):  # type: ignore[no-untyped-def]
    page = context.new_page()
    page.goto(f"{base}/login")
    _sign_in(page, base)
    return page


def _start_visit(page, base: str) -> str:  # type: ignore[no-untyped-def]
    """Signed in and online: a new visit, on its first page; its uuid."""
    page.goto(f"{base}/visits/new")
    page.select_option("#office", "tr-istanbul-cg")
    page.select_option("#checklist", CHECKLIST)
    page.locator("button.primary").click()
    page.wait_for_url(re.compile(r"/visits/[0-9a-f-]{36}/sections/1$"))
    return re.search(r"/visits/([0-9a-f-]{36})/", page.url).group(1)


def _kept_on_the_phone(page) -> None:  # type: ignore[no-untyped-def]
    """Reload under the service worker, then wait until this page's kin are cached too."""
    page.wait_for_function("navigator.serviceWorker.ready.then(() => true)")
    page.reload()
    page.wait_for_selector("[data-precached]", state="attached", timeout=20000)


def _fill_every_section(page, total: int) -> None:  # type: ignore[no-untyped-def]
    for number in range(1, total + 1):
        _answer(page)
        page.locator("button[name=go][value=next]").click()
        following = rf"/sections/{number + 1}$" if number < total else r"/check$"
        page.wait_for_url(re.compile(following))


def _wait_until_all_sent(page, timeout: int = 30000) -> None:  # type: ignore[no-untyped-def]
    page.wait_for_function(
        "document.querySelector('[data-sync-text]') &&"
        " document.querySelector('[data-sync-text]').textContent === 'Everything is sent.'",
        timeout=timeout,
    )


def _back_online(browser, profile: Path, base: str) -> str:  # type: ignore[no-untyped-def]
    """The phone out of the pocket: the queue goes, after signing in again if need be; the
    receipts the sync box then shows for visits it sent for review."""
    context = _phone(browser, profile)
    page = context.new_page()
    page.goto(f"{base}/")
    if "/login" in page.url:  # the browser forgot the session: sign in and carry on
        _sign_in(page, base)
    _wait_until_all_sent(page)
    sent = page.locator("[data-sync-sent]")
    receipts = sent.inner_text() if sent.is_visible() else ""
    context.close()
    return receipts


def _api(server, path: str):  # type: ignore[no-untyped-def]
    request = urllib.request.Request(
        f"{server.url}/api/v1{path}", headers={"Authorization": f"Bearer {server.token}"}
    )
    with urllib.request.urlopen(request) as response:
        return json.loads(response.read())


def _stored_sha256(server, evidence_uuid: str) -> str:  # type: ignore[no-untyped-def]
    """The SHA-256 the server recorded for an evidence entry, read from its database file."""
    import sqlite3

    path = server.env["SURVEY_DATABASE_URL"].removeprefix("sqlite:///")
    with sqlite3.connect(path) as conn:
        row = conn.execute(
            "SELECT sha256 FROM evidence WHERE uuid = ?", (evidence_uuid,)
        ).fetchone()
    return str(row[0])


def _total(page) -> int:  # type: ignore[no-untyped-def]
    return int(re.search(r"(\d+)\D*$", page.locator(".step").inner_text()).group(1))


def _attach(page, photo: Path) -> None:  # type: ignore[no-untyped-def]
    page.locator("[data-evidence]").first.locator("input[type=file]").set_input_files(str(photo))
    page.wait_for_function("document.querySelector('[data-upload-state]').textContent.length > 0")


def _send_for_review(page) -> None:  # type: ignore[no-untyped-def]
    page.locator("form[data-queue-submit] button").click()
    page.wait_for_function("document.querySelector('[data-queue-state]').textContent.length > 0")


def test_a_visit_in_airplane_mode_arrives_once(browser, server, tmp_path):
    photo = tmp_path / "ramp.jpg"
    photo.write_bytes(makers.jpeg_with_secrets())
    profile = tmp_path / "profile"
    context = _phone(browser, profile)
    base = server.url
    page = _signed_in(context, base)
    uuid = _start_visit(page, base)
    # Only the first page was opened: the others and the check page are kept on the phone too.
    _kept_on_the_phone(page)
    total = _total(page)

    server.stop()
    context.set_offline(True)
    page.goto(f"{base}/visits/{uuid}/sections/1")
    _attach(page, photo)
    _fill_every_section(page, total)
    page.reload()  # still there without a connection
    _send_for_review(page)
    context.close()  # the phone goes back in the pocket

    server.start()
    receipts = _back_online(browser, profile, base)
    # A receipt from the queue when it syncs (issue 15): the reference and a link to the visit.
    assert f"reference {uuid[:8].upper()}" in receipts and "Open the visit" in receipts
    visit = _api(server, f"/visits/{uuid}")
    assert visit["status"] == "submitted"
    assert len(visit["evidence"]) == 1 and visit["evidence"][0]["item"]
    assert len(visit["answers"]) >= 30
    assert len(_api(server, "/visits")) == 1  # exactly once
    shutil.rmtree(profile, ignore_errors=True)


def _noisy_jpeg(path: Path) -> None:
    """A real photo of about 1.5 MB: six tus chunks of 256 KB."""
    noise = random.Random(3).randbytes(1200 * 900 * 3)
    Image.frombytes("RGB", (1200, 900), noise).save(path, "JPEG", quality=90)


def test_an_upload_cut_in_the_middle_resumes_from_the_servers_offset(browser, server, tmp_path):
    photo = tmp_path / "queue.jpg"
    _noisy_jpeg(photo)
    size = photo.stat().st_size
    context = _phone(browser)
    base = server.url
    page = _signed_in(context, base)
    uuid = _start_visit(page, base)

    server.stop()  # no signal in the building: the photo waits on the phone
    _attach(page, photo)
    assert page.locator("[data-thumbs] li").count() == 1

    seen: list[tuple[str, str, int]] = []  # (method, Upload-Offset sent or answered, status)

    def record(response) -> None:  # type: ignore[no-untyped-def]
        if "/api/v1/uploads" in response.url:
            request = response.request
            offset = request.headers.get("upload-offset") or response.headers.get("upload-offset")
            seen.append((request.method, offset, response.status))

    page.on("response", record)
    cut_off: list[str] = []
    page.on("requestfailed", lambda request: cut_off.append(request.method))
    cdp = context.new_cdp_session(page)
    cdp.send("Network.enable")
    cdp.send(  # a slow roaming uplink: about three seconds a chunk
        "Network.emulateNetworkConditions",
        {"offline": False, "latency": 50, "downloadThroughput": -1, "uploadThroughput": 90_000},
    )
    server.start()
    page.locator("[data-sync-now]").click()
    deadline = time.monotonic() + 60
    while not any(m == "PATCH" and s == 204 for m, _, s in seen):
        assert time.monotonic() < deadline, seen
        page.wait_for_timeout(100)
    page.wait_for_timeout(1200)  # well into the second chunk
    server.stop()  # the connection drops in the middle of the upload
    cut = len(seen)
    server.start()
    _wait_until_all_sent(page, timeout=90000)
    context.close()

    acknowledged = [int(offset) for m, offset, s in seen[:cut] if m == "PATCH" and s == 204]
    after = seen[cut:]
    assert "PATCH" in cut_off  # a chunk was on the wire when the server went
    assert [m for m, _, _ in seen].count("POST") == 1  # one upload, however often it is cut
    assert 0 < len(acknowledged) < 6  # part of it arrived before the cut
    resumed_at = 262144 * len(acknowledged)  # each acknowledged chunk moved the offset on
    heads = [offset for m, offset, _ in after if m == "HEAD"]
    assert heads and int(heads[0]) == resumed_at  # the server's offset after the cut
    patches = [int(offset) for m, offset, s in after if m == "PATCH" and s == 204]
    assert patches[0] == resumed_at and 0 not in patches  # never from zero again
    assert patches == list(range(resumed_at, size, 262144))

    evidence = _api(server, f"/visits/{uuid}")["evidence"]
    # The volunteer is not told the hash (issue 12): read what the server stored.
    stored = [_stored_sha256(server, e["uuid"]) for e in evidence]
    assert stored == [hashlib.sha256(photo.read_bytes()).hexdigest()]


def test_a_page_cached_before_its_answers_shows_them_offline_and_keeps_them(
    browser, server, tmp_path
):  # type: ignore[no-untyped-def]
    """The copy of a page in the cache predates the answers given on it online. Offline, the
    page must show those answers, and a change made there must not wipe them on the server."""
    context = _phone(browser)
    base = server.url
    page = _signed_in(context, base)
    uuid = _start_visit(page, base)
    _kept_on_the_phone(page)  # the service worker keeps this copy: no answers on it
    radios = page.locator("fieldset.item:has(input[type=radio])")
    radios.nth(0).locator(".option label").first.click()  # answered online, autosaved
    page.wait_for_selector("[data-save-state][data-kind=ok]")

    server.stop()
    context.set_offline(True)
    page.reload()  # the cached copy, older than the answer
    first = radios.nth(0).locator("input[type=radio]").first
    page.wait_for_function("(input) => input.checked", arg=first.element_handle())
    radios.nth(1).locator(".option label").first.click()  # a second answer, offline
    page.wait_for_selector("[data-save-state][data-kind=busy]")

    server.start()
    context.set_offline(False)
    page.goto(f"{base}/")
    _wait_until_all_sent(page)
    context.close()
    answers = _api(server, f"/visits/{uuid}")["answers"]
    given = [code for code, answer in answers.items() if answer.get("value") is not None]
    assert len(given) == 2, answers  # the online answer survived the offline change


def test_a_visit_started_in_airplane_mode_arrives_once(browser, server, tmp_path):
    """Nothing of this visit exists on the server until the phone is back online: it is
    started, filled, given a photo and sent from the phone alone."""
    photo = tmp_path / "queue.jpg"
    photo.write_bytes(makers.jpeg_with_secrets())
    profile = tmp_path / "profile-start"
    context = _phone(browser, profile)
    base = server.url
    page = _signed_in(context, base)
    page.goto(f"{base}/visits/new")  # at the hotel, with a connection, the day before
    _kept_on_the_phone(page)

    server.stop()
    context.set_offline(True)
    uuid = _start_visit(page, base)
    assert "Istanbul" in page.locator(".crumbs").inner_text()
    total = _total(page)
    _attach(page, photo)
    _fill_every_section(page, total)
    page.goto(f"{base}/")  # the start page kept on the phone knows nothing of this visit
    page.locator(f"[data-sync-started] a[href='/visits/{uuid}/sections/1']").click()
    page.wait_for_url(re.compile(r"/sections/1$"))
    page.goto(f"{base}/visits/{uuid}/check")
    _send_for_review(page)
    context.close()

    server.start()
    _back_online(browser, profile, base)
    visit = _api(server, f"/visits/{uuid}")
    assert visit["status"] == "submitted" and visit["office"] == "tr-istanbul-cg"
    assert len(visit["evidence"]) == 1 and visit["evidence"][0]["item"]
    assert len(visit["answers"]) >= 30
    assert [v["uuid"] for v in _api(server, "/visits")] == [uuid]  # exactly once
    shutil.rmtree(profile, ignore_errors=True)


def _refused_when_back_online(page, context, server, uuid: str):  # type: ignore[no-untyped-def]
    """Without a connection: "Send for review" on the check page; then back online on the start
    page, until the sync box lists what the server refused (its locator)."""
    page.goto(f"{server.url}/visits/{uuid}/check")
    _send_for_review(page)
    server.start()
    context.set_offline(False)
    page.goto(f"{server.url}/")
    refused = page.locator("[data-sync-refused]")
    refused.wait_for(state="visible", timeout=30000)
    return refused


def test_a_queued_visit_the_server_refuses_stays_and_says_where_to_fix_it(browser, server):
    """Sent for review offline with answers missing: back online the server says no (422).
    The phone keeps it, says so, links to the check page, and goes on trying."""
    context = _phone(browser)
    base = server.url
    page = _signed_in(context, base)
    uuid = _start_visit(page, base)
    _kept_on_the_phone(page)

    server.stop()
    context.set_offline(True)
    refused = _refused_when_back_online(page, context, server, uuid)
    assert refused.locator("a").get_attribute("href").endswith(f"/visits/{uuid}/check")
    assert "visits 1," in page.locator("[data-sync-text]").inner_text()  # still on the phone
    assert axe_violations(page) == []
    context.close()
    assert _api(server, f"/visits/{uuid}")["status"] == "draft"


def test_a_visit_is_not_sent_without_its_refused_answers_and_the_fix_goes_through(browser, server):
    """Found by the issue 15 review: "42,5" minutes typed offline was refused (422) on sync, yet
    the queued "Send for review" went anyway, so the visit went with the old value and the fix
    was then dropped without a word. Now the visit waits until the refused answer is fixed."""
    context = _phone(browser)
    base = server.url
    page = _signed_in(context, base)
    uuid = _start_visit(page, base)
    _kept_on_the_phone(page)
    total, minutes = _total(page), None
    for number in range(1, total + 1):  # everything answered online: 10 minutes
        if page.locator("#item-wait_minutes").count():
            minutes = page.url
        _answer(page)
        page.locator("button[name=go][value=next]").click()
        page.wait_for_url(re.compile(rf"/sections/{number + 1}$" if number < total else r"/check$"))
    assert minutes is not None

    server.stop()  # in the building: a correction, and "Send for review", without a connection
    context.set_offline(True)
    page.goto(minutes)  # the copy kept on the phone; it shows the answers last seen here
    page.wait_for_function("document.querySelector('#wait_minutes').value === '10'")
    page.fill("#wait_minutes", "42,5")
    page.locator("button[name=go][value=next]").click()
    page.wait_for_url(lambda url: url != minutes)
    refused = _refused_when_back_online(page, context, server, uuid)
    assert refused.locator("a").get_attribute("href") == minutes.removeprefix(base)
    page.wait_for_timeout(3000)  # the queue has tried everything it holds
    visit = _api(server, f"/visits/{uuid}")
    assert visit["status"] == "draft" and visit["answers"]["wait_minutes"]["value"] == 10
    assert page.locator("[data-sync-sent]").is_hidden()  # no receipt for a visit not sent

    refused.locator("a").click()  # where to fix it: what was typed is back in the box
    page.wait_for_url(minutes)
    page.wait_for_function("document.querySelector('#wait_minutes').value === '42,5'")
    page.fill("#wait_minutes", "42")
    page.locator("#wait_minutes").dispatch_event("change")
    page.wait_for_function(
        "document.querySelector('[data-save-state]').dataset.kind === 'ok'", timeout=15000
    )
    page.goto(f"{base}/")
    page.evaluate(
        "import('/assets/' + document.querySelector('script[src*=\"offline.js\"]')"
        ".src.split('/assets/')[1]).then((m) => m.flush())"
    )
    _wait_until_all_sent(page, timeout=60000)
    visit = _api(server, f"/visits/{uuid}")
    assert visit["status"] == "submitted" and visit["answers"]["wait_minutes"]["value"] == 42
    context.close()
