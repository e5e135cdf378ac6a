"""Issue 15, the volunteer's and the auditor's day, walked in real Chromium on a 360×740 phone.

What the user sees is asserted on every page: the header is one row, the first question is on
the first screen, the check page shows each comment and a thumbnail of each file, the receipt
names the reference, and the auditor reaches the decision without scrolling. axe runs on every
page of each walk.
"""

from __future__ import annotations

import re
import uuid as uuidlib

import pytest

from tests.e2e.conftest import (
    CHECKLIST,
    axe_violations,
    axe_violations_without_javascript,
    new_phone,
    sign_in,
)
from tests.e2e.test_review_pages_e2e import _approved_visit
from tests.e2e.test_visit_flow import _answer_section

pytestmark = pytest.mark.e2e
WIDTH, HEIGHT = 360, 740
SAMPLE = "tests/samples/photos/phones/jolla.jpg"


def _seen(page, browser=None) -> None:  # type: ignore[no-untyped-def]
    """The page passes axe, fits 360 px and its header is one row (browser: scripts are off,
    so axe runs on a replay of the page)."""
    found = axe_violations_without_javascript(browser, page) if browser else axe_violations(page)
    assert found == [], page.url
    assert page.evaluate("document.documentElement.scrollWidth") <= WIDTH, page.url
    assert page.locator("header.top").bounding_box()["height"] <= 60, page.url


def _on_first_screen(page, selector: str) -> bool:  # type: ignore[no-untyped-def]
    """Whether the element is wholly inside the viewport as the page is scrolled now."""
    return page.evaluate(
        "s => { const b = document.querySelector(s).getBoundingClientRect();"
        " return b.height > 0 && b.top >= 0 && b.bottom <= innerHeight; }",
        selector,
    )


def _first_question_on_first_screen(page) -> None:  # type: ignore[no-untyped-def]
    assert page.evaluate("scrollY") == 0
    assert _on_first_screen(page, "fieldset.item legend"), page.url
    first_control = "fieldset.item :is(.option label, input[inputmode], textarea)"
    assert _on_first_screen(page, first_control), page.url


@pytest.mark.parametrize("javascript", [False, True], ids=["no-js", "js"])
def test_volunteer_from_start_to_receipt(browser, live_server, javascript):
    base = live_server
    phone = new_phone(browser, locale="kk-KZ", javascript=javascript, width=WIDTH, height=HEIGHT)
    replay = None if javascript else browser
    page = phone.new_page()
    sign_in(page, base, "walker@e2e.kz")
    _seen(page, replay)
    page.goto(f"{base}/visits/new")
    _seen(page, replay)
    page.select_option("#office", "tr-istanbul-cg")
    page.select_option("#checklist", CHECKLIST)
    page.locator("button.primary").tap()
    page.wait_for_url(re.compile(r"/sections/1$"))
    uuid = re.search(r"/visits/([0-9a-f-]{36})/", page.url).group(1)
    total = int(re.search(r"(\d+)\D*$", page.locator(".step").inner_text()).group(1))

    comment = f"Пандус жоқ, кіреберісте баспалдақ бар ({uuidlib.uuid4().hex[:6]})"
    first = page.locator("fieldset.item").first
    code = first.get_attribute("id").removeprefix("item-")
    for number in range(1, total + 1):
        _first_question_on_first_screen(page)
        _seen(page, replay)
        _answer_section(page)
        if number == 1:
            first.locator("details.comment summary").tap()
            first.locator("textarea").fill(comment)
            first.locator("input[type=file]").set_input_files(SAMPLE)
            if javascript:  # the page's script sends the file at once
                page.wait_for_selector(f"#item-{code} .thumbs li img")
        page.locator("button[name=go][value=next]").tap()
        page.wait_for_url(re.compile(rf"/sections/{number + 1}$" if number < total else r"/check$"))

    _seen(page, replay)
    row = page.locator(".summary .row").filter(has=page.locator(".comment-text")).first
    assert comment in row.locator(".comment-text").inner_text()
    thumb = row.locator(".thumbs img").first
    thumb.scroll_into_view_if_needed()
    page.wait_for_function(
        "img => img.complete && img.naturalWidth > 0", arg=thumb.element_handle()
    )
    assert row.locator("a", has_text="Жауапты өзгерту").count() == 1  # "Change the answer"
    page.locator("form[action$=submit] button").tap()
    page.wait_for_url(re.compile(rf"/visits/{uuid}$"))
    _seen(page, replay)
    receipt = page.locator(".receipt")
    assert receipt.is_visible()
    text = receipt.inner_text()
    assert uuid[:8].upper() in text and "UTC" in text
    assert re.search(r"\d{2}:\d{2}", text) and not re.search(r"\d{2}:\d{2}:\d{2}", text)
    phone.close()


