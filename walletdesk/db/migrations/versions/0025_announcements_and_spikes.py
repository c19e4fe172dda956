"""announcements and spike alerts (issue 15)

Revision ID: 0025
Revises: 0024
Create Date: 2026-11-30 06:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import walletdesk.db.base

revision: str = '0025'
down_revision: str | None = '0024'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _time(name: str, nullable: bool = True) -> sa.Column:  # type: ignore[type-arg]
    return sa.Column(name, walletdesk.db.base.UTCDateTime(timezone=True), nullable=nullable)


def _agent(name: str, table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint([name], ['agents.id'], name=op.f(f'fk_{table}_{name}_agents'),
                                   ondelete='SET NULL')


def upgrade() -> None:
    op.create_table(
        'announcements',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('severity', sa.String(length=20), nullable=False),
        sa.Column('status', sa.String(length=20), nullable=False),
        sa.Column('published', sa.Boolean(), nullable=False),
        sa.Column('affected', sa.JSON(), nullable=False),
        sa.Column('contact_reasons', sa.JSON(), nullable=False),
        _time('starts_at', False),
        _time('ends_at'),
        sa.Column('created_by_id', sa.Integer(), nullable=True),
        _time('created_at', False),
        _time('updated_at', False),
        _time('published_at'),
        _time('resolved_at'),
        _agent('created_by_id', 'announcements'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_announcements')),
    )
    op.create_index('ix_announcements_published_status', 'announcements',
                    ['published', 'status'])
    op.create_table(
        'announcement_texts',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('announcement_id', sa.Integer(), nullable=False),
        sa.Column('locale', sa.String(length=16), nullable=False),
        sa.Column('title', sa.String(length=200), nullable=False),
        sa.Column('body', sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(['announcement_id'], ['announcements.id'],
                                name=op.f('fk_announcement_texts_announcement_id_announcements'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_announcement_texts')),
        sa.UniqueConstraint('announcement_id', 'locale',
                            name=op.f('uq_announcement_texts_announcement_id_locale')),
    )
    op.create_index(op.f('ix_announcement_texts_announcement_id'), 'announcement_texts',
                    ['announcement_id'])
    op.create_table(
        'announcement_updates',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('announcement_id', sa.Integer(), nullable=False),
        sa.Column('status', sa.String(length=20), nullable=False),
        sa.Column('notes', sa.JSON(), nullable=False),
        sa.Column('agent_id', sa.Integer(), nullable=True),
        _time('created_at', False),
        sa.ForeignKeyConstraint(['announcement_id'], ['announcements.id'],
                                name=op.f('fk_announcement_updates_announcement_id_announcements'),
                                ondelete='CASCADE'),
        _agent('agent_id', 'announcement_updates'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_announcement_updates')),
    )
    op.create_index(op.f('ix_announcement_updates_announcement_id'), 'announcement_updates',
                    ['announcement_id'])
    op.create_table(
        'announcement_conversations',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('announcement_id', sa.Integer(), nullable=False),
        sa.Column('conversation_id', sa.Integer(), nullable=False),
        sa.Column('source', sa.String(length=10), nullable=False),
        sa.Column('language', sa.String(length=16), nullable=True),
        _time('created_at', False),
        _time('notified_at'),
        sa.ForeignKeyConstraint(
            ['announcement_id'], ['announcements.id'],
            name=op.f('fk_announcement_conversations_announcement_id_announcements'),
            ondelete='CASCADE'),
        sa.ForeignKeyConstraint(
            ['conversation_id'], ['conversations.id'],
            name=op.f('fk_announcement_conversations_conversation_id_conversations'),
            ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_announcement_conversations')),
        sa.UniqueConstraint(
            'announcement_id', 'conversation_id',
            name=op.f('uq_announcement_conversations_announcement_id_conversation_id')),
    )
    op.create_index(op.f('ix_announcement_conversations_announcement_id'),
                    'announcement_conversations', ['announcement_id'])
    op.create_index(op.f('ix_announcement_conversations_conversation_id'),
                    'announcement_conversations', ['conversation_id'])
    op.create_table(
        'spike_alerts',
        sa.Column('id', sa.Integer(), nullable=False),
        _time('interval_start', False),
        _time('interval_end', False),
        sa.Column('signals', sa.JSON(), nullable=False),
        sa.Column('sample_message_ids', sa.JSON(), nullable=False),
        sa.Column('status', sa.String(length=20), nullable=False),
        sa.Column('announcement_id', sa.Integer(), nullable=True),
        sa.Column('intervals', sa.Integer(), nullable=False),
        sa.Column('handled_by_id', sa.Integer(), nullable=True),
        _time('handled_at'),
        _time('created_at', False),
        _time('updated_at', False),
        sa.ForeignKeyConstraint(['announcement_id'], ['announcements.id'],
                                name=op.f('fk_spike_alerts_announcement_id_announcements'),
                                ondelete='SET NULL'),
        _agent('handled_by_id', 'spike_alerts'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_spike_alerts')),
    )
    op.create_index('ix_spike_alerts_status_created', 'spike_alerts', ['status', 'created_at'])


def downgrade() -> None:
    op.drop_index('ix_spike_alerts_status_created', table_name='spike_alerts')
    op.drop_table('spike_alerts')
    op.drop_index(op.f('ix_announcement_conversations_conversation_id'),
                  table_name='announcement_conversations')
    op.drop_index(op.f('ix_announcement_conversations_announcement_id'),
                  table_name='announcement_conversations')
    op.drop_table('announcement_conversations')
    op.drop_index(op.f('ix_announcement_updates_announcement_id'),
                  table_name='announcement_updates')
    op.drop_table('announcement_updates')
    op.drop_index(op.f('ix_announcement_texts_announcement_id'), table_name='announcement_texts')
    op.drop_table('announcement_texts')
    op.drop_index('ix_announcements_published_status', table_name='announcements')
    op.drop_table('announcements')
