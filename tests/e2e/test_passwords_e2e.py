"""Forgot, reset and change a password in real Chromium at 360 px, without JavaScript, with a
real SMTP server on loopback; every page on the way passes axe."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from survey import create_app
from survey.extensions import db
from tests.conftest import _Inbox
from tests.e2e.conftest import PASSWORD, axe_violations, new_phone, serve

pytestmark = pytest.mark.e2e
EMAIL = "forgetful@e2e.kz"
NEW_PASSWORD = "amber lantern orchard 41"


@pytest.fixture(scope="module")
def mail_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, _Inbox]]:
    """A server of its own whose mail goes to a local aiosmtpd inbox."""
    inbox = _Inbox()
    tmp = tmp_path_factory.mktemp("mail")
    app = create_app(
        {
            "TESTING": False,
            "SECRET_KEY": "e2e-mail",
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp / 'mail.db'}",
            "MEDIA_ROOT": str(tmp / "media"),
            "SMTP_HOST": "127.0.0.1",
            "SMTP_PORT": inbox.port,
        }
    )
    with app.app_context():
        from flask_migrate import upgrade

        from survey.auth.services import create_user

        upgrade()
        create_user(EMAIL, PASSWORD, "volunteer", name="Гүлнар", locale="kk")
        db.session.commit()
    url, server = serve(app)
    app.config["PUBLIC_URL"] = url
    yield url, inbox
    server.shutdown()
    inbox.stop()
    Path(tmp / "mail.db").unlink(missing_ok=True)


def _checked(javascript: bool):  # type: ignore[no-untyped-def]
    """axe needs JavaScript to run; without it, the page must still fit 360 px."""

    def check(page) -> None:  # type: ignore[no-untyped-def]
        if javascript:
            assert axe_violations(page) == [], page.url
        assert page.evaluate("document.documentElement.scrollWidth") <= 360, page.url

    return check


@pytest.mark.parametrize("javascript", [False, True], ids=["no-js", "js"])
def test_forgot_reset_and_change(browser, mail_server, javascript):
    base, inbox = mail_server
    inbox.messages.clear()
    _no_problems = _checked(javascript)
    phone = new_phone(browser, locale="kk-KZ", javascript=javascript)
    page = phone.new_page()
    page.goto(f"{base}/login")
    page.get_by_role("link", name="Құпиясөзіңізді ұмыттыңыз ба?").click()
    _no_problems(page)
    page.fill("#email", EMAIL)
    page.locator("button.primary").click()
    assert "электрондық пошта" in page.inner_text("main").lower()
    _no_problems(page)

    mail = inbox.wait_for(EMAIL)
    link = re.search(r"https?://\S+/password/reset/\S+", mail.get_content()).group(0)
    page.goto(link)
    assert "/password/reset/" in page.url and link.rsplit("/", 1)[1] not in page.url
    _no_problems(page)
    page.fill("#password", "1234567890")
    page.fill("#confirm", "1234567890")
    page.locator("button.primary").click()
    assert page.locator(".error-summary").is_visible()
    _no_problems(page)
    page.fill("#password", NEW_PASSWORD)
    page.fill("#confirm", NEW_PASSWORD)
    page.locator("button.primary").click()
    assert page.url == f"{base}/"
    assert "Гүлнар" in page.inner_text("h1")

    page.goto(f"{base}/account/password")
    _no_problems(page)
    page.fill("#current", "not the password")
    page.fill("#password", "violet harbour kettle 7")
    page.fill("#confirm", "violet harbour kettle 7")
    page.locator("button.primary").click()
    assert page.locator(".error-summary").is_visible()
    _no_problems(page)
    phone.close()

    again = new_phone(browser, locale="en-GB", javascript=javascript)
    page = again.new_page()
    page.goto(link)  # used once already
    assert page.locator("h1").is_visible()
    _no_problems(page)
    page.goto(f"{base}/login")
    page.fill("#email", EMAIL)
    page.fill("#password", NEW_PASSWORD)
    page.locator("button.primary").click()
    assert page.url == f"{base}/"
    again.close()