def test_auditor_from_the_queue_to_a_decision(browser, live_server):
    base = live_server
    visit = _approved_visit(base, approve=False)
    phone = new_phone(browser, locale="ru-RU", width=WIDTH, height=HEIGHT)
    page = phone.new_page()
    sign_in(page, base, "auditor@e2e.kz")
    page.goto(f"{base}/review")
    _seen(page)
    page.locator(f'a[href="/visits/{visit}"]').first.tap()
    page.wait_for_url(re.compile(rf"/visits/{visit}$"))
    _seen(page)
    height = page.evaluate("document.documentElement.scrollHeight")
    assert height > 3 * HEIGHT  # a long page: the panel is far below
    assert _on_first_screen(page, "p.jump a")
    page.locator("p.jump a").tap()
    page.wait_for_function("location.hash === '#decide-title'")
    assert _on_first_screen(page, "#decide-title")
    assert _on_first_screen(page, "#note")

    with page.expect_navigation():
        page.locator("button[name=decision][value=return]").tap()  # no reason given
    assert page.url.endswith(f"/visits/{visit}#decide-title")
    _seen(page)
    assert _on_first_screen(page, "#note-error")  # the reason is beside the note box
    assert "Error:" not in page.locator("#note-error").inner_text()
    assert page.locator("#note").get_attribute("aria-describedby") == "note-error"
    assert page.locator("main > .flash").count() == 0  # not at the top of the page
    page.fill("#note", "Фото пандуса не видно, переснимите, пожалуйста.")
    page.locator("button[name=decision][value=return]").tap()
    page.wait_for_url(re.compile(r"/review$"))
    assert page.locator(".flash").first.is_visible()
    _seen(page)
    phone.close()


def test_the_menu_opens_without_javascript_for_every_role(browser, live_server):
    """One header row at 360 px for every role; the menu is a <details> that works without
    script, and holds the links, the languages and signing out."""
    for email, link in (
        ("volunteer@e2e.kz", "/device"),
        ("auditor@e2e.kz", "/review"),
        ("group@e2e.kz", "/programme"),
        ("head@e2e.kz", "/findings"),
        ("admin@e2e.kz", "/admin/users"),
    ):
        phone = new_phone(browser, locale="en-GB", javascript=False, width=WIDTH, height=HEIGHT)
        page = phone.new_page()
        sign_in(page, live_server, email)
        _seen(page, browser)
        assert not page.locator("nav.menu").is_visible()
        page.locator(".menu-box > summary").tap()
        assert page.locator("nav.menu").is_visible()
        assert page.locator("form.signout button").is_visible()
        assert axe_violations_without_javascript(browser, page) == [], email
        page.locator(f'nav.menu a[href="{link}"]').tap()
        page.wait_for_url(re.compile(re.escape(link) + "$"))
        phone.close()
    phone = new_phone(browser, locale="en-GB", javascript=False, width=WIDTH, height=HEIGHT)
    page = phone.new_page()
    page.goto(f"{live_server}/login")
    _seen(page, browser)  # signed out: the brand and the three languages on one row
    assert page.locator(".top > .langs button").count() == 3
    phone.close()


def test_pages_are_styled_under_the_real_content_security_policy(browser, live_server):
    """The stylesheet is inline, allowed by its hash: with the CSP enforced (not bypassed as
    for axe), the page is styled and the browser reports no violation."""
    context = browser.new_context(viewport={"width": WIDTH, "height": HEIGHT})
    page = context.new_page()
    refused: list[str] = []
    page.on("console", lambda m: refused.append(m.text) if "Content Security" in m.text else None)
    page.goto(f"{live_server}/login")
    assert page.evaluate("getComputedStyle(document.querySelector('.brand')).fontWeight") == "700"
    assert page.evaluate("getComputedStyle(document.body).marginTop") == "0px"
    assert page.locator("link[rel=stylesheet]").count() == 0  # nothing render-blocking
    assert refused == []
    context.close()
