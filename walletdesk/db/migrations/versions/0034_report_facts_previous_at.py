"""reports at scale, part six: each fact's previous conversation of its customer, so a
period's distinct customers are counted by one index read instead of a union of the days'
customer ids (issue 13, decision 0046)

Revision ID: 0034
Revises: 0033
Create Date: 2026-11-30 21:20:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import walletdesk.db.base

revision: str = '0034'
down_revision: str | None = '0033'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def backfill_sql() -> str:
    """The column of the facts already computed, as walletdesk.reports.rollups'
    ``previous_start`` computes it from now on (a test compares both)."""
    return ('UPDATE report_conversation_facts SET previous_at = ('
            'SELECT max(o.created_at) FROM conversations o '
            'WHERE o.customer_id = report_conversation_facts.customer_id '
            'AND (o.created_at < report_conversation_facts.created_at '
            'OR (o.created_at = report_conversation_facts.created_at '
            'AND o.id < report_conversation_facts.conversation_id)))')


def upgrade() -> None:
    with op.batch_alter_table('report_conversation_facts', schema=None) as batch_op:
        batch_op.add_column(sa.Column(
            'previous_at', walletdesk.db.base.UTCDateTime(timezone=True), nullable=True))
    op.execute(backfill_sql())
    op.create_index('ix_report_facts_previous', 'report_conversation_facts',
                    ['created_at', 'previous_at'])


def downgrade() -> None:
    op.drop_index('ix_report_facts_previous', table_name='report_conversation_facts')
    with op.batch_alter_table('report_conversation_facts', schema=None) as batch_op:
        batch_op.drop_column('previous_at')
