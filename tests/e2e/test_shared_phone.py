"""One phone, two volunteers: what the service worker and IndexedDB keep belongs to one account.

After a sign-out, the next account never sees the last one's pages, answers or files, online or
offline; an account's unsent queue waits for that account alone; and signing out with unsent
items asks first (issue 12, item 4)."""

from __future__ import annotations

import re
import shutil
import sqlite3
import time

import pytest

from tests.e2e.conftest import PASSWORD, _chromium, axe_violations, new_phone, sign_in, sign_out
from tests.e2e.test_offline import (
    Server,
    _api,
    _attach,
    _kept_on_the_phone,
    _phone,
    _start_visit,
    _wait_until_all_sent,
)
from tests.media import makers

pytestmark = pytest.mark.e2e
A = "amina@shared.kz"
B = "bolat@shared.kz"
REMARK = "Only Amina wrote this remark about the queue"
LATER = "A second remark Amina chose to remove"

# Everything this origin keeps, in every cache and every IndexedDB database: where each mark is.
LEFTOVERS = """async (marks) => {
  const hits = [];
  const look = (where, text) =>
    marks.forEach((mark) => text.includes(mark) && hits.push([where, mark]));
  for (const name of await caches.keys()) {
    const cache = await caches.open(name);
    for (const request of await cache.keys()) {
      look(`cache ${name}`, request.url + (await (await cache.match(request)).text()));
    }
  }
  for (const { name } of await indexedDB.databases()) {
    const db = await new Promise((ok, no) => {
      const opening = indexedDB.open(name);
      opening.onsuccess = () => ok(opening.result);
      opening.onerror = () => no(opening.error);
    });
    for (const store of Array.from(db.objectStoreNames)) {
      const rows = await new Promise((ok) => {
        const all = db.transaction(store).objectStore(store).getAll();
        all.onsuccess = () => ok(all.result);
      });
      look(`${name}/${store}`, JSON.stringify(rows));
    }
    db.close();
  }
  return hits;
}"""


@pytest.fixture
def pair(tmp_path):  # type: ignore[no-untyped-def]
    """`survey run` with two volunteers; the API token is A's."""
    if _chromium() is None:
        pytest.skip("chromium is not installed")
    srv = Server(tmp_path)
    srv.token = srv.prepare(A)
    srv.cli("users", "create", B, "--role", "volunteer", stdin=f"{PASSWORD}\n{PASSWORD}\n")
    srv.start()
    yield srv
    srv.stop()


def _sign_out(page) -> None:  # type: ignore[no-untyped-def]
    sign_out(page)
    page.wait_for_url(re.compile(r"/login"), timeout=30000)


def _code(page) -> str:  # type: ignore[no-untyped-def]
    """The volunteer's pseudonym, as the start page shows it."""
    return re.search(r"V-[2-9A-Z]{4}", page.locator("main").inner_text()).group(0)


def _comment(page, text: str, option: int = 0) -> None:  # type: ignore[no-untyped-def]
    """A comment on the first yes/no item, then an answer to it: autosave goes at once."""
    item = page.locator("fieldset.item:has(input[type=radio])").first
    if not item.locator("details.comment").evaluate("(d) => d.open"):
        item.locator("details.comment summary").click()
    item.locator("details.comment textarea").fill(text)
    item.locator(".option label").nth(option).click()


def _waiting(page, what: str = "visits 1, files 0") -> None:  # type: ignore[no-untyped-def]
    page.wait_for_function(
        "(what) => (document.querySelector('[data-sync-text]') || {}).textContent"
        " === `Waiting to upload: ${what}.`",
        arg=what,
        timeout=15000,
    )


def _kept(page, marks: list[str]) -> list[list[str]]:  # type: ignore[no-untyped-def]
    return page.evaluate(LEFTOVERS, marks)


def _shows_none_of(page, marks: list[str]) -> None:  # type: ignore[no-untyped-def]
    html = page.content()
    assert [mark for mark in marks if mark in html] == [], page.url


def _no_connection(page, url: str, deadline: float = 10) -> None:  # type: ignore[no-untyped-def]
    """Offline, the page is the "No connection" one (the service worker may still be busy
    forgetting the last account for a moment after its sign-out)."""
    until = time.monotonic() + deadline
    while True:
        page.goto(url)
        if page.locator("h1").inner_text() == "No connection" or time.monotonic() > until:
            break
        page.wait_for_timeout(250)
    assert page.locator("h1").inner_text() == "No connection", url


