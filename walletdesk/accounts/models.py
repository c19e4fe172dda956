"""Staff accounts: agents (with their role), teams and API tokens."""

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    ForeignKey,
    Integer,
    String,
    Table,
    UniqueConstraint,
    false,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from walletdesk.crypto import EncryptedText
from walletdesk.db.base import Base, utcnow


class Role(StrEnum):
    admin = "admin"
    supervisor = "supervisor"
    agent = "agent"
    outsourced = "outsourced"


class Presence(StrEnum):
    online = "online"
    away = "away"
    offline = "offline"


agent_teams = Table(
    "agent_teams",
    Base.metadata,
    Column("agent_id", ForeignKey("agents.id", ondelete="CASCADE"), primary_key=True),
    Column("team_id", ForeignKey("teams.id", ondelete="CASCADE"), primary_key=True),
)


def default_weekly_hours() -> dict[str, list[list[str]]]:
    """Every day, all day: a team without configured hours is always open."""
    return {day: [["00:00", "24:00"]] for day in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")}


class Team(Base):
    __tablename__ = "teams"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(80), unique=True)
    is_outsourced: Mapped[bool] = mapped_column(Boolean, default=False)
    # the languages this team's queue serves; empty = any language
    languages: Mapped[list[str]] = mapped_column(JSON, default=list)
    is_default: Mapped[bool] = mapped_column(Boolean, default=False)
    timezone: Mapped[str] = mapped_column(String(64), default="UTC")
    weekly_hours: Mapped[dict[str, Any]] = mapped_column(JSON, default=default_weekly_hours)
    holidays: Mapped[list[str]] = mapped_column(JSON, default=list)  # ISO dates, team-local
    # members must sign in with a second factor (admins always must; see accounts.totp)
    requires_two_factor: Mapped[bool] = mapped_column(Boolean, default=False,
                                                      server_default=false())
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    # loaded only where asked for (list_teams): a team comes with every conversation
    agents: Mapped[list["Agent"]] = relationship(
        secondary=agent_teams, back_populates="teams", lazy="raise"
    )


class Agent(Base):
    __tablename__ = "agents"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    display_name: Mapped[str] = mapped_column(String(80))
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[Role] = mapped_column(String(20), default=Role.agent)
    languages: Mapped[list[str]] = mapped_column(JSON, default=list)
    capacity: Mapped[int] = mapped_column(Integer, default=5)
    presence: Mapped[Presence] = mapped_column(String(10), default=Presence.offline)
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    # bumped on every change of who may sign in (kept for audit; sessions live in agent_sessions)
    session_version: Mapped[int] = mapped_column(Integer, default=1)
    # the workspace's language (a catalog's locale); None: the browser's Accept-Language
    interface_locale: Mapped[str | None] = mapped_column(String(16), default=None)
    # two-factor login (RFC 6238 TOTP): the secret encrypted at rest; enabled once confirmed
    totp_secret: Mapped[str | None] = mapped_column(EncryptedText, default=None)
    totp_enabled_at: Mapped[datetime | None] = mapped_column(default=None)
    # the last time step accepted: a code is good once (no replay within its 30 s window)
    totp_last_step: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    presence_changed_at: Mapped[datetime] = mapped_column(default=utcnow)
    # the last sign the agent is there: their workspace socket (on connect, then every third
    # of WALLETDESK_PRESENCE_GRACE_S while open) or a presence call; online agents seen within
    # the grace are the ones offered work (walletdesk.routing.presence, decision 0059)
    last_seen_at: Mapped[datetime | None] = mapped_column(default=None)
    # set once the queue sweep noticed an online agent was no longer seen (the moment they
    # stopped being offered work); cleared when they are seen again
    connection_lost_at: Mapped[datetime | None] = mapped_column(default=None)

    teams: Mapped[list[Team]] = relationship(
        secondary=agent_teams, back_populates="agents", lazy="selectin"
    )

    @property
    def team_ids(self) -> list[int]:
        return [team.id for team in self.teams]


class ApiToken(Base):
    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    agent_id: Mapped[int] = mapped_column(ForeignKey("agents.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(80))
    # sha256 of the token: the token itself is shown once and never stored
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    # "read": GET requests only (reporting, exports); "write": whatever the agent's role allows
    scope: Mapped[str] = mapped_column(String(10), default="write", server_default="write")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_used_at: Mapped[datetime | None] = mapped_column(default=None)
    revoked_at: Mapped[datetime | None] = mapped_column(default=None)

    agent: Mapped[Agent] = relationship(lazy="joined")


class NotificationPreferences(Base):
    """How the workspace tells one agent about new work (walletdesk.accounts.preferences);
    no row means the defaults."""

    __tablename__ = "notification_preferences"

    agent_id: Mapped[int] = mapped_column(ForeignKey("agents.id", ondelete="CASCADE"),
                                          primary_key=True)
    sound: Mapped[bool] = mapped_column(Boolean, default=True)
    desktop: Mapped[bool] = mapped_column(Boolean, default=False)
    # which events notify: a conversation offered to me, a customer writing in one of
    # mine, an @mention in an internal note
    on_offered: Mapped[bool] = mapped_column(Boolean, default=True)
    on_customer_message: Mapped[bool] = mapped_column(Boolean, default=True)
    on_mention: Mapped[bool] = mapped_column(Boolean, default=True)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class AgentSession(Base):
    """A signed-in browser. The cookie carries a random token; only its hash is stored."""

    __tablename__ = "agent_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    agent_id: Mapped[int] = mapped_column(ForeignKey("agents.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(default=None)


class RecoveryCode(Base):
    """A one-time two-factor recovery code (sha256 of a random code; shown once)."""

    __tablename__ = "agent_recovery_codes"

    id: Mapped[int] = mapped_column(primary_key=True)
    agent_id: Mapped[int] = mapped_column(ForeignKey("agents.id", ondelete="CASCADE"), index=True)
    code_hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    used_at: Mapped[datetime | None] = mapped_column(default=None)


class LoginThrottle(Base):
    """Failed sign-ins (walletdesk.accounts.login_throttle): one row per e-mail typed at the
    sign-in page and source address (the pair's count and lock, and whether the account
    signed in from there lately), and one per e-mail for all addresses (``source_key``
    ``"*"``: the count that slows new places down). Keyed hashes only: never the e-mail or
    the address, and an e-mail no agent has is counted exactly as one an agent has."""

    __tablename__ = "login_throttles"
    __table_args__ = (UniqueConstraint("account_key", "source_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    account_key: Mapped[str] = mapped_column(String(64))
    source_key: Mapped[str] = mapped_column(String(64))
    failures: Mapped[int] = mapped_column(Integer, default=0)
    last_failure_at: Mapped[datetime | None] = mapped_column(default=None)
    # a pair's lock (too many failures from that address)
    locked_until: Mapped[datetime | None] = mapped_column(default=None)
    # the account's row: the earliest next attempt from a place not trusted
    next_attempt_at: Mapped[datetime | None] = mapped_column(default=None)
    # a pair's last full sign-in: the place is trusted for the account for a while
    last_success_at: Mapped[datetime | None] = mapped_column(default=None)
