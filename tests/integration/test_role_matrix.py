"""Every role against every API route: the server enforces DESIGN §5, not the client."""

from __future__ import annotations

import pytest

from tests.factories import load_mini, make_office, make_user, post_visit, visit_body

ROLES = ("volunteer", "auditor", "office_head", "other_head", "project_group", "admin", "anonymous")

# route -> expected status per role (the visit is approved, made by another volunteer,
# at the office of "office_head").
EXPECTED = {
    ("GET", "/api/v1/offices"): dict.fromkeys(ROLES[:-1], 200) | {"anonymous": 401},
    ("GET", "/api/v1/checklists"): dict.fromkeys(ROLES[:-1], 200) | {"anonymous": 401},
    ("GET", "/api/v1/checklists/mini/1"): dict.fromkeys(ROLES[:-1], 200) | {"anonymous": 401},
    # An office head sees no single visit, not even an empty list of them (DESIGN §5).
    ("GET", "/api/v1/visits"): dict.fromkeys(ROLES[:-1], 200)
    | {"office_head": 404, "other_head": 404, "anonymous": 401},
    ("GET", "/api/v1/visits/{uuid}"): {
        "volunteer": 404,
        "auditor": 200,
        "office_head": 404,
        "other_head": 404,
        "project_group": 200,
        "admin": 404,
        "anonymous": 401,
    },
    ("GET", "/api/v1/offices/tr-istanbul-cg/scores"): {
        "volunteer": 403,
        "auditor": 200,
        "office_head": 200,
        "other_head": 403,
        "project_group": 200,
        "admin": 403,
        "anonymous": 401,
    },
    ("GET", "/api/v1/scores"): {
        "volunteer": 403,
        "auditor": 200,
        "office_head": 200,
        "other_head": 200,
        "project_group": 200,
        "admin": 403,
        "anonymous": 401,
    },
    ("POST", "/api/v1/visits/{uuid}/review"): {
        "volunteer": 403,
        "auditor": 409,
        "office_head": 403,
        "other_head": 403,
        "project_group": 403,
        "admin": 403,
        "anonymous": 401,
    },
}


@pytest.fixture
def world(app, client, tmp_path):  # type: ignore[no-untyped-def]
    make_office()
    make_office("de-berlin-emb", "Europe/Berlin")
    load_mini(tmp_path)
    author = make_user("volunteer")
    reviewer = make_user("auditor")
    body = visit_body(submit=True)
    post_visit(client, author, body)
    client.post(
        f"/api/v1/visits/{body['uuid']}/review",
        json={"decision": "approve"},
        headers=reviewer.headers,
    )
    accounts = {
        "volunteer": make_user("volunteer"),
        "auditor": make_user("auditor"),
        "office_head": make_user("office_head", office="tr-istanbul-cg"),
        "other_head": make_user("office_head", office="de-berlin-emb"),
        "project_group": make_user("project_group"),
        "admin": make_user("admin"),
    }
    return body["uuid"], accounts


def test_each_role_against_each_route(client, world):
    uuid, accounts = world
    seen = {}
    for (method, route), expected in EXPECTED.items():
        url = route.format(uuid=uuid)
        for role in ROLES:
            headers = accounts[role].headers if role in accounts else {}
            kwargs = {"json": {"decision": "approve"}} if method == "POST" else {}
            resp = client.open(url, method=method, headers=headers, **kwargs)
            seen[(route, role)] = resp.status_code
            assert resp.status_code == expected[role], (method, route, role, resp.json)
    assert len(seen) == len(EXPECTED) * len(ROLES)


def test_office_head_sees_no_visit_of_any_office(client, world):
    uuid, accounts = world
    for head in ("office_head", "other_head"):
        headers = accounts[head].headers
        assert client.get("/api/v1/visits", headers=headers).status_code == 404
        assert client.get(f"/api/v1/visits/{uuid}", headers=headers).status_code == 404
