"""one finding per office and requirement

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-29 14:00:00

Until now every failed item of every approved visit was a finding of its own. This folds
them into one finding per office and item code (issue 13), by the rules of
survey/domain/findings.py, keeping every response, proof and history event:

- findings of one office and item are taken in the order they were opened;
- the first opens a chain; each later one is folded into it (its events and proofs move
  over, its visit becomes an observation, its status and fix date are the chain's from then
  on), unless the chain's finding was verified by then: it then starts a new chain, a
  recurrence of the verified one;
- approved visits that passed the item while a chain was live become "pass" observations;
- findings made without history (the demo wrote none) get their "created", "implemented"
  and "verified" events, so the figures can tell each finding's status at any date.

Downgrade drops the new columns and table; folded findings stay folded.
"""
from collections import defaultdict

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None

LIVE = ('open', 'in_progress', 'implemented')


def _schema():
    with op.batch_alter_table('findings', schema=None) as batch_op:
        batch_op.add_column(sa.Column('recurrence_of_id', sa.Integer(), nullable=True))
        batch_op.add_column(
            sa.Column('recheck_required', sa.Boolean(), nullable=False, server_default=sa.false())
        )
        batch_op.add_column(sa.Column('verified_at', sa.DateTime(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f('fk_findings_recurrence_of_id_findings'), 'findings', ['recurrence_of_id'], ['id']
        )
        batch_op.create_index('ix_findings_office_item', ['office_id', 'item_code'], unique=False)
        batch_op.create_index('ix_findings_created_at', ['created_at'], unique=False)
    with op.batch_alter_table('finding_events', schema=None) as batch_op:
        batch_op.add_column(sa.Column('visit_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f('fk_finding_events_visit_id_visits'), 'visits', ['visit_id'], ['id']
        )
    op.create_table(
        'finding_observations',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('finding_id', sa.Integer(), nullable=False),
        sa.Column('visit_id', sa.Integer(), nullable=False),
        sa.Column('result', sa.String(length=8), nullable=False),
        sa.Column('visited_on', sa.Date(), nullable=False),
        sa.Column('observed_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['finding_id'], ['findings.id'], name=op.f('fk_finding_observations_finding_id_findings')),
        sa.ForeignKeyConstraint(['visit_id'], ['visits.id'], name=op.f('fk_finding_observations_visit_id_visits')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_finding_observations')),
        sa.UniqueConstraint('finding_id', 'visit_id', name=op.f('uq_finding_observations_finding_id')),
    )
    with op.batch_alter_table('finding_observations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_finding_observations_finding_id'), ['finding_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_finding_observations_visit_id'), ['visit_id'], unique=False)


M = sa.MetaData()
findings = sa.Table(
    'findings', M,
    sa.Column('id', sa.Integer), sa.Column('visit_id', sa.Integer), sa.Column('office_id', sa.Integer),
    sa.Column('item_code', sa.String), sa.Column('status', sa.String), sa.Column('disputed', sa.Boolean),
    sa.Column('merged_into_id', sa.Integer), sa.Column('recurrence_of_id', sa.Integer),
    sa.Column('implemented_at', sa.DateTime), sa.Column('verified_at', sa.DateTime),
    sa.Column('created_at', sa.DateTime), sa.Column('updated_at', sa.DateTime),
)
events = sa.Table(
    'finding_events', M,
    sa.Column('id', sa.Integer), sa.Column('finding_id', sa.Integer), sa.Column('at', sa.DateTime),
    sa.Column('actor_id', sa.Integer), sa.Column('action', sa.String), sa.Column('from_status', sa.String),
    sa.Column('to_status', sa.String), sa.Column('text', sa.Text), sa.Column('visit_id', sa.Integer),
)
observations = sa.Table(
    'finding_observations', M,
    sa.Column('id', sa.Integer), sa.Column('finding_id', sa.Integer), sa.Column('visit_id', sa.Integer),
    sa.Column('result', sa.String), sa.Column('visited_on', sa.Date), sa.Column('observed_at', sa.DateTime),
)
visits = sa.Table(
    'visits', M,
    sa.Column('id', sa.Integer), sa.Column('office_id', sa.Integer), sa.Column('status', sa.String),
    sa.Column('visited_on', sa.Date), sa.Column('reviewed_at', sa.DateTime),
)
answers = sa.Table(
    'answers', M,
    sa.Column('visit_id', sa.Integer), sa.Column('item_code', sa.String), sa.Column('score', sa.Float),
)
evidence = sa.Table('evidence', M, sa.Column('id', sa.Integer), sa.Column('finding_id', sa.Integer))


def _result(score):
    if score is None:
        return None
    if score >= 1:
        return 'pass'
    return 'fail' if score <= 0 else 'partial'


def _backfill_events(conn, rows, by_finding):
    """Give each finding the status events its row implies but its history lacks."""
    made = []
    for f in rows:
        kinds = {(e.action, e.to_status) for e in by_finding.get(f.id, [])}
        targets = {to for _action, to in kinds}
        if not any(action == 'created' for action, _to in kinds):
            made.append(dict(finding_id=f.id, at=f.created_at, action='created', from_status=None, to_status='open'))
        if f.implemented_at is not None and 'implemented' not in targets:
            made.append(dict(finding_id=f.id, at=f.implemented_at, action='response', from_status='open', to_status='implemented'))
        if f.status == 'verified' and 'verified' not in targets:
            at = max(f.updated_at or f.created_at, f.implemented_at or f.created_at)
            made.append(dict(finding_id=f.id, at=at, action='verified', from_status='implemented', to_status='verified'))
    if made:
        conn.execute(events.insert(), made)


def _verified_at(conn):
    rows = conn.execute(
        sa.select(events.c.finding_id, sa.func.max(events.c.at))
        .where(events.c.to_status == 'verified')
        .group_by(events.c.finding_id)
    ).all()
    for finding_id, at in rows:
        conn.execute(findings.update().where(findings.c.id == finding_id).values(verified_at=at))


def _fold(conn):
    """Fold each office and item's findings into chains; returns the surviving findings."""
    rows = conn.execute(
        sa.select(findings).order_by(findings.c.office_id, findings.c.item_code, findings.c.created_at, findings.c.id)
    ).all()
    visit = {
        v.id: v for v in conn.execute(sa.select(visits.c.id, visits.c.visited_on, visits.c.reviewed_at)).all()
    }
    scores = {
        (a.visit_id, a.item_code): a.score
        for a in conn.execute(
            sa.select(answers.c.visit_id, answers.c.item_code, answers.c.score)
            .join(findings, sa.and_(findings.c.visit_id == answers.c.visit_id, findings.c.item_code == answers.c.item_code))
        ).all()
    }
    groups = defaultdict(list)
    for f in rows:
        groups[(f.office_id, f.item_code)].append(f)
    survivors = []
    for (office_id, item_code), members in groups.items():
        conn.execute(
            findings.update().where(findings.c.id.in_([f.id for f in members])).values(merged_into_id=None)
        )
        chain = None
        for f in members:
            closed = chain is not None and chain['verified_at'] is not None and chain['verified_at'] <= f.created_at
            if chain is None or closed:
                previous = chain
                chain = dict(id=f.id, office_id=office_id, item_code=item_code, created_at=f.created_at,
                             verified_at=f.verified_at, visits=set())
                if previous is not None:
                    conn.execute(findings.update().where(findings.c.id == f.id).values(recurrence_of_id=previous['id']))
                survivors.append(chain)
            else:
                # A later visit found the same: its opening becomes a "repeated" entry (no status
                # change of its own); its other events and its proofs move over.
                conn.execute(
                    events.update()
                    .where(events.c.finding_id == f.id, events.c.action == 'created')
                    .values(action='repeated', from_status=None, to_status=None, visit_id=f.visit_id)
                )
                conn.execute(events.update().where(events.c.finding_id == f.id).values(finding_id=chain['id']))
                conn.execute(evidence.update().where(evidence.c.finding_id == f.id).values(finding_id=chain['id']))
                conn.execute(findings.update().where(findings.c.recurrence_of_id == f.id).values(recurrence_of_id=chain['id']))
                if f.disputed:
                    conn.execute(findings.update().where(findings.c.id == chain['id']).values(disputed=True))
                conn.execute(findings.delete().where(findings.c.id == f.id))
                chain['verified_at'] = f.verified_at  # the latest member speaks for the chain
            v = visit.get(f.visit_id)
            if f.visit_id not in chain['visits'] and v is not None:
                chain['visits'].add(f.visit_id)
                conn.execute(observations.insert().values(
                    finding_id=chain['id'], visit_id=f.visit_id,
                    result=_result(scores.get((f.visit_id, item_code))) or 'fail',
                    visited_on=v.visited_on, observed_at=v.reviewed_at or f.created_at,
                ))
    for chain in survivors:
        _settle(conn, chain)
    return survivors


def _settle(conn, chain):
    """The chain's status and dates, from its (merged) history: the latest status event."""
    history = conn.execute(
        sa.select(events.c.at, events.c.to_status)
        .where(events.c.finding_id == chain['id'], events.c.to_status.is_not(None))
        .order_by(events.c.at, events.c.id)
    ).all()
    if not history:
        return
    status = history[-1].to_status
    implemented = [e.at for e in history if e.to_status == 'implemented']
    verified = [e.at for e in history if e.to_status == 'verified']
    values = dict(
        status=status,
        implemented_at=implemented[-1] if status in ('implemented', 'verified') and implemented else None,
        verified_at=verified[-1] if status == 'verified' and verified else None,
    )
    chain['verified_at'] = values['verified_at']
    conn.execute(findings.update().where(findings.c.id == chain['id']).values(**values))


def _passes(conn, survivors):
    """Approved visits that passed the item while its finding was live: "pass" observations."""
    for chain in survivors:
        start = chain['created_at']
        end = chain['verified_at']
        query = (
            sa.select(visits.c.id, visits.c.visited_on, visits.c.reviewed_at)
            .join(answers, answers.c.visit_id == visits.c.id)
            .where(
                visits.c.office_id == chain['office_id'],
                visits.c.status == 'approved',
                answers.c.item_code == chain['item_code'],
                answers.c.score >= 1,
                visits.c.reviewed_at > start,
            )
        )
        if end is not None:
            query = query.where(visits.c.reviewed_at <= end)
        have = {
            r.visit_id for r in conn.execute(
                sa.select(observations.c.visit_id).where(observations.c.finding_id == chain['id'])
            )
        }
        made = [
            dict(finding_id=chain['id'], visit_id=r.id, result='pass', visited_on=r.visited_on, observed_at=r.reviewed_at)
            for r in conn.execute(query).all() if r.id not in have
        ]
        if made:
            conn.execute(observations.insert(), made)


def upgrade():
    _schema()
    conn = op.get_bind()
    rows = conn.execute(sa.select(findings)).all()
    by_finding = defaultdict(list)
    for e in conn.execute(sa.select(events.c.finding_id, events.c.action, events.c.to_status)).all():
        by_finding[e.finding_id].append(e)
    _backfill_events(conn, rows, by_finding)
    _verified_at(conn)
    survivors = _fold(conn)
    _passes(conn, survivors)


def downgrade():
    with op.batch_alter_table('finding_observations', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_finding_observations_visit_id'))
        batch_op.drop_index(batch_op.f('ix_finding_observations_finding_id'))
    op.drop_table('finding_observations')
    with op.batch_alter_table('finding_events', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_finding_events_visit_id_visits'), type_='foreignkey')
        batch_op.drop_column('visit_id')
    with op.batch_alter_table('findings', schema=None) as batch_op:
        batch_op.drop_index('ix_findings_created_at')
        batch_op.drop_index('ix_findings_office_item')
        batch_op.drop_constraint(batch_op.f('fk_findings_recurrence_of_id_findings'), type_='foreignkey')
        batch_op.drop_column('verified_at')
        batch_op.drop_column('recheck_required')
        batch_op.drop_column('recurrence_of_id')
