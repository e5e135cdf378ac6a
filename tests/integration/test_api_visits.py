"""POST/GET /api/v1/visits: drafts, updates, submission, idempotency, errors, scoping."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from survey.extensions import db
from survey.visits.models import Answer, Visit
from tests.factories import load_mini, make_office, make_user, post_visit, visit_body


@pytest.fixture
def world(app, tmp_path):  # type: ignore[no-untyped-def]
    make_office()
    make_office("de-berlin-emb", "Europe/Berlin")
    load_mini(tmp_path)
    return {
        "vol": make_user("volunteer"),
        "vol2": make_user("volunteer"),
        "aud": make_user("auditor"),
        "head": make_user("office_head", office="tr-istanbul-cg"),
        "group": make_user("project_group"),
        "admin": make_user("admin"),
    }


def test_create_draft_then_repeat_is_idempotent(client, world):
    body = visit_body()
    first = post_visit(client, world["vol"], body)
    assert first.status_code == 201, first.json
    assert first.json["status"] == "draft"
    assert first.json["office"] == "tr-istanbul-cg"
    assert first.json["score"] is None and first.json["sections"] is None
    assert first.json["critical"] is False
    again = post_visit(client, world["vol"], body)
    assert again.status_code == 200
    assert db.session.scalar(select(func.count(Visit.id))) == 1


def test_submit_scores_exactly_as_design(client, world):
    body = visit_body(submit=True)
    resp = post_visit(client, world["vol"], body)
    assert resp.status_code == 201, resp.json
    got = client.get(f"/api/v1/visits/{body['uuid']}", headers=world["vol"].headers).json
    assert got["status"] == "submitted"
    assert got["sections"] == {"access": pytest.approx(25.0), "service": pytest.approx(56.25)}
    assert got["score"] == pytest.approx((25 + 2 * 56.25) / 3)
    assert got["critical"] is False
    assert got["visited_at"] == "2026-03-05T10:30:00+03:00"
    assert got["answers"]["ramp"] == {"value": "yes", "comment": "Ramp at the side door"}


def test_critical_cap_applies(client, world):
    answers = {
        "ramp": {"value": "yes"},
        "braille": {"value": "yes"},
        "courtesy": {"value": 5},
        "wait": {"value": 10},
        "bribe": {"value": "yes"},
        "booking": {"value": "online"},
    }
    body = visit_body(answers=answers, submit=True)
    resp = post_visit(client, world["vol"], body)
    assert resp.status_code == 201
    assert resp.json["critical"] is True
    assert resp.json["score"] == 40


def test_submitted_visit_is_frozen(client, world):
    body = visit_body(submit=True)
    post_visit(client, world["vol"], body)
    assert post_visit(client, world["vol"], body).status_code == 200
    same_instant = dict(body, visited_at="2026-03-05T07:30:00Z")
    assert post_visit(client, world["vol"], same_instant).status_code == 200
    changed = dict(body, answers={**body["answers"], "ramp": {"value": "no"}})
    resp = post_visit(client, world["vol"], changed)
    assert resp.status_code == 409
    assert resp.json["error"]["code"] == "conflict"
    stored = db.session.scalar(
        select(Answer.value)
        .join(Visit)
        .where(Visit.uuid == body["uuid"], Answer.item_code == "ramp")
    )
    assert stored == "yes"


def test_someone_elses_uuid_is_404(client, world):
    body = visit_body()
    post_visit(client, world["vol"], body)
    resp = post_visit(client, world["vol2"], body)
    assert resp.status_code == 404
    assert (
        client.get(f"/api/v1/visits/{body['uuid']}", headers=world["vol2"].headers).status_code
        == 404
    )


def test_422_names_each_bad_field_and_item(client, world):
    body = visit_body(
        office="nowhere",
        visited_at="yesterday",
        answers={"ramp": {"value": "maybe"}, "courtesy": {"value": 9}, "ghost": {"value": "yes"}},
    )
    resp = post_visit(client, world["vol"], body)
    assert resp.status_code == 422
    fields = resp.json["error"]["fields"]
    assert set(fields) == {"office", "visited_at", "answers"}
    assert set(fields["answers"]) == {"ramp", "courtesy", "ghost"}
    assert all(isinstance(m, str) and m for ms in fields["answers"].values() for m in ms)


def test_required_items_enforced_on_submit_and_nothing_saved(client, world):
    body = visit_body(answers={"ramp": {"value": "yes"}}, submit=True)
    resp = post_visit(client, world["vol"], body)
    assert resp.status_code == 422
    missing = resp.json["error"]["fields"]["answers"]
    assert set(missing) == {"courtesy", "wait", "bribe"}
    assert db.session.scalar(select(func.count(Visit.id))) == 0


def test_bad_answers_each_named(client, world):
    body = visit_body(
        answers={
            "ramp": {"value": "maybe"},
            "courtesy": {"value": 9},
            "wait": {"value": True},
            "bribe": {"value": "na"},
            "booking": {"value": "fax"},
            "ghost": {"value": "yes"},
        }
    )
    resp = post_visit(client, world["vol"], body)
    assert resp.status_code == 422
    assert set(resp.json["error"]["fields"]["answers"]) == {
        "ramp",
        "courtesy",
        "wait",
        "bribe",
        "booking",
        "ghost",
    }


def test_naive_time_is_read_in_office_zone(client, world):
    body = visit_body(office="de-berlin-emb", visited_at="2026-07-01T23:30:00")
    resp = post_visit(client, world["vol"], body)
    assert resp.status_code == 201
    assert resp.json["visited_at"] == "2026-07-01T23:30:00+02:00"


def test_only_field_roles_create_visits(client, world):
    for role in ("head", "group", "admin"):
        assert post_visit(client, world[role], visit_body()).status_code == 403
    assert post_visit(client, world["aud"], visit_body()).status_code == 201


def test_no_token_is_401_and_bad_token_is_401(client, world):
    assert client.get("/api/v1/visits").status_code == 401
    resp = client.get("/api/v1/visits", headers={"Authorization": "Bearer nope"})
    assert resp.status_code == 401
    assert resp.json["error"]["code"] == "unauthorized"


def test_list_is_scoped_and_newest_first(client, world):
    older = visit_body(visited_at="2026-01-01T10:00:00+03:00", submit=True)
    newer = visit_body(visited_at="2026-02-01T10:00:00+03:00")
    other = visit_body(office="de-berlin-emb")
    post_visit(client, world["vol"], older)
    post_visit(client, world["vol"], newer)
    post_visit(client, world["vol2"], other)
    mine = client.get("/api/v1/visits", headers=world["vol"].headers).json
    assert [v["uuid"] for v in mine] == [newer["uuid"], older["uuid"]]
    assert set(mine[0]) == {"uuid", "office", "checklist", "status", "visited_at"}
    auditor = client.get("/api/v1/visits", headers=world["aud"].headers).json
    assert [v["uuid"] for v in auditor] == [older["uuid"]]  # drafts stay with their author
    head = client.get("/api/v1/visits", headers=world["head"].headers)
    assert head.status_code == 404  # an office head sees no visits at all (DESIGN §5)
    filtered = client.get(
        "/api/v1/visits?status=draft&office=tr-istanbul-cg", headers=world["vol"].headers
    ).json
    assert [v["uuid"] for v in filtered] == [newer["uuid"]]
    page = client.get("/api/v1/visits?limit=1&offset=1", headers=world["vol"].headers).json
    assert [v["uuid"] for v in page] == [older["uuid"]]


def test_volunteer_pseudonym_only_for_auditors_and_group(client, world):
    body = visit_body(submit=True)
    post_visit(client, world["vol"], body)
    url = f"/api/v1/visits/{body['uuid']}"
    assert client.get(url, headers=world["aud"].headers).json["volunteer"].startswith("V-")
    assert client.get(url, headers=world["group"].headers).json["volunteer"].startswith("V-")
    assert "volunteer" not in client.get(url, headers=world["vol"].headers).json


def test_returned_visit_can_be_edited_and_resubmitted(client, world):
    body = visit_body(submit=True)
    post_visit(client, world["vol"], body)
    resp = client.post(
        f"/api/v1/visits/{body['uuid']}/review",
        json={"decision": "return", "note": "Add the wait time"},
        headers=world["aud"].headers,
    )
    assert resp.status_code == 200 and resp.json["status"] == "returned"
    mine = client.get(f"/api/v1/visits/{body['uuid']}", headers=world["vol"].headers).json
    assert mine["review"]["note"] == "Add the wait time"
    fixed = dict(body, answers={**body["answers"], "wait": {"value": 5}})
    resp = post_visit(client, world["vol"], fixed)
    assert resp.status_code == 200 and resp.json["status"] == "submitted"
    assert resp.json["sections"]["service"] == pytest.approx(100 * 3.25 / 4)


def test_malformed_json_is_422_in_error_shape(client, world):
    resp = client.post(
        "/api/v1/visits",
        data="{nope",
        headers={**world["vol"].headers, "Content-Type": "application/json"},
    )
    assert resp.status_code == 422
    assert set(resp.json["error"]) == {"code", "message", "fields"}


def test_uuid_must_be_a_uuid(client, world):
    resp = post_visit(client, world["vol"], visit_body(uuid="not-a-uuid"))
    assert resp.status_code == 422
    assert "uuid" in resp.json["error"]["fields"]


def test_a_checklist_version_no_database_can_hold_is_unknown_not_a_500(client, world):
    body = visit_body(checklist={"slug": "mini", "version": 10**30})
    resp = post_visit(client, world["vol"], body)
    assert resp.status_code == 422
    assert "checklist" in resp.json["error"]["fields"]
