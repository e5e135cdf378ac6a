"""The review loop, dashboards and the public page pass axe on a phone, in real Chromium."""

from __future__ import annotations

import json
import urllib.request
import uuid

import pytest

from tests.e2e.conftest import (
    CHECKLIST_SLUG,
    CHECKLIST_VERSION,
    TOKENS,
    axe_violations,
    new_phone,
    sign_in,
)

pytestmark = pytest.mark.e2e


def _api(base: str, path: str, token: str, body: dict) -> dict:  # type: ignore[type-arg]
    request = urllib.request.Request(
        f"{base}/api/v1{path}",
        data=json.dumps(body).encode(),
        method="POST",
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.loads(response.read())


def _attach_photo(base: str, visit: str, item: str) -> None:
    """A photo on one item, as a phone would send it (multipart, the writer's token)."""
    from tests.media import makers

    boundary = uuid.uuid4().hex
    body = (
        (
            f'--{boundary}\r\nContent-Disposition: form-data; name="item"\r\n\r\n{item}\r\n'
            f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="a.jpg"\r\n'
            "Content-Type: image/jpeg\r\n\r\n"
        ).encode()
        + makers.jpeg_with_secrets()
        + f"\r\n--{boundary}--\r\n".encode()
    )
    request = urllib.request.Request(
        f"{base}/api/v1/visits/{visit}/evidence",
        data=body,
        method="POST",
        headers={
            "Authorization": f"Bearer {TOKENS['writer']}",
            "Content-Type": f"multipart/form-data; boundary={boundary}",
        },
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        assert response.status == 201


def _approved_visit(base: str, approve: bool = True) -> str:
    spec_answers = {}
    with urllib.request.urlopen(
        urllib.request.Request(
            f"{base}/api/v1/checklists/{CHECKLIST_SLUG}/{CHECKLIST_VERSION}",
            headers={"Authorization": f"Bearer {TOKENS['writer']}"},
        )
    ) as response:
        spec = json.loads(response.read())
    for section in spec["sections"]:
        for item in section["items"]:
            value = {
                "yesno": "no" if item.get("pass") == "yes" else "yes",
                "scale": item.get("min"),
                "number": 99,
                "choice": item.get("options", [{}])[0].get("code"),
            }.get(item["kind"])
            if item["kind"] == "yesno" and not item.get("allow_na", True):
                value = item.get("pass")
            if value is not None:
                spec_answers[item["code"]] = {"value": value}
    uid = str(uuid.uuid4())
    body = {
        "uuid": uid,
        "office": "tr-istanbul-cg",
        "checklist": {"slug": CHECKLIST_SLUG, "version": CHECKLIST_VERSION},
        "visited_at": "2026-03-05T10:00:00+03:00",
        "answers": spec_answers,
    }
    _api(base, "/visits", TOKENS["writer"], {**body, "submit": False})
    _attach_photo(base, uid, "ramp")
    _api(base, "/visits", TOKENS["writer"], {**body, "submit": True})
    if approve:
        _api(base, f"/visits/{uid}/review", TOKENS["auditor"], {"decision": "approve"})
    return uid


def test_every_role_page_passes_axe(browser, live_server):
    uid = _approved_visit(live_server)
    waiting = _approved_visit(live_server, approve=False)  # the decision form, with its choices
    pages = {
        "auditor@e2e.kz": [
            "/review",
            f"/visits/{waiting}",
            f"/visits/{uid}",
            "/visits?status=approved",
            "/assignments",
            "/assignments/new",
            "/findings",
            "/dashboard?kind=year&value=2026",
        ],
        "head@e2e.kz": ["/", "/findings", "/offices/tr-istanbul-cg"],
        "group@e2e.kz": ["/", "/programme", "/dashboard", "/offices/tr-istanbul-cg"],
    }
    for email, urls in pages.items():
        phone = new_phone(browser, locale="ru-RU", width=360, height=740)
        page = phone.new_page()
        sign_in(page, live_server, email)
        for url in urls:
            page.goto(f"{live_server}{url}")
            if url in (f"/visits/{waiting}", f"/visits/{uid}"):
                # The photo of the failed ramp is offered to the office, ticked by default.
                assert page.locator("input[name=office_evidence]:checked").count() == 1
            assert axe_violations(page) == [], (email, url)
            assert page.evaluate("document.documentElement.scrollWidth") <= 360, (email, url)
        if email == "head@e2e.kz":
            page.goto(f"{live_server}/findings")
            page.locator("main table.list tbody a").first.click()  # lists are tables (issue 13)
            page.wait_for_load_state()
            assert axe_violations(page) == [], page.url
        phone.close()
    public = new_phone(browser, locale="kk-KZ")
    page = public.new_page()
    page.goto(f"{live_server}/public")
    assert axe_violations(page) == []
    assert "1424" in page.inner_text("main")
    public.close()
