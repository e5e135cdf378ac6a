"""Issue 17, durability that holds: one-snapshot backups, a keyed audit chain with a head,
and content-addressed files that a removal cannot pull from under a concurrent upload."""

from __future__ import annotations

import hashlib
import hmac
import io
import json
import os
import shutil
import threading
import uuid
from datetime import date, datetime
from pathlib import Path

import pytest
from sqlalchemy import create_engine, delete, event, func, select, text
from sqlalchemy.engine import Engine

from survey import backup as backup_module
from survey.audit.models import AuditLog
from survey.audit.services import GENESIS, record
from survey.auth.models import User
from survey.backup import snapshot
from survey.checklists.models import Checklist
from survey.config import load_config
from survey.evidence import services as evidence_services
from survey.evidence.models import Evidence
from survey.evidence.storage import held_for_backup, storage
from survey.extensions import db
from survey.offices.models import Office
from tests.factories import load_mini, make_office, make_user, post_visit, visit_body
from tests.media import makers

ROOT = Path(__file__).resolve().parents[2]
WAIT = 15  # seconds a test waits for the other thread before it calls the run broken


# --- 1. Backups read one snapshot ----------------------------------------------------------


class VisitWriter(threading.Thread):
    """Another client that keeps adding a visit and its answers, one transaction each."""

    def __init__(self, url: str, office_id: int, checklist_id: int, volunteer_id: int) -> None:
        super().__init__(daemon=True)
        self.engine: Engine = create_engine(url)
        self.ids = {"office_id": office_id, "checklist_id": checklist_id}
        self.volunteer_id = volunteer_id
        self.committed = 0
        self.progress = threading.Condition()
        self.halt = threading.Event()
        self.error: BaseException | None = None

    def run(self) -> None:
        visits = db.metadata.tables["visits"]
        answers = db.metadata.tables["answers"]
        try:
            while not self.halt.is_set():
                with self.engine.begin() as conn:
                    visit_id = conn.execute(
                        visits.insert().returning(visits.c.id),
                        {
                            **self.ids,
                            "uuid": str(uuid.uuid4()),
                            "volunteer_id": self.volunteer_id,
                            "visited_at": datetime(2026, 3, 5, 10, 30),
                            "visited_on": date(2026, 3, 5),
                            "status": "draft",
                        },
                    ).scalar_one()
                    conn.execute(
                        answers.insert(),
                        [
                            {"visit_id": visit_id, "item_code": "ramp", "value": "yes"},
                            {"visit_id": visit_id, "item_code": "bribe", "value": "no"},
                        ],
                    )
                with self.progress:
                    self.committed += 1
                    self.progress.notify_all()
                self.halt.wait(0.005)
        except BaseException as exc:  # reported by the test, not lost in the thread
            self.error = exc
        finally:
            self.engine.dispose()

    def wait_for_more(self, more: int) -> bool:
        """Block until `more` further visits are committed; False if the writer is stuck."""
        with self.progress:
            target = self.committed + more
            return self.progress.wait_for(lambda: self.committed >= target, timeout=WAIT)


