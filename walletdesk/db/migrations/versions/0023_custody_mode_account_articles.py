"""custody mode of the operator, articles that need the customer's account (issue 12)

Revision ID: 0023
Revises: 0022
Create Date: 2026-11-30 00:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '0023'
down_revision: str | None = '0022'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('bot_config', schema=None) as batch_op:
        batch_op.add_column(sa.Column('custody', sa.String(length=16), nullable=False,
                                      server_default='self_custody'))
    with op.batch_alter_table('articles', schema=None) as batch_op:
        batch_op.add_column(sa.Column('needs_account', sa.Boolean(), nullable=False,
                                      server_default=sa.false()))


def downgrade() -> None:
    with op.batch_alter_table('articles', schema=None) as batch_op:
        batch_op.drop_column('needs_account')
    with op.batch_alter_table('bot_config', schema=None) as batch_op:
        batch_op.drop_column('custody')
