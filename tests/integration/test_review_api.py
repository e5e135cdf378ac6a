"""POST /visits/<uuid>/review: who may decide, what each decision does, findings on approval."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from survey.extensions import db
from survey.findings.models import Finding
from tests.factories import load_mini, make_office, make_user, post_visit, visit_body


@pytest.fixture
def world(app, tmp_path):  # type: ignore[no-untyped-def]
    make_office()
    load_mini(tmp_path)
    return {
        "vol": make_user("volunteer"),
        "aud": make_user("auditor"),
        "aud2": make_user("auditor"),
        "group": make_user("project_group"),
        "head": make_user("office_head", office="tr-istanbul-cg"),
    }


def _review(client, account, uuid, **body):
    return client.post(f"/api/v1/visits/{uuid}/review", json=body, headers=account.headers)


def test_approve_makes_findings_with_severity(client, world):
    answers = {
        "ramp": {"value": "no"},
        "braille": {"value": "no"},
        "courtesy": {"value": 3},
        "wait": {"value": 30},
        "bribe": {"value": "yes"},
        "booking": {"value": "online"},
    }
    body = visit_body(answers=answers, submit=True)
    post_visit(client, world["vol"], body)
    resp = _review(client, world["aud"], body["uuid"], decision="approve")
    assert resp.status_code == 200 and resp.json["status"] == "approved"
    findings = {f.item_code: f for f in db.session.scalars(select(Finding))}
    assert set(findings) == {"ramp", "braille", "courtesy", "wait", "bribe"}
    assert findings["bribe"].severity == "critical"
    assert findings["braille"].severity == "major"  # weight 3
    assert findings["ramp"].severity == "minor"
    assert all(f.status == "open" for f in findings.values())
    delta = findings["ramp"].due_date - findings["ramp"].created_at.date()
    assert delta.days == 30
    head_view = client.get(f"/api/v1/visits/{body['uuid']}", headers=world["head"].headers)
    assert head_view.status_code == 404  # the office sees findings, never a visit


def test_comments_and_own_words_hidden_from_office_head(client, world):
    body = visit_body(submit=True)
    body["answers"]["ramp"] = {"value": "no", "comment": "I, Aigerim, saw no ramp"}
    body["answers"]["notes"] = {"value": "I am Aigerim and I came with my sister"}
    post_visit(client, world["vol"], body)
    _review(client, world["aud"], body["uuid"], decision="approve")
    head = world["head"].headers
    assert client.get(f"/api/v1/visits/{body['uuid']}", headers=head).status_code == 404
    found = client.get("/api/v1/findings", headers=head)
    assert found.status_code == 200 and found.json
    assert "Aigerim" not in found.text and body["uuid"] not in found.text


def test_return_and_reject_need_a_note(client, world):
    body = visit_body(submit=True)
    post_visit(client, world["vol"], body)
    for decision in ("return", "reject"):
        resp = _review(client, world["aud"], body["uuid"], decision=decision)
        assert resp.status_code == 422 and "note" in resp.json["error"]["fields"]
    resp = _review(client, world["aud"], body["uuid"], decision="reject", note="Outside hours")
    assert resp.status_code == 200 and resp.json["status"] == "rejected"
    assert db.session.scalars(select(Finding)).all() == []


def test_only_other_auditors_review_submitted_visits(client, world):
    own = visit_body(submit=True)
    post_visit(client, world["aud"], own)
    assert _review(client, world["aud"], own["uuid"], decision="approve").status_code == 403
    assert _review(client, world["aud2"], own["uuid"], decision="approve").status_code == 200
    assert _review(client, world["aud2"], own["uuid"], decision="approve").status_code == 409
    draft = visit_body()
    post_visit(client, world["vol"], draft)
    assert _review(client, world["aud"], draft["uuid"], decision="approve").status_code == 404
    sub = visit_body(submit=True)
    post_visit(client, world["vol"], sub)
    for who in ("vol", "group", "head"):
        assert _review(client, world[who], sub["uuid"], decision="approve").status_code == 403
    resp = _review(client, world["aud"], sub["uuid"], decision="maybe")
    assert resp.status_code == 422 and "decision" in resp.json["error"]["fields"]
