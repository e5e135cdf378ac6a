"""The `survey` commands (DESIGN §7), added to the app by register(); the console script is
survey.main, a FlaskGroup over create_app."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, TextIO

import click
from flask import Flask, current_app
from flask.cli import with_appcontext
from flask_babel import force_locale, gettext

from .audit import services as audit
from .auth.services import create_user, find_user, issue_token
from .backup import BackupError, backup, restore
from .checklists.services import ChecklistProblems, load_paths, validate_paths
from .config import LOCALES
from .demo.services import database_is_empty, demo_logins, seed_demo
from .domain.messages import render
from .errors import ServiceError, translate_fields
from .evidence.services import clean_media
from .extensions import db
from .offices.services import import_offices
from .visits.rescore import rescore_all


def _lang_option(fn: Callable[..., Any]) -> Callable[..., Any]:
    return click.option(
        "--lang",
        type=click.Choice(LOCALES),
        default="en",
        show_default=True,
        help="Language of the messages.",
    )(fn)


def _fail(exc: ServiceError) -> None:
    click.echo(render(exc.message, gettext), err=True)
    for key, messages in translate_fields(exc.fields).items():
        for message in messages if isinstance(messages, list) else [messages]:
            click.echo(f"  {key}: {message}", err=True)
    sys.exit(1)


@click.group("checklists", help="Validate and load checklist definitions.")
def checklists_cli() -> None:
    pass


@checklists_cli.command("validate")
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))
@_lang_option
@with_appcontext
def checklists_validate(paths: tuple[Path, ...], lang: str) -> None:
    """Check definitions without loading them; exit 1 listing every problem."""
    problems = validate_paths(paths)
    with force_locale(lang):
        for problem in problems:
            click.echo(problem.format(gettext), err=True)
    if problems:
        sys.exit(1)
    click.echo(f"OK: {len(paths)} path(s) valid")


@checklists_cli.command("load")
@click.argument("paths", nargs=-1, type=click.Path(exists=True, path_type=Path))
@_lang_option
@with_appcontext
def checklists_load(paths: tuple[Path, ...], lang: str) -> None:
    """Load definitions (default: checklists/); all or nothing, and idempotent."""
    targets = list(paths) or [Path(current_app.config["CHECKLISTS_DIR"])]
    try:
        result = load_paths(targets)
    except ChecklistProblems as exc:
        with force_locale(lang):
            for problem in exc.problems:
                click.echo(problem.format(gettext), err=True)
        click.echo("Nothing was loaded.", err=True)
        sys.exit(1)
    for slug, version in result.loaded:
        click.echo(f"loaded {slug} v{version}")
    for slug, version in result.unchanged:
        click.echo(f"unchanged {slug} v{version}")


@click.group("offices", help="Manage consular offices.")
def offices_cli() -> None:
    pass


@offices_cli.command("import")
@click.argument("file", type=click.File("r", encoding="utf-8"))
@_lang_option
@with_appcontext
def offices_import(file: TextIO, lang: str) -> None:
    """Import offices from CSV (code,kind,country,city,name_kk,name_ru,name_en[,timezone])."""
    with force_locale(lang):
        try:
            result = import_offices(file.read())
        except ServiceError as exc:
            db.session.rollback()
            _fail(exc)
    click.echo(f"created {result.created}, updated {result.updated}")


@click.group("users", help="Manage accounts.")
def users_cli() -> None:
    pass


@users_cli.command("create")
@click.argument("email")
@click.option(
    "--role",
    required=True,
    type=click.Choice(["volunteer", "auditor", "office_head", "project_group", "admin"]),
)
@click.option("--office", "office_code", default=None, help="Office code (office heads).")
@click.option("--name", default=None)
@click.option("--locale", type=click.Choice(LOCALES), default=None)
@click.password_option(prompt="Password")
@with_appcontext
def users_create(
    email: str,
    role: str,
    office_code: str | None,
    name: str | None,
    locale: str | None,
    password: str,
) -> None:
    """Create an account; the password is read from the prompt, twice."""
    with force_locale("en"):
        try:
            user = create_user(
                email, password, role, name=name, office_code=office_code, locale=locale
            )
            db.session.commit()
        except ServiceError as exc:
            db.session.rollback()
            _fail(exc)
    suffix = f" ({user.pseudonym})" if user.pseudonym else ""
    click.echo(f"created {user.email} as {user.role}{suffix}")


@users_cli.command("token")
@click.argument("email")
@with_appcontext
def users_token(email: str) -> None:
    """Print a new API token (its last line); it cannot be shown again."""
    user = find_user(email)
    if user is None:
        click.echo(f"no user {email}", err=True)
        sys.exit(1)
    token = issue_token(user)
    db.session.commit()
    click.echo("New API token (shown once):")
    click.echo(token)


@click.command("demo")
@click.option("--offices", "n_offices", type=int, default=None, help="Offices to make.")
@click.option("--visits", "n_visits", type=int, default=None, help="Approved visits to make.")
@click.option("--seed", type=int, default=7)
@click.option("--if-empty", is_flag=True, help="Do nothing when the database has offices.")
@with_appcontext
def demo(n_offices: int | None, n_visits: int | None, seed: int, if_empty: bool) -> None:
    """Make demo data: real offices, one user per role, believable visits."""
    if if_empty and not database_is_empty():
        click.echo("The database already has data; no demo was added.")
        for line in demo_logins():  # `make run` again: the logins are still the last lines
            click.echo(line)
        return
    report = seed_demo(n_offices=n_offices, n_visits=n_visits, seed=seed)
    for line in report:
        click.echo(line)


@click.command("rescore")
@with_appcontext
def rescore() -> None:
    """Recompute stored scores of every submitted visit (after a scoring fix)."""
    click.echo(f"rescored {rescore_all()} visit(s)")


@click.group("audit", help="The audit trail.")
def audit_cli() -> None:
    pass


@audit_cli.command("verify")
@click.option(
    "--head",
    "head_value",
    default=None,
    metavar="HEAD",
    help='"<count> <hash>" from `survey audit head`, or a file holding a head (its --output'
    " JSON, or a backup's manifest.json): fail when rows were removed at the end.",
)
@with_appcontext
def audit_verify(head_value: str | None) -> None:
    """Exit 1 when any row of the audit chain was changed or removed."""
    try:
        expected = audit.parse_head(head_value) if head_value is not None else None
        problems = audit.verify(expected)
    except audit.AuditError as exc:
        click.echo(str(exc), err=True)
        sys.exit(1)
    for problem in problems:
        click.echo(problem, err=True)
    if problems:
        sys.exit(1)
    click.echo("audit log intact")
    if expected is not None:
        click.echo(f"the head's {expected.count} row(s) are all there")


@audit_cli.command("head")
@click.option(
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Also write the head as JSON (id, count, hash) to this file.",
)
@with_appcontext
def audit_head(output: Path | None) -> None:
    """Print where the chain ends now, as "<count> <hash>"; keep it away from the database."""
    current = audit.head()
    if output is not None:
        try:
            output.write_text(json.dumps(current.as_json()) + "\n", encoding="utf-8")
        except OSError as exc:
            raise click.ClickException(f"{output} cannot be written: {exc.strerror}") from None
    click.echo(current.line())


@audit_cli.command("rekey")
@click.option(
    "--old-key-file",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    default=None,
    help="A file holding the key the log is signed with now (when changing keys).",
)
@with_appcontext
def audit_rekey(old_key_file: Path | None) -> None:
    """Check the chain, then sign it with SURVEY_AUDIT_KEY (once after upgrading, or a new key)."""
    old_key = old_key_file.read_text(encoding="utf-8").strip().encode() if old_key_file else None
    try:
        signed, current = audit.rekey(old_key)
    except audit.AuditError as exc:
        click.echo(str(exc), err=True)
        click.echo("Nothing was signed.", err=True)
        sys.exit(1)
    if signed:
        click.echo(f"signed {signed} row(s) with the audit key; take a new head:")
    else:
        click.echo("the log is signed with the audit key already")
    click.echo(current.line())


@click.command("backup")
@click.argument("path", type=click.Path(path_type=Path))
@with_appcontext
def backup_command(path: Path) -> None:
    """Write the database and media to PATH, with a manifest of SHA-256 sums."""
    try:
        manifest = backup(path)
    except BackupError as exc:
        click.echo(str(exc), err=True)
        sys.exit(1)
    audit.record("backup", None, files=len(manifest["files"]))
    db.session.commit()
    click.echo(f"backup written: {len(manifest['files'])} files")


@click.command("restore")
@click.argument("path", type=click.Path(exists=True, file_okay=False, path_type=Path))
@with_appcontext
def restore_command(path: Path) -> None:
    """Restore a backup into an empty, migrated instance (the sums are checked first)."""
    try:
        manifest = restore(path)
    except BackupError as exc:
        db.session.rollback()
        click.echo(str(exc), err=True)
        sys.exit(1)
    click.echo(f"restored {sum(manifest['rows'].values())} rows and the media")


@click.group("media", help="Evidence files.")
def media_cli() -> None:
    pass


@media_cli.command("clean")
@with_appcontext
def media_clean() -> None:
    """Remove files no row points at and leftover scratch files (after a crash)."""
    removed = clean_media()
    click.echo(f"removed {removed['orphans']} orphan file(s), {removed['scratch']} scratch file(s)")
    if removed["kept_for_backup"]:
        click.echo(f"a backup is running: {removed['kept_for_backup']} orphan file(s) kept")


def register(app: Flask) -> None:
    for command in (
        checklists_cli,
        offices_cli,
        users_cli,
        demo,
        rescore,
        audit_cli,
        backup_command,
        restore_command,
        media_cli,
    ):
        app.cli.add_command(command)
