"""The review loop in the browser (no JavaScript): queue, decision, answer, proof, verify."""

from __future__ import annotations

import io
import re

from sqlalchemy import select

from survey.extensions import db
from survey.findings.models import Finding
from tests.factories import PASSWORD, load_mini, make_office, make_user, post_visit, visit_body
from tests.media import makers

EN = {"Accept-Language": "en"}


def _signed_in(app, email):  # type: ignore[no-untyped-def]
    client = app.test_client()
    page = client.get("/login")
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page.text).group(1)
    client.post("/login", data={"email": email, "password": PASSWORD, "csrf_token": token})
    return client


def _csrf(client, url):  # type: ignore[no-untyped-def]
    page = client.get(url, headers=EN)
    return re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page.text).group(1)


def test_loop_in_the_browser(app, client, tmp_path):
    make_office()
    load_mini(tmp_path)
    vol, aud = make_user("volunteer"), make_user("auditor")
    head = make_user("office_head", office="tr-istanbul-cg")
    group = make_user("project_group")
    body = visit_body(submit=True)
    body["answers"]["ramp"] = {"value": "no"}
    post_visit(client, vol, body)

    auditor = _signed_in(app, aud.email)
    queue = auditor.get("/review", headers=EN).text
    assert f"/visits/{body['uuid']}" in queue and "Filled in implausibly fast" in queue
    page = auditor.get(f"/visits/{body['uuid']}", headers=EN).text
    assert 'value="approve"' in page and "Warning signs: look again" in page
    token = _csrf(auditor, f"/visits/{body['uuid']}")
    refused = auditor.post(
        f"/visits/{body['uuid']}/decision",
        data={"csrf_token": token, "decision": "return"},
        headers=EN,
    )
    assert refused.status_code == 302  # back to the visit's decision, the message by the note
    assert refused.headers["Location"].endswith(f"/visits/{body['uuid']}#decide-title")
    again = auditor.get(f"/visits/{body['uuid']}", headers=EN).text
    decision = again[again.index('id="decide-title"') :]
    assert 'id="note-error"' in decision and "Say what must change" in decision
    assert 'aria-describedby="note-error"' in decision
    assert "Say what must change" not in again[: again.index('id="decide-title"')]  # not at the top
    assert again.index('href="#decide-title"') < again.index("<dl")  # a jump from the top
    done = auditor.post(
        f"/visits/{body['uuid']}/decision",
        data={"csrf_token": token, "decision": "approve"},
        headers=EN,
    )
    assert done.status_code == 302 and done.headers["Location"].endswith("/review")

    ramp = db.session.scalar(select(Finding).where(Finding.item_code == "ramp"))
    office = _signed_in(app, head.email)
    home = office.get("/", headers=EN).text
    assert "Your office's figures" in home and "at least 3 approved visits" in home
    assert body["uuid"] not in home
    assert f"/findings/{ramp.id}" in office.get("/findings", headers=EN).text
    token = _csrf(office, f"/findings/{ramp.id}")
    answer = office.post(
        f"/findings/{ramp.id}/respond",
        data={
            "csrf_token": token,
            "text": "Ramp built",
            "status": "implemented",
            "file": (io.BytesIO(makers.jpeg_with_secrets()), "ramp.jpg"),
        },
        content_type="multipart/form-data",
        headers=EN,
    )
    assert answer.status_code == 302
    db.session.expire_all()
    assert db.session.get(Finding, ramp.id).status == "implemented"
    detail = office.get(f"/findings/{ramp.id}", headers=EN).text
    assert "Proof from the office" in detail and "Ramp built" in detail

    checker = _signed_in(app, group.email)
    token = _csrf(checker, f"/findings/{ramp.id}")
    checker.post(
        f"/findings/{ramp.id}/verify",
        data={"csrf_token": token, "decision": "verified", "note": "Seen on site"},
        headers=EN,
    )
    db.session.expire_all()
    assert db.session.get(Finding, ramp.id).status == "verified"
    figures = checker.get("/programme", headers=EN).text
    assert "Recommendations implemented" in figures and "By office" in figures
