"""From a volunteer's "no" to a verified fix, through the API, with history and e-mail."""

from __future__ import annotations

import io

import pytest
from sqlalchemy import select

from survey.extensions import db
from survey.findings.models import Finding, FindingEvent
from survey.visits.models import VisitEvent
from tests.factories import load_mini, make_office, make_user, post_visit, visit_body
from tests.media import makers

MINI_REC = (
    "\n        recommendation: "
    '{kk: "Пандус орнату.", ru: "Установить пандус.", en: "Install a ramp."}'
)


@pytest.fixture
def world(app, client, tmp_path):  # type: ignore[no-untyped-def]
    from tests import factories

    make_office()
    make_office("de-berlin-emb", "Europe/Berlin")
    original = factories.MINI
    factories.MINI = original.replace(
        '- {code: ramp, kind: yesno, text: {kk: "Пандус", ru: "Пандус", en: "Ramp"}}',
        '- code: ramp\n        kind: yesno\n        text: {kk: "Пандус", ru: "Пандус", en: "Ramp"}'
        + MINI_REC,
    )
    try:
        load_mini(tmp_path)
    finally:
        factories.MINI = original
    accounts = {
        "vol": make_user("volunteer"),
        "aud": make_user("auditor"),
        "head": make_user("office_head", office="tr-istanbul-cg"),
        "head2": make_user("office_head", office="de-berlin-emb"),
        "group": make_user("project_group"),
        "admin": make_user("admin"),
    }
    body = visit_body(submit=True)  # ramp yes, braille no, wait 25 (> 15), booking queue (0.5)
    body["answers"]["ramp"] = {"value": "no", "comment": "The volunteer's own words"}
    assert post_visit(client, accounts["vol"], body).status_code == 201
    resp = client.post(
        f"/api/v1/visits/{body['uuid']}/review",
        json={"decision": "approve"},
        headers=accounts["aud"].headers,
    )
    assert resp.status_code == 200
    accounts["visit"] = body
    return accounts


def _finding(client, account, item):  # type: ignore[no-untyped-def]
    rows = client.get("/api/v1/findings", headers=account.headers).json
    return next(f for f in rows if f["item"] == item)


def test_findings_made_on_approval(client, world):
    rows = client.get("/api/v1/findings", headers=world["aud"].headers).json
    assert {f["item"] for f in rows} == {"ramp", "braille", "courtesy", "wait", "booking"}
    ramp = _finding(client, world["aud"], "ramp")
    assert ramp["status"] == "open" and ramp["office"] == "tr-istanbul-cg"
    assert ramp["visit"] == world["visit"]["uuid"]
    kk = client.get(
        f"/api/v1/findings/{ramp['id']}", headers={**world["head"].headers, "Accept-Language": "kk"}
    ).json
    assert kk["recommendation"] == "Пандус орнату."
    assert ramp["recommendations"]["en"] == "Install a ramp."
    assert ramp["history"][0]["action"] == "created"


def test_the_whole_loop_to_verified(client, world):
    ramp = _finding(client, world["head"], "ramp")
    url = f"/api/v1/findings/{ramp['id']}"
    h = world["head"].headers
    r1 = client.post(
        f"{url}/response", json={"text": "Ordered a ramp", "status": "in_progress"}, headers=h
    )
    assert r1.status_code == 200 and r1.json["status"] == "in_progress"
    proof = client.post(
        f"{url}/evidence",
        data={"file": (io.BytesIO(makers.jpeg_with_secrets()), "r.jpg")},
        headers=h,
        content_type="multipart/form-data",
    )
    assert proof.status_code == 201 and "original" not in proof.json["files"]
    r2 = client.post(
        f"{url}/response", json={"text": "Ramp installed", "status": "implemented"}, headers=h
    )
    assert r2.json["status"] == "implemented"
    assert len(r2.json["evidence"]) == 1 and [r["text"] for r in r2.json["responses"]] == [
        "Ordered a ramp",
        "Ramp installed",
    ]
    # The project group reopens once (a reason is required), then verifies the second fix.
    g = world["group"].headers
    assert client.post(f"{url}/verify", json={"decision": "reopened"}, headers=g).status_code == 422
    reopened = client.post(
        f"{url}/verify", json={"decision": "reopened", "note": "Too steep"}, headers=g
    )
    assert reopened.json["status"] == "open"
    client.post(f"{url}/response", json={"text": "Rebuilt", "status": "implemented"}, headers=h)
    done = client.post(
        f"{url}/verify", json={"decision": "verified", "note": "Checked on site"}, headers=g
    )
    assert done.status_code == 200 and done.json["status"] == "verified"
    actions = [e["action"] for e in done.json["history"]]
    assert actions == ["created", "response", "response", "reopened", "response", "verified"]
    assert client.post(f"{url}/verify", json={"decision": "verified"}, headers=g).status_code == 409
    figures = client.get("/api/v1/offices/tr-istanbul-cg/scores", headers=world["aud"].headers).json
    assert figures["findings"]["verified"] == 1 and figures["findings"]["open"] == 4