def test_after_signing_out_the_next_account_sees_nothing_of_the_last(browser, pair, tmp_path):
    profile = tmp_path / "shared-phone"
    context = _phone(browser, profile)
    base = pair.url
    page = context.new_page()
    sign_in(page, base, A)
    code = _code(page)
    uuid = _start_visit(page, base)
    _kept_on_the_phone(page)
    _comment(page, REMARK)
    page.wait_for_selector("[data-save-state][data-kind=ok]")
    for path in (f"/visits/{uuid}/sections/1", f"/visits/{uuid}/check", "/"):
        page.goto(f"{base}{path}")  # the last copy of each, with the remark and the code on it
    marks = [code, REMARK, uuid]
    assert _kept(page, marks), "nothing of A was kept on the phone: this test proves nothing"
    namespace = page.get_attribute("html", "data-account")

    _sign_out(page)  # the button, with JavaScript: nothing waits, so everything of A goes
    assert _kept(page, marks) == []
    assert namespace and re.fullmatch(r"[0-9a-f]{16}", namespace)
    caches = page.evaluate("caches.keys()")
    assert f"adaldyq-pages-{namespace}" not in caches and "adaldyq-pages-v1" not in caches
    assert f"adaldyq-{namespace}" not in page.evaluate(
        "indexedDB.databases().then((all) => all.map((db) => db.name))"
    )

    sign_in(page, base, B)
    assert _code(page) != code
    assert page.get_attribute("html", "data-account") not in (None, namespace)
    _wait_until_all_sent(page)  # B's page ran its scripts: B's own queue, empty
    page.goto(f"{base}/visits/new")  # a page of B's, kept on the phone

    pair.stop()  # no connection: what would the service worker show B?
    for page_of_a in ("sections/1", "sections/2", "check"):
        _no_connection(page, f"{base}/visits/{uuid}/{page_of_a}", deadline=0)
        _shows_none_of(page, marks)
    page.goto(f"{base}/")
    _shows_none_of(page, marks)
    page.goto(f"{base}/visits/new")
    assert page.locator("h1").inner_text() != "No connection"  # B's own page still works
    assert _kept(page, marks) == []
    context.close()
    shutil.rmtree(profile, ignore_errors=True)


def test_a_session_ended_without_the_button_keeps_its_queue_for_that_account(
    browser, pair, tmp_path
):  # type: ignore[no-untyped-def]
    profile = tmp_path / "shared-phone"
    context = _phone(browser, profile)
    base = pair.url
    page = context.new_page()
    sign_in(page, base, A)
    code = _code(page)
    uuid = _start_visit(page, base)
    section = page.url
    _kept_on_the_phone(page)
    namespace = page.get_attribute("html", "data-account")
    marks = [code, REMARK, uuid]

    pair.stop()  # in the building: the answers wait on the phone
    page.goto(section)
    _comment(page, REMARK)
    _waiting(page)
    # The form posted without the page's check (as without JavaScript). The server cannot be
    # reached, so the session also ends the other way: the browser forgets its cookie.
    page.evaluate("HTMLFormElement.prototype.submit.call(document.querySelector('form.signout'))")
    page.wait_for_timeout(500)
    context.clear_cookies()
    _no_connection(page, section)  # the service worker saw the sign-out
    assert namespace
    kept = _kept(page, marks)
    assert {where for where, _ in kept} == {f"adaldyq-{namespace}/answers"}, kept
    context.close()  # and the phone restarts

    context = _phone(browser, profile)
    page = context.new_page()
    _no_connection(page, section, deadline=0)
    _no_connection(page, f"{base}/", deadline=0)  # not A's start page either
    pair.start()
    sent: list[str] = []  # POSTs about A's visit, from whichever page
    page.on("request", lambda r: r.method == "POST" and uuid in r.url and sent.append(r.url))
    sign_in(page, base, B)
    _wait_until_all_sent(page)  # B's namespace: nothing waits, no link to A's visit
    assert page.locator("[data-sync-started]").is_hidden()
    _shows_none_of(page, marks)
    page.goto(f"{base}/visits/new")
    pair.stop()
    for url in (section, f"{base}/visits/{uuid}/check"):
        _no_connection(page, url, deadline=0)
        _shows_none_of(page, marks)
    pair.start()
    page.goto(f"{base}/")
    _sign_out(page)
    assert sent == []  # B's queue never carried A's answers

    sign_in(page, base, A)  # A again, on the same phone: A's queue goes, once
    _wait_until_all_sent(page)
    assert sent == [section]
    answers = _api(pair, f"/visits/{uuid}")["answers"]
    assert [a["comment"] for a in answers.values() if a["comment"]] == [REMARK]
    assert len(_api(pair, "/visits")) == 1
    context.close()
    shutil.rmtree(profile, ignore_errors=True)


