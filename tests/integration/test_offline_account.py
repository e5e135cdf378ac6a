"""The account a phone keeps data for (issue 12, shared phones), as the server sees it."""

from __future__ import annotations

import re

from survey.extensions import db
from tests.factories import (
    csrf_of,
    load_mini,
    make_office,
    make_user,
    post_visit,
    sign_in,
    visit_body,
)


def _namespace(client) -> str:  # type: ignore[no-untyped-def]
    page = client.get("/")
    return page.headers["X-Adaldyq-Account"]


def test_each_field_account_has_its_own_stable_namespace(app, tmp_path):
    a, b = make_user("volunteer"), make_user("auditor")
    head = make_user("office_head", office=make_office().code)
    first, again, other, office = (app.test_client() for _ in range(4))
    for client, account in ((first, a), (again, a), (other, b), (office, head)):
        sign_in(client, account.email)
    assert _namespace(first) == _namespace(again)  # the same at every sign-in
    assert _namespace(first) != _namespace(other)
    assert 'data-account="' + _namespace(first) + '"' in first.get("/").text
    assert "X-Adaldyq-Account" not in office.get("/").headers  # keeps nothing offline
    assert "X-Adaldyq-Account" not in app.test_client().get("/login").headers
    assert re.fullmatch(r"[0-9a-f]{16}", _namespace(first))  # names no one


def test_a_request_for_another_account_is_refused_and_changes_nothing(app, tmp_path):
    """A stale tab of A, with B's session cookie: what it sends in A's name is refused."""
    make_office()
    load_mini(tmp_path)
    a, b = make_user("volunteer"), make_user("volunteer")
    body = visit_body()
    assert post_visit(app.test_client(), b, body).status_code == 201
    a_phone = app.test_client()
    sign_in(a_phone, a.email)
    a_name = _namespace(a_phone)
    browser = app.test_client()
    sign_in(browser, b.email)
    page = browser.get(f"/visits/{body['uuid']}/sections/1")
    form = {"csrf_token": csrf_of(page.text), "ramp": "no"}
    refused = browser.post(
        f"/visits/{body['uuid']}/sections/1",
        data=form,
        headers={"X-Autosave": "1", "X-Adaldyq-Account": a_name},
    )
    assert refused.status_code == 401 and refused.json["error"]["code"] == "other_account"
    upload = browser.post(
        "/api/v1/uploads",
        headers={"X-Adaldyq-Account": a_name, "Upload-Length": "10", "Tus-Resumable": "1.0.0"},
    )
    assert upload.status_code == 401
    db.session.expire_all()
    stored = app.test_client().get(f"/api/v1/visits/{body['uuid']}", headers=b.headers).json
    assert stored["answers"]["ramp"]["value"] == "yes"
    own = browser.post(
        f"/visits/{body['uuid']}/sections/1",
        data=form,
        headers={"X-Autosave": "1", "X-Adaldyq-Account": _namespace(browser)},
    )
    assert own.status_code == 200