def test_status_rules_and_roles(client, world):
    ramp = _finding(client, world["head"], "ramp")
    url = f"/api/v1/findings/{ramp['id']}"
    assert (
        client.post(
            f"{url}/verify", json={"decision": "verified"}, headers=world["group"].headers
        ).status_code
        == 409
    )  # not implemented yet
    straight = client.post(
        f"{url}/response",
        json={"text": "Done", "status": "implemented"},
        headers=world["head"].headers,
    )
    assert straight.json["status"] == "implemented"  # open -> implemented directly is allowed
    back = client.post(
        f"{url}/response",
        json={"text": "x", "status": "in_progress"},
        headers=world["head"].headers,
    )
    assert back.status_code == 409
    assert client.get("/api/v1/findings", headers=world["vol"].headers).status_code == 403
    assert client.get(url, headers=world["head2"].headers).status_code == 404
    assert client.get("/api/v1/findings", headers=world["head2"].headers).json == []
    for who in ("aud", "group", "vol"):
        resp = client.post(f"{url}/response", json={"text": "x"}, headers=world[who].headers)
        assert resp.status_code == 403
    assert (
        client.post(
            f"{url}/verify", json={"decision": "verified"}, headers=world["aud"].headers
        ).status_code
        == 403
    )


def test_dispute_edit_merge(client, world):
    wait = _finding(client, world["head"], "wait")
    url = f"/api/v1/findings/{wait['id']}"
    disputed = client.post(
        f"{url}/dispute", json={"text": "The clock was wrong"}, headers=world["head"].headers
    )
    assert disputed.json["status"] == "open"
    assert [r["action"] for r in disputed.json["responses"]] == ["dispute"]
    seen = client.get(url, headers=world["aud"].headers).json
    assert seen["disputed"] is True  # auditors see the flag; the office sees its own reply
    edit = client.patch(
        url,
        json={
            "recommendations": {
                "kk": "Кезекті ұйымдастыру.",
                "ru": "Организовать очередь.",
                "en": "Organise the queue.",
            }
        },
        headers=world["aud"].headers,
    )
    assert edit.status_code == 200 and edit.json["recommendations"]["ru"] == "Организовать очередь."
    half = client.patch(
        url, json={"recommendations": {"en": "Only English"}}, headers=world["aud"].headers
    )
    assert half.status_code == 422
    # A second visit to the same office fails the same item: one finding, two observations.
    second = visit_body(submit=True)
    post_visit(client, world["vol"], second)
    client.post(
        f"/api/v1/visits/{second['uuid']}/review",
        json={"decision": "approve"},
        headers=world["aud"].headers,
    )
    waits = [
        f
        for f in client.get("/api/v1/findings", headers=world["aud"].headers).json
        if f["item"] == "wait"
    ]
    assert len(waits) == 1
    assert [o["result"] for o in waits[0]["observations"]] == ["fail", "fail"]
    # A duplicate left from before one finding per requirement can still be merged by hand.
    from survey.findings.models import Finding

    original = db.session.get(Finding, waits[0]["id"])
    duplicate = Finding(
        visit_id=original.visit_id,
        office_id=original.office_id,
        item_code="wait",
        severity=original.severity,
        status="open",
        recommendation={},
        due_date=original.due_date,
    )
    db.session.add(duplicate)
    db.session.commit()
    merged = client.post(
        f"/api/v1/findings/{duplicate.id}/merge",
        json={"into": original.id},
        headers=world["aud"].headers,
    )
    assert merged.status_code == 200
    left = [
        f
        for f in client.get("/api/v1/findings", headers=world["aud"].headers).json
        if f["item"] == "wait"
    ]
    assert len(left) == 1


def test_office_head_never_sees_the_volunteer(client, world):
    ramp = _finding(client, world["head"], "ramp")
    seen = client.get(f"/api/v1/findings/{ramp['id']}", headers=world["head"].headers)
    visit = client.get(f"/api/v1/visits/{world['visit']['uuid']}", headers=world["head"].headers)
    for text in (seen.text, visit.text):
        assert "The volunteer's own words" not in text
        assert world["vol"].email not in text
        assert "V-" not in text


