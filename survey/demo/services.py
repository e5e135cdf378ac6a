"""Demo data: real offices, one account per role, and months of believable visits.

Volume mode (`--offices N --visits M`) writes with bulk inserts so 100,000 visits take minutes.
"""

from __future__ import annotations

import csv
import random
import uuid
from collections.abc import Iterator
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from flask import current_app
from sqlalchemy import func, insert, select, text

from ..assignments.models import Assignment
from ..auth.models import User
from ..auth.services import create_user
from ..checklists.models import Checklist
from ..checklists.services import load_paths
from ..common.time import utcnow
from ..domain.findings import result_of
from ..domain.scoring import score_visit
from ..extensions import db
from ..offices.models import Office
from ..visits.models import Answer, Visit, VisitSection
from .findings import Approval, replay
from .generate import answers_for

DEMO_PASSWORD = "adaldyq-demo-2026"
DEMO_USERS = (
    ("volunteer@demo.adaldyq.kz", "volunteer", "Айгерім Сейітова"),
    ("auditor@demo.adaldyq.kz", "auditor", "Нұрлан Әбенов"),
    ("head@demo.adaldyq.kz", "office_head", "Ерлан Қасымов"),
    ("group@demo.adaldyq.kz", "project_group", "Дана Мұратқызы"),
    ("admin@demo.adaldyq.kz", "admin", "Админ"),
)
EXTRA_VOLUNTEERS = ("Асель", "Бауыржан", "Гүлнар", "Данияр", "Жанар", "Қайрат")
BATCH = 1000
# An auditor's note is free text the volunteer reads: written in the volunteer's language.
REVIEW_NOTES = {
    "returned": {
        "kk": "Күту уақытын және ақпараттық тақтаның фотосын қосыңызшы.",
        "ru": "Пожалуйста, добавьте время ожидания и фото информационного стенда.",
        "en": "Please add the waiting time and a photo of the information board.",
    },
    "rejected": {
        "kk": "Сапар мекеменің жұмыс уақытынан тыс жасалған.",
        "ru": "Посещение состоялось вне часов работы учреждения.",
        "en": "The visit was made outside the office's opening hours.",
    },
}
EXTRA_LOCALES = ("kk", "ru")  # the extra volunteers alternate between them


def database_is_empty() -> bool:
    return not db.session.scalar(select(func.count(Office.id))) and not db.session.scalar(
        select(func.count(User.id))
    )


