"""reports at scale, part five: all conversations counted per UTC quarter hour (the
``quarter`` dimension of the hourly rows) and their messages per quarter hour written, so a
report without filters in a zone whose offset has minutes (Asia/Kolkata, Asia/Kathmandu)
reads 96 rows a day instead of the facts (issue 13, decision 0046); and the conversations
whose customer picked an article from the bot's choice are computed again (their contact
reason is now the picked article's category, no longer the top candidate's)

Revision ID: 0033
Revises: 0032
Create Date: 2026-11-30 20:30:00
"""

import importlib
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0033'
down_revision: str | None = '0032'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# the hourly counts as 0032 wrote them (a migration is never edited: its constant is safe)
COUNTS = importlib.import_module(
    'walletdesk.db.migrations.versions.0032_report_survey_teams_and_comments').COUNTS


def _quarter(column: str, postgresql: bool) -> str:
    """The UTC quarter hour a timestamp falls in, as walletdesk.reports.hourly.utc_quarter."""
    if postgresql:
        return f"date_bin('15 minutes', {column}, TIMESTAMPTZ '2000-01-01 00:00:00+00')"
    return (f"(strftime('%Y-%m-%d %H:', {column}) || printf('%02d:00.000000', "
            f"(CAST(strftime('%M', {column}) AS INTEGER) / 15) * 15))")


def backfill_sql(postgresql: bool) -> list[str]:
    """The quarter rows of the facts already computed, as the worker's ``rebuild_hours``
    counts them from now on (a test compares both)."""
    start = _quarter('created_at', postgresql)
    written_start = _quarter('f.created_at', postgresql)
    return [
        "DELETE FROM report_hourly WHERE dimension = 'quarter'",
        "DELETE FROM report_hourly_messages WHERE dimension = 'quarter'",
        f"INSERT INTO report_hourly (dimension, value, hour, "  # noqa: S608 - constants
        f"{', '.join(name for name, _ in COUNTS)}) "
        f"SELECT 'quarter', '', {start}, {', '.join(sql for _, sql in COUNTS)} "
        f"FROM report_conversation_facts GROUP BY {start}",
        f"INSERT INTO report_hourly_messages (dimension, value, hour, message_hour, "  # noqa: S608
        f"messages) SELECT 'quarter', '', {written_start}, q.quarter, sum(q.messages) "
        f"FROM report_message_quarters q JOIN report_conversation_facts f "
        f"ON f.conversation_id = q.conversation_id GROUP BY {written_start}, q.quarter"]


def upgrade() -> None:
    postgresql = op.get_bind().dialect.name == 'postgresql'
    with op.batch_alter_table('report_hourly_messages', schema=None) as batch_op:
        batch_op.alter_column('message_hour', existing_type=sa.String(length=13),
                              type_=sa.String(length=16), existing_nullable=False)
    for statement in backfill_sql(postgresql):
        op.execute(statement)
    op.execute("INSERT INTO report_dirty (conversation_id) "
               "SELECT DISTINCT conversation_id FROM bot_turns "
               "WHERE outcome = 'answered_choice' AND conversation_id NOT IN "
               "(SELECT conversation_id FROM report_dirty)")


def downgrade() -> None:
    op.execute("DELETE FROM report_hourly WHERE dimension = 'quarter'")
    op.execute("DELETE FROM report_hourly_messages WHERE dimension = 'quarter'")
    with op.batch_alter_table('report_hourly_messages', schema=None) as batch_op:
        batch_op.alter_column('message_hour', existing_type=sa.String(length=16),
                              type_=sa.String(length=13), existing_nullable=False)
