"""reports at scale, part three: each duration's histogram bucket in the facts (with an
index to read one bucket of a period), and the daily rows — distinct customers and
duration histograms per UTC day — so a period's medians, p90 and customers do not read its
facts (issue 13, decision 0036)

Revision ID: 0031
Revises: 0030
Create Date: 2026-11-30 09:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import walletdesk.db.base

revision: str = '0031'
down_revision: str | None = '0030'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

DURATIONS = ('first_response_s', 'first_response_business_s', 'resolution_s',
             'resolution_business_s', 'handling_s', 'handling_business_s')
# walletdesk.reports.rollup_models.BUCKET_EDGES: a bucket is how many of them are at or
# below the duration (Python's bisect_right, PostgreSQL's width_bucket over an array)
EDGES = tuple(2 ** (k / 4) for k in range(0, 109))
# the facts' columns a period's scan reads from the index on the start (0030's, and the two
# buckets the agents' medians count per agent)
PERIOD_COLUMNS = ['customer_id', 'customer_first_at', 'assignee_id', 'status',
                  'first_response_s', 'first_response_business_s', 'resolution_s',
                  'resolution_business_s', 'handling_s', 'handling_business_s',
                  'survey_rating', 'survey_agent_id']
FILTER_COLUMNS = ['channel', 'team_id', 'language', 'category']


def _bucket(duration: str) -> str:
    return f"{duration.removesuffix('_s')}_bucket"


def _bucket_sql(duration: str, postgresql: bool) -> str:
    if postgresql:
        edges = ', '.join(repr(edge) for edge in EDGES)
        return f'width_bucket({duration}, ARRAY[{edges}]::float8[])'
    whens = ' '.join(f'WHEN {duration} < {edge!r} THEN {n}' for n, edge in enumerate(EDGES))
    return f'CASE WHEN {duration} IS NULL THEN NULL {whens} ELSE {len(EDGES)} END'


def upgrade() -> None:
    postgresql = op.get_bind().dialect.name == 'postgresql'
    with op.batch_alter_table('report_conversation_facts', schema=None) as batch_op:
        for duration in DURATIONS:
            batch_op.add_column(sa.Column(_bucket(duration), sa.SmallInteger(), nullable=True))
    # the facts already computed get their buckets here (the worker writes them from now on)
    op.execute('UPDATE report_conversation_facts SET ' + ', '.join(  # noqa: S608 - constants
        f'{_bucket(duration)} = {_bucket_sql(duration, postgresql)}' for duration in DURATIONS))
    op.drop_index('ix_report_facts_created_at', table_name='report_conversation_facts')
    op.create_index('ix_report_facts_created_at', 'report_conversation_facts', ['created_at'],
                    postgresql_include=[*PERIOD_COLUMNS, 'first_response_bucket',
                                        'resolution_bucket', *FILTER_COLUMNS])
    for duration in DURATIONS:
        op.create_index(f'ix_report_facts_{_bucket(duration)}', 'report_conversation_facts',
                        [_bucket(duration), 'created_at'],
                        postgresql_include=[duration, 'assignee_id', *FILTER_COLUMNS])
    with op.batch_alter_table('report_rollup_state', schema=None) as batch_op:
        # false: the worker counts every day of the facts once
        batch_op.add_column(sa.Column('daily_ready', sa.Boolean(), nullable=False,
                                      server_default='0'))
    op.create_table(
        'report_daily',
        sa.Column('dimension', sa.String(length=12), nullable=False),
        sa.Column('value', sa.String(length=120), nullable=False),
        sa.Column('day', walletdesk.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column('customers', sa.Text(), nullable=False),
        sa.Column('new_customers', sa.Text(), nullable=False),
        *(sa.Column(duration, sa.Text(), nullable=False) for duration in DURATIONS),
        sa.PrimaryKeyConstraint('dimension', 'value', 'day', name=op.f('pk_report_daily')),
    )
    op.create_table(
        'report_daily_agents',
        sa.Column('day', walletdesk.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column('agent_id', sa.Integer(), autoincrement=False, nullable=False),
        *(sa.Column(name, sa.Integer(), nullable=False)
          for name in ('handled', 'resolved', 'replies', 'ratings', 'rating_sum')),
        sa.PrimaryKeyConstraint('day', 'agent_id', name=op.f('pk_report_daily_agents')),
    )


def downgrade() -> None:
    op.drop_table('report_daily_agents')
    op.drop_table('report_daily')
    with op.batch_alter_table('report_rollup_state', schema=None) as batch_op:
        batch_op.drop_column('daily_ready')
    for duration in DURATIONS:
        op.drop_index(f'ix_report_facts_{_bucket(duration)}',
                      table_name='report_conversation_facts')
    op.drop_index('ix_report_facts_created_at', table_name='report_conversation_facts')
    op.create_index('ix_report_facts_created_at', 'report_conversation_facts', ['created_at'],
                    postgresql_include=PERIOD_COLUMNS)
    with op.batch_alter_table('report_conversation_facts', schema=None) as batch_op:
        for duration in DURATIONS:
            batch_op.drop_column(_bucket(duration))
