"""The reports' rollup: one row of facts per conversation, kept by the worker
(walletdesk.reports.rollups), so a report reads one narrow row per conversation instead of
its messages, bot turns and survey (docs/reports.md, "How it is computed")."""

from datetime import datetime

from sqlalchemy import (
    Boolean,
    Float,
    ForeignKey,
    Index,
    Integer,
    SmallInteger,
    String,
    Text,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from walletdesk.db.base import Base

# the filters a period's rows are read by (walletdesk.reports.hourly.FILTERS)
FILTER_COLUMNS = ["channel", "team_id", "language", "category"]
# what the reports read of a period's facts beside the hourly counts (medians, distinct
# customers, per agent): in the index on the start, so PostgreSQL scans the index alone
PERIOD_COLUMNS = ["customer_id", "customer_first_at", "assignee_id", "status",
                  "first_response_s", "first_response_business_s", "resolution_s",
                  "resolution_business_s", "handling_s", "handling_business_s",
                  "survey_rating", "survey_agent_id", "first_response_bucket",
                  "resolution_bucket",  # the agents' medians count these per agent
                  *FILTER_COLUMNS]  # a filtered period reads the index alone too
# the durations the reports take medians and p90 of; each has its histogram bucket beside it
# (walletdesk.reports.daily.bucket_of: how many of BUCKET_EDGES are at or below it)
DURATIONS = ("first_response_s", "first_response_business_s", "resolution_s",
             "resolution_business_s", "handling_s", "handling_business_s")
BUCKET_EDGES = tuple(2 ** (k / 4) for k in range(0, 109))  # 1 s … 2^27 s, ~19 % apart


def bucket_name(duration: str) -> str:
    """The column of a duration's bucket: ``first_response_s`` → ``first_response_bucket``."""
    return f"{duration.removesuffix('_s')}_bucket"



class ConversationFacts(Base):
    """What the reports need of a conversation, as of ``last_seq`` and the other copied
    columns: when one of them differs from the conversation (or its survey), the row is
    stale and the worker computes it again."""

    __tablename__ = "report_conversation_facts"
    __table_args__ = (Index("ix_report_facts_created_at", "created_at",
                            postgresql_include=PERIOD_COLUMNS),
                      Index("ix_report_facts_assignee_created", "assignee_id", "created_at"),
                      Index("ix_report_facts_team_created", "team_id", "created_at"),
                      # a rank's value: the period's facts of one bucket (walletdesk.reports.daily)
                      *(Index(f"ix_report_facts_{bucket_name(name)}", bucket_name(name),
                              "created_at",
                              postgresql_include=[name, "assignee_id", *FILTER_COLUMNS])
                        for name in DURATIONS),
                      # the agents' medians: a period's assigned facts and their two
                      # durations, read from this narrow index alone (decision 0043)
                      Index("ix_report_facts_agent_values", "created_at",
                            postgresql_include=["assignee_id", "first_response_s",
                                                "resolution_s"],
                            postgresql_where=text("assignee_id IS NOT NULL"),
                            sqlite_where=text("assignee_id IS NOT NULL")),
                      # a period's distinct and new customers (volume without filters)
                      Index("ix_report_facts_previous", "created_at", "previous_at"),
                      # the comments' total: a period's rated surveys with a comment
                      Index("ix_report_facts_commented", "created_at",
                            postgresql_include=["survey_rating", "assignee_id",
                                                *FILTER_COLUMNS],
                            postgresql_where=text("survey_commented"),
                            sqlite_where=text("survey_commented")))

    conversation_id: Mapped[int] = mapped_column(
        ForeignKey("conversations.id", ondelete="CASCADE"), primary_key=True,
        autoincrement=False)
    # copied from the conversation: the filters, and what tells that the row is stale
    created_at: Mapped[datetime] = mapped_column()
    customer_id: Mapped[int] = mapped_column(Integer)
    channel: Mapped[str] = mapped_column(String(20))
    team_id: Mapped[int | None] = mapped_column(Integer, default=None)
    assignee_id: Mapped[int | None] = mapped_column(Integer, default=None)
    language: Mapped[str | None] = mapped_column(String(16), default=None)
    category: Mapped[str | None] = mapped_column(String(40), default=None)
    status: Mapped[str] = mapped_column(String(20))
    last_seq: Mapped[int] = mapped_column(Integer)
    assigned_at: Mapped[datetime | None] = mapped_column(default=None)
    resolved_at: Mapped[datetime | None] = mapped_column(default=None)
    handoff_reason: Mapped[str | None] = mapped_column(String(40), default=None)
    first_response_due: Mapped[bool] = mapped_column(Boolean)
    first_response_breached: Mapped[bool] = mapped_column(Boolean)
    resolution_due: Mapped[bool] = mapped_column(Boolean)
    resolution_breached: Mapped[bool] = mapped_column(Boolean)
    # derived
    customer_first_at: Mapped[datetime] = mapped_column()  # the customer's first conversation
    # the start of the customer's conversation before this one (by start, then id; None: the
    # first): a period's distinct customers are its facts whose previous one started before
    # it, counted without a union of ids (migration 0034)
    previous_at: Mapped[datetime | None] = mapped_column(default=None)
    messages: Mapped[int] = mapped_column(Integer)  # public customer, agent and bot messages
    first_response_s: Mapped[float | None] = mapped_column(Float, default=None)
    first_response_business_s: Mapped[float | None] = mapped_column(Float, default=None)
    resolution_s: Mapped[float | None] = mapped_column(Float, default=None)
    resolution_business_s: Mapped[float | None] = mapped_column(Float, default=None)
    handling_s: Mapped[float | None] = mapped_column(Float, default=None)
    handling_business_s: Mapped[float | None] = mapped_column(Float, default=None)
    first_response_bucket: Mapped[int | None] = mapped_column(SmallInteger, default=None)
    first_response_business_bucket: Mapped[int | None] = mapped_column(SmallInteger,
                                                                       default=None)
    resolution_bucket: Mapped[int | None] = mapped_column(SmallInteger, default=None)
    resolution_business_bucket: Mapped[int | None] = mapped_column(SmallInteger, default=None)
    handling_bucket: Mapped[int | None] = mapped_column(SmallInteger, default=None)
    handling_business_bucket: Mapped[int | None] = mapped_column(SmallInteger, default=None)
    is_resolved: Mapped[bool] = mapped_column(Boolean)  # resolved or closed, with a time
    ever_resolved: Mapped[bool] = mapped_column(Boolean)
    reopened: Mapped[bool] = mapped_column(Boolean)
    first_resolved_at: Mapped[datetime | None] = mapped_column(default=None)
    # resolved once, not reopened, and the customer started another conversation within 7
    # days after the resolve (walletdesk.reports.first_contact)
    came_back: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")
    with_bot: Mapped[bool] = mapped_column(Boolean)
    bot_contained: Mapped[bool] = mapped_column(Boolean)
    survey_asked: Mapped[bool] = mapped_column(Boolean)
    survey_rating: Mapped[int | None] = mapped_column(Integer, default=None)
    survey_agent_id: Mapped[int | None] = mapped_column(Integer, default=None)
    # the team the survey names (CSAT per team, walletdesk.reports.teams), and whether it
    # has a rating with a written comment (the comments' total; migration 0032)
    survey_team_id: Mapped[int | None] = mapped_column(Integer, default=None)
    survey_commented: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")
    # the contact reason (walletdesk.reports.reasons) and where it came from
    reason: Mapped[str] = mapped_column(String(120), default="", server_default="")
    reason_source: Mapped[str] = mapped_column(String(10), default="none",
                                               server_default="none")


class ConversationMessageQuarters(Base):
    """A conversation's public messages per UTC quarter hour (``'YYYY-MM-DD HH:MM'``): the
    messages by local day of a report in any time zone."""

    __tablename__ = "report_message_quarters"
    __table_args__ = (Index("ix_report_message_quarters_created_at", "created_at"),)

    conversation_id: Mapped[int] = mapped_column(
        ForeignKey("report_conversation_facts.conversation_id", ondelete="CASCADE"),
        primary_key=True, autoincrement=False)
    quarter: Mapped[str] = mapped_column(String(16), primary_key=True)
    # the conversation's start: a report without filters reads these rows alone
    created_at: Mapped[datetime] = mapped_column()
    messages: Mapped[int] = mapped_column(Integer)


class ConversationAgentReplies(Base):
    """Public messages an agent wrote in a conversation."""

    __tablename__ = "report_agent_replies"
    __table_args__ = (Index("ix_report_agent_replies_created_at", "created_at"),)

    conversation_id: Mapped[int] = mapped_column(
        ForeignKey("report_conversation_facts.conversation_id", ondelete="CASCADE"),
        primary_key=True, autoincrement=False)
    agent_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    created_at: Mapped[datetime] = mapped_column()  # the conversation's start
    replies: Mapped[int] = mapped_column(Integer)


class RollupState(Base):
    """Where the worker is: every conversation created before ``covered_until`` has facts
    (as of ``refreshed_at``); ``hours_key`` fingerprints the teams' working hours the
    business-hours durations were computed with."""

    __tablename__ = "report_rollup_state"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    covered_until: Mapped[datetime | None] = mapped_column(default=None)
    refreshed_at: Mapped[datetime | None] = mapped_column(default=None)
    hours_key: Mapped[str] = mapped_column(String(64), default="")
    # the daily rows (report_daily) hold every day of the facts (after migration 0031 the
    # worker counts them all once)
    daily_ready: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")


class ReportDirty(Base):
    """Conversations whose facts must be computed again: database triggers (migration 0030)
    add a conversation when it is created, when a column the facts copy changes (a message
    bumps ``last_seq``), and when its survey, labels or bot turns change; the worker takes
    them out. An idle run reads this empty table and nothing else."""

    __tablename__ = "report_dirty"

    conversation_id: Mapped[int] = mapped_column(Integer, primary_key=True,
                                                 autoincrement=False)
    # the conversation's start, when the trigger knows it: the hour to count again after
    # a conversation was deleted (its facts went with it)
    created_at: Mapped[datetime | None] = mapped_column(default=None)
    customer_id: Mapped[int | None] = mapped_column(Integer, default=None)  # the same
    # raised by every change (migration 0035): a run takes a row out only if unchanged
    # since it read it, so a change made while it computed is computed by the next run
    version: Mapped[int] = mapped_column(Integer, default=0, server_default="0")


HOURLY_COUNTS = ("conversations", "messages", "resolved", "ever_resolved", "reopened",
                 "with_bot", "bot_contained", "handed_off", "first_response_due",
                 "first_response_breached", "resolution_due", "resolution_breached",
                 "surveys", "ratings", "rating_sum", "happy", "rating_1", "rating_2",
                 "rating_3", "rating_4", "rating_5", "first_response_n", "resolution_n",
                 "handling_n", "came_back")


class HourlyCounts(Base):
    """The facts of the conversations started in a UTC hour, counted: for all of them
    (``dimension`` "all") and per value of a filter or breakdown (``dimension`` channel,
    team, language, category, handoff, reason; ``value`` "" for none, else "=" and the
    value). A report of a whole-hour time zone without a filter, or with one of these
    filters, reads 24 rows a day instead of a row per conversation. The ``quarter``
    dimension counts all of them per UTC quarter hour (``hour`` is the quarter's start):
    the reports without filters in a zone such as Asia/Kolkata, 96 rows a day."""

    __tablename__ = "report_hourly"
    # the reasons' trend: a dimension's conversations per hour, read from the index alone
    __table_args__ = (Index("ix_report_hourly_dimension_hour", "dimension", "hour",
                            postgresql_include=["value", "conversations"]),)

    dimension: Mapped[str] = mapped_column(String(12), primary_key=True)
    value: Mapped[str] = mapped_column(String(120), primary_key=True)
    hour: Mapped[datetime] = mapped_column(primary_key=True)
    conversations: Mapped[int] = mapped_column(Integer)
    messages: Mapped[int] = mapped_column(Integer)
    resolved: Mapped[int] = mapped_column(Integer)
    ever_resolved: Mapped[int] = mapped_column(Integer)
    reopened: Mapped[int] = mapped_column(Integer)
    with_bot: Mapped[int] = mapped_column(Integer)
    bot_contained: Mapped[int] = mapped_column(Integer)
    handed_off: Mapped[int] = mapped_column(Integer)
    first_response_due: Mapped[int] = mapped_column(Integer)
    first_response_breached: Mapped[int] = mapped_column(Integer)
    resolution_due: Mapped[int] = mapped_column(Integer)
    resolution_breached: Mapped[int] = mapped_column(Integer)
    surveys: Mapped[int] = mapped_column(Integer)
    ratings: Mapped[int] = mapped_column(Integer)
    rating_sum: Mapped[int] = mapped_column(Integer)
    happy: Mapped[int] = mapped_column(Integer)
    rating_1: Mapped[int] = mapped_column(Integer)
    rating_2: Mapped[int] = mapped_column(Integer)
    rating_3: Mapped[int] = mapped_column(Integer)
    rating_4: Mapped[int] = mapped_column(Integer)
    rating_5: Mapped[int] = mapped_column(Integer)
    # how many were measured (walletdesk.reports.measures.duration_figures: the positions of
    # the median and p90 are known before the one sort)
    first_response_n: Mapped[int] = mapped_column(Integer)
    resolution_n: Mapped[int] = mapped_column(Integer)
    handling_n: Mapped[int] = mapped_column(Integer)
    came_back: Mapped[int] = mapped_column(Integer)


class HourlyMessages(Base):
    """The public messages of the conversations started in a UTC hour (``hour``) per UTC
    hour they were written in (``message_hour``), for all and per filter value
    (dimensions all, channel, team, language, category): the messages by local day. The
    ``quarter`` dimension: per UTC quarter hour of start and written."""

    __tablename__ = "report_hourly_messages"

    dimension: Mapped[str] = mapped_column(String(12), primary_key=True)
    value: Mapped[str] = mapped_column(String(120), primary_key=True)
    hour: Mapped[datetime] = mapped_column(primary_key=True)
    # 'YYYY-MM-DD HH'; the quarter rows: 'YYYY-MM-DD HH:MM' (migration 0033)
    message_hour: Mapped[str] = mapped_column(String(16), primary_key=True)

    messages: Mapped[int] = mapped_column(Integer)


class DailyRows(Base):
    """What the hourly counts cannot sum, per UTC day of start, for all conversations
    (``dimension`` "all") and per value of one filter (channel, team, language, category):
    the distinct customers' ids, those whose first conversation started that day (for
    "all"), and per duration a histogram (``bucket:count,…``). Comma-separated texts on
    both engines (walletdesk.reports.daily)."""

    __tablename__ = "report_daily"

    dimension: Mapped[str] = mapped_column(String(12), primary_key=True)
    value: Mapped[str] = mapped_column(String(120), primary_key=True)
    day: Mapped[datetime] = mapped_column(primary_key=True)
    customers: Mapped[str] = mapped_column(Text, default="")
    new_customers: Mapped[str] = mapped_column(Text, default="")
    first_response_s: Mapped[str] = mapped_column(Text, default="")
    first_response_business_s: Mapped[str] = mapped_column(Text, default="")
    resolution_s: Mapped[str] = mapped_column(Text, default="")
    resolution_business_s: Mapped[str] = mapped_column(Text, default="")
    handling_s: Mapped[str] = mapped_column(Text, default="")
    handling_business_s: Mapped[str] = mapped_column(Text, default="")


class DailyAgents(Base):
    """Per UTC day of start and agent, the agents report's counts: conversations assigned
    (``handled``) and of them resolved, public replies written, ratings of the surveys
    that name the agent and their sum (walletdesk.reports.daily)."""

    __tablename__ = "report_daily_agents"

    day: Mapped[datetime] = mapped_column(primary_key=True)
    agent_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    handled: Mapped[int] = mapped_column(Integer, default=0)
    resolved: Mapped[int] = mapped_column(Integer, default=0)
    replies: Mapped[int] = mapped_column(Integer, default=0)
    ratings: Mapped[int] = mapped_column(Integer, default=0)
    rating_sum: Mapped[int] = mapped_column(Integer, default=0)