def test_history_is_kept(client, world):
    events = db.session.scalars(select(VisitEvent).order_by(VisitEvent.id)).all()
    assert [(e.action, e.to_status) for e in events] == [
        ("created", "draft"),
        ("submitted", "submitted"),
        ("approve", "approved"),
    ]
    assert db.session.scalar(select(FindingEvent.action)) == "created"
    ramp = db.session.scalar(select(Finding).where(Finding.item_code == "ramp"))
    assert ramp.recommendation["kk"] == "Пандус орнату."


def test_email_to_head_auditor_and_volunteer(app, client, world, smtp_server):
    from survey.auth.models import User

    head = db.session.get(User, world["head"].user_id)
    head.locale = "kk"
    db.session.commit()
    app.config.update(SMTP_HOST="127.0.0.1", SMTP_PORT=smtp_server.port)
    body = visit_body(submit=True)
    body["answers"]["ramp"] = {"value": "no"}  # already open: an observation only
    body["answers"]["bribe"] = {"value": "yes"}  # new: a finding, so the office hears of it
    post_visit(client, world["vol"], body)
    client.post(
        f"/api/v1/visits/{body['uuid']}/review",
        json={"decision": "approve"},
        headers=world["aud"].headers,
    )
    to_head = smtp_server.wait_for(world["head"].email)
    assert "Сәлеметсіз" in to_head.get_content() or "Сәлем" in to_head.get_content()
    finding = _finding(client, world["head"], "ramp")
    client.post(
        f"/api/v1/findings/{finding['id']}/response",
        json={"text": "Done", "status": "implemented"},
        headers=world["head"].headers,
    )
    to_auditor = smtp_server.wait_for(world["aud"].email)
    assert f"/findings/{finding['id']}" in to_auditor.get_content()
    third = visit_body(submit=True)
    post_visit(client, world["vol"], third)
    client.post(
        f"/api/v1/visits/{third['uuid']}/review",
        json={"decision": "return", "note": "Photo?"},
        headers=world["aud"].headers,
    )
    to_volunteer = smtp_server.wait_for(world["vol"].email)
    assert "Photo?" in to_volunteer.get_content()


@pytest.mark.parametrize(
    ("lang", "status", "verb"), [("kk", "Ашық", "Ашу"), ("ru", "Открыто", "Открыть")]
)
def test_an_open_finding_reads_as_a_state_not_a_verb(app, world, lang, status, verb):
    """Issue 16 (review §2.1): one msgid served the status "Open" and the link "Open", so
    every open finding read «Ашу» / «Открыть» (to open) in the list, its filter and history."""
    from tests.factories import sign_in

    with app.test_client() as browser:
        assert sign_in(browser, world["head"].email).status_code == 302
        page = browser.get("/findings", headers={"Accept-Language": lang}).text
        assert f">{status}<" in page  # the tag on each open finding
        assert f'value="open">{status}</option>' in page or f">{status}</a>" in page  # filter
        assert f">{verb}<" not in page


@pytest.mark.parametrize(
    ("method", "tail", "body", "field"),
    [
        ("patch", "", {"recommendations": "x"}, "kk"),
        ("patch", "", {"recommendations": {"kk": 10**30, "ru": "б", "en": "c"}}, "kk"),
        ("patch", "", {"recommendations": ["kk", "ru"]}, "kk"),
        ("post", "/merge", {"into": 10**30}, "into"),
        ("post", "/merge", {"into": True}, "into"),
        ("post", "/merge", {"into": -1}, "into"),
    ],
)
def test_odd_finding_bodies_are_refused_with_the_field(client, world, method, tail, body, field):
    """Review of issue 17: these were 500s (AttributeError, OverflowError) or, for `true`,
    finding 1."""
    wait = _finding(client, world["aud"], "wait")
    url = f"/api/v1/findings/{wait['id']}{tail}"
    answer = getattr(client, method)(url, json=body, headers=world["aud"].headers)
    assert answer.status_code == 422, answer.json
    assert field in answer.json["error"]["fields"]


@pytest.mark.parametrize("moment", ["9999-12-31T23:59:59-12:00", "0001-01-01T00:00:00+14:00"])
def test_a_visit_at_the_ends_of_the_calendar_is_refused(client, world, moment):
    body = visit_body()
    body["visited_at"] = moment
    answer = post_visit(client, world["vol"], body)
    assert answer.status_code == 422, answer.json
    assert "visited_at" in answer.json["error"]["fields"]
