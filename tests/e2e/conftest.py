"""A live server and a real Chromium (Debian's, launched by path) for end-to-end tests."""

from __future__ import annotations

import os
import shutil
import socket
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from survey import create_app
from survey.extensions import db

AXE = Path(__file__).with_name("vendor") / "axe.min.js"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
PASSWORD = "e2e password 123"
# The shipped checklist (checklists/consular-visit.yaml) as the start page offers it.
CHECKLIST_SLUG, CHECKLIST_VERSION = "consular-visit", 3
CHECKLIST = f"{CHECKLIST_SLUG}:{CHECKLIST_VERSION}"
NUMBER = "input:is([inputmode=decimal], [inputmode=numeric])"  # a number item's box
TOKENS: dict[str, str] = {}


def _chromium() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser")


def migrated_app(tmp: Path, name: str):  # type: ignore[no-untyped-def]
    """An app on a fresh SQLite database in tmp, migrated, with the shipped checklists."""
    from flask_migrate import upgrade

    from survey.checklists.services import load_paths

    app = create_app(
        {
            "TESTING": False,
            "SECRET_KEY": f"e2e-{name}",
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp / f'{name}.db'}",
            "MEDIA_ROOT": str(tmp / "media"),
        }
    )
    with app.app_context():
        upgrade()
        load_paths([Path(app.config["CHECKLISTS_DIR"])])
    return app


@pytest.fixture(scope="session")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    app = migrated_app(tmp_path_factory.mktemp("e2e"), "e2e")
    with app.app_context():
        from survey.auth.services import create_user, issue_token
        from tests.factories import make_office

        make_office()
        create_user("volunteer@e2e.kz", PASSWORD, "volunteer", name="Әсел")
        create_user("walker@e2e.kz", PASSWORD, "volunteer", name="Арман")
        auditor = create_user("auditor@e2e.kz", PASSWORD, "auditor", name="Нұрлан")
        create_user(
            "head@e2e.kz", PASSWORD, "office_head", name="Ерлан", office_code="tr-istanbul-cg"
        )
        create_user("group@e2e.kz", PASSWORD, "project_group", name="Дана")
        writer = create_user("writer@e2e.kz", PASSWORD, "volunteer", name="Жазушы")
        create_user("admin@e2e.kz", PASSWORD, "admin", name="Әкімші")
        TOKENS["auditor"] = issue_token(auditor)
        TOKENS["writer"] = issue_token(writer)
        db.session.commit()
    url, server = serve(app)
    yield url
    server.shutdown()


def serve(app):  # type: ignore[no-untyped-def]
    """Serve app on a free loopback port in a thread; (its base URL, the server to shut down)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    server = make_server("127.0.0.1", port, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    return f"http://127.0.0.1:{port}", server


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    path = _chromium()
    if path is None:
        if os.environ.get("SURVEY_REQUIRE_CHROMIUM") == "1":
            pytest.fail("chromium not found: apt-get install chromium")
        pytest.skip("chromium is not installed")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=path, args=CHROMIUM_ARGS, headless=True)
        yield chromium
        chromium.close()


def new_phone(  # type: ignore[no-untyped-def]
    browser,
    locale: str = "kk-KZ",
    javascript: bool = True,
    width: int = 360,
    height: int = 740,
    service_workers: str = "allow",
):
    """A phone-sized context; CSP is bypassed only so axe can be injected."""
    return browser.new_context(
        service_workers=service_workers,
        viewport={"width": width, "height": height},
        device_scale_factor=2,
        is_mobile=True,
        has_touch=True,
        locale=locale,
        bypass_csp=True,
        java_script_enabled=javascript,
    )


@pytest.fixture
def phone(browser):  # type: ignore[no-untyped-def]
    context = new_phone(browser)
    yield context
    context.close()


def axe_violations_without_javascript(browser, page) -> list[dict]:  # type: ignore[no-untyped-def]
    """axe on a page whose scripts are off (axe cannot run there): the same HTML is replayed at
    its URL, same viewport, in a context where only axe runs (the app's scripts are blocked)."""
    html, url = page.content(), page.url.split("#")[0]
    audit = browser.new_context(viewport=page.viewport_size, bypass_csp=True)
    replay = audit.new_page()
    replay.route("**/*.js", lambda route: route.abort())
    replay.route(
        url, lambda route: route.fulfill(body=html, content_type="text/html; charset=utf-8")
    )
    replay.goto(url)
    try:
        return axe_violations(replay)
    finally:
        audit.close()


def axe_violations(page) -> list[dict]:  # type: ignore[no-untyped-def]
    page.add_script_tag(content=AXE.read_text(encoding="utf-8"))
    result = page.evaluate(
        "async () => await axe.run(document, {resultTypes: ['violations'],"
        " runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa',"
        " 'wcag22aa', 'best-practice']}})"
    )
    return [
        {"id": v["id"], "nodes": [n["target"] for n in v["nodes"]]} for v in result["violations"]
    ]


def sign_in(page, base: str, email: str) -> None:  # type: ignore[no-untyped-def]
    page.goto(f"{base}/login")
    page.fill("#email", email)
    page.fill("#password", PASSWORD)
    page.locator("button.primary").tap()
    page.wait_for_url(f"{base}/")


def open_menu(page) -> None:  # type: ignore[no-untyped-def]
    """Open the header's menu (a <details>: the links, languages and "Sign out" are in it)."""
    if page.locator(".menu-box[open]").count() == 0:
        page.locator(".menu-box > summary").click()


def sign_out(page) -> None:  # type: ignore[no-untyped-def]
    """Press "Sign out" as a person does: open the menu, then the button."""
    open_menu(page)
    page.locator("form.signout button").click()


def start_visit(page, base: str) -> str:  # type: ignore[no-untyped-def]
    """On a signed-in volunteer's page: start a visit to the Istanbul office with the shipped
    checklist, as a volunteer taps it; the URL of its first section."""
    import re

    page.goto(f"{base}/visits/new")
    page.select_option("#office", "tr-istanbul-cg")
    page.select_option("#checklist", CHECKLIST)
    page.locator("button.primary").tap()
    page.wait_for_url(re.compile(r"/sections/1$"))
    return page.url