def test_backup_reads_one_snapshot_while_visits_are_written(app, runner, tmp_path):
    """A visit and its answers committed while the backup runs are in it together or not at
    all: the backup restores, every answer has its visit, and the counts are the manifest's."""
    make_office()
    load_mini(tmp_path)
    volunteer = make_user("volunteer")
    writer = VisitWriter(
        app.config["SQLALCHEMY_DATABASE_URI"],
        db.session.scalar(select(Office.id)),
        db.session.scalar(select(Checklist.id)),
        volunteer.user_id,
    )
    db.session.commit()  # this session holds no lock while the writer runs
    writer.start()
    assert writer.wait_for_more(3), writer.error
    stalled: list[str] = []

    backup_thread = threading.current_thread()  # the runner runs the command in this one

    def interleave(conn, cursor, statement, params, context, executemany):  # type: ignore[no-untyped-def]
        # Before the backup reads the child table, more parents and children are committed:
        # a backup that is not one snapshot then holds answers of visits it does not have.
        reads_answers = statement.lstrip().upper().startswith("SELECT") and (
            "FROM answers" in statement
        )
        backup_reads = threading.current_thread() is backup_thread and reads_answers
        if backup_reads and not writer.wait_for_more(3):
            stalled.append("answers")

    event.listen(Engine, "before_cursor_execute", interleave)  # whichever engine reads
    try:
        result = runner.invoke(args=["backup", str(tmp_path / "backup")])
    finally:
        event.remove(Engine, "before_cursor_execute", interleave)
        writer.halt.set()
        writer.join(WAIT)
    assert writer.error is None, writer.error
    assert result.exit_code == 0, result.output
    assert not stalled, "the backup kept other writers waiting (SQLite's writer lock held)"
    manifest = json.loads((tmp_path / "backup" / "manifest.json").read_text())
    assert manifest["rows"]["visits"] >= 3

    db.session.remove()
    with db.engine.begin() as conn:
        for table in reversed(db.metadata.sorted_tables):
            conn.execute(table.delete())
    shutil.rmtree(app.config["MEDIA_ROOT"], ignore_errors=True)
    restored = runner.invoke(args=["restore", str(tmp_path / "backup")])
    assert restored.exit_code == 0, restored.output
    db.session.expire_all()
    orphans = db.session.scalar(
        text("SELECT COUNT(*) FROM answers WHERE visit_id NOT IN (SELECT id FROM visits)")
    )
    assert orphans == 0
    for table in db.metadata.sorted_tables:
        count = db.session.scalar(select(func.count()).select_from(table))
        assert count == manifest["rows"][table.name], table.name


def test_backup_snapshot_is_repeatable_read_and_read_only_on_postgresql(app, tmp_path):
    if db.engine.dialect.name != "postgresql":
        return  # SQLite reads a copy made by its online backup API (survey/backup.py)
    with snapshot(tmp_path) as conn:
        assert conn.execute(text("SHOW transaction_isolation")).scalar() == "repeatable read"
        assert conn.execute(text("SHOW transaction_read_only")).scalar() == "on"


def test_backup_manifest_carries_the_audit_head_of_its_snapshot(app, runner, tmp_path):
    for n in range(3):
        record("test.event", None, n=n)
    db.session.commit()
    assert runner.invoke(args=["backup", str(tmp_path / "backup")]).exit_code == 0
    manifest_path = tmp_path / "backup" / "manifest.json"
    manifest = json.loads(manifest_path.read_text())
    assert manifest["audit_head"]["count"] == manifest["rows"]["audit_log"] == 3
    assert not list((tmp_path / "backup").glob("snapshot*"))  # SQLite's copy is gone
    # The backup's own row comes after the head; the manifest serves as a head to verify.
    checked = runner.invoke(args=["audit", "verify", "--head", str(manifest_path)])
    assert checked.exit_code == 0, checked.output


# --- 2. The audit chain is keyed, and a head catches a shortened log -----------------------


def _message(row: AuditLog) -> bytes:
    """DESIGN §9 / docs: prev | at (to the second) | actor | action | canonical JSON."""
    body = json.dumps(row.details, sort_keys=True, ensure_ascii=False, default=str)
    at = row.at.replace(microsecond=0).isoformat()
    return "|".join([row.prev_hash, at, str(row.actor_id or ""), row.action, body]).encode()


def _rows() -> list[AuditLog]:
    db.session.expire_all()
    return list(db.session.scalars(select(AuditLog).order_by(AuditLog.id)))


def _rehash_plain(from_id: int) -> None:
    """What anyone who can write the table could do before issue 17: recompute the chain."""
    prev = GENESIS
    for row in _rows():
        if row.id >= from_id:
            row.prev_hash = prev
            row.hash = hashlib.sha256(_message(row)).hexdigest()
        prev = row.hash
    db.session.commit()


def _five_rows() -> list[AuditLog]:
    for n in range(5):
        record("test.event", None, n=n)
    db.session.commit()
    return _rows()


