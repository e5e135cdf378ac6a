"""Admin pages on a 360 px phone: each passes axe without sideways scroll, and an invitation
link makes an account once, which switching the person off ends at once."""

from __future__ import annotations

import re
import secrets

import pytest

from tests.e2e.conftest import axe_violations, axe_violations_without_javascript, new_phone, sign_in

pytestmark = pytest.mark.e2e


def _check(page) -> None:  # type: ignore[no-untyped-def]
    """The page passes axe and fits the phone's width."""
    assert axe_violations(page) == [], page.url
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), page.url


def test_invite_accept_once_and_switch_off(browser, live_server):  # type: ignore[no-untyped-def]
    admin = new_phone(browser, locale="en-GB")
    page = admin.new_page()
    sign_in(page, live_server, "admin@e2e.kz")
    for path in (
        "/admin/users",
        "/admin/offices",
        "/admin/offices/tr-istanbul-cg",
        "/admin/offices/new",
        "/admin/checklists",
    ):
        response = page.goto(f"{live_server}{path}")
        assert response is not None and response.status == 200, path
        _check(page)

    email = f"newcomer-{secrets.token_hex(4)}@e2e.kz"
    name = "Newcomer Aigerim"
    page.goto(f"{live_server}/admin/users/invite")
    _check(page)
    page.fill("#email", email)
    page.fill("#name", name)
    page.select_option("#role", "volunteer")
    page.select_option("#locale", "en")
    with page.expect_response(f"{live_server}/admin/users/invite") as answer:
        page.locator("button.primary").click()
    assert answer.value.status == 201
    link = page.input_value("#invite-link")
    assert re.fullmatch(rf"{re.escape(live_server)}/invite/[\w-]+", link)
    _check(page)

    newcomer = new_phone(browser, locale="en-GB")
    guest = newcomer.new_page()
    guest.goto(link)
    _check(guest)
    guest.fill("#name", name)
    guest.fill("#password", "a long enough password")
    guest.fill("#confirm", "a long enough password")
    guest.locator("button.primary").click()
    guest.wait_for_url(f"{live_server}/")
    assert name in guest.inner_text("body")

    late = new_phone(browser, locale="en-GB")
    again = late.new_page()
    response = again.goto(link)
    assert response is not None and response.status == 404
    assert "does not work any more" in again.inner_text("body")
    _check(again)
    late.close()

    page.goto(f"{live_server}/admin/users")
    page.get_by_role("button", name=f"Switch off {name}").click()
    page.wait_for_url(f"{live_server}/admin/users")
    assert page.get_by_role("button", name=f"Switch on {name}").count() == 1
    _check(page)

    guest.goto(f"{live_server}/")
    guest.wait_for_url(re.compile(r"/login"))
    newcomer.close()
    admin.close()


def test_empty_invitation_without_javascript(browser, live_server):  # type: ignore[no-untyped-def]
    context = new_phone(browser, locale="kk-KZ", javascript=False)
    page = context.new_page()
    sign_in(page, live_server, "admin@e2e.kz")
    page.goto(f"{live_server}/admin/users/invite")
    page.locator("button.primary").click()
    assert page.locator(".error-summary").is_visible()
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    assert axe_violations_without_javascript(browser, page) == []
    context.close()
