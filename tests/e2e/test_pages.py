"""Real Chromium on a 360 px phone: sign in works without JavaScript, pages pass axe, stay light."""

from __future__ import annotations

import pytest

from tests.e2e.conftest import PASSWORD, axe_violations, new_phone, open_menu

pytestmark = pytest.mark.e2e
BUDGET = 50 * 1024


def _weigh(page) -> list[int]:  # type: ignore[no-untyped-def]
    sizes: list[int] = []
    page.on("response", lambda r: sizes.append(len(r.body())) if r.ok else None)
    return sizes


@pytest.mark.parametrize("lang", ["kk", "ru", "en"])
def test_login_page_is_accessible_and_light(browser, live_server, lang):
    context = new_phone(browser, locale=lang)
    page = context.new_page()
    sizes = _weigh(page)
    page.goto(f"{live_server}/login")
    assert page.get_attribute("html", "lang") == lang
    assert sum(sizes) < BUDGET
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    assert axe_violations(page) == []
    context.close()


def test_sign_in_without_javascript(browser, live_server):
    context = new_phone(browser, javascript=False)
    page = context.new_page()
    page.goto(f"{live_server}/login")
    page.get_by_label("Электрондық пошта").fill("volunteer@e2e.kz")
    page.get_by_label("Құпиясөз").fill("wrong password")
    page.get_by_role("button", name="Кіру").last.click()
    assert page.locator(".error-summary").is_visible()
    page.get_by_label("Электрондық пошта").fill("volunteer@e2e.kz")
    page.get_by_label("Құпиясөз").fill(PASSWORD)
    page.get_by_role("button", name="Кіру").last.click()
    assert page.url.endswith("/")
    assert "Әсел" in page.inner_text("h1")
    context.close()


def test_error_summary_and_home_pass_axe(phone, live_server):
    page = phone.new_page()
    page.goto(f"{live_server}/login")
    page.locator("button.primary").click()
    assert page.locator(".error-summary").is_visible()
    assert axe_violations(page) == []
    page.fill("#email", "volunteer@e2e.kz")
    page.fill("#password", PASSWORD)
    page.locator("button.primary").click()
    assert page.url.endswith("/")
    assert axe_violations(page) == []
    open_menu(page)
    page.get_by_role("button", name="English").click()
    assert page.get_attribute("html", "lang") == "en"
    assert axe_violations(page) == []


def test_not_found_page_passes_axe(phone, live_server):
    page = phone.new_page()
    response = page.goto(f"{live_server}/nowhere")
    assert response.status == 404
    assert axe_violations(page) == []


def test_help_page_passes_axe_on_a_phone(browser, live_server):
    context = new_phone(browser, locale="kk-KZ")
    page = context.new_page()
    page.goto(f"{live_server}/help")
    assert "Еріктілерге арналған анықтама" in page.inner_text("h1")
    assert axe_violations(page) == []
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    context.close()