def test_rows_are_signed_with_hmac_of_the_audit_key(app):
    rows = _five_rows()
    key = app.config["AUDIT_KEY"].encode()
    for row in rows:
        assert row.hash == hmac.new(key, _message(row), hashlib.sha256).hexdigest()
    assert rows[0].prev_hash == GENESIS
    assert [r.prev_hash for r in rows[1:]] == [r.hash for r in rows[:-1]]


def test_a_rewritten_row_with_recomputed_sha256_hashes_is_caught(app, runner):
    rows = _five_rows()
    assert runner.invoke(args=["audit", "verify"]).exit_code == 0
    rows[2].details = {"n": 99, "visit": "someone else"}
    db.session.commit()
    _rehash_plain(rows[2].id)
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 1
    assert "plain SHA-256" in result.output


def test_rekey_never_signs_a_forgery_written_after_signed_rows(app, runner):
    """Review of issue 17: a row rewritten after the upgrade, the chain after it recomputed
    with plain SHA-256, must not become valid by `survey audit rekey`: plain rows are what the
    log held before the key, so only a prefix of the log may be plain."""
    _old_chain(2)
    assert runner.invoke(args=["audit", "rekey"]).exit_code == 0
    rows = _five_rows()  # signed rows after the rekey
    rows[4].details = {"n": 99, "role": "admin"}
    db.session.commit()
    _rehash_plain(rows[4].id)
    hashes = [r.hash for r in _rows()]
    checked = runner.invoke(args=["audit", "verify"])
    assert checked.exit_code == 1
    assert "forged" in checked.output and "survey audit rekey" not in checked.output
    refused = runner.invoke(args=["audit", "rekey"])
    assert refused.exit_code == 1, refused.output
    assert f"row {rows[4].id}: plain SHA-256 after signed rows: forged" in refused.output
    assert [r.hash for r in _rows()] == hashes  # nothing was signed
    assert runner.invoke(args=["audit", "verify"]).exit_code == 1


@pytest.mark.parametrize("command", ["verify", "rekey"])
def test_a_wrong_key_fails_and_is_named_in_one_line(app, runner, command):
    _five_rows()
    app.config["AUDIT_KEY"] = "not the key that signed it"
    result = runner.invoke(args=["audit", command])
    assert result.exit_code == 1
    assert "none of the 5 rows matches the audit key" in result.output
    assert "its content was changed" not in result.output


def test_head_catches_rows_removed_at_the_end(app, runner, tmp_path):
    rows = _five_rows()
    head_file = tmp_path / "head.json"
    printed = runner.invoke(args=["audit", "head", "--output", str(head_file)])
    assert printed.exit_code == 0, printed.output
    line = printed.output.strip().splitlines()[-1]
    assert line == f"5 {rows[-1].hash}"  # DESIGN §9: `<count> <hash>`
    assert json.loads(head_file.read_text()) == {
        "id": rows[-1].id,
        "count": 5,
        "hash": rows[-1].hash,
    }

    for n in range(2):  # rows added after the head pass
        record("test.later", None, n=n)
    db.session.commit()
    for given in (str(head_file), line):
        passed = runner.invoke(args=["audit", "verify", "--head", given])
        assert passed.exit_code == 0, passed.output

    # The last three rows go (the head's row among them): the rest is a whole chain ...
    db.session.execute(delete(AuditLog).where(AuditLog.id > rows[3].id))
    db.session.commit()
    assert runner.invoke(args=["audit", "verify"]).exit_code == 0
    # ... but not the chain the head saw.
    for given in (str(head_file), line):
        cut = runner.invoke(args=["audit", "verify", "--head", given])
        assert cut.exit_code == 1
        assert "the log has 4 rows, the head 5: rows were removed at the end" in cut.output

    # Refilled to the same length with other rows: still not the head's row.
    record("test.refill", None)
    record("test.refill", None)
    db.session.commit()
    refilled = runner.invoke(args=["audit", "verify", "--head", line])
    assert refilled.exit_code == 1 and "row 5 of the log is not the head's row" in refilled.output


