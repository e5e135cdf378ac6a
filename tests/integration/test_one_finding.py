"""One recommendation per office and requirement (issue 13): a finding walked through repeats,
a fix, a failed re-check (reopened by itself), a verification that waits for a passing visit,
and a recurrence."""

from __future__ import annotations

import io
from datetime import datetime

from sqlalchemy import func, select

from survey.extensions import db
from survey.findings.models import Finding, FindingObservation
from tests.factories import load_mini, make_office, make_user, post_visit, visit_body
from tests.media import makers


def _approved(client, world, ramp: str, day: str) -> str:  # type: ignore[no-untyped-def]
    body = visit_body(submit=True, visited_at=f"{day}T10:00:00+03:00")
    body["answers"]["ramp"] = {"value": ramp}
    assert post_visit(client, world["vol"], body).status_code == 201
    done = client.post(
        f"/api/v1/visits/{body['uuid']}/review",
        json={"decision": "approve"},
        headers=world["aud"].headers,
    )
    assert done.status_code == 200, done.text
    return body["uuid"]


def _ramp(client, account) -> list[dict]:  # type: ignore[no-untyped-def,type-arg]
    rows = client.get("/api/v1/findings", headers=account.headers).json
    return [f for f in rows if f["item"] == "ramp"]


def _results(finding: dict) -> list[str]:  # type: ignore[type-arg]
    return [o["result"] for o in finding["observations"]]


def _fixed(client, head, finding_id: int, day: str, text: str = "Ramp built") -> None:  # type: ignore[no-untyped-def]
    """The head reports the fix; it is dated `day` (10:00 UTC), as if answered then."""
    sent = client.post(
        f"/api/v1/findings/{finding_id}/response",
        json={"text": text, "status": "implemented"},
        headers=head.headers,
    )
    assert sent.json["status"] == "implemented"
    at = datetime.fromisoformat(f"{day}T10:00:00")
    finding = db.session.get(Finding, finding_id)
    finding.implemented_at = at
    latest = max(finding.events, key=lambda e: e.id)
    latest.at = at
    db.session.commit()


def test_a_finding_through_repeats_fix_recheck_verification_and_recurrence(app, client, tmp_path):
    make_office()
    load_mini(tmp_path)
    world = {
        "vol": make_user("volunteer"),
        "aud": make_user("auditor"),
        "head": make_user("office_head", office="tr-istanbul-cg"),
        "group": make_user("project_group"),
    }
    head, group = world["head"], world["group"]

    first = _approved(client, world, "no", "2026-01-10")
    [ramp] = _ramp(client, world["aud"])
    assert ramp["visit"] == first and _results(ramp) == ["fail"]

    _approved(client, world, "no", "2026-02-11")  # the same requirement fails again
    _approved(client, world, "yes", "2026-02-20")  # and passes once
    [ramp] = _ramp(client, world["aud"])  # still one recommendation
    assert _results(ramp) == ["fail", "fail", "pass"]
    seen = _ramp(client, head)[0]["observations"]
    assert seen == [
        {"month": "2026-01", "result": "fail"},
        {"month": "2026-02", "result": "fail"},
        {"month": "2026-02", "result": "pass"},
    ]

    url = f"/api/v1/findings/{ramp['id']}"
    _fixed(client, head, ramp["id"], "2026-03-01")

    # A visit made after the fix finds no ramp: the finding reopens by itself.
    _approved(client, world, "no", "2026-03-05")
    [ramp] = _ramp(client, world["aud"])
    assert ramp["status"] == "open" and _results(ramp)[-1] == "fail"
    reopening = ramp["history"][-1]
    assert reopening["action"] == "reopened_by_visit"
    assert (reopening["from"], reopening["to"]) == ("implemented", "open")
    as_head = _ramp(client, head)[0]["history"][-1]  # the office learns no visit or time
    assert set(as_head) == {"on", "action", "from", "to", "text", "by"}

    _fixed(client, head, ramp["id"], "2026-03-10", "Rebuilt")
    # The project group wants a visit that passes it before it verifies.
    asked = client.post(f"{url}/verify", json={"decision": "recheck"}, headers=group.headers)
    assert asked.status_code == 200 and asked.json["recheck_required"] is True
    early = client.post(f"{url}/verify", json={"decision": "verified"}, headers=group.headers)
    assert early.status_code == 409
    _approved(client, world, "yes", "2026-03-20")
    done = client.post(f"{url}/verify", json={"decision": "verified"}, headers=group.headers)
    assert done.status_code == 200 and done.json["status"] == "verified"

    # Verified, and a later visit fails it again: a new finding, a recurrence of the old one.
    _approved(client, world, "no", "2026-04-02")
    found = sorted(_ramp(client, world["aud"]), key=lambda f: f["id"])
    assert [f["status"] for f in found] == ["verified", "open"]
    assert found[1]["recurrence_of"] == found[0]["id"] and _results(found[1]) == ["fail"]
    # Six visits, each failing or partly failing four more items: still one finding each.
    counts = select(Finding.item_code, func.count(Finding.id)).group_by(Finding.item_code)
    per_item = {item: n for item, n in db.session.execute(counts)}
    assert per_item == {"ramp": 2, "braille": 1, "wait": 1, "booking": 1, "courtesy": 1}
    observed = select(func.count(FindingObservation.id)).where(
        FindingObservation.finding_id == found[0]["id"]
    )
    assert db.session.scalar(observed) == 5  # the sixth visit is the new finding's


