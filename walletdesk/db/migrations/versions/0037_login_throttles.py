"""failed sign-ins counted per e-mail and source address, and per e-mail for every address,
instead of on the agent's row (decision 0058)

Revision ID: 0037
Revises: 0036
Create Date: 2026-12-02 16:24:09

The counts on the agents' rows (at most a 15-minute lock) are not carried over.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import walletdesk.db.base

revision: str = '0037'
down_revision: str | None = '0036'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        'login_throttles',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('account_key', sa.String(length=64), nullable=False),
        sa.Column('source_key', sa.String(length=64), nullable=False),
        sa.Column('failures', sa.Integer(), nullable=False),
        sa.Column('last_failure_at', walletdesk.db.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column('locked_until', walletdesk.db.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column('next_attempt_at', walletdesk.db.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column('last_success_at', walletdesk.db.base.UTCDateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_login_throttles')),
        sa.UniqueConstraint('account_key', 'source_key',
                            name=op.f('uq_login_throttles_account_key_source_key')),
    )


def downgrade() -> None:
    op.drop_table('login_throttles')
