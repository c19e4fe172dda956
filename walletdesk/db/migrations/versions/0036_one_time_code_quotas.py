"""one-time codes counted per customer and per address in rows of their own, locked while a
code is considered, so that requests at once cannot pass a limit together (decision 0056)

Revision ID: 0036
Revises: 0035
Create Date: 2026-12-02 13:11:28
"""

from collections import defaultdict
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from alembic import op

import walletdesk.db.base
from walletdesk.crypto import KeyError_, keyring

revision: str = '0036'
down_revision: str | None = '0035'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

WINDOW = timedelta(hours=1)  # email_code.CODE_WINDOW when this was written


def _count_recent_codes(quotas: sa.Table) -> None:
    """The codes of the last window, so the limits hold across the upgrade. Addresses need
    the keys (`walletdesk db upgrade` configures them); without them (a bare
    `upgrade_database`) only the customers' counts are carried over."""
    codes = sa.table('email_codes', sa.column('id', sa.Integer()),
                     sa.column('customer_id', sa.Integer()), sa.column('email', sa.Text()),
                     sa.column('created_at', walletdesk.db.base.UTCDateTime(timezone=True)))
    now = datetime.now(UTC)
    rows = op.get_bind().execute(sa.select(codes.c.id, codes.c.customer_id, codes.c.email)
                                 .where(codes.c.created_at >= now - WINDOW)
                                 .order_by(codes.c.id)).all()
    try:
        ring = keyring()
    except KeyError_:
        ring = None
    counted: dict[tuple[str, str], list[int]] = defaultdict(list)
    for code_id, customer_id, email in rows:
        counted['customer', str(customer_id)].append(code_id)
        if ring is not None and email:
            try:
                address = ring.decrypt(email)
            except KeyError_:
                continue  # under a key no longer configured: its customer counts it
            counted['address', ring.hash(address) or ''].append(code_id)
    if counted:
        op.bulk_insert(quotas, [{'scope': scope, 'key': key, 'code_ids': ids, 'updated_at': now}
                                for (scope, key), ids in counted.items()])


def upgrade() -> None:
    quotas = op.create_table(
        'email_code_quotas',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('scope', sa.String(length=10), nullable=False),
        sa.Column('key', sa.String(length=64), nullable=False),
        sa.Column('code_ids', sa.JSON(), nullable=False),
        sa.Column('updated_at', walletdesk.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_email_code_quotas')),
        sa.UniqueConstraint('scope', 'key', name=op.f('uq_email_code_quotas_scope_key')),
    )
    assert quotas is not None
    _count_recent_codes(quotas)


def downgrade() -> None:
    op.drop_table('email_code_quotas')
