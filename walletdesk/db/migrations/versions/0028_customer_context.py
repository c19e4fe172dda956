"""the customer's context: operator endpoint and device context (issue 16)

Revision ID: 0028
Revises: 0027
Create Date: 2026-11-30 06:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import walletdesk.db.base

revision: str = '0028'
down_revision: str | None = '0027'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # the device and app context the widget reported, per conversation (the operator's
    # endpoint is asked live and cached in memory: nothing of it is stored)
    op.create_table(
        'conversation_device_contexts',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('conversation_id', sa.Integer(), nullable=False),
        sa.Column('app_version', sa.String(length=80), nullable=True),
        sa.Column('os', sa.String(length=80), nullable=True),
        sa.Column('platform', sa.String(length=80), nullable=True),
        sa.Column('language', sa.String(length=35), nullable=True),
        sa.Column('wallet_addresses', sa.Text(), nullable=True),
        sa.Column('reported_at', walletdesk.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['conversation_id'], ['conversations.id'],
                                name=op.f('fk_conversation_device_contexts_conversation_id_'
                                          'conversations'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_conversation_device_contexts')),
        sa.UniqueConstraint('conversation_id',
                            name=op.f('uq_conversation_device_contexts_conversation_id')),
    )


def downgrade() -> None:
    op.drop_table('conversation_device_contexts')
