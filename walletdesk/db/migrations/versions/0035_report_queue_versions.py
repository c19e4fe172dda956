"""reports at scale, part seven: each queued conversation of the rollup carries a version
that every change raises, so a run reads the queue and computes on a connection apart and
takes out only the rows unchanged since (on SQLite too, where a run held the one writing
connection for its whole length; issue 14)

Revision ID: 0035
Revises: 0034
Create Date: 2026-12-01 01:10:00
"""

import importlib
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0035'
down_revision: str | None = '0034'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# the queue's triggers as 0030 made them (a migration is never edited: its constants are safe)
_0030 = importlib.import_module('walletdesk.db.migrations.versions.0030_report_hourly')
TRIGGERS, TRIGGER_NAMES = _0030.TRIGGERS, _0030.TRIGGER_NAMES
UPSERT = """
    INSERT INTO report_dirty (conversation_id, created_at, customer_id)
    VALUES ({conversation}, {started}, {customer})
    ON CONFLICT (conversation_id) DO UPDATE
    SET created_at = coalesce({excluded}.created_at, report_dirty.created_at),
        customer_id = coalesce({excluded}.customer_id, report_dirty.customer_id),
        version = report_dirty.version + 1"""
RENAMED = """
    INSERT INTO report_dirty (conversation_id)
    SELECT conversation_id FROM conversation_labels WHERE label_id = NEW.id
    ON CONFLICT (conversation_id) DO UPDATE SET version = report_dirty.version + 1"""


def _drop(postgresql: bool) -> None:
    for name in TRIGGER_NAMES:
        table = {n: t for n, t, *_ in TRIGGERS}.get(name, 'labels')
        op.execute(f'DROP TRIGGER IF EXISTS {name}' + (f' ON {table}' if postgresql else ''))
        if postgresql:
            op.execute(f'DROP FUNCTION IF EXISTS {name}()')


def _create_postgresql() -> None:
    for name, table, event, conversation, started, customer in TRIGGERS:
        upsert = UPSERT.format(conversation=conversation, started=started, customer=customer,
                               excluded='EXCLUDED')
        op.execute(f"""
            CREATE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                IF {conversation} IS NOT NULL THEN
                    {upsert};
                END IF;
                RETURN NULL;
            END $$""")  # noqa: S608 - our own names and columns
        op.execute(f"CREATE TRIGGER {name} AFTER {event} ON {table} "
                   f"FOR EACH ROW EXECUTE FUNCTION {name}()")
    op.execute(f"""
        CREATE FUNCTION report_dirty_label_renamed() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            {RENAMED};
            RETURN NULL;
        END $$""")
    op.execute("CREATE TRIGGER report_dirty_label_renamed AFTER UPDATE OF name ON labels "
               "FOR EACH ROW EXECUTE FUNCTION report_dirty_label_renamed()")


def _create_sqlite() -> None:
    for name, table, event, conversation, started, customer in TRIGGERS:
        upsert = UPSERT.format(conversation=conversation, started=started, customer=customer,
                               excluded='excluded')
        op.execute(f"""
            CREATE TRIGGER {name} AFTER {event} ON {table} FOR EACH ROW
            WHEN {conversation} IS NOT NULL
            BEGIN
                {upsert};
            END""")  # noqa: S608 - our own names and columns
    # (SQLite parses ON CONFLICT after a SELECT only behind a WHERE clause: it has one)
    op.execute(f"""
        CREATE TRIGGER report_dirty_label_renamed AFTER UPDATE OF name ON labels FOR EACH ROW
        BEGIN
            {RENAMED};
        END""")


def upgrade() -> None:
    postgresql = op.get_bind().dialect.name == 'postgresql'
    _drop(postgresql)  # first: SQLite may copy the table, which its triggers name
    with op.batch_alter_table('report_dirty', schema=None) as batch_op:
        batch_op.add_column(sa.Column('version', sa.Integer(), nullable=False,
                                      server_default='0'))
    if postgresql:
        _create_postgresql()
    else:
        _create_sqlite()


def downgrade() -> None:
    postgresql = op.get_bind().dialect.name == 'postgresql'
    _drop(postgresql)  # first: SQLite copies the table to drop a column
    with op.batch_alter_table('report_dirty', schema=None) as batch_op:
        batch_op.drop_column('version')
    if postgresql:
        _0030._triggers_postgresql()
    else:
        _0030._triggers_sqlite()
