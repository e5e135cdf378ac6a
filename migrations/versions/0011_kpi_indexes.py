"""indexes for the recommendation KPIs

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-29 16:00:00

The programme's KPIs (issue 13, survey/findings/kpis.py) read a finding's status at a
period's end from finding_events, and count the findings still to fix by due date:

- finding_events (finding_id, at, id, to_status): a finding's latest event before an
  instant, in the order (at, then id) that defines it, read from the index alone;
- finding_events (at): the status changes after a period's end;
- finding_events (action, at, to_status, finding_id): the reopenings during a period, read
  from the index alone;
- findings (office_id, due_date, created_at, status, merged_into_id) where status is open or
  in progress and the finding is not merged: overdue at a period's end, by office or in all,
  counted from the index alone (a partial index; SQLite and PostgreSQL both have them).
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None

UNRESOLVED = "status IN ('open', 'in_progress') AND merged_into_id IS NULL"


def upgrade():
    with op.batch_alter_table('finding_events', schema=None) as batch_op:
        batch_op.create_index(
            'ix_finding_events_finding_at', ['finding_id', 'at', 'id', 'to_status'], unique=False
        )
        batch_op.create_index('ix_finding_events_at', ['at'], unique=False)
        batch_op.create_index(
            'ix_finding_events_action_at', ['action', 'at', 'to_status', 'finding_id'], unique=False
        )
    with op.batch_alter_table('findings', schema=None) as batch_op:
        batch_op.create_index(
            'ix_findings_unresolved_due',
            ['office_id', 'due_date', 'created_at', 'status', 'merged_into_id'],
            unique=False,
            sqlite_where=sa.text(UNRESOLVED),
            postgresql_where=sa.text(UNRESOLVED),
        )


def downgrade():
    with op.batch_alter_table('findings', schema=None) as batch_op:
        batch_op.drop_index('ix_findings_unresolved_due')
    with op.batch_alter_table('finding_events', schema=None) as batch_op:
        batch_op.drop_index('ix_finding_events_action_at')
        batch_op.drop_index('ix_finding_events_at')
        batch_op.drop_index('ix_finding_events_finding_at')
