"""workspace fixes (issue 10)

Revision ID: 0018
Revises: 0017
Create Date: 2026-11-30 00:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import walletdesk.db.base


revision: str = '0018'
down_revision: str | None = '0017'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('conversations', schema=None) as batch_op:
        batch_op.add_column(sa.Column('assignee_joined_at',
                                      walletdesk.db.base.UTCDateTime(timezone=True),
                                      nullable=True))
    # conversations assigned before this revision were announced when they were assigned
    op.execute("UPDATE conversations SET assignee_joined_at = assigned_at "
               "WHERE assignee_id IS NOT NULL")


def downgrade() -> None:
    with op.batch_alter_table('conversations', schema=None) as batch_op:
        batch_op.drop_column('assignee_joined_at')
