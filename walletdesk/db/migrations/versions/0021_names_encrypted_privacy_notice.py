"""names encrypted everywhere, privacy notice acknowledgement (issue 11)

Revision ID: 0021
Revises: 0020
Create Date: 2026-11-30 00:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import walletdesk.db.base
from walletdesk.crypto import KeyError_, keyring


revision: str = '0021'
down_revision: str | None = '0020'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BATCH = 500


def _encrypt_sender_names() -> None:
    """Encrypt the names already stored in plain text. `walletdesk db upgrade` configures the
    keys before migrating; without keys (a bare `upgrade_database`) plain names are still read
    as they are and the next `keys rotate` encrypts them."""
    try:
        ring = keyring()
    except KeyError_:
        return
    conn = op.get_bind()
    last_id = 0
    while True:
        rows = conn.execute(sa.text(
            "SELECT id, sender_name FROM messages WHERE id > :last AND sender_name <> '' "
            "AND sender_name NOT LIKE 'enc1:%' ORDER BY id LIMIT :n"),
            {"last": last_id, "n": BATCH}).all()
        if not rows:
            return
        conn.execute(sa.text("UPDATE messages SET sender_name = :name WHERE id = :id"),
                     [{"id": row[0], "name": ring.encrypt(row[1])} for row in rows])
        last_id = rows[-1][0]


def _decrypt_sender_names() -> None:
    ring = keyring()  # a downgrade needs the keys: names go back to plain text
    conn = op.get_bind()
    last_id = 0
    while True:
        rows = conn.execute(sa.text(
            "SELECT id, sender_name FROM messages WHERE id > :last "
            "AND sender_name LIKE 'enc1:%' ORDER BY id LIMIT :n"),
            {"last": last_id, "n": BATCH}).all()
        if not rows:
            return
        conn.execute(sa.text("UPDATE messages SET sender_name = :name WHERE id = :id"),
                     [{"id": row[0], "name": ring.decrypt(row[1])[:120]} for row in rows])
        last_id = rows[-1][0]


def _repair_time_zones() -> None:
    """Teams saved with an empty or unknown time zone (accepted before) broke /admin and
    routing: they get UTC, which the manager can then correct."""
    from zoneinfo import available_timezones

    known = available_timezones()
    conn = op.get_bind()
    for team_id, zone in conn.execute(sa.text("SELECT id, timezone FROM teams")).all():
        if zone not in known:
            conn.execute(sa.text("UPDATE teams SET timezone = 'UTC' WHERE id = :id"),
                         {"id": team_id})


def upgrade() -> None:
    _repair_time_zones()
    with op.batch_alter_table('messages', schema=None) as batch_op:
        batch_op.alter_column('sender_name', existing_type=sa.String(length=120),
                              type_=sa.Text(), existing_nullable=False)
    _encrypt_sender_names()

    op.create_table('privacy_notices',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('locale', sa.String(length=16), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('url', sa.String(length=500), nullable=False),
    sa.Column('updated_at', walletdesk.db.base.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_privacy_notices')),
    sa.UniqueConstraint('locale', name=op.f('uq_privacy_notices_locale'))
    )
    with op.batch_alter_table('customers', schema=None) as batch_op:
        batch_op.add_column(sa.Column('privacy_notice_ack_at',
                                      walletdesk.db.base.UTCDateTime(timezone=True),
                                      nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('customers', schema=None) as batch_op:
        batch_op.drop_column('privacy_notice_ack_at')
    op.drop_table('privacy_notices')
    _decrypt_sender_names()
    with op.batch_alter_table('messages', schema=None) as batch_op:
        batch_op.alter_column('sender_name', existing_type=sa.Text(),
                              type_=sa.String(length=120), existing_nullable=False)
