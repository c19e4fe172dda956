"""staffing forecasts, rosters and overflow (issue 15)

Revision ID: 0027
Revises: 0026
Create Date: 2026-11-30 06:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import walletdesk.db.base

revision: str = '0027'
down_revision: str | None = '0026'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _time(name: str, nullable: bool = True) -> sa.Column:  # type: ignore[type-arg]
    return sa.Column(name, walletdesk.db.base.UTCDateTime(timezone=True), nullable=nullable)


def upgrade() -> None:
    op.create_table(
        'staffing_shifts',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('agent_id', sa.Integer(), nullable=False),
        sa.Column('weekday', sa.Integer(), nullable=False),
        sa.Column('starts', sa.String(length=5), nullable=False),
        sa.Column('ends', sa.String(length=5), nullable=False),
        sa.Column('timezone', sa.String(length=64), nullable=False),
        _time('created_at', False),
        sa.ForeignKeyConstraint(['agent_id'], ['agents.id'],
                                name=op.f('fk_staffing_shifts_agent_id_agents'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_staffing_shifts')),
    )
    op.create_index('ix_staffing_shifts_agent_weekday', 'staffing_shifts',
                    ['agent_id', 'weekday'])
    op.create_table(
        'team_overflow',
        sa.Column('team_id', sa.Integer(), nullable=False),
        sa.Column('wait_threshold_s', sa.Integer(), nullable=True),
        _time('updated_at', False),
        sa.ForeignKeyConstraint(['team_id'], ['teams.id'],
                                name=op.f('fk_team_overflow_team_id_teams'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('team_id', name=op.f('pk_team_overflow')),
    )
    op.create_table(
        'overflow_offers',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('conversation_id', sa.Integer(), nullable=False),
        sa.Column('customer_id', sa.Integer(), nullable=False),
        sa.Column('from_team_id', sa.Integer(), nullable=True),
        sa.Column('to_team_id', sa.Integer(), nullable=True),
        sa.Column('expected_wait_s', sa.Integer(), nullable=True),
        sa.Column('offered_wait_s', sa.Integer(), nullable=True),
        sa.Column('choice', sa.String(length=10), nullable=True),
        sa.Column('followup_id', sa.Integer(), nullable=True),
        _time('created_at', False),
        _time('chosen_at'),
        sa.ForeignKeyConstraint(['conversation_id'], ['conversations.id'],
                                name=op.f('fk_overflow_offers_conversation_id_conversations'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['customer_id'], ['customers.id'],
                                name=op.f('fk_overflow_offers_customer_id_customers'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['from_team_id'], ['teams.id'],
                                name=op.f('fk_overflow_offers_from_team_id_teams'),
                                ondelete='SET NULL'),
        sa.ForeignKeyConstraint(['to_team_id'], ['teams.id'],
                                name=op.f('fk_overflow_offers_to_team_id_teams'),
                                ondelete='SET NULL'),
        sa.ForeignKeyConstraint(['followup_id'], ['followups.id'],
                                name=op.f('fk_overflow_offers_followup_id_followups'),
                                ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_overflow_offers')),
        sa.UniqueConstraint('conversation_id', name=op.f('uq_overflow_offers_conversation_id')),
    )
    op.create_index('ix_overflow_offers_customer_id', 'overflow_offers', ['customer_id'])
    op.create_index('ix_overflow_offers_created_at', 'overflow_offers', ['created_at'])


def downgrade() -> None:
    op.drop_index('ix_overflow_offers_created_at', table_name='overflow_offers')
    op.drop_index('ix_overflow_offers_customer_id', table_name='overflow_offers')
    op.drop_table('overflow_offers')
    op.drop_table('team_overflow')
    op.drop_index('ix_staffing_shifts_agent_weekday', table_name='staffing_shifts')
    op.drop_table('staffing_shifts')
