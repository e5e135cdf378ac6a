"""The `survey` command line of DESIGN §7."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from sqlalchemy import func, select

from survey.assignments.models import Assignment
from survey.auth.models import ApiToken, User
from survey.auth.services import authenticate, user_for_token
from survey.checklists.models import Checklist
from survey.extensions import db
from survey.findings.models import Finding
from survey.offices.models import Office
from survey.visits.models import Visit
from tests.e2e.conftest import CHECKLIST_VERSION
from tests.factories import MINI

ROOT = Path(__file__).resolve().parents[2]
OFFICES_CSV = (
    "code,kind,country,city,name_kk,name_ru,name_en\n"
    "tr-istanbul-cg,consulate_general,TR,Istanbul,Стамбұлдағы Бас консулдық,"
    "Генконсульство в Стамбуле,Consulate General in Istanbul\n"
    "de-berlin-emb,embassy,DE,Berlin,Берлиндегі Елшілік,Посольство в Берлине,Embassy in Berlin\n"
)


def _write(tmp: Path, name: str, text: str) -> Path:
    path = tmp / name
    path.write_text(text, encoding="utf-8")
    return path


def test_validate_lists_every_problem_and_exits_1(runner, tmp_path):
    bad = MINI.replace("weight: 3", "weight: -3").replace("min: 1", "min: one")
    bad = bad.replace("kind: scale", "kind: scale\n        colour: red")
    path = _write(tmp_path, "bad.yaml", bad)
    result = runner.invoke(args=["checklists", "validate", str(path)])
    assert result.exit_code == 1
    lines = [line for line in result.output.splitlines() if line.startswith(str(path))]
    assert f"{path}: sections[0].items[1].weight: Must be greater than 0." in lines
    assert any(line.startswith(f"{path}: sections[1].items[0].min: ") for line in lines)
    assert any(line.startswith(f"{path}: sections[1].items[0].colour: ") for line in lines)
    assert len(lines) == 3


def test_validate_reports_yaml_syntax_error_with_line(runner, tmp_path):
    path = _write(tmp_path, "broken.yaml", "slug: x\nversion: 1\n  title: [\n")
    result = runner.invoke(args=["checklists", "validate", str(path)])
    assert result.exit_code == 1
    assert f"{path}: line 3: YAML syntax error" in result.output


def test_validate_in_kazakh(runner, tmp_path):
    path = _write(tmp_path, "bad.yaml", MINI.replace("weight: 3", "weight: 0"))
    result = runner.invoke(args=["checklists", "validate", "--lang", "kk", str(path)])
    assert result.exit_code == 1
    assert "sections[0].items[1].weight: " in result.output
    assert "Must be greater than 0." not in result.output


def test_load_is_idempotent_and_refuses_changed_definitions(runner, tmp_path):
    path = _write(tmp_path, "mini.yaml", MINI)
    first = runner.invoke(args=["checklists", "load", str(path)])
    assert first.exit_code == 0, first.output
    assert "loaded mini v1" in first.output
    # Same definition, other spacing and a comment: unchanged.
    respaced = _write(
        tmp_path, "mini.yaml", "# a comment\n" + MINI.replace("weight: 2", "weight:   2")
    )
    second = runner.invoke(args=["checklists", "load", str(respaced)])
    assert second.exit_code == 0 and "unchanged mini v1" in second.output
    changed = _write(tmp_path, "mini.yaml", MINI.replace("max: 15", "max: 20"))
    third = runner.invoke(args=["checklists", "load", str(changed)])
    assert third.exit_code == 1
    assert "new version" in third.output
    assert db.session.scalar(select(func.count(Checklist.id))) == 1
    stored = db.session.scalar(select(Checklist))
    assert stored.spec.items["wait"].pass_max == 15


def test_load_several_files_is_all_or_nothing(runner, tmp_path):
    good = _write(tmp_path, "a.yaml", MINI.replace("slug: mini", "slug: alpha"))
    bad = _write(
        tmp_path,
        "b.yaml",
        MINI.replace("slug: mini", "slug: beta").replace("kind: text", "kind: essay"),
    )
    result = runner.invoke(args=["checklists", "load", str(good), str(bad)])
    assert result.exit_code == 1
    assert f"{bad}: sections[1].items[4].kind" in result.output
    assert db.session.scalar(select(func.count(Checklist.id))) == 0


def test_load_defaults_to_checklists_folder(runner):
    result = runner.invoke(args=["checklists", "load"])
    assert result.exit_code == 0, result.output
    assert f"consular-visit v{CHECKLIST_VERSION}" in result.output
    spec = db.session.scalar(select(Checklist).where(Checklist.slug == "consular-visit")).spec
    assert 30 <= len(spec.items) <= 40
    assert 5 <= len(spec.sections) <= 7


def test_offices_import_creates_then_updates(runner, tmp_path):
    path = _write(tmp_path, "offices.csv", OFFICES_CSV)
    result = runner.invoke(args=["offices", "import", str(path)])
    assert result.exit_code == 0, result.output
    assert "created 2, updated 0" in result.output
    again = runner.invoke(args=["offices", "import", str(path)])
    assert "created 0, updated 2" in again.output
    office = db.session.scalar(select(Office).where(Office.code == "de-berlin-emb"))
    assert office.country == "DE" and office.name_kk == "Берлиндегі Елшілік"


def test_offices_import_refuses_a_bad_file_whole(runner, tmp_path):
    text = OFFICES_CSV + "xx,palace,Germany,,a,b,c\n"
    path = _write(tmp_path, "offices.csv", text)
    result = runner.invoke(args=["offices", "import", str(path)])
    assert result.exit_code == 1
    assert "line 4" in result.output and "kind" in result.output and "country" in result.output
    assert db.session.scalar(select(func.count(Office.id))) == 0


def test_users_create_reads_password_twice_and_token_is_last_line(runner, tmp_path):
    runner.invoke(args=["offices", "import", str(_write(tmp_path, "o.csv", OFFICES_CSV))])
    result = runner.invoke(
        args=[
            "users",
            "create",
            "Head@Example.kz",
            "--role",
            "office_head",
            "--office",
            "tr-istanbul-cg",
            "--name",
            "Ерлан",
        ],
        input="a long enough secret\na long enough secret\n",
    )
    assert result.exit_code == 0, result.output
    user = db.session.scalar(select(User).where(User.email == "head@example.kz"))
    assert user.office.code == "tr-istanbul-cg" and user.display_name == "Ерлан"
    assert user.password_hash.startswith("$argon2")
    assert authenticate("head@example.kz", "a long enough secret") is not None
    token_run = runner.invoke(args=["users", "token", "head@example.kz"])
    token = token_run.output.strip().splitlines()[-1]
    assert user_for_token(token).id == user.id
    stored = db.session.scalar(select(ApiToken.token_hash))
    assert token not in stored  # only the hash is kept


def test_users_create_refuses_mismatch_and_bad_input(runner):
    mismatch = runner.invoke(
        args=["users", "create", "a@example.kz", "--role", "volunteer"],
        input="first password 1\nsecond password 2\nfirst password 1\nfirst password 1\n",
    )
    assert mismatch.exit_code == 0  # click asks again until both match
    head = runner.invoke(
        args=["users", "create", "h@example.kz", "--role", "office_head"],
        input="a long enough secret\na long enough secret\n",
    )
    assert head.exit_code == 1 and "office" in head.output
    short = runner.invoke(
        args=["users", "create", "s@example.kz", "--role", "auditor"], input="short\nshort\n"
    )
    assert short.exit_code == 1
    assert db.session.scalar(select(func.count(User.id))) == 1


def test_volunteers_get_pseudonyms(runner):
    runner.invoke(
        args=["users", "create", "v@example.kz", "--role", "volunteer"],
        input="a long enough secret\na long enough secret\n",
    )
    user = db.session.scalar(select(User))
    assert user.pseudonym and user.pseudonym.startswith("V-") and len(user.pseudonym) == 6


def test_demo_makes_a_living_system(runner):
    runner.invoke(args=["checklists", "load"])
    result = runner.invoke(args=["demo"])
    assert result.exit_code == 0, result.output
    for email in ("volunteer@", "auditor@", "head@", "group@", "admin@"):
        assert email in result.output
    assert db.session.scalar(select(func.count(Office.id))) >= 15
    statuses = set(db.session.scalars(select(Visit.status).distinct()))
    assert {"approved", "submitted", "draft", "returned"} <= statuses
    assert db.session.scalar(select(func.count(Finding.id))) > 0
    volunteer = db.session.scalar(select(User).where(User.email == "volunteer@demo.adaldyq.kz"))
    planned = select(func.count(Assignment.id)).where(Assignment.volunteer_id == volunteer.id)
    assert db.session.scalar(planned) >= 1  # the README's "your planned visits"
    # Issue 15: an auditor's note is in the language of the volunteer who reads it.
    noted = db.session.execute(
        select(Visit.review_note, User.locale)
        .join(User, User.id == Visit.volunteer_id)
        .where(Visit.review_note.is_not(None))
    ).all()
    assert {locale or "kk" for _, locale in noted} >= {"kk", "ru"}
    for note, locale in noted:
        latin = sum(ch.isascii() and ch.isalpha() for ch in note)
        assert (latin == 0) if (locale or "kk") in ("kk", "ru") else latin > 0, (note, locale)
        if (locale or "kk") == "kk":
            assert set(note) & set("әғқңөұүһі"), note  # Kazakh, not Russian
    skipped = runner.invoke(args=["demo", "--if-empty"])
    assert "no demo was added" in skipped.output
    # `make run` a second time: the logins are still the last lines it prints before serving.
    last = skipped.output.strip().splitlines()
    assert last[-1].strip().split()[-1] == "admin@demo.adaldyq.kz"
    assert "password for all" in skipped.output


def test_demo_volume_mode(runner):
    runner.invoke(args=["checklists", "load"])
    result = runner.invoke(args=["demo", "--offices", "20", "--visits", "300", "--seed", "3"])
    assert result.exit_code == 0, result.output
    assert db.session.scalar(select(func.count(Office.id))) == 20
    approved = select(func.count(Visit.id)).where(
        Visit.status == "approved", Visit.score.is_not(None)
    )
    assert db.session.scalar(approved) == 300
    offices_used = db.session.scalar(select(func.count(func.distinct(Visit.office_id))))
    assert offices_used == 20


def test_console_script_validates_without_a_database(tmp_path):
    bad = _write(tmp_path, "bad.yaml", "slug: BAD\n")
    survey = Path(sys.executable).with_name("survey")
    env = {
        **os.environ,
        "SURVEY_SECRET_KEY": "x",
        "SURVEY_DATABASE_URL": f"sqlite:///{tmp_path / 'cli.db'}",
    }
    done = subprocess.run(
        [str(survey), "checklists", "validate", str(bad)],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        check=False,
    )
    assert done.returncode == 1
    assert f"{bad}: slug:" in done.stderr
    assert f"{bad}: version: This field is required." in done.stderr
