"""reports at scale, part four: the team each survey names in the facts and its hourly
counts (CSAT per team from the hourly rows), whether it has a comment (the comments' total),
an index that gives the comments page in its order, a narrow index for the agents' medians
and one for the reasons' trend (issue 13, decision 0043)

Revision ID: 0032
Revises: 0031
Create Date: 2026-11-30 17:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0032'
down_revision: str | None = '0031'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# walletdesk.reports.hourly.count_columns, in the order of its HOURLY_COUNTS
COUNTS = (('conversations', 'count(*)'), ('messages', 'coalesce(sum(messages), 0)'),
          ('resolved', 'count(CASE WHEN is_resolved THEN 1 END)'),
          ('ever_resolved', 'count(CASE WHEN ever_resolved THEN 1 END)'),
          ('reopened', 'count(CASE WHEN reopened THEN 1 END)'),
          ('with_bot', 'count(CASE WHEN with_bot THEN 1 END)'),
          ('bot_contained', 'count(CASE WHEN bot_contained THEN 1 END)'),
          ('handed_off', 'count(handoff_reason)'),
          ('first_response_due', 'count(CASE WHEN first_response_due THEN 1 END)'),
          ('first_response_breached', 'count(CASE WHEN first_response_breached THEN 1 END)'),
          ('resolution_due', 'count(CASE WHEN resolution_due THEN 1 END)'),
          ('resolution_breached', 'count(CASE WHEN resolution_breached THEN 1 END)'),
          ('surveys', 'count(CASE WHEN survey_asked THEN 1 END)'),
          ('ratings', 'count(survey_rating)'),
          ('rating_sum', 'coalesce(sum(survey_rating), 0)'),
          ('happy', 'count(CASE WHEN survey_rating >= 4 THEN 1 END)'),
          *((f'rating_{n}', f'count(CASE WHEN survey_rating = {n} THEN 1 END)')
            for n in range(1, 6)),
          ('first_response_n', 'count(first_response_s)'),
          ('resolution_n', 'count(resolution_s)'), ('handling_n', 'count(handling_s)'),
          ('came_back', 'count(CASE WHEN came_back THEN 1 END)'))


def survey_team_hours_sql(postgresql: bool) -> str:
    """The hourly rows of the ``survey_team`` dimension counted from the facts, as the
    worker's ``rebuild_hours`` counts them (a test compares both)."""
    hour = ("date_bin('1 hour', created_at, TIMESTAMPTZ '2000-01-01 00:00:00+00')"
            if postgresql else "strftime('%Y-%m-%d %H:00:00.000000', created_at)")
    value = ("CASE WHEN survey_team_id IS NULL THEN '' "
             "ELSE '=' || CAST(survey_team_id AS VARCHAR) END")
    return (f"INSERT INTO report_hourly (dimension, value, hour, "  # noqa: S608 - constants
            f"{', '.join(name for name, _ in COUNTS)}) "
            f"SELECT 'survey_team', {value}, {hour}, "
            f"{', '.join(sql for _, sql in COUNTS)} "
            f"FROM report_conversation_facts GROUP BY {value}, {hour}")


COMMENTED = "rating IS NOT NULL AND comment <> ''"
FILTER_COLUMNS = ['channel', 'team_id', 'language', 'category']


def backfill_sql(postgresql: bool) -> list[str]:
    """The statements that fill the new columns of existing facts and the hourly rows of
    the ``survey_team`` dimension (a test compares them with what the worker writes)."""
    return [
        'UPDATE report_conversation_facts SET survey_team_id = ('
        'SELECT team_id FROM surveys '
        'WHERE surveys.conversation_id = report_conversation_facts.conversation_id) '
        'WHERE conversation_id IN ('
        'SELECT conversation_id FROM surveys WHERE team_id IS NOT NULL '
        'AND conversation_id IS NOT NULL)',
        'UPDATE report_conversation_facts SET survey_commented = TRUE '  # noqa: S608
        'WHERE conversation_id IN (SELECT conversation_id FROM surveys '
        f'WHERE {COMMENTED} AND conversation_id IS NOT NULL)',
        "DELETE FROM report_hourly WHERE dimension = 'survey_team'",
        survey_team_hours_sql(postgresql)]


def upgrade() -> None:
    postgresql = op.get_bind().dialect.name == 'postgresql'
    with op.batch_alter_table('report_conversation_facts', schema=None) as batch_op:
        batch_op.add_column(sa.Column('survey_team_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('survey_commented', sa.Boolean(), nullable=False,
                                      server_default='0'))
    # the facts already computed get their survey's team and comment here (the worker
    # writes them from now on), then their hours' counts per team
    for statement in backfill_sql(postgresql):
        op.execute(statement)
    op.create_index('ix_report_facts_commented', 'report_conversation_facts', ['created_at'],
                    postgresql_include=['survey_rating', 'assignee_id', *FILTER_COLUMNS],
                    postgresql_where=sa.text('survey_commented'),
                    sqlite_where=sa.text('survey_commented'))
    op.create_index('ix_report_facts_agent_values', 'report_conversation_facts', ['created_at'],
                    postgresql_include=['assignee_id', 'first_response_s', 'resolution_s'],
                    postgresql_where=sa.text('assignee_id IS NOT NULL'),
                    sqlite_where=sa.text('assignee_id IS NOT NULL'))
    op.create_index('ix_report_hourly_dimension_hour', 'report_hourly', ['dimension', 'hour'],
                    postgresql_include=['value', 'conversations'])
    op.create_index('ix_surveys_comments', 'surveys', ['rating', 'answered_at', 'id'],
                    postgresql_where=sa.text(COMMENTED), sqlite_where=sa.text(COMMENTED))


def downgrade() -> None:
    op.drop_index('ix_surveys_comments', table_name='surveys')
    op.drop_index('ix_report_hourly_dimension_hour', table_name='report_hourly')
    op.drop_index('ix_report_facts_agent_values', table_name='report_conversation_facts')
    op.drop_index('ix_report_facts_commented', table_name='report_conversation_facts')
    op.execute("DELETE FROM report_hourly WHERE dimension = 'survey_team'")
    with op.batch_alter_table('report_conversation_facts', schema=None) as batch_op:
        batch_op.drop_column('survey_commented')
        batch_op.drop_column('survey_team_id')
