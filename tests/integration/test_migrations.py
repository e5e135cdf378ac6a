"""The migrations build exactly the schema the models describe, on both databases."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect

from survey.extensions import db


def test_models_and_migrations_agree(app):
    with db.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        diff = compare_metadata(context, db.metadata)
    assert diff == []


def test_upgrade_builds_every_table(app):
    tables = set(inspect(db.engine).get_table_names())
    assert {
        "offices",
        "users",
        "api_tokens",
        "checklists",
        "visits",
        "answers",
        "visit_sections",
        "findings",
        "alembic_version",
    } <= tables
    columns = {c["name"] for c in inspect(db.engine).get_columns("visits")}
    assert {"office_id", "score"} <= columns