def test_verify_refuses_a_head_it_cannot_read(app, runner, tmp_path):
    (tmp_path / "junk.json").write_text('{"rows": 3}')
    (tmp_path / "huge.json").write_text('{"count": 1e400, "hash": "%s"}' % ("a" * 64))
    (tmp_path / "odd_id.json").write_text('{"id": "x", "count": 1, "hash": "%s"}' % ("a" * 64))
    (tmp_path / "binary").write_bytes(b"\xff\xfe\x00head")
    odd = ("huge.json", "odd_id.json", "binary")
    given_all = ["", " ", "five abc", str(tmp_path / "missing"), str(tmp_path / "junk.json")]
    for given in [*given_all, *(str(tmp_path / name) for name in odd)]:
        result = runner.invoke(args=["audit", "verify", "--head", given])
        assert result.exit_code == 1 and "head" in result.output, given


def test_head_output_that_cannot_be_written_is_a_message(app, runner, tmp_path):
    _five_rows()
    result = runner.invoke(args=["audit", "head", "--output", str(tmp_path / "no" / "such")])
    assert result.exit_code == 1 and "cannot be written" in result.output
    assert not isinstance(result.exception, OSError)


def _old_chain(count: int) -> None:
    """Rows as the code before issue 17 wrote them: plain SHA-256."""
    for n in range(count):
        record("test.old", None, n=n)
    db.session.commit()
    _rehash_plain(_rows()[0].id)


def test_rekey_signs_an_old_chain_once(app, runner):
    _old_chain(4)
    before = runner.invoke(args=["audit", "verify"])
    assert before.exit_code == 1 and "survey audit rekey" in before.output
    result = runner.invoke(args=["audit", "rekey"])
    assert result.exit_code == 0, result.output
    assert "signed 4 row(s)" in result.output
    assert runner.invoke(args=["audit", "verify"]).exit_code == 0
    rows = _rows()
    assert len(rows) == 5 and rows[-1].action == "audit.rekeyed"
    assert rows[-1].details["old_head"]["count"] == 4
    assert result.output.strip().splitlines()[-1] == f"5 {rows[-1].hash}"  # the new head
    again = runner.invoke(args=["audit", "rekey"])
    assert again.exit_code == 0 and "already" in again.output
    assert len(_rows()) == 5


def test_rekey_refuses_a_broken_chain_and_signs_nothing(app, runner):
    _old_chain(4)
    rows = _rows()
    rows[1].details = {"n": 42}  # changed without recomputing: a break rekey must not bless
    db.session.commit()
    hashes = [r.hash for r in _rows()]
    result = runner.invoke(args=["audit", "rekey"])
    assert result.exit_code == 1
    assert f"row {rows[1].id}: its content was changed" in result.output
    assert "Nothing was signed." in result.output
    assert [r.hash for r in _rows()] == hashes


def test_rekey_moves_the_chain_to_a_new_key(app, runner, tmp_path):
    _five_rows()
    old_key = tmp_path / "old_key"
    old_key.write_text(app.config["AUDIT_KEY"] + "\n")
    app.config["AUDIT_KEY"] = "the new key"
    assert runner.invoke(args=["audit", "verify"]).exit_code == 1
    assert runner.invoke(args=["audit", "rekey"]).exit_code == 1  # the old key is needed
    moved = runner.invoke(args=["audit", "rekey", "--old-key-file", str(old_key)])
    assert moved.exit_code == 0, moved.output
    assert runner.invoke(args=["audit", "verify"]).exit_code == 0