def test_a_photo_of_the_fix_makes_the_reply_implemented(app, client, tmp_path):
    """The head's reply form defaults to "in progress", or "implemented" with a photo."""
    from tests.factories import csrf_of, sign_in

    make_office()
    load_mini(tmp_path)
    world = {"vol": make_user("volunteer"), "aud": make_user("auditor")}
    head = make_user("office_head", office="tr-istanbul-cg")
    _approved(client, world, "no", "2026-01-10")
    [ramp, *_rest] = sorted(_ramp(client, head), key=lambda f: f["id"])
    browser = app.test_client()
    sign_in(browser, head.email)
    page = browser.get(f"/findings/{ramp['id']}", headers={"Accept-Language": "en"})
    assert '<option value="auto" selected>' in page.text
    for files, expected in (([], "in_progress"), ([makers.jpeg_with_secrets()], "implemented")):
        data = {
            "csrf_token": csrf_of(page.text),
            "text": "Working on it",
            "status": "auto",
            "file": [(io.BytesIO(b), "fix.jpg") for b in files],
        }
        sent = browser.post(
            f"/findings/{ramp['id']}/respond", data=data, content_type="multipart/form-data"
        )
        assert sent.status_code == 302
        db.session.expire_all()
        assert db.session.get(Finding, ramp["id"]).status == expected


def test_a_visit_made_before_the_fix_says_nothing_about_it(app, client, tmp_path):
    """Approved late, a visit made before the fix neither reopens it nor counts as the
    passing visit the project group asked for; its observation goes in its place by date."""
    make_office()
    load_mini(tmp_path)
    world = {"vol": make_user("volunteer"), "aud": make_user("auditor")}
    head, group = make_user("office_head", office="tr-istanbul-cg"), make_user("project_group")
    _approved(client, world, "no", "2026-01-10")
    [ramp] = _ramp(client, world["aud"])
    _approved(client, world, "no", "2026-01-20")
    _fixed(client, head, ramp["id"], "2026-02-01")

    late = _approved(client, world, "no", "2026-01-15")  # made before the fix, approved after
    [ramp] = _ramp(client, world["aud"])
    assert ramp["status"] == "implemented"
    assert all(e["action"] != "reopened_by_visit" for e in ramp["history"])
    assert [o["visit"] for o in ramp["observations"]][1] == late  # 10, 15, 20 January
    assert [o["month"] for o in _ramp(client, head)[0]["observations"]] == ["2026-01"] * 3

    url = f"/api/v1/findings/{ramp['id']}"
    client.post(f"{url}/verify", json={"decision": "recheck"}, headers=group.headers)
    _approved(client, world, "yes", "2026-01-25")  # passes, but before the fix
    early = client.post(f"{url}/verify", json={"decision": "verified"}, headers=group.headers)
    assert early.status_code == 409
    _approved(client, world, "yes", "2026-02-05")
    done = client.post(f"{url}/verify", json={"decision": "verified"}, headers=group.headers)
    assert done.status_code == 200 and done.json["status"] == "verified"
