"""evidence shown to the office

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-29 12:00:00

An office head sees only the evidence the auditor chose to show (issue 12). Evidence of visits
approved before this release gets the default rule: shown when attached to an item the visit
failed or partly failed (the items that became findings), hidden otherwise.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('evidence', schema=None) as batch_op:
        batch_op.add_column(sa.Column('office_visible', sa.Boolean(), nullable=True))
    op.execute(
        """
        UPDATE evidence SET office_visible = (
            finding_id IS NULL AND item_code IS NOT NULL AND EXISTS (
                SELECT 1 FROM answers
                WHERE answers.visit_id = evidence.visit_id
                  AND answers.item_code = evidence.item_code
                  AND answers.score < 1
            )
        )
        WHERE visit_id IN (SELECT id FROM visits WHERE status = 'approved')
        """
    )


def downgrade():
    with op.batch_alter_table('evidence', schema=None) as batch_op:
        batch_op.drop_column('office_visible')
