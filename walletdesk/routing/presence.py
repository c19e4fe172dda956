"""Who may be offered work now: an online agent who is connected (decision 0059).

An agent's presence says what they chose (online, away, offline); whether they are still
there is their ``last_seen_at``: stamped when their workspace socket connects and every third
of ``WALLETDESK_PRESENCE_GRACE_S`` while it stays open (the WebSocket keepalive closes a
socket whose browser went away within ~40 s), and by every presence call (the heartbeat of an
API-only client: PUT /me/presence). Routing, the queue's waits, overflow and the supervisors'
counts read the same rule from here: online, active and seen within the grace. A grace of 0
turns the rule off (presence alone decides, as before).
"""

from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, and_

from walletdesk.accounts.models import Agent, Presence
from walletdesk.config import Settings

HEARTBEAT_MIN_S = 5.0
# an online agent gone this long past the grace gives back the conversations they never
# answered (walletdesk.routing.actions.notice_lost_connections)
RETURN_WORK_AFTER = timedelta(minutes=5)


def heartbeat_s(settings: Settings) -> float:
    """How often an open workspace socket marks its agent seen (and its page pings)."""
    grace = settings.presence_grace_s
    return max(HEARTBEAT_MIN_S, grace / 3) if grace else 30.0


def seen_cutoff(settings: Settings, now: datetime) -> datetime | None:
    """Seen before this: not connected (None: the rule is off)."""
    grace = settings.presence_grace_s
    return now - timedelta(seconds=grace) if grace else None


def available(settings: Settings, now: datetime) -> ColumnElement[bool]:
    """The agents routing may offer a conversation to: online, active, connected."""
    cutoff = seen_cutoff(settings, now)
    clause = and_(Agent.presence == Presence.online, Agent.is_active)
    return clause if cutoff is None else and_(clause, Agent.last_seen_at >= cutoff)


def is_connected(agent: Agent, settings: Settings, now: datetime) -> bool:
    cutoff = seen_cutoff(settings, now)
    return cutoff is None or (agent.last_seen_at is not None and agent.last_seen_at >= cutoff)


def is_available(agent: Agent, settings: Settings, now: datetime) -> bool:
    return agent.presence == Presence.online and agent.is_active \
        and is_connected(agent, settings, now)
