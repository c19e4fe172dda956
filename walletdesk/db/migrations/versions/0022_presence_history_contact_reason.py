"""presence history, the contact reason chosen at resolve (issue 13)

Revision ID: 0022
Revises: 0021
Create Date: 2026-11-30 00:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import walletdesk.db.base


revision: str = '0022'
down_revision: str | None = '0021'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        'presence_changes',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('agent_id', sa.Integer(), nullable=False),
        sa.Column('presence', sa.String(length=10), nullable=False),
        sa.Column('changed_at', walletdesk.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['agent_id'], ['agents.id'],
                                name=op.f('fk_presence_changes_agent_id_agents'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_presence_changes')),
        sa.UniqueConstraint('agent_id', 'changed_at',
                            name=op.f('uq_presence_changes_agent_id_changed_at')),
    )
    op.create_index('ix_presence_changes_changed_at', 'presence_changes', ['changed_at'],
                    unique=False)
    with op.batch_alter_table('conversations', schema=None) as batch_op:
        batch_op.add_column(sa.Column('contact_reason', sa.String(length=80), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('conversations', schema=None) as batch_op:
        batch_op.drop_column('contact_reason')
    op.drop_index('ix_presence_changes_changed_at', table_name='presence_changes')
    op.drop_table('presence_changes')