def test_audit_key_comes_from_the_environment_or_is_kept_in_the_instance(monkeypatch, tmp_path):
    monkeypatch.setenv("SURVEY_AUDIT_KEY", "from the environment")
    monkeypatch.setenv("SURVEY_SECRET_KEY", "x")
    assert load_config(tmp_path / "a", ROOT / "survey")["AUDIT_KEY"] == "from the environment"
    monkeypatch.delenv("SURVEY_AUDIT_KEY")
    made = load_config(tmp_path / "b", ROOT / "survey")["AUDIT_KEY"]
    assert len(made) == 64
    assert (tmp_path / "b" / "audit_key").read_text() == made
    assert (tmp_path / "b" / "audit_key").stat().st_mode & 0o777 == 0o600
    assert load_config(tmp_path / "b", ROOT / "survey")["AUDIT_KEY"] == made  # kept
    assert made != load_config(tmp_path / "b", ROOT / "survey")["SECRET_KEY"]


def test_a_file_removed_during_a_backup_is_still_in_it(app, client, runner, tmp_path, monkeypatch):
    """The snapshot holds an evidence row; the volunteer removes that photo while the backup
    is between its snapshot and its copy of the media. The backup must hold the row's files
    (the removal leaves them to `survey media clean`), and clean removes them afterwards."""
    volunteer, url, keys = _one_photo(client, tmp_path)
    visit_url, _slash, evidence_uuid = url.rpartition("/evidence/")
    real_dump = backup_module._dump_tables

    def dump_then_remove(*args, **kwargs):  # type: ignore[no-untyped-def]
        counts = real_dump(*args, **kwargs)
        removed = client.delete(url, headers=volunteer.headers)
        assert removed.status_code == 204
        return counts

    monkeypatch.setattr(backup_module, "_dump_tables", dump_then_remove)
    result = runner.invoke(args=["backup", str(tmp_path / "backup")])
    assert result.exit_code == 0, result.output
    db.session.expire_all()
    assert db.session.scalar(select(func.count(Evidence.id))) == 0  # the removal happened
    saved = (tmp_path / "backup" / "db" / "evidence.jsonl").read_text(encoding="utf-8")
    assert evidence_uuid in saved
    assert [k for k in keys if not (tmp_path / "backup" / "media" / k).is_file()] == []
    assert all(storage().exists(k) for k in keys)  # left for media clean
    assert runner.invoke(args=["media", "clean"]).exit_code == 0
    assert not any(storage().exists(k) for k in keys)
    monkeypatch.undo()
    again = client.post(
        f"{visit_url}/evidence",
        data={"file": (io.BytesIO(makers.jpeg_with_secrets()), "b.jpg")},
        headers=volunteer.headers,
        content_type="multipart/form-data",
    )
    second = db.session.scalar(select(Evidence).where(Evidence.uuid == again.json["uuid"]))
    gone = client.delete(f"{visit_url}/evidence/{again.json['uuid']}", headers=volunteer.headers)
    assert gone.status_code == 204
    assert not storage().exists(second.original_key)  # without a backup: removed at once


def _one_photo(client, tmp_path):  # type: ignore[no-untyped-def]
    make_office()
    load_mini(tmp_path)
    volunteer = make_user("volunteer")
    body = visit_body()
    assert post_visit(client, volunteer, body).status_code == 201
    sent = client.post(
        f"/api/v1/visits/{body['uuid']}/evidence",
        data={"file": (io.BytesIO(makers.jpeg_with_secrets()), "a.jpg")},
        headers=volunteer.headers,
        content_type="multipart/form-data",
    )
    assert sent.status_code == 201, sent.json
    row = db.session.scalar(select(Evidence).where(Evidence.uuid == sent.json["uuid"]))
    url = f"/api/v1/visits/{body['uuid']}/evidence/{sent.json['uuid']}"
    return volunteer, url, [row.original_key, row.display_key, row.thumb_key]


def test_media_clean_keeps_orphans_while_a_backup_runs(app, client, runner, tmp_path):
    """Review of issue 17: the start-up clean during a nightly backup must not delete a file
    the backup's snapshot names."""
    _volunteer, _url, keys = _one_photo(client, tmp_path)
    db.session.execute(delete(Evidence))  # the row goes, its files stay: orphans
    db.session.commit()
    with held_for_backup():
        during = runner.invoke(args=["media", "clean"])
        assert during.exit_code == 0 and "a backup is running: 3 orphan file(s) kept" in (
            during.output
        )
        assert all(storage().exists(k) for k in keys)
    after = runner.invoke(args=["media", "clean"])
    assert "removed 3 orphan file(s)" in after.output
    assert not any(storage().exists(k) for k in keys)


