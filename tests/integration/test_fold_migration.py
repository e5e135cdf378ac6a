"""Migration 0010 folds per-visit findings into one per office and requirement (issue 13),
keeping every response, proof and history event; on SQLite and on PostgreSQL.

The database is built as the demo left it before: approved visits over months, each failed or
partly failed item its own finding, some answered, fixed and verified, with proofs.
"""

from __future__ import annotations

import random
import uuid
from datetime import datetime, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask_migrate import downgrade, upgrade

from survey import create_app
from survey.extensions import db
from tests.conftest import _config
from tests.factories import load_mini, make_office, make_user

OLD = "0009"
ITEMS = ("ramp", "braille", "wait", "bribe")


def _old_demo(conn: sa.Connection, offices: list[int], volunteer: int, checklist: int) -> None:
    """Approved visits and one finding per failed item per visit, as before issue 13."""
    rng = random.Random(13)
    meta = sa.MetaData()
    meta.reflect(conn, only=["visits", "answers", "findings", "finding_events", "evidence"])
    visits, answers, findings, events, evidence = (
        meta.tables[n] for n in ("visits", "answers", "findings", "finding_events", "evidence")
    )
    start = datetime(2026, 1, 5, 9, 0)
    for n in range(48):
        office = offices[n % len(offices)]
        at = start + timedelta(days=4 * n, minutes=n)
        vid = conn.execute(
            visits.insert().values(
                uuid=str(uuid.uuid4()),
                office_id=office,
                checklist_id=checklist,
                volunteer_id=volunteer,
                visited_at=at,
                visited_offset=180,
                visited_on=at.date(),
                status="approved",
                score=70.0,
                critical=False,
                submitted_at=at,
                reviewed_at=at + timedelta(days=1),
                created_at=at,
                updated_at=at,
            )
        ).inserted_primary_key[0]
        for code in ITEMS:
            score = rng.choice((0.0, 0.0, 1.0, 0.5)) if code != "bribe" else 1.0
            conn.execute(
                answers.insert().values(
                    visit_id=vid, item_code=code, value="x", score=score, scorable=True
                )
            )
            if score >= 1:
                continue
            opened = at + timedelta(days=1)
            status = rng.choice(("open", "in_progress", "implemented", "verified"))
            fixed = opened + timedelta(days=3) if status in ("implemented", "verified") else None
            fid = conn.execute(
                findings.insert().values(
                    visit_id=vid,
                    office_id=office,
                    item_code=code,
                    severity="minor",
                    status=status,
                    recommendation={},
                    due_date=opened.date() + timedelta(30),
                    disputed=False,
                    implemented_at=fixed,
                    created_at=opened,
                    updated_at=opened,
                )
            ).inserted_primary_key[0]
            if n % 3 == 0:  # some have a history (as the app made it); the demo made none
                conn.execute(
                    events.insert().values(
                        finding_id=fid, at=opened, action="created", to_status="open"
                    )
                )
                conn.execute(
                    events.insert().values(
                        finding_id=fid,
                        at=opened + timedelta(hours=5),
                        action="response",
                        from_status="open",
                        to_status="open",
                        text=f"reply {fid}",
                    )
                )
            if fixed is not None and n % 2 == 0:
                sha = uuid.uuid4().hex * 2
                conn.execute(
                    evidence.insert().values(
                        uuid=str(uuid.uuid4()),
                        visit_id=vid,
                        finding_id=fid,
                        kind="photo",
                        sha256=sha,
                        size=1,
                        content_type="image/jpeg",
                        original_key=f"o/{sha}",
                        display_key=f"d/{sha}",
                        display_type="image/jpeg",
                        thumb_key=f"t/{sha}",
                        flags=[],
                        created_at=fixed,
                    )
                )


def _counts(conn: sa.Connection) -> dict[str, int]:
    one = conn.execute
    return {
        "findings": one(sa.text("SELECT COUNT(*) FROM findings")).scalar_one(),
        "chains": one(
            sa.text("SELECT COUNT(*) FROM (SELECT DISTINCT office_id, item_code FROM findings) c")
        ).scalar_one(),
        "responses": one(
            sa.text(
                "SELECT COUNT(*) FROM finding_events WHERE action = 'response' AND text IS NOT NULL"
            )
        ).scalar_one(),
        "proofs": one(
            sa.text("SELECT COUNT(*) FROM evidence WHERE finding_id IS NOT NULL")
        ).scalar_one(),
        "failed_answers": one(
            sa.text(
                "SELECT COUNT(*) FROM answers a JOIN findings f"
                " ON f.visit_id = a.visit_id AND f.item_code = a.item_code"
            )
        ).scalar_one(),
    }


@pytest.fixture
def old_database(database_url: str, tmp_path: Path, request: pytest.FixtureRequest):  # type: ignore[no-untyped-def]
    """A database of its own, at revision 0009, filled as the old demo filled it."""
    if database_url.startswith("sqlite"):
        url = f"sqlite:///{tmp_path / 'fold.db'}"
    else:
        url = request.getfixturevalue("pg_server").create_database("adaldyq_fold")
    app = create_app(_config(url, tmp_path))
    with app.app_context():
        upgrade()
        make_office()
        offices = [make_office(f"office-{n}", "Asia/Almaty").id for n in range(3)]
        volunteer = make_user("volunteer").user_id
        load_mini(tmp_path)
        checklist = db.session.scalar(sa.text("SELECT id FROM checklists"))
        db.session.commit()
        downgrade(revision=OLD)
        with db.engine.begin() as conn:
            _old_demo(conn, offices, volunteer, checklist)
        yield app
        db.session.remove()
        db.engine.dispose()


def test_folding_keeps_every_response_proof_and_visit(old_database):
    with db.engine.connect() as conn:
        before = _counts(conn)
    assert before["findings"] > before["chains"]  # repeats to fold
    upgrade()
    with db.engine.connect() as conn:
        after = _counts(conn)
        live_twice = conn.execute(
            sa.text(
                "SELECT COUNT(*) FROM (SELECT office_id, item_code FROM findings"
                " WHERE status IN ('open', 'in_progress', 'implemented')"
                " GROUP BY office_id, item_code HAVING COUNT(*) > 1) d"
            )
        ).scalar_one()
        failed_observations = conn.execute(
            sa.text("SELECT COUNT(*) FROM finding_observations WHERE result <> 'pass'")
        ).scalar_one()
        orphans = conn.execute(
            sa.text(
                "SELECT COUNT(*) FROM evidence e LEFT JOIN findings f ON f.id = e.finding_id"
                " WHERE e.finding_id IS NOT NULL AND f.id IS NULL"
            )
        ).scalar_one()
        without_history = conn.execute(
            sa.text(
                "SELECT COUNT(*) FROM findings f WHERE NOT EXISTS (SELECT 1 FROM finding_events e"
                " WHERE e.finding_id = f.id AND e.to_status IS NOT NULL)"
            )
        ).scalar_one()
        recurrences = conn.execute(
            sa.text("SELECT COUNT(*) FROM findings WHERE recurrence_of_id IS NOT NULL")
        ).scalar_one()
    print("before", before, "after", after)
    assert after["findings"] < before["findings"]
    assert live_twice == 0  # one live recommendation per office and requirement
    assert after["chains"] == before["chains"]  # no office and item lost
    assert after["findings"] == after["chains"] + recurrences
    assert failed_observations == before["findings"]  # every old finding is now an observation
    assert after["responses"] == before["responses"]  # every answer of an office kept
    assert after["proofs"] == before["proofs"] and orphans == 0  # every proof, on its finding
    assert without_history == 0  # every finding's status can be told at any date
