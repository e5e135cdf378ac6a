"""A new version of the shipped checklist (issues 15 and 16): it loads beside the old one, old
visits keep their version and its texts, and figures pool answers by item code across both."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

from sqlalchemy import select

from survey.checklists.models import Checklist
from survey.checklists.services import load_paths
from survey.extensions import db
from tests.e2e.conftest import CHECKLIST_VERSION
from tests.factories import make_office, make_user, post_visit

V2 = Path(__file__).resolve().parents[1] / "samples" / "checklists" / "consular-visit-v2.yaml"


def _answers(spec: Any, wait: float) -> dict[str, dict[str, Any]]:
    """Every item answered as a compliant visit would, the wait in minutes as given."""
    answers: dict[str, dict[str, Any]] = {}
    for item in spec.iter_items():
        value = {
            "yesno": item.pass_answer,
            "scale": item.max,
            "number": wait,
            "choice": item.options[0].code if item.options else None,
        }.get(item.kind)
        if value is not None:
            answers[item.code] = {"value": value}
    return answers


def _approved_visit(client, volunteer, auditor, version: int, wait: float) -> str:  # type: ignore[no-untyped-def]
    spec = db.session.scalar(
        select(Checklist).where(Checklist.slug == "consular-visit", Checklist.version == version)
    ).spec
    body = {
        "uuid": str(uuid.uuid4()),
        "office": "tr-istanbul-cg",
        "checklist": {"slug": "consular-visit", "version": version},
        "visited_at": "2026-10-05T10:30:00+03:00",
        "answers": _answers(spec, wait),
        "submit": True,
    }
    created = post_visit(client, volunteer, body)
    assert created.status_code == 201, created.json
    decided = client.post(
        f"/api/v1/visits/{body['uuid']}/review",
        json={"decision": "approve"},
        headers=auditor.headers,
    )
    assert decided.status_code == 200, decided.json
    return body["uuid"]


def test_the_new_version_loads_beside_the_old_and_figures_pool_by_item_code(app, client):
    make_office()
    volunteer, auditor = make_user("volunteer"), make_user("auditor")
    group = make_user("project_group")
    assert load_paths([V2]).loaded == [("consular-visit", 2)]
    old = _approved_visit(client, volunteer, auditor, 2, wait=42.5)  # v2 took fractions

    loaded = load_paths([Path(app.config["CHECKLISTS_DIR"])]).loaded
    assert loaded == [("consular-visit", CHECKLIST_VERSION)]
    assert CHECKLIST_VERSION > 2
    new = _approved_visit(client, volunteer, auditor, CHECKLIST_VERSION, wait=10)

    # The old visit keeps its version, its answer and its texts.
    shown = client.get(f"/api/v1/visits/{old}", headers=auditor.headers).json
    assert shown["checklist"] == {"slug": "consular-visit", "version": 2}
    assert shown["answers"]["wait_minutes"]["value"] == 42.5
    spec_v2 = client.get("/api/v1/checklists/consular-visit/2", headers=auditor.headers).json
    spec_v3 = client.get(
        f"/api/v1/checklists/consular-visit/{CHECKLIST_VERSION}", headers=auditor.headers
    ).json
    titles = {s["code"]: s["title"]["kk"] for s in spec_v2["sections"]}
    assert "мемлекеттік қызмет стандарты" in titles["information"]  # the old wording stays
    titles = {s["code"]: s["title"]["kk"] for s in spec_v3["sections"]}
    assert "мемлекеттік көрсетілетін қызмет стандарты" in titles["information"]
    assert (
        client.get(f"/api/v1/visits/{new}", headers=auditor.headers).json["checklist"]["version"]
        == CHECKLIST_VERSION
    )

    # Figures pool answers by item code across both versions.
    figures = client.get(
        "/api/v1/offices/tr-istanbul-cg/scores?from=2026-10-01&to=2026-10-31",
        headers=group.headers,
    ).json
    wait = figures["items"]["wait_minutes"]
    assert (wait["pass"], wait["fail"]) == (1, 1)  # 10 min passes, 42.5 fails (max 20)
    assert figures["items"]["unofficial_payment"]["pass"] == 2
