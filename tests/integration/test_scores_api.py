"""GET /offices/<code>/scores and GET /scores: SQL figures equal the definitions of DESIGN §4."""

from __future__ import annotations

import math
import statistics

import pytest

from survey.domain.stats import t_quantile
from tests.factories import load_mini, make_office, make_user, post_visit, visit_body

Z = 1.959964


@pytest.fixture
def world(app, tmp_path):  # type: ignore[no-untyped-def]
    make_office()
    make_office("de-berlin-emb", "Europe/Berlin")
    load_mini(tmp_path)
    return {
        "vol": make_user("volunteer"),
        "aud": make_user("auditor"),
        "head": make_user("office_head", office="tr-istanbul-cg"),
        "head2": make_user("office_head", office="de-berlin-emb"),
        "group": make_user("project_group"),
        "admin": make_user("admin"),
    }


def _approved(client, world, office="tr-istanbul-cg", when="2026-03-05T10:30:00+03:00", **answers):
    base = {
        "ramp": {"value": "yes"},
        "braille": {"value": "no"},
        "courtesy": {"value": 4},
        "wait": {"value": 25},
        "bribe": {"value": "no"},
        "booking": {"value": "queue"},
    }
    base.update({k: {"value": v} for k, v in answers.items()})
    body = visit_body(office=office, visited_at=when, answers=base, submit=True)
    assert post_visit(client, world["vol"], body).status_code == 201
    resp = client.post(
        f"/api/v1/visits/{body['uuid']}/review",
        json={"decision": "approve"},
        headers=world["aud"].headers,
    )
    assert resp.status_code == 200, resp.json
    return resp.json["score"]


def _wilson(k, n):
    p = k / n
    centre = (p + Z * Z / (2 * n)) / (1 + Z * Z / n)
    half = Z * math.sqrt(p * (1 - p) / n + Z * Z / (4 * n * n)) / (1 + Z * Z / n)
    return [max(0.0, centre - half), min(1.0, centre + half)]


def test_office_figures_match_definitions(client, world):
    scores = [
        _approved(client, world),
        _approved(client, world, ramp="no", courtesy=5, wait=10),
        _approved(client, world, ramp="na", bribe="yes", booking="own"),
        _approved(client, world, braille="yes", courtesy=1),
    ]
    # Outside the period, another office, and a submitted-only visit: all left out.
    _approved(client, world, when="2025-12-31T23:00:00+03:00")
    _approved(client, world, office="de-berlin-emb")
    post_visit(client, world["vol"], visit_body(submit=True))

    resp = client.get(
        "/api/v1/offices/tr-istanbul-cg/scores?from=2026-01-01&to=2026-12-31",
        headers=world["group"].headers,
    )
    assert resp.status_code == 200, resp.json
    got = resp.json
    assert got["office"] == "tr-istanbul-cg"
    assert got["n"] == 4
    assert got["score"] == pytest.approx(statistics.mean(scores))
    half = t_quantile(0.975, 3) * statistics.stdev(scores) / math.sqrt(4)
    mean = statistics.mean(scores)
    assert got["score_ci"] == pytest.approx([max(0, mean - half), min(100, mean + half)])
    assert got["critical"] == 1
    assert got["sections"]["access"]["n"] == 4
    ramp = got["items"]["ramp"]
    assert (ramp["pass"], ramp["fail"], ramp["partial"], ramp["na"]) == (2, 1, 0, 1)
    assert ramp["rate"] == pytest.approx(2 / 3)
    assert ramp["rate_ci"] == pytest.approx(_wilson(2, 3))
    courtesy = got["items"]["courtesy"]
    assert courtesy["partial"] == 2 and courtesy["pass"] == 1 and courtesy["fail"] == 1
    assert courtesy["rate"] == pytest.approx((0.75 + 1 + 0.75 + 0) / 4)
    assert courtesy["rate_ci"] is None  # partial scores: no Wilson interval
    booking = got["items"]["booking"]
    assert booking["na"] == 1 and booking["partial"] == 3
    assert "notes" not in got["items"]  # text items are not scorable
    f = got["findings"]
    assert set(f) == {"open", "in_progress", "implemented", "verified", "overdue"}
    assert f["open"] > 0 and f["overdue"] == 0


def test_single_visit_has_no_interval(client, world):
    _approved(client, world)
    got = client.get("/api/v1/offices/tr-istanbul-cg/scores", headers=world["aud"].headers).json
    assert got["n"] == 1 and got["score_ci"] is None


def test_empty_period(client, world):
    got = client.get(
        "/api/v1/offices/tr-istanbul-cg/scores?from=2020-01-01&to=2020-01-31",
        headers=world["aud"].headers,
    ).json
    assert got["n"] == 0 and got["score"] is None and got["score_ci"] is None
    assert got["sections"] == {} and got["items"] == {} and got["critical"] == 0


def test_period_is_the_local_date(client, world):
    # 00:30 in Istanbul on 1 March is still 28 February in UTC: it belongs to March.
    _approved(client, world, when="2026-03-01T00:30:00+03:00")
    march = client.get(
        "/api/v1/offices/tr-istanbul-cg/scores?from=2026-03-01&to=2026-03-31",
        headers=world["aud"].headers,
    ).json
    assert march["n"] == 1


def test_who_may_see_office_figures(client, world):
    url = "/api/v1/offices/tr-istanbul-cg/scores"
    assert client.get(url, headers=world["head"].headers).status_code == 200
    assert client.get(url, headers=world["head2"].headers).status_code == 403
    assert client.get(url, headers=world["vol"].headers).status_code == 403
    assert client.get(url, headers=world["admin"].headers).status_code == 403
    assert client.get(url).status_code == 401
    assert (
        client.get("/api/v1/offices/nowhere/scores", headers=world["aud"].headers).status_code
        == 404
    )


def test_bad_period_is_422(client, world):
    resp = client.get("/api/v1/scores?from=2026-13-01&to=2026-01-01", headers=world["aud"].headers)
    assert resp.status_code == 422
    assert "from" in resp.json["error"]["fields"]
    resp = client.get("/api/v1/scores?from=2026-02-01&to=2026-01-01", headers=world["aud"].headers)
    assert resp.status_code == 422 and "to" in resp.json["error"]["fields"]


def test_ranking(client, world):
    low = _approved(client, world, ramp="no", braille="no", courtesy=1)
    high = _approved(client, world, office="de-berlin-emb", braille="yes", courtesy=5, wait=5)
    ranked = client.get("/api/v1/scores", headers=world["group"].headers).json
    assert [r["office"] for r in ranked] == ["de-berlin-emb", "tr-istanbul-cg"]
    assert ranked[0]["score"] == pytest.approx(high) and ranked[1]["score"] == pytest.approx(low)
    assert set(ranked[0]) == {"office", "n", "score", "score_ci", "critical"}
    own = client.get("/api/v1/scores", headers=world["head"].headers).json
    assert [r["office"] for r in own] == ["tr-istanbul-cg"]
    assert client.get("/api/v1/scores", headers=world["vol"].headers).status_code == 403