def test_signing_out_with_unsent_items_asks_first(browser, pair, tmp_path):
    photo = tmp_path / "desk.jpg"
    photo.write_bytes(makers.jpeg_with_secrets())
    context = _phone(browser)
    base = pair.url
    page = context.new_page()
    sign_in(page, base, A)
    uuid = _start_visit(page, base)
    section = page.url
    _kept_on_the_phone(page)

    pair.stop()
    _comment(page, REMARK)
    _attach(page, photo)
    _waiting(page, "visits 1, files 1")
    pair.start()  # nothing is sent until a page loads or someone asks

    page.set_viewport_size({"width": 360, "height": 740})
    sign_out(page)
    panel = page.locator("[data-leave]")
    panel.wait_for(state="visible")
    assert "Not sent yet: visits 1, files 1." in panel.inner_text()
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    box = panel.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= 360
    assert axe_violations(page) == []

    panel.get_by_role("button", name="Cancel").click()  # nothing changes
    panel.wait_for(state="hidden")
    assert page.url == section and page.locator("form.signout").count() == 1
    _waiting(page, "visits 1, files 1")
    assert len(_kept(page, [REMARK])) >= 1

    sign_out(page)
    panel.get_by_role("button", name="Send now").click()  # sent, then signed out
    page.wait_for_url(re.compile(r"/login"), timeout=60000)
    visit = _api(pair, f"/visits/{uuid}")
    assert [a["comment"] for a in visit["answers"].values() if a["comment"]] == [REMARK]
    assert len(visit["evidence"]) == 1
    assert _kept(page, [REMARK, uuid]) == []

    sign_in(page, base, A)
    page.goto(section)
    pair.stop()
    _comment(page, LATER, option=1)
    _waiting(page)
    pair.start()
    sign_out(page)
    panel.wait_for(state="visible")
    assert "Not sent yet: visits 1, files 0." in panel.inner_text()
    panel.get_by_role("button", name="Remove anyway").click()
    page.wait_for_url(re.compile(r"/login"), timeout=30000)
    assert _kept(page, [LATER, REMARK, uuid]) == []
    comments = [a["comment"] for a in _api(pair, f"/visits/{uuid}")["answers"].values()]
    assert LATER not in comments
    context.close()


# What version 1 left on a phone: an unsent answer in its one database, a page in its one cache.
VERSION_1 = """async ([key, visit, remark]) => {
  const form = document.querySelector("form[data-autosave]");
  const item = form.querySelector("fieldset.item:has(input[type=radio])");
  item.querySelector("textarea").value = remark;
  item.querySelector("input[type=radio]").checked = true;
  const entries = Array.from(new FormData(form).entries()).filter(([, v]) => typeof v === "string");
  const db = await new Promise((ok, no) => {
    const opening = indexedDB.open("adaldyq", 3);
    opening.onupgradeneeded = () => ["answers", "files", "actions", "pages", "started"].forEach(
      (store) => opening.result.createObjectStore(store, { keyPath: "key" }));
    opening.onsuccess = () => ok(opening.result);
    opening.onerror = () => no(opening.error);
  });
  await new Promise((ok) => {
    const tx = db.transaction("answers", "readwrite");
    tx.objectStore("answers").put({ key, visit, entries, at: Date.now() });
    tx.oncomplete = ok;
  });
  db.close();
  await (await caches.open("adaldyq-pages-v1")).put(key, new Response(remark));
}"""


