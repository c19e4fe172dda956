"""snooze, mentions, notification preferences (issue 10)

Revision ID: 0015
Revises: 0014
Create Date: 2026-11-30 00:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import walletdesk.db.base


revision: str = '0015'
down_revision: str | None = '0014'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        'notification_preferences',
        sa.Column('agent_id', sa.Integer(), nullable=False),
        sa.Column('sound', sa.Boolean(), nullable=False),
        sa.Column('desktop', sa.Boolean(), nullable=False),
        sa.Column('on_offered', sa.Boolean(), nullable=False),
        sa.Column('on_customer_message', sa.Boolean(), nullable=False),
        sa.Column('on_mention', sa.Boolean(), nullable=False),
        sa.Column('updated_at', walletdesk.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['agent_id'], ['agents.id'],
                                name=op.f('fk_notification_preferences_agent_id_agents'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('agent_id', name=op.f('pk_notification_preferences')),
    )
    op.create_table(
        'note_mentions',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('message_id', sa.Integer(), nullable=False),
        sa.Column('conversation_id', sa.Integer(), nullable=False),
        sa.Column('agent_id', sa.Integer(), nullable=False),
        sa.Column('by_agent_id', sa.Integer(), nullable=True),
        sa.Column('created_at', walletdesk.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column('read_at', walletdesk.db.base.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(['agent_id'], ['agents.id'],
                                name=op.f('fk_note_mentions_agent_id_agents'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['by_agent_id'], ['agents.id'],
                                name=op.f('fk_note_mentions_by_agent_id_agents'),
                                ondelete='SET NULL'),
        sa.ForeignKeyConstraint(['conversation_id'], ['conversations.id'],
                                name=op.f('fk_note_mentions_conversation_id_conversations'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['message_id'], ['messages.id'],
                                name=op.f('fk_note_mentions_message_id_messages'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_note_mentions')),
        sa.UniqueConstraint('message_id', 'agent_id',
                            name=op.f('uq_note_mentions_message_id_agent_id')),
    )
    with op.batch_alter_table('note_mentions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_note_mentions_conversation_id'), ['conversation_id'],
                              unique=False)
        batch_op.create_index('ix_note_mentions_agent_unread', ['agent_id', 'read_at'],
                              unique=False)

    with op.batch_alter_table('conversations', schema=None) as batch_op:
        batch_op.add_column(sa.Column(
            'snoozed_at', walletdesk.db.base.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column(
            'snooze_due_at', walletdesk.db.base.UTCDateTime(timezone=True), nullable=True))
        batch_op.create_index(batch_op.f('ix_conversations_snooze_due_at'), ['snooze_due_at'],
                              unique=False)

    with op.batch_alter_table('customers', schema=None) as batch_op:
        batch_op.add_column(sa.Column('note', sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('customers', schema=None) as batch_op:
        batch_op.drop_column('note')

    with op.batch_alter_table('conversations', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_conversations_snooze_due_at'))
        batch_op.drop_column('snooze_due_at')
        batch_op.drop_column('snoozed_at')

    with op.batch_alter_table('note_mentions', schema=None) as batch_op:
        batch_op.drop_index('ix_note_mentions_agent_unread')
        batch_op.drop_index(batch_op.f('ix_note_mentions_conversation_id'))

    op.drop_table('note_mentions')
    op.drop_table('notification_preferences')
