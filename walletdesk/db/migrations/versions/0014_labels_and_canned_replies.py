"""labels and canned replies (issue 10)

Revision ID: 0014
Revises: 0013
Create Date: 2026-11-30 00:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import walletdesk.db.base


revision: str = '0014'
down_revision: str | None = '0013'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('labels',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=40), nullable=False),
    sa.Column('color', sa.String(length=7), nullable=False),
    sa.Column('description', sa.String(length=200), nullable=False),
    sa.Column('created_at', walletdesk.db.base.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_labels')),
    sa.UniqueConstraint('name', name=op.f('uq_labels_name'))
    )
    op.create_table('conversation_labels',
    sa.Column('conversation_id', sa.Integer(), nullable=False),
    sa.Column('label_id', sa.Integer(), nullable=False),
    sa.Column('source', sa.String(length=10), nullable=False),
    sa.Column('added_by_agent_id', sa.Integer(), nullable=True),
    sa.Column('created_at', walletdesk.db.base.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['added_by_agent_id'], ['agents.id'], name=op.f('fk_conversation_labels_added_by_agent_id_agents'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['conversation_id'], ['conversations.id'], name=op.f('fk_conversation_labels_conversation_id_conversations'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['label_id'], ['labels.id'], name=op.f('fk_conversation_labels_label_id_labels'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('conversation_id', 'label_id', name=op.f('pk_conversation_labels'))
    )
    with op.batch_alter_table('conversation_labels', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_conversation_labels_label_id'), ['label_id'], unique=False)

    op.create_table('label_rules',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('category', sa.String(length=40), nullable=False),
    sa.Column('label_id', sa.Integer(), nullable=False),
    sa.Column('created_at', walletdesk.db.base.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['label_id'], ['labels.id'], name=op.f('fk_label_rules_label_id_labels'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_label_rules')),
    sa.UniqueConstraint('category', 'label_id', name=op.f('uq_label_rules_category_label_id'))
    )
    with op.batch_alter_table('label_rules', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_label_rules_category'), ['category'], unique=False)

    op.create_table('label_rules_applied',
    sa.Column('conversation_id', sa.Integer(), nullable=False),
    sa.Column('category', sa.String(length=40), nullable=False),
    sa.Column('created_at', walletdesk.db.base.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['conversation_id'], ['conversations.id'], name=op.f('fk_label_rules_applied_conversation_id_conversations'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('conversation_id', 'category', name=op.f('pk_label_rules_applied'))
    )
    op.create_table('canned_replies',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('shortcut', sa.String(length=40), nullable=False),
    sa.Column('title', sa.String(length=120), nullable=False),
    sa.Column('scope', sa.String(length=10), nullable=False),
    sa.Column('owner_agent_id', sa.Integer(), nullable=True),
    sa.Column('team_id', sa.Integer(), nullable=True),
    sa.Column('created_by_agent_id', sa.Integer(), nullable=True),
    sa.Column('created_at', walletdesk.db.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', walletdesk.db.base.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['created_by_agent_id'], ['agents.id'], name=op.f('fk_canned_replies_created_by_agent_id_agents'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['owner_agent_id'], ['agents.id'], name=op.f('fk_canned_replies_owner_agent_id_agents'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['team_id'], ['teams.id'], name=op.f('fk_canned_replies_team_id_teams'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_canned_replies'))
    )
    with op.batch_alter_table('canned_replies', schema=None) as batch_op:
        batch_op.create_index('ix_canned_replies_scope', ['scope', 'owner_agent_id', 'team_id'], unique=False)

    op.create_table('canned_reply_texts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('canned_reply_id', sa.Integer(), nullable=False),
    sa.Column('language', sa.String(length=16), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['canned_reply_id'], ['canned_replies.id'], name=op.f('fk_canned_reply_texts_canned_reply_id_canned_replies'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_canned_reply_texts')),
    sa.UniqueConstraint('canned_reply_id', 'language', name=op.f('uq_canned_reply_texts_canned_reply_id_language'))
    )


def downgrade() -> None:
    op.drop_table('canned_reply_texts')
    with op.batch_alter_table('canned_replies', schema=None) as batch_op:
        batch_op.drop_index('ix_canned_replies_scope')

    op.drop_table('canned_replies')
    op.drop_table('label_rules_applied')
    with op.batch_alter_table('label_rules', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_label_rules_category'))

    op.drop_table('label_rules')
    with op.batch_alter_table('conversation_labels', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_conversation_labels_label_id'))

    op.drop_table('conversation_labels')
    op.drop_table('labels')
