"""when each agent was last seen connected, and when the desk noticed they were gone: online
agents are offered conversations only while seen within WALLETDESK_PRESENCE_GRACE_S
(decision 0059)

Revision ID: 0038
Revises: 0037
Create Date: 2026-12-03 10:00:00

Nobody has been seen yet: agents online at the upgrade get work again as soon as their
workspace reconnects (it does by itself after the restart) or their API client sets its
presence.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import walletdesk.db.base

revision: str = '0038'
down_revision: str | None = '0037'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('agents', schema=None) as batch_op:
        batch_op.add_column(sa.Column(
            'last_seen_at', walletdesk.db.base.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column(
            'connection_lost_at', walletdesk.db.base.UTCDateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('agents', schema=None) as batch_op:
        batch_op.drop_column('connection_lost_at')
        batch_op.drop_column('last_seen_at')
