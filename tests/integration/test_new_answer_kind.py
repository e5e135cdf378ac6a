"""A kind registered in a test (tests/unit/test_answer_kinds.py's Stars) goes through the real
loader, section page, form reading, scoring and check page, with no other module edited
(issue 17)."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from survey.checklists.services import load_paths
from survey.domain.answer_kinds import KINDS
from survey.extensions import db
from survey.visits.models import Answer, Visit
from tests.factories import csrf_of, make_office, make_user, sign_in
from tests.unit.test_answer_kinds import Stars

EN = {"Accept-Language": "en"}
T = '{kk: "Зал", ru: "Зал", en: "Hall"}'
STARRY = f"""\
slug: starry
version: 1
title: {T}
sections:
  - code: hall
    title: {T}
    items:
      - {{code: hall, kind: stars, stars: 5, text: {T}}}
      - {{code: ramp, kind: yesno, text: {T}}}
"""


@pytest.fixture
def stars(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(KINDS, "stars", Stars())


def test_a_kind_added_in_a_test_works_on_the_pages(stars, app, client, tmp_path):
    make_office()
    (tmp_path / "starry.yaml").write_text(STARRY, encoding="utf-8")
    load_paths([tmp_path / "starry.yaml"])
    volunteer = make_user("volunteer")
    assert sign_in(client, volunteer.email).status_code == 302
    page = client.get("/visits/new", headers=EN)
    start = client.post(
        "/visits/new",
        data={
            "csrf_token": csrf_of(page.text),
            "office": "tr-istanbul-cg",
            "checklist": "starry:1",
            "visited_at": "2026-03-05T10:30",
        },
        headers=EN,
    )
    uuid = re.search(r"/visits/([0-9a-f-]{36})/sections/1$", start.headers["Location"]).group(1)
    section = client.get(f"/visits/{uuid}/sections/1", headers=EN)
    assert section.text.count('name="hall"') == 5 and "★★★★★" in section.text
    saved = client.post(
        f"/visits/{uuid}/sections/1",
        data={"csrf_token": csrf_of(section.text), "hall": "4", "ramp": "yes"},
        headers=EN,
    )
    assert saved.status_code == 302, saved.text
    answer = db.session.scalar(select(Answer).where(Answer.item_code == "hall"))
    assert answer.value == 4
    check = client.get(f"/visits/{uuid}/check", headers=EN)
    assert "★★★★☆" in check.text
    sent = client.post(
        f"/visits/{uuid}/submit", data={"csrf_token": csrf_of(check.text)}, headers=EN
    )
    assert sent.status_code in (200, 302), sent.text
    visit = db.session.scalar(select(Visit).where(Visit.uuid == uuid))
    assert visit.status == "submitted"
    assert visit.score == pytest.approx(87.5)  # (0.75 + 1) / 2, as DESIGN §4 weighs them
    answer = db.session.scalar(select(Answer).where(Answer.item_code == "hall"))
    assert answer.scorable and answer.score == pytest.approx(0.75)
