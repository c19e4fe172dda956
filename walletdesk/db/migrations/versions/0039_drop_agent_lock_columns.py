"""agents.failed_logins and agents.locked_until dropped: unused since failed sign-ins are
counted per e-mail and source address (login_throttles, migration 0037, decision 0058)

Revision ID: 0039
Revises: 0038
Create Date: 2026-12-03 12:00:00

Nothing reads them: their last counts (at most a 15-minute lock) were not carried over by
0037 either. A downgrade brings the columns back empty (0 failures, no lock).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import walletdesk.db.base

revision: str = '0039'
down_revision: str | None = '0038'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('agents', schema=None) as batch_op:
        batch_op.drop_column('locked_until')
        batch_op.drop_column('failed_logins')


def downgrade() -> None:
    with op.batch_alter_table('agents', schema=None) as batch_op:
        # a default for the rows there are (the model gave 0 when it had the column)
        batch_op.add_column(sa.Column('failed_logins', sa.Integer(), server_default='0',
                                      nullable=False))
        batch_op.add_column(sa.Column(
            'locked_until', walletdesk.db.base.UTCDateTime(timezone=True), nullable=True))
