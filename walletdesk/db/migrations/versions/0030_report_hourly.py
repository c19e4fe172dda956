"""reports at scale, part two: the conversations the rollup must compute again (a queue fed
by triggers, so an idle run reads nothing), each conversation's contact reason in its facts,
and the per-hour counts the reports read for a period (issue 13)

Revision ID: 0030
Revises: 0029
Create Date: 2026-11-30 06:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import walletdesk.db.base

revision: str = '0030'
down_revision: str | None = '0029'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# the conversation columns the facts copy or derive from (walletdesk.reports.rollups)
WATCHED = ('customer_id', 'channel', 'status', 'language', 'team_id', 'assignee_id',
           'category', 'last_seq', 'assigned_at', 'resolved_at', 'handoff_reason',
           'first_response_due_at', 'first_response_breached', 'resolution_due_at',
           'resolution_breached', 'contact_reason', 'created_at')
# (trigger, table, event, the changed conversation's id, start and customer in SQL): a
# deleted conversation's facts are gone with it (cascade), its start tells which hour to count
# again and its customer whose earlier conversations may no longer have "come back"
TRIGGERS = (
    ('report_dirty_conversation_new', 'conversations', 'INSERT', 'NEW.id', 'NEW.created_at',
     'NEW.customer_id'),
    ('report_dirty_conversation_change', 'conversations',
     f"UPDATE OF {', '.join(WATCHED)}", 'NEW.id', 'OLD.created_at', 'OLD.customer_id'),
    ('report_dirty_conversation_gone', 'conversations', 'DELETE', 'OLD.id', 'OLD.created_at',
     'OLD.customer_id'),
    ('report_dirty_survey_new', 'surveys', 'INSERT', 'NEW.conversation_id', 'NULL', 'NULL'),
    ('report_dirty_survey_change', 'surveys', 'UPDATE', 'NEW.conversation_id', 'NULL', 'NULL'),
    ('report_dirty_survey_gone', 'surveys', 'DELETE', 'OLD.conversation_id', 'NULL', 'NULL'),
    ('report_dirty_label_new', 'conversation_labels', 'INSERT', 'NEW.conversation_id', 'NULL',
     'NULL'),
    ('report_dirty_label_gone', 'conversation_labels', 'DELETE', 'OLD.conversation_id',
     'NULL', 'NULL'),
    ('report_dirty_bot_turn_new', 'bot_turns', 'INSERT', 'NEW.conversation_id', 'NULL', 'NULL'),
)
PERIOD_COLUMNS = ['customer_id', 'customer_first_at', 'assignee_id', 'status',
                  'first_response_s', 'first_response_business_s', 'resolution_s',
                  'resolution_business_s', 'handling_s', 'handling_business_s',
                  'survey_rating', 'survey_agent_id']
COUNTS = ('conversations', 'messages', 'resolved', 'ever_resolved', 'reopened', 'with_bot',
          'bot_contained', 'handed_off', 'first_response_due', 'first_response_breached',
          'resolution_due', 'resolution_breached', 'surveys', 'ratings', 'rating_sum',
          'happy', 'rating_1', 'rating_2', 'rating_3', 'rating_4', 'rating_5',
          'first_response_n', 'resolution_n', 'handling_n', 'came_back')


def _time(name: str, nullable: bool = True) -> sa.Column:  # type: ignore[type-arg]
    return sa.Column(name, walletdesk.db.base.UTCDateTime(timezone=True), nullable=nullable)


def _triggers_postgresql() -> None:
    for name, table, event, conversation, started, customer in TRIGGERS:
        op.execute(f"""
            CREATE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                IF {conversation} IS NOT NULL THEN
                    -- an update of a row already queued waits for the rollup's run that
                    -- took it out of the queue: its change is never lost
                    INSERT INTO report_dirty (conversation_id, created_at, customer_id)
                    VALUES ({conversation}, {started}, {customer})
                    ON CONFLICT (conversation_id) DO UPDATE
                    SET created_at = coalesce(EXCLUDED.created_at, report_dirty.created_at),
                        customer_id = coalesce(EXCLUDED.customer_id, report_dirty.customer_id);
                END IF;
                RETURN NULL;
            END $$""")  # noqa: S608 - our own names and columns
        op.execute(f"CREATE TRIGGER {name} AFTER {event} ON {table} "
                   f"FOR EACH ROW EXECUTE FUNCTION {name}()")
    # a renamed label changes the reason of the conversations whose first label it is
    op.execute("""
        CREATE FUNCTION report_dirty_label_renamed() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            INSERT INTO report_dirty (conversation_id)
            SELECT conversation_id FROM conversation_labels WHERE label_id = NEW.id
            ON CONFLICT (conversation_id) DO UPDATE SET created_at = report_dirty.created_at;
            RETURN NULL;
        END $$""")
    op.execute("CREATE TRIGGER report_dirty_label_renamed AFTER UPDATE OF name ON labels "
               "FOR EACH ROW EXECUTE FUNCTION report_dirty_label_renamed()")


def _triggers_sqlite() -> None:
    for name, table, event, conversation, started, customer in TRIGGERS:
        op.execute(f"""
            CREATE TRIGGER {name} AFTER {event} ON {table} FOR EACH ROW
            WHEN {conversation} IS NOT NULL
            BEGIN
                INSERT INTO report_dirty (conversation_id, created_at, customer_id)
                VALUES ({conversation}, {started}, {customer})
                ON CONFLICT (conversation_id) DO UPDATE
                SET created_at = coalesce(excluded.created_at, report_dirty.created_at),
                    customer_id = coalesce(excluded.customer_id, report_dirty.customer_id);
            END""")  # noqa: S608 - our own names and columns
    op.execute("""
        CREATE TRIGGER report_dirty_label_renamed AFTER UPDATE OF name ON labels FOR EACH ROW
        BEGIN
            INSERT OR IGNORE INTO report_dirty (conversation_id)
            SELECT conversation_id FROM conversation_labels WHERE label_id = NEW.id;
        END""")


TRIGGER_NAMES = (*(name for name, *_ in TRIGGERS), 'report_dirty_label_renamed')


def upgrade() -> None:
    op.create_table(
        'report_dirty',
        # no foreign key: a conversation's deletion cascades to rows whose triggers mark it
        sa.Column('conversation_id', sa.Integer(), autoincrement=False, nullable=False),
        _time('created_at'),  # the conversation's start, when the trigger knows it
        sa.Column('customer_id', sa.Integer(), nullable=True),  # and its customer
        sa.PrimaryKeyConstraint('conversation_id', name=op.f('pk_report_dirty')),
    )
    # the period's scans read the index alone on PostgreSQL (medians, distinct customers)
    op.drop_index('ix_report_facts_created_at', table_name='report_conversation_facts')
    op.create_index('ix_report_facts_created_at', 'report_conversation_facts', ['created_at'],
                    postgresql_include=PERIOD_COLUMNS)
    with op.batch_alter_table('report_conversation_facts', schema=None) as batch_op:
        batch_op.add_column(sa.Column('reason', sa.String(length=120), nullable=False,
                                      server_default=''))
        batch_op.add_column(sa.Column('reason_source', sa.String(length=10), nullable=False,
                                      server_default='none'))
        batch_op.add_column(_time('first_resolved_at'))
        batch_op.add_column(sa.Column('came_back', sa.Boolean(), nullable=False,
                                      server_default='0'))
        batch_op.create_index('ix_report_facts_assignee_created', ['assignee_id', 'created_at'],
                              unique=False)
        batch_op.create_index('ix_report_facts_team_created', ['team_id', 'created_at'],
                              unique=False)
    op.create_table(
        'report_hourly',
        _time('hour', False),
        sa.Column('dimension', sa.String(length=12), nullable=False),
        sa.Column('value', sa.String(length=120), nullable=False),
        *(sa.Column(name, sa.Integer(), nullable=False) for name in COUNTS),
        sa.PrimaryKeyConstraint('dimension', 'value', 'hour', name=op.f('pk_report_hourly')),
    )
    op.create_table(
        'report_hourly_messages',
        sa.Column('dimension', sa.String(length=12), nullable=False),
        sa.Column('value', sa.String(length=120), nullable=False),
        _time('hour', False),
        sa.Column('message_hour', sa.String(length=13), nullable=False),
        sa.Column('messages', sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint('dimension', 'value', 'hour', 'message_hour',
                                name=op.f('pk_report_hourly_messages')),
    )
    if op.get_bind().dialect.name == 'postgresql':
        _triggers_postgresql()
    else:
        _triggers_sqlite()
    # the facts gain the reason: every row is computed again by the worker (reports are
    # computed live until it is done)
    op.execute('DELETE FROM report_message_quarters')
    op.execute('DELETE FROM report_agent_replies')
    op.execute('DELETE FROM report_conversation_facts')
    op.execute('UPDATE report_rollup_state SET covered_until = NULL')


def downgrade() -> None:
    postgresql = op.get_bind().dialect.name == 'postgresql'
    for name in TRIGGER_NAMES:
        table = {n: t for n, t, *_ in TRIGGERS}.get(name, 'labels')
        op.execute(f'DROP TRIGGER IF EXISTS {name}' + (f' ON {table}' if postgresql else ''))
        if postgresql:
            op.execute(f'DROP FUNCTION IF EXISTS {name}()')
    op.drop_table('report_hourly_messages')
    op.drop_table('report_hourly')
    with op.batch_alter_table('report_conversation_facts', schema=None) as batch_op:
        batch_op.drop_index('ix_report_facts_team_created')
        batch_op.drop_index('ix_report_facts_assignee_created')
        batch_op.drop_column('came_back')
        batch_op.drop_column('first_resolved_at')
        batch_op.drop_column('reason_source')
        batch_op.drop_column('reason')
    op.drop_table('report_dirty')
    op.drop_index('ix_report_facts_created_at', table_name='report_conversation_facts')
    op.create_index('ix_report_facts_created_at', 'report_conversation_facts', ['created_at'])
