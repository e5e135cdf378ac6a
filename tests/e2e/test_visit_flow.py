"""A whole visit on a 390×844 touch phone in real Chromium: start, fill, leave, resume, submit.

axe-core runs on every page on the way; the first load of a checklist page must stay under
50 KB transferred.
"""

from __future__ import annotations

import re

import pytest

from tests.e2e.conftest import CHECKLIST, NUMBER, axe_violations, new_phone, sign_in, start_visit

pytestmark = pytest.mark.e2e
BUDGET = 50 * 1024


def _accessible(page) -> None:  # type: ignore[no-untyped-def]
    assert axe_violations(page) == [], page.url


def _answer_section(page) -> int:  # type: ignore[no-untyped-def]
    """Answer every item on the page the way a hurried volunteer would: first option, 10."""
    answered = 0
    for fieldset in page.locator("fieldset.item").all():
        radios = fieldset.locator("input[type=radio]")
        if radios.count():
            fieldset.locator(".option label").first.tap()
            answered += 1
        elif fieldset.locator(NUMBER).count():
            fieldset.locator(NUMBER).fill("10")
            answered += 1
    return answered


def _transferred(page) -> list[int]:  # type: ignore[no-untyped-def]
    sizes: list[int] = []

    def on_finished(request):  # type: ignore[no-untyped-def]
        s = request.sizes()
        sizes.append(s["responseBodySize"] + s["responseHeadersSize"])

    page.on("requestfinished", on_finished)
    return sizes


def test_whole_visit_on_a_phone(browser, live_server):
    base = live_server
    phone = new_phone(browser, locale="ru-RU", width=390, height=844)
    page = phone.new_page()
    sign_in(page, base, "walker@e2e.kz")
    _accessible(page)
    page.locator('main a[href="/visits/new"]').tap()
    page.wait_for_url(re.compile(r"/visits/new$"))
    _accessible(page)
    page.select_option("#office", "tr-istanbul-cg")
    page.select_option("#checklist", CHECKLIST)
    page.locator("button.primary").tap()
    page.wait_for_url(re.compile(r"/sections/1$"))
    uuid = re.search(r"/visits/([0-9a-f-]{36})/", page.url).group(1)
    _accessible(page)
    total = int(re.search(r"(\d+)\D*$", page.locator(".step").inner_text()).group(1))
    assert total >= 5
    for number in (1, 2):
        assert _answer_section(page) > 0
        page.locator("button[name=go][value=next]").tap()
        page.wait_for_url(re.compile(rf"/sections/{number + 1}$"))
    phone.close()  # leave: the phone is put away

    phone = new_phone(browser, locale="ru-RU", width=390, height=844)
    page = phone.new_page()
    sign_in(page, base, "walker@e2e.kz")
    page.locator(f'a[href="/visits/{uuid}/sections/1"]').first.tap()
    page.wait_for_url(re.compile(r"/sections/1$"))
    assert page.locator("input[type=radio]:checked").count() > 0  # answers kept
    for number in range(1, total + 1):
        _accessible(page)
        _answer_section(page)
        page.locator("button[name=go][value=next]").tap()
        following = rf"/sections/{number + 1}$" if number < total else r"/check$"
        page.wait_for_url(re.compile(following))
    _accessible(page)
    assert page.locator(".error-summary").count() == 0
    page.locator("form[action$=submit] button").tap()
    page.wait_for_url(re.compile(rf"/visits/{uuid}$"))
    _accessible(page)
    assert page.locator(".score").count() == 0  # volunteers do not see scores
    receipt = page.locator(".receipt").inner_text()  # sent by the page's script: still there
    assert "Посещение отправлено" in receipt and uuid[:8].upper() in receipt
    phone.close()

    desk = new_phone(browser, locale="en-GB", width=390, height=844)
    page = desk.new_page()
    sign_in(page, base, "auditor@e2e.kz")
    page.goto(f"{base}/visits")
    _accessible(page)
    page.locator(f'a[href="/visits/{uuid}"]').tap()
    page.wait_for_url(re.compile(rf"/visits/{uuid}$"))
    assert "Score" in page.locator(".score").inner_text()
    _accessible(page)
    desk.close()


def test_checklist_page_weight_and_autosave(browser, live_server):
    base = live_server
    phone = new_phone(browser, locale="kk-KZ", width=390, height=844)
    page = phone.new_page()
    sign_in(page, base, "volunteer@e2e.kz")
    url = start_visit(page, base)
    phone.close()

    # The budget's rule: first load from an empty cache, with no service worker.
    fresh = new_phone(browser, locale="kk-KZ", width=390, height=844, service_workers="block")
    page = fresh.new_page()
    sign_in(page, base, "volunteer@e2e.kz")
    sizes = _transferred(page)
    page.goto(url)
    page.wait_for_load_state("networkidle")
    transferred = sum(sizes)
    print(f"first load of a checklist page: {transferred} bytes transferred")
    assert 0 < transferred < BUDGET
    assert page.evaluate("document.documentElement.scrollWidth") <= 390

    first = page.locator("fieldset.item").first
    first.locator(".option label").first.tap()
    page.wait_for_function(
        "document.querySelector('[data-save-state]').dataset.kind === 'ok'", timeout=10000
    )
    _accessible(page)
    page.reload()
    assert first.locator("input[type=radio]").first.is_checked()
    fresh.close()


def test_a_section_on_a_phone_scale_on_one_row_help_folded_sections_at_the_top(
    browser, live_server
):
    """Issue 15: the 1–5 scale on one row at 360 px, long help under "More", and the list of
    sections above the questions."""
    phone = new_phone(browser, locale="kk-KZ", width=360, height=740)
    page = phone.new_page()
    sign_in(page, live_server, "volunteer@e2e.kz")
    page.goto(start_visit(page, live_server).replace("/sections/1", "/sections/4"))
    assert page.locator(".options-scale").count() >= 1
    for scale in page.locator(".options-scale").all():
        rows = {round(o.bounding_box()["y"]) for o in scale.locator(".option").all()}
        assert len(rows) == 1, rows  # every point of a scale on one row
    for hint in page.locator("fieldset.item > p.hint").all():  # shown: short help only
        assert len(hint.inner_text()) <= 90
    sections = page.locator("details.sections").bounding_box()["y"]
    first = page.locator("fieldset.item").first.bounding_box()["y"]
    assert sections < first
    assert axe_violations(page) == []
    phone.close()
