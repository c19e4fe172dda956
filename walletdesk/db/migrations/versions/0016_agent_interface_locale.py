"""agent interface locale (issue 10)

Revision ID: 0016
Revises: 0015
Create Date: 2026-11-30 00:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import walletdesk.db.base


revision: str = '0016'
down_revision: str | None = '0015'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # the agent's interface language (a catalog's locale, e.g. zh-Hant); NULL: the browser's
    with op.batch_alter_table('agents', schema=None) as batch_op:
        batch_op.add_column(sa.Column('interface_locale', sa.String(length=16), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('agents', schema=None) as batch_op:
        batch_op.drop_column('interface_locale')