def test_a_removal_that_cannot_open_the_backup_lock_keeps_its_files(
    app, client, tmp_path, monkeypatch
):
    """A lock file made by another user (root's backup cron) or an unwritable instance folder
    must not turn a removal into a 500 after its row is gone: the files wait for media clean."""
    volunteer, url, keys = _one_photo(client, tmp_path)
    real_open = os.open

    def refusing_open(path, *args, **kwargs):  # type: ignore[no-untyped-def]
        if str(path).endswith("backup.lock"):
            raise PermissionError(13, "Permission denied", str(path))
        return real_open(path, *args, **kwargs)

    monkeypatch.setattr(os, "open", refusing_open)
    removed = client.delete(url, headers=volunteer.headers)
    assert removed.status_code == 204
    assert db.session.scalar(select(func.count(Evidence.id))) == 0
    assert all(storage().exists(k) for k in keys)


# --- 3. Removing evidence does not pull a file from under a concurrent upload --------------


def test_removal_racing_an_upload_of_the_same_bytes_keeps_the_file(
    app, client, tmp_path, monkeypatch
):
    """Upload B of bytes already stored finds the file and keeps it (content-addressed) but
    has not committed its row; removal of A, the only other row, then counts no reference.
    B must not end up pointing at a file that was unlinked in between."""
    make_office()
    load_mini(tmp_path)
    volunteer = make_user("volunteer")
    body = visit_body()
    assert post_visit(client, volunteer, body).status_code == 201
    photo = makers.jpeg_with_secrets()
    first = client.post(
        f"/api/v1/visits/{body['uuid']}/evidence",
        data={"file": (io.BytesIO(photo), "a.jpg")},
        headers=volunteer.headers,
        content_type="multipart/form-data",
    )
    assert first.status_code == 201, first.json
    db.session.commit()  # nothing held by this thread's session while the others run

    stored = threading.Event()  # B has reused the stored files, its row not yet committed
    go_on = threading.Event()
    errors: list[BaseException] = []
    real_store = evidence_services._store

    def pausing_store(*args, **kwargs):  # type: ignore[no-untyped-def]
        keys = real_store(*args, **kwargs)
        if threading.current_thread().name == "upload-b":
            stored.set()
            go_on.wait(WAIT)
        return keys

    def in_app(work):  # type: ignore[no-untyped-def]
        def run() -> None:
            try:
                with app.app_context():
                    user = db.session.get(User, volunteer.user_id)
                    work(user)
                    db.session.remove()
            except BaseException as exc:
                errors.append(exc)

        return run

    def upload_b(user: User) -> None:
        incoming = evidence_services.incoming_from_file(io.BytesIO(photo))
        evidence_services.add_evidence(user, body["uuid"], incoming)

    def remove_a(user: User) -> None:
        evidence_services.remove_evidence(user, body["uuid"], first.json["uuid"])

    monkeypatch.setattr(evidence_services, "_store", pausing_store)
    try:
        b = threading.Thread(target=in_app(upload_b), name="upload-b", daemon=True)
        b.start()
        assert stored.wait(WAIT), errors
        d = threading.Thread(target=in_app(remove_a), name="remove-a", daemon=True)
        d.start()
        d.join(1.0)  # before the fix the removal is done by now: it counted no reference
        go_on.set()
        b.join(WAIT)
        d.join(WAIT)
    finally:
        go_on.set()
    assert not errors, errors
    db.session.expire_all()
    rows = list(db.session.scalars(select(Evidence)))
    assert [row.uuid for row in rows] != [first.json["uuid"]] and len(rows) == 1
    missing = [
        key
        for key in (rows[0].original_key, rows[0].display_key, rows[0].thumb_key)
        if not storage().exists(key)
    ]
    assert missing == [], "the upload's row points at files the removal unlinked"