def _csv_offices() -> list[dict[str, str]]:
    path = Path(__file__).with_name("offices.csv")
    with path.open(encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def _ensure_offices(count: int | None, rng: random.Random) -> list[Office]:
    rows = _csv_offices()
    wanted = len(rows) if count is None else count
    for index in range(wanted):
        if index < len(rows):
            row = rows[index]
        else:
            n = index + 1
            base = rows[index % len(rows)]
            row = {
                **base,
                "code": f"demo-{n:04d}",
                "city": f"{base['city']} {n}",
                "name_kk": f"{base['name_kk']} №{n}",
                "name_ru": f"{base['name_ru']} №{n}",
                "name_en": f"{base['name_en']} No. {n}",
            }
        if db.session.scalar(select(Office.id).where(Office.code == row["code"])) is None:
            db.session.add(Office(active=True, **row))
    db.session.flush()
    codes = [r["code"] for r in rows[:wanted]] + [
        f"demo-{i + 1:04d}" for i in range(len(rows), wanted)
    ]
    return list(
        db.session.scalars(select(Office).where(Office.code.in_(codes)).order_by(Office.id))
    )


def _ensure_users(head_office: Office) -> tuple[dict[str, User], list[User]]:
    by_role: dict[str, User] = {}
    for email, role, name in DEMO_USERS:
        user = db.session.scalar(select(User).where(User.email == email))
        if user is None:
            office = head_office.code if role == "office_head" else None
            user = create_user(
                email, DEMO_PASSWORD, role, name=name, office_code=office, published_password=True
            )
        by_role[role] = user
    volunteers = [by_role["volunteer"]]
    for index, name in enumerate(EXTRA_VOLUNTEERS, start=1):
        email = f"volunteer{index}@demo.adaldyq.kz"
        user = db.session.scalar(select(User).where(User.email == email))
        volunteers.append(
            user
            or create_user(
                email,
                DEMO_PASSWORD,
                "volunteer",
                name=name,
                locale=EXTRA_LOCALES[index % len(EXTRA_LOCALES)],
                published_password=True,
            )
        )
    return by_role, volunteers


def _checklist() -> Checklist:
    query = select(Checklist).where(Checklist.slug == "consular-visit")
    found = db.session.scalar(query.order_by(Checklist.version.desc()))
    if found is None:
        load_paths([Path(current_app.config["CHECKLISTS_DIR"])])
        found = db.session.scalar(query.order_by(Checklist.version.desc()))
    assert found is not None
    return found


def _status(age_days: int, volume: bool, rng: random.Random) -> str:
    if volume or age_days > 21:
        return "rejected" if not volume and rng.random() < 0.03 else "approved"
    return rng.choice(("submitted", "submitted", "approved", "returned"))


class _Writer:
    """Collects rows and writes them in batches with Core inserts."""

    def __init__(self) -> None:
        self.next_id = (db.session.scalar(select(func.max(Visit.id))) or 0) + 1
        self.visits: list[dict[str, Any]] = []
        self.answers: list[dict[str, Any]] = []
        self.sections: list[dict[str, Any]] = []
        self.approvals: list[Approval] = []
        self.written = 0

    def flush(self) -> None:
        for table, rows in (
            (Visit.__table__, self.visits),
            (Answer.__table__, self.answers),
            (VisitSection.__table__, self.sections),
        ):
            if rows:
                db.session.execute(insert(table), rows)
                rows.clear()

    def maybe_flush(self) -> None:
        if len(self.visits) >= BATCH:
            self.flush()


def _visit_rows(
    w: _Writer,
    spec_row: Checklist,
    office: Office,
    volunteer: User,
    reviewer: User,
    day: date,
    status: str,
    rng: random.Random,
    quality: float,
) -> None:
    spec = spec_row.spec
    values = answers_for(spec, quality, rng)
    result = score_visit(spec, values)
    local = datetime.combine(day, time(9, 0), ZoneInfo(office.timezone)) + timedelta(
        minutes=rng.randrange(0, 8 * 60)
    )
    offset = int((local.utcoffset() or timedelta(0)).total_seconds() // 60)
    at = local.astimezone(UTC).replace(tzinfo=None)
    scored = status != "draft"
    reviewed = status in ("approved", "returned", "rejected")
    decided = min(at + timedelta(days=2), max(utcnow(), at))  # reviewed, never in the future
    vid = w.next_id
    w.next_id += 1
    notes = REVIEW_NOTES.get(status)
    note = notes[volunteer.locale if volunteer.locale in notes else "kk"] if notes else None
    w.visits.append(
        {
            "id": vid,
            "uuid": str(uuid.UUID(int=rng.getrandbits(128), version=4)),
            "office_id": office.id,
            "checklist_id": spec_row.id,
            "volunteer_id": volunteer.id,
            "visited_at": at,
            "visited_offset": offset,
            "visited_on": day,
            "status": status,
            "score": result.score if scored else None,
            "critical": result.critical and scored,
            "submitted_at": at + timedelta(hours=2) if scored else None,
            "reviewed_at": decided if reviewed else None,
            "reviewer_id": reviewer.id if reviewed else None,
            "review_note": note,
            "created_at": at,
            "updated_at": at,
        }
    )
    items = spec.items
    for code, value in values.items():
        w.answers.append(
            {
                "visit_id": vid,
                "item_code": code,
                "value": value,
                "comment": None,
                "score": result.items[code] if scored else None,
                "scorable": items[code].scorable,
            }
        )
    if scored:
        w.sections.extend(
            {"visit_id": vid, "section_code": c, "score": s} for c, s in result.sections.items()
        )
    if status == "approved":
        results = {code: r for code, s in result.items.items() if (r := result_of(s)) is not None}
        w.approvals.append(Approval(vid, office.id, day, decided, results))
    w.written += 1
    w.maybe_flush()


def _plan(
    offices: list[Office], volunteers: list[User], checklist: Checklist, auditor: User
) -> None:
    """Planned visits for the coming weeks, so the volunteer home has assignments."""
    today = date.today()
    for index, volunteer in enumerate(volunteers[:4]):
        office = offices[(index * 3 + 2) % len(offices)]
        db.session.add(
            Assignment(
                volunteer=volunteer,
                office=office,
                checklist=checklist,
                created_by=auditor,
                starts_on=today + timedelta(days=index),
                ends_on=today + timedelta(days=index + 14),
            )
        )


def _days(n: int, span: int, rng: random.Random) -> Iterator[date]:
    today = date.today()
    for _ in range(n):
        yield today - timedelta(days=rng.randrange(1, span))


def seed_demo(
    n_offices: int | None = None, n_visits: int | None = None, seed: int = 7
) -> list[str]:
    """Make the demo; returns lines to print (the logins)."""
    rng = random.Random(seed)
    checklist = _checklist()
    offices = _ensure_offices(n_offices, rng)
    by_role, volunteers = _ensure_users(offices[0])
    db.session.flush()
    volume = n_visits is not None
    total = n_visits if n_visits is not None else len(offices) * 10
    span = 365 if volume else 150
    quality = {o.id: rng.uniform(0.45, 0.95) for o in offices}
    due_days = current_app.config["FINDING_DUE_DAYS"]
    writer = _Writer()
    for index, day in enumerate(_days(total, span, rng)):
        office = offices[index % len(offices)]
        volunteer = volunteers[index % len(volunteers)]
        status = _status((date.today() - day).days, volume, rng)
        _visit_rows(
            writer,
            checklist,
            office,
            volunteer,
            by_role["auditor"],
            day,
            status,
            rng,
            quality[office.id],
        )
    if not volume:
        for day in _days(2, 5, rng):
            _visit_rows(
                writer,
                checklist,
                offices[1],
                by_role["volunteer"],
                by_role["auditor"],
                day,
                "draft",
                rng,
                0.7,
            )
    writer.flush()
    if not volume:  # the volunteer's home shows planned visits, as the README says
        _plan(offices, volunteers, checklist, by_role["auditor"])
    replay(
        writer.approvals,
        checklist.spec.items,
        due_days,
        rng,
        {role: by_role[role].id for role in ("auditor", "office_head", "project_group")},
    )
    if db.engine.dialect.name == "postgresql":
        db.session.execute(
            text(
                "SELECT setval(pg_get_serial_sequence('visits', 'id'), "
                "(SELECT COALESCE(MAX(id), 1) FROM visits))"
            )
        )
    db.session.commit()
    lines = [f"Demo: {len(offices)} offices, {writer.written} visits ({utcnow():%Y-%m-%d})."]
    return lines + demo_logins()


def demo_logins() -> list[str]:
    """The demo's sign-in lines, when its people are in the database (else none)."""
    emails = [email for email, _role, _name in DEMO_USERS]
    present = set(db.session.scalars(select(User.email).where(User.email.in_(emails))))
    if not present:
        return []
    lines = [f"Demo logins (password for all: {DEMO_PASSWORD}):"]
    lines.extend(f"  {role:<14} {email}" for email, role, _ in DEMO_USERS if email in present)
    return lines
