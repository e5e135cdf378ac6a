"""Small builders for integration tests: offices, users with tokens, a loaded checklist."""

from __future__ import annotations

import re
import textwrap
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from flask.testing import FlaskClient

from survey.auth.models import User
from survey.auth.services import create_user, issue_token
from survey.checklists.services import load_paths
from survey.extensions import db
from survey.offices.models import Office

PASSWORD = "correct horse battery"

# A small checklist with every kind, so API tests know the exact scores to expect.
MINI = textwrap.dedent(
    """\
    slug: mini
    version: 1
    title: {kk: "Шағын", ru: "Мини", en: "Mini"}
    scoring: {critical_cap: 40}
    sections:
      - code: access
        title: {kk: "Қолжетімділік", ru: "Доступность", en: "Access"}
        weight: 1
        items:
          - {code: ramp, kind: yesno, text: {kk: "Пандус", ru: "Пандус", en: "Ramp"}}
          - code: braille
            kind: yesno
            weight: 3
            required: false
            text: {kk: "Брайль", ru: "Брайль", en: "Braille"}
      - code: service
        title: {kk: "Қызмет", ru: "Услуга", en: "Service"}
        weight: 2
        items:
          - code: courtesy
            kind: scale
            min: 1
            max: 5
            text: {kk: "Сыпайылық", ru: "Вежливость", en: "Courtesy"}
          - code: wait
            kind: number
            pass_if: {max: 15}
            unit: {kk: "мин", ru: "мин", en: "min"}
            text: {kk: "Күту", ru: "Ожидание", en: "Wait"}
          - code: bribe
            kind: yesno
            pass: "no"
            allow_na: false
            critical: true
            text: {kk: "Пара", ru: "Взятка", en: "Bribe"}
          - code: booking
            kind: choice
            required: false
            text: {kk: "Жазылу", ru: "Запись", en: "Booking"}
            options:
              - {code: online, label: {kk: "Онлайн", ru: "Онлайн", en: "Online"}, score: 1}
              - {code: queue, label: {kk: "Кезек", ru: "Очередь", en: "Queue"}, score: 0.5}
              - {code: own, label: {kk: "Өзім", ru: "Сам", en: "Own choice"}, score: null}
          - code: notes
            kind: text
            required: false
            text: {kk: "Ескерту", ru: "Заметки", en: "Notes"}
    """
)


def make_office(code: str = "tr-istanbul-cg", tz: str = "Europe/Istanbul") -> Office:
    office = Office(
        code=code,
        kind="consulate_general",
        country="TR",
        city="Istanbul",
        name_kk=f"{code} kk",
        name_ru=f"{code} ru",
        name_en=f"{code} en",
        timezone=tz,
        active=True,
    )
    db.session.add(office)
    db.session.commit()
    return office


@dataclass
class Account:
    user_id: int
    email: str
    token: str
    role: str

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}


def make_user(role: str, office: str | None = None, email: str | None = None) -> Account:
    email = email or f"{role}-{uuid.uuid4().hex[:6]}@example.kz"
    user: User = create_user(email, PASSWORD, role, office_code=office)
    token = issue_token(user)
    db.session.commit()
    return Account(user.id, email, token, role)


def load_mini(tmp: Path) -> None:
    path = tmp / "mini.yaml"
    path.write_text(MINI, encoding="utf-8")
    load_paths([path])


def visit_body(office: str = "tr-istanbul-cg", **overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "uuid": str(uuid.uuid4()),
        "office": office,
        "checklist": {"slug": "mini", "version": 1},
        "visited_at": "2026-03-05T10:30:00+03:00",
        "answers": {
            "ramp": {"value": "yes", "comment": "Ramp at the side door"},
            "braille": {"value": "no", "comment": None},
            "courtesy": {"value": 4},
            "wait": {"value": 25},
            "bribe": {"value": "no"},
            "booking": {"value": "queue"},
        },
        "submit": False,
    }
    body.update(overrides)
    return body


def post_visit(client: FlaskClient, account: Account, body: dict[str, Any]) -> Any:
    return client.post("/api/v1/visits", json=body, headers=account.headers)


def csrf_of(html: str) -> str:
    """The CSRF token a server-rendered page carries (fails loudly when there is none)."""
    found = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html)
    assert found, "no CSRF token on the page: " + html[:3000]
    return found.group(1)


def sign_in(client: FlaskClient, email: str, password: str = PASSWORD) -> Any:
    """Through the sign-in page, as a browser would; the response to the POST."""
    english = {"Accept-Language": "en"}
    page = client.get("/login", headers=english)
    body = {"email": email, "password": password, "csrf_token": csrf_of(page.text)}
    return client.post("/login", data=body, headers=english)
