"""proactive messages and periodic surveys (issue 15)

Revision ID: 0026
Revises: 0025
Create Date: 2026-11-30 06:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import walletdesk.db.base

revision: str = '0026'
down_revision: str | None = '0025'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _time(name: str, nullable: bool = True) -> sa.Column:  # type: ignore[type-arg]
    return sa.Column(name, walletdesk.db.base.UTCDateTime(timezone=True), nullable=nullable)


def upgrade() -> None:
    op.create_table(
        'outreach_segments',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('name', sa.String(length=80), nullable=False),
        sa.Column('rule', sa.JSON(), nullable=False),
        sa.Column('created_by_agent_id', sa.Integer(), nullable=True),
        _time('created_at', False),
        _time('updated_at', False),
        sa.ForeignKeyConstraint(['created_by_agent_id'], ['agents.id'],
                                name=op.f('fk_outreach_segments_created_by_agent_id_agents'),
                                ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_outreach_segments')),
        sa.UniqueConstraint('name', name=op.f('uq_outreach_segments_name')),
    )
    op.create_table(
        'outreach_campaigns',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('name', sa.String(length=80), nullable=False),
        sa.Column('kind', sa.String(length=20), nullable=False),
        sa.Column('channel', sa.String(length=10), nullable=False),
        sa.Column('segment_id', sa.Integer(), nullable=True),
        sa.Column('texts', sa.JSON(), nullable=False),
        sa.Column('subjects', sa.JSON(), nullable=False),
        sa.Column('status', sa.String(length=12), nullable=False),
        sa.Column('repeat_days', sa.Integer(), nullable=True),
        _time('next_run_at'),
        sa.Column('runs', sa.Integer(), nullable=False),
        _time('last_run_at'),
        sa.Column('sample_percent', sa.Float(), nullable=True),
        sa.Column('sample_size', sa.Integer(), nullable=True),
        sa.Column('active_days', sa.Integer(), nullable=False),
        sa.Column('created_by_agent_id', sa.Integer(), nullable=True),
        _time('created_at', False),
        _time('updated_at', False),
        sa.ForeignKeyConstraint(['created_by_agent_id'], ['agents.id'],
                                name=op.f('fk_outreach_campaigns_created_by_agent_id_agents'),
                                ondelete='SET NULL'),
        sa.ForeignKeyConstraint(['segment_id'], ['outreach_segments.id'],
                                name=op.f('fk_outreach_campaigns_segment_id_outreach_segments'),
                                ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_outreach_campaigns')),
        sa.UniqueConstraint('name', name=op.f('uq_outreach_campaigns_name')),
    )
    with op.batch_alter_table('outreach_campaigns', schema=None) as batch_op:
        batch_op.create_index('ix_outreach_campaigns_status_next_run',
                              ['status', 'next_run_at'], unique=False)
    op.create_table(
        'outreach_sends',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('campaign_id', sa.Integer(), nullable=False),
        sa.Column('run', sa.Integer(), nullable=False),
        sa.Column('customer_id', sa.Integer(), nullable=False),
        sa.Column('channel', sa.String(length=10), nullable=False),
        sa.Column('status', sa.String(length=20), nullable=False),
        _time('due_at', False),
        sa.Column('deferrals', sa.Integer(), nullable=False),
        _time('reserved_at'),
        _time('sent_at'),
        sa.Column('provider_id', sa.String(length=64), nullable=True),
        sa.Column('message_id', sa.Integer(), nullable=True),
        sa.Column('survey_id', sa.Integer(), nullable=True),
        _time('opened_at'),
        sa.Column('error', sa.String(length=200), nullable=False),
        _time('created_at', False),
        sa.ForeignKeyConstraint(['campaign_id'], ['outreach_campaigns.id'],
                                name=op.f('fk_outreach_sends_campaign_id_outreach_campaigns'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['customer_id'], ['customers.id'],
                                name=op.f('fk_outreach_sends_customer_id_customers'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['message_id'], ['messages.id'],
                                name=op.f('fk_outreach_sends_message_id_messages'),
                                ondelete='SET NULL'),
        sa.ForeignKeyConstraint(['survey_id'], ['surveys.id'],
                                name=op.f('fk_outreach_sends_survey_id_surveys'),
                                ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_outreach_sends')),
        sa.UniqueConstraint('campaign_id', 'run', 'customer_id',
                            name=op.f('uq_outreach_sends_campaign_id_run_customer_id')),
    )
    with op.batch_alter_table('outreach_sends', schema=None) as batch_op:
        batch_op.create_index('ix_outreach_sends_customer_reserved',
                              ['customer_id', 'reserved_at'], unique=False)
        batch_op.create_index('ix_outreach_sends_campaign_status',
                              ['campaign_id', 'status'], unique=False)
    op.create_table(
        'outreach_contacts',
        sa.Column('customer_id', sa.Integer(), nullable=False),
        sa.Column('timezone', sa.String(length=64), nullable=True),
        _time('opted_out_at'),
        sa.Column('opted_out_via', sa.String(length=20), nullable=True),
        _time('updated_at', False),
        sa.ForeignKeyConstraint(['customer_id'], ['customers.id'],
                                name=op.f('fk_outreach_contacts_customer_id_customers'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('customer_id', name=op.f('pk_outreach_contacts')),
    )
    # a periodic survey is about the service, not one conversation
    with op.batch_alter_table('surveys', schema=None) as batch_op:
        batch_op.add_column(sa.Column('source', sa.String(length=20), nullable=False,
                                      server_default='conversation'))
        batch_op.alter_column('conversation_id', existing_type=sa.Integer(), nullable=True)


def downgrade() -> None:
    op.execute("DELETE FROM surveys WHERE conversation_id IS NULL")
    with op.batch_alter_table('surveys', schema=None) as batch_op:
        batch_op.alter_column('conversation_id', existing_type=sa.Integer(), nullable=False)
        batch_op.drop_column('source')
    op.drop_table('outreach_contacts')
    with op.batch_alter_table('outreach_sends', schema=None) as batch_op:
        batch_op.drop_index('ix_outreach_sends_campaign_status')
        batch_op.drop_index('ix_outreach_sends_customer_reserved')
    op.drop_table('outreach_sends')
    with op.batch_alter_table('outreach_campaigns', schema=None) as batch_op:
        batch_op.drop_index('ix_outreach_campaigns_status_next_run')
    op.drop_table('outreach_campaigns')
    op.drop_table('outreach_segments')
