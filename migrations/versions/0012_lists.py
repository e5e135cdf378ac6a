"""lists: search columns and indexes for paged lists

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-30 10:00:00

Lists page, filter and sort in SQL (issue 13):

- `offices.search_text` and `users.search_text` hold the searchable text folded (case and
  accents set aside, survey/domain/search.py), because SQLite's LOWER() folds ASCII only and
  an office must be found by its Kazakh or Russian name too. Existing rows are filled here
  with the same folding; the models keep it up to date on every save.
- Indexes so that the first page of findings with any one filter, and a page far down a
  list, cost about the same: see docs/performance.md, "Lists".
"""
import unicodedata

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None


def _fold(text):
    """survey/domain/search.fold as of this revision (a migration keeps its own copy)."""
    if not text:
        return ''
    decomposed = unicodedata.normalize('NFKD', text.casefold())
    bare = ''.join(c for c in decomposed if not unicodedata.combining(c))
    return ' '.join(unicodedata.normalize('NFC', bare).split())


def _joined(*parts):
    return ' '.join(p for p in (_fold(part) for part in parts) if p)


def _fill(table, columns, key='id'):
    bind = op.get_bind()
    rows = bind.execute(sa.text(f"SELECT {key}, {', '.join(columns)} FROM {table}")).all()
    statement = sa.text(f"UPDATE {table} SET search_text = :text WHERE {key} = :key")
    values = [{'key': row[0], 'text': _joined(*row[1:])} for row in rows]
    if values:
        bind.execute(statement, values)


def upgrade():
    with op.batch_alter_table('offices', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('search_text', sa.String(length=1200), nullable=False, server_default='')
        )
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('search_text', sa.String(length=500), nullable=False, server_default='')
        )
    _fill('offices', ['code', 'name_kk', 'name_ru', 'name_en', 'city'])
    _fill('users', ['display_name', 'email', 'pseudonym'])
    live = sa.text('merged_into_id IS NULL')
    op.create_index(
        'ix_findings_live_due',
        'findings',
        ['due_date', 'id'],
        unique=False,
        sqlite_where=live,
        postgresql_where=live,
    )
    op.create_index(
        'ix_visits_visited_at',
        'visits',
        ['visited_at', 'id', 'status', 'volunteer_id'],
        unique=False,
    )
    op.create_index(
        'ix_visits_status_visited_at',
        'visits',
        ['status', 'visited_at', 'id', 'volunteer_id'],
        unique=False,
    )
    op.create_index('ix_evidence_finding_id', 'evidence', ['finding_id'], unique=False)


def downgrade():
    op.drop_index('ix_evidence_finding_id', table_name='evidence')
    op.drop_index('ix_visits_status_visited_at', table_name='visits')
    op.drop_index('ix_visits_visited_at', table_name='visits')
    op.drop_index('ix_findings_live_due', table_name='findings')
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('search_text')
    with op.batch_alter_table('offices', schema=None) as batch_op:
        batch_op.drop_column('search_text')
