"""transfers looked up on chain (issue 16)

Revision ID: 0029
Revises: 0028
Create Date: 2026-11-30 06:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import walletdesk.db.base

revision: str = '0029'
down_revision: str | None = '0028'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _time(name: str, nullable: bool = True) -> sa.Column:  # type: ignore[type-arg]
    return sa.Column(name, walletdesk.db.base.UTCDateTime(timezone=True), nullable=nullable)


def upgrade() -> None:
    op.create_table(
        'chain_lookups',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('conversation_id', sa.Integer(), nullable=False),
        sa.Column('message_id', sa.Integer(), nullable=True),
        sa.Column('tx', sa.String(length=100), nullable=False),
        sa.Column('chain', sa.String(length=20), nullable=True),
        sa.Column('named_chain', sa.String(length=20), nullable=True),
        sa.Column('candidates', sa.JSON(), nullable=False),
        sa.Column('status', sa.String(length=20), nullable=False),
        sa.Column('result', sa.JSON(), nullable=False),
        _time('created_at', False),
        _time('checked_at', False),
        sa.ForeignKeyConstraint(['conversation_id'], ['conversations.id'],
                                name=op.f('fk_chain_lookups_conversation_id_conversations'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['message_id'], ['messages.id'],
                                name=op.f('fk_chain_lookups_message_id_messages'),
                                ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_chain_lookups')),
    )
    op.create_index(op.f('ix_chain_lookups_conversation_id'), 'chain_lookups',
                    ['conversation_id'])


def downgrade() -> None:
    op.drop_index(op.f('ix_chain_lookups_conversation_id'), table_name='chain_lookups')
    op.drop_table('chain_lookups')
