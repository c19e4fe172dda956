"""Server-side sessions of signed-in agents, and the "agent access changed" event.

The browser's cookie (signed in walletdesk.web.sessions) carries a random token; the
``agent_sessions`` row, found by the token's hash with one indexed lookup per request, is the
truth: logging out, logging out everywhere, a password change or a deactivation revokes rows,
so a copied cookie stops working at once. Every such change, and a change of role or teams,
also emits ``agent_access`` so that each server process closes the agent's live sockets.
"""

import hashlib
import secrets
from datetime import timedelta

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from walletdesk.accounts.models import Agent, AgentSession
from walletdesk.audit.actions import record_audit
from walletdesk.db.base import utcnow
from walletdesk.services import Services, emit

ACCESS_EVENT = "agent_access"
# WebSocket close codes sent to the agent's sockets (the workspace reacts to them)
SIGNED_OUT = 4401  # the session is gone: sign in again
ACCESS_CHANGED = 4403  # role or teams changed: reconnect to get what the new access allows
# last_seen_at is written at most this often (a write per request would be wasteful)
LAST_SEEN_EVERY = timedelta(minutes=5)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def emit_access_changed(session: AsyncSession, agent_id: int, *, code: int, reason: str,
                        session_id: int | None = None) -> None:
    """After commit, every process closes the agent's sockets (only one session's, if given)."""
    emit(session, {"type": ACCESS_EVENT, "agent_id": agent_id, "session_id": session_id,
                   "code": code, "reason": reason})


async def start_session(services: Services, agent_id: int) -> str:
    """A new session for an agent who has just proven who they are; returns its token."""
    token = secrets.token_urlsafe(32)
    async with services.transaction() as session:
        session.add(AgentSession(agent_id=agent_id, token_hash=token_hash(token)))
    return token


async def session_agent(services: Services, token: str,
                        max_age_s: int) -> tuple[Agent, AgentSession] | None:
    """The active agent of a live (not revoked, not expired) session."""
    now = utcnow()
    async with services.read() as session:
        row = (await session.execute(
            select(Agent, AgentSession)
            .join(AgentSession, AgentSession.agent_id == Agent.id)
            .where(AgentSession.token_hash == token_hash(token),
                   AgentSession.revoked_at.is_(None),
                   AgentSession.created_at > now - timedelta(seconds=max_age_s),
                   Agent.is_active)
        )).first()
    if row is None:
        return None
    agent, agent_session = row[0], row[1]
    if now - agent_session.last_seen_at > LAST_SEEN_EVERY:
        async with services.transaction() as session:
            await session.execute(update(AgentSession).where(AgentSession.id == agent_session.id)
                                  .values(last_seen_at=now))
    return agent, agent_session


async def end_session(services: Services, agent_id: int, session_id: int) -> None:
    """Plain logout: this browser's session only."""
    async with services.transaction() as session:
        await session.execute(update(AgentSession)
                              .where(AgentSession.id == session_id,
                                     AgentSession.agent_id == agent_id,
                                     AgentSession.revoked_at.is_(None))
                              .values(revoked_at=utcnow()))
        record_audit(session, actor_agent_id=agent_id, action="agent.logout",
                     target_type="agent", target_id=agent_id)
        emit_access_changed(session, agent_id, code=SIGNED_OUT, reason="signed out",
                            session_id=session_id)


async def revoke_all_sessions(session: AsyncSession, agent_id: int, reason: str) -> None:
    """Inside the caller's transaction: every session of the agent ends, every socket closes."""
    await session.execute(update(AgentSession)
                          .where(AgentSession.agent_id == agent_id,
                                 AgentSession.revoked_at.is_(None))
                          .values(revoked_at=utcnow()))
    emit_access_changed(session, agent_id, code=SIGNED_OUT, reason=reason)


async def live_session_count(session: AsyncSession, agent_id: int) -> int:
    rows = await session.scalars(select(AgentSession.id).where(
        AgentSession.agent_id == agent_id, AgentSession.revoked_at.is_(None)))
    return len(rows.all())
