"""reports at scale: the per-conversation facts rollup and the indexes the reports use
(issue 13)

Revision ID: 0024
Revises: 0023
Create Date: 2026-11-30 00:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import walletdesk.db.base

revision: str = '0024'
down_revision: str | None = '0023'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _time(name: str, nullable: bool = True) -> sa.Column:  # type: ignore[type-arg]
    return sa.Column(name, walletdesk.db.base.UTCDateTime(timezone=True), nullable=nullable)


def upgrade() -> None:
    op.create_table(
        'report_conversation_facts',
        sa.Column('conversation_id', sa.Integer(), autoincrement=False, nullable=False),
        _time('created_at', False),
        sa.Column('customer_id', sa.Integer(), nullable=False),
        sa.Column('channel', sa.String(length=20), nullable=False),
        sa.Column('team_id', sa.Integer(), nullable=True),
        sa.Column('assignee_id', sa.Integer(), nullable=True),
        sa.Column('language', sa.String(length=16), nullable=True),
        sa.Column('category', sa.String(length=40), nullable=True),
        sa.Column('status', sa.String(length=20), nullable=False),
        sa.Column('last_seq', sa.Integer(), nullable=False),
        _time('assigned_at'),
        _time('resolved_at'),
        sa.Column('handoff_reason', sa.String(length=40), nullable=True),
        sa.Column('first_response_due', sa.Boolean(), nullable=False),
        sa.Column('first_response_breached', sa.Boolean(), nullable=False),
        sa.Column('resolution_due', sa.Boolean(), nullable=False),
        sa.Column('resolution_breached', sa.Boolean(), nullable=False),
        _time('customer_first_at', False),
        sa.Column('messages', sa.Integer(), nullable=False),
        sa.Column('first_response_s', sa.Float(), nullable=True),
        sa.Column('first_response_business_s', sa.Float(), nullable=True),
        sa.Column('resolution_s', sa.Float(), nullable=True),
        sa.Column('resolution_business_s', sa.Float(), nullable=True),
        sa.Column('handling_s', sa.Float(), nullable=True),
        sa.Column('handling_business_s', sa.Float(), nullable=True),
        sa.Column('is_resolved', sa.Boolean(), nullable=False),
        sa.Column('ever_resolved', sa.Boolean(), nullable=False),
        sa.Column('reopened', sa.Boolean(), nullable=False),
        sa.Column('with_bot', sa.Boolean(), nullable=False),
        sa.Column('bot_contained', sa.Boolean(), nullable=False),
        sa.Column('survey_asked', sa.Boolean(), nullable=False),
        sa.Column('survey_rating', sa.Integer(), nullable=True),
        sa.Column('survey_agent_id', sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(['conversation_id'], ['conversations.id'],
                                name=op.f('fk_report_conversation_facts_conversation_id_'
                                          'conversations'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('conversation_id', name=op.f('pk_report_conversation_facts')),
    )
    op.create_index('ix_report_facts_created_at', 'report_conversation_facts', ['created_at'])
    op.create_table(
        'report_message_quarters',
        sa.Column('conversation_id', sa.Integer(), autoincrement=False, nullable=False),
        sa.Column('quarter', sa.String(length=16), nullable=False),
        _time('created_at', False),
        sa.Column('messages', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['conversation_id'],
                                ['report_conversation_facts.conversation_id'],
                                name=op.f('fk_report_message_quarters_conversation_id_'
                                          'report_conversation_facts'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('conversation_id', 'quarter',
                                name=op.f('pk_report_message_quarters')),
    )
    op.create_table(
        'report_agent_replies',
        sa.Column('conversation_id', sa.Integer(), autoincrement=False, nullable=False),
        sa.Column('agent_id', sa.Integer(), autoincrement=False, nullable=False),
        _time('created_at', False),
        sa.Column('replies', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['conversation_id'],
                                ['report_conversation_facts.conversation_id'],
                                name=op.f('fk_report_agent_replies_conversation_id_'
                                          'report_conversation_facts'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('conversation_id', 'agent_id',
                                name=op.f('pk_report_agent_replies')),
    )
    op.create_index('ix_report_message_quarters_created_at', 'report_message_quarters',
                    ['created_at'])
    op.create_index('ix_report_agent_replies_created_at', 'report_agent_replies',
                    ['created_at'])
    op.create_table(
        'report_rollup_state',
        sa.Column('id', sa.Integer(), autoincrement=False, nullable=False),
        _time('covered_until'),
        _time('refreshed_at'),
        sa.Column('hours_key', sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_report_rollup_state')),
    )
    # the reports select conversations by when they started, and messages per conversation
    # in time order (first customer message, first reply)
    with op.batch_alter_table('conversations', schema=None) as batch_op:
        batch_op.create_index('ix_conversations_created_at', ['created_at'], unique=False)
        batch_op.create_index('ix_conversations_customer_created', ['customer_id', 'created_at'],
                              unique=False)
    with op.batch_alter_table('messages', schema=None) as batch_op:
        batch_op.create_index('ix_messages_conversation_created', ['conversation_id',
                                                                    'created_at'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('messages', schema=None) as batch_op:
        batch_op.drop_index('ix_messages_conversation_created')
    with op.batch_alter_table('conversations', schema=None) as batch_op:
        batch_op.drop_index('ix_conversations_customer_created')
        batch_op.drop_index('ix_conversations_created_at')
    op.drop_table('report_rollup_state')
    op.drop_table('report_agent_replies')
    op.drop_table('report_message_quarters')
    op.drop_index('ix_report_facts_created_at', table_name='report_conversation_facts')
    op.drop_table('report_conversation_facts')
