"""protect across messages (issue 11)

No schema change: a message whose text was rewritten because a secret ran over into the next
one is flagged in its existing ``meta`` JSON (``secret_removed``), and the conversation in its
existing ``has_secret_redaction`` column (docs/decisions/0018). The revision stays in the chain.

Revision ID: 0019
Revises: 0018
Create Date: 2026-11-30 00:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import walletdesk.db.base


revision: str = '0019'
down_revision: str | None = '0018'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