def test_the_queue_of_version_1_goes_to_the_first_account_that_opens_a_page(browser, pair):
    context = _phone(browser)
    base = pair.url
    page = context.new_page()
    sign_in(page, base, A)
    uuid = _start_visit(page, base)
    page.evaluate(VERSION_1, [f"/visits/{uuid}/sections/1", uuid, REMARK])
    page.reload()  # the upgraded scripts adopt that queue into this account's, and send it
    _wait_until_all_sent(page)
    answers = _api(pair, f"/visits/{uuid}")["answers"]
    assert [a["comment"] for a in answers.values() if a["comment"]] == [REMARK]
    databases = page.evaluate("indexedDB.databases().then((all) => all.map((db) => db.name))")
    assert "adaldyq" not in databases
    assert "adaldyq-pages-v1" not in page.evaluate("caches.keys()")
    context.close()


def test_a_stale_tab_never_sends_its_queue_with_the_next_accounts_session(browser, pair):
    """A's tab stays open after A's session ended elsewhere; B signs in in another tab. When
    A's tab comes back online, it must not send A's answers with B's session (the server would
    refuse them as B's, and the queue would drop them as "no longer applies"): they wait for
    A, and arrive once A signs in again."""
    context = _phone(browser)
    base = pair.url
    tab = context.new_page()
    sign_in(tab, base, A)
    uuid = _start_visit(tab, base)
    _kept_on_the_phone(tab)
    pair.stop()  # in the building: the answer waits on the phone
    _comment(tab, REMARK)
    _waiting(tab)
    # Meanwhile A signed out on another device: every session of A has ended.
    database = pair.env["SURVEY_DATABASE_URL"].removeprefix("sqlite:///")
    with sqlite3.connect(database) as conn:
        conn.execute("UPDATE users SET session_epoch = session_epoch + 1 WHERE email = ?", (A,))
    pair.start()
    second = context.new_page()  # B borrows the phone and signs in in a new tab
    sign_in(second, base, B)
    posted: list[str] = []
    tab.on("request", lambda r: posted.append(r.url) if r.method == "POST" else None)
    tab.bring_to_front()
    with tab.expect_response(lambda r: r.url == f"{base}/"):  # the queue asks for a token...
        tab.evaluate("window.dispatchEvent(new Event('online'))")
    tab.wait_for_timeout(2000)
    assert posted == []  # ... sees B's session, and sends nothing of A's with it
    tab.wait_for_function(
        "(document.querySelector('[data-sync-text]') || {}).textContent.includes('sign in')",
        timeout=15000,
    )
    assert not any(
        a.get("comment") == REMARK for a in _api(pair, f"/visits/{uuid}")["answers"].values()
    )
    assert REMARK not in second.content()
    _sign_out(second)
    sign_in(second, base, A)  # A again: the queue, kept for A, goes now
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        answers = _api(pair, f"/visits/{uuid}")["answers"]
        if any(a.get("comment") == REMARK for a in answers.values()):
            break
        time.sleep(0.5)
    assert [a for a in answers.values() if a.get("comment") == REMARK], answers
    context.close()


def test_the_device_page_removes_data_only_after_a_confirmation(browser, live_server):
    """Issue 15: the sync box stays out of the way while nothing waits; removing what the
    browser keeps lives on "This device" and asks first."""
    phone = new_phone(browser, locale="en-GB")
    page = phone.new_page()
    sign_in(page, live_server, "volunteer@e2e.kz")
    page.wait_for_function(
        "document.querySelector('[data-sync-text]').textContent === 'Everything is sent.'"
    )
    assert page.locator("[data-sync]").is_hidden()  # nothing waits: no box on every page
    page.goto(f"{live_server}/device")
    wipe = page.locator("[data-device-wipe]")
    wipe.wait_for(state="visible")
    assert "device" in wipe.inner_text()
    asked: list[str] = []
    page.once("dialog", lambda d: (asked.append(d.message), d.dismiss()))
    wipe.click()
    assert asked and "What was sent stays on the server" in asked[0]
    assert "removed" not in page.locator("[data-sync-text]").inner_text()  # refused: kept
    page.once("dialog", lambda d: d.accept())
    wipe.click()
    page.wait_for_function(
        "document.querySelector('[data-sync-text]').textContent.includes('was removed')"
    )
    assert axe_violations(page) == []
    phone.close()
