"""Staff accounts: create, update, authenticate, presence, API tokens, teams."""

import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from walletdesk.accounts.models import Agent, ApiToken, Presence, Role, Team, default_weekly_hours
from walletdesk.accounts.passwords import MIN_PASSWORD_LENGTH, hash_password, verify_password
from walletdesk.audit.actions import record_audit
from walletdesk.db.base import utcnow
from walletdesk.errors import Conflict, Forbidden, Invalid, NotFound
from walletdesk.routing.actions import drain_queues
from walletdesk.routing.hours import InvalidHours, validate_hours
from walletdesk.services import Services, emit

TOKEN_PREFIX = "wdk_"  # noqa: S105 - a prefix, not a secret


def _check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise Invalid(f"password must be at least {MIN_PASSWORD_LENGTH} characters")


def _normal_email(email: str) -> str:
    email = email.strip().lower()
    if "@" not in email or len(email) > 254 or email.startswith("@") or email.endswith("@"):
        raise Invalid("a valid e-mail address is required")
    return email


async def _teams_by_id(session: AsyncSession, team_ids: list[int]) -> list[Team]:
    if not team_ids:
        return []
    teams = list((await session.scalars(select(Team).where(Team.id.in_(team_ids)))).all())
    if len(teams) != len(set(team_ids)):
        raise NotFound("unknown team id")
    return teams


async def create_agent(
    session: AsyncSession,
    *,
    email: str,
    display_name: str,
    password: str,
    role: Role = Role.agent,
    languages: list[str] | None = None,
    capacity: int = 5,
    team_ids: list[int] | None = None,
    actor: Agent | None = None,
) -> Agent:
    email = _normal_email(email)
    _check_password(password)
    if not display_name.strip():
        raise Invalid("a display name is required")
    if capacity < 0 or capacity > 100:
        raise Invalid("capacity must be between 0 and 100")
    if await session.scalar(select(Agent.id).where(Agent.email == email)):
        raise Conflict("an agent with this e-mail already exists")
    agent = Agent(
        email=email,
        display_name=display_name.strip(),
        password_hash=hash_password(password),
        role=Role(role),
        languages=languages or [],
        capacity=capacity,
        teams=await _teams_by_id(session, team_ids or []),
    )
    session.add(agent)
    await session.flush()
    record_audit(session, actor_agent_id=actor.id if actor else None, action="agent.create",
                 target_type="agent", target_id=agent.id, detail={"role": agent.role})
    return agent


async def update_agent(
    services: Services, actor: Agent, agent_id: int, changes: dict[str, Any]
) -> Agent:
    """Change an agent's role, teams, languages, capacity, name, active flag or password."""
    async with services.transaction() as session:
        agent = await session.get(Agent, agent_id)
        if agent is None:
            raise NotFound("agent not found")
        if "role" in changes and changes["role"] is not None:
            agent.role = Role(changes["role"])
        if changes.get("display_name"):
            agent.display_name = changes["display_name"].strip()
        if changes.get("languages") is not None:
            agent.languages = list(changes["languages"])
        if changes.get("capacity") is not None:
            if not 0 <= changes["capacity"] <= 100:
                raise Invalid("capacity must be between 0 and 100")
            agent.capacity = changes["capacity"]
        if changes.get("team_ids") is not None:
            agent.teams = await _teams_by_id(session, list(changes["team_ids"]))
        if changes.get("is_active") is not None:
            agent.is_active = bool(changes["is_active"])
            if not agent.is_active:
                agent.presence = Presence.offline
                agent.session_version += 1
        if changes.get("password"):
            _check_password(changes["password"])
            agent.password_hash = hash_password(changes["password"])
            agent.session_version += 1
        record_audit(session, actor_agent_id=actor.id, action="agent.update", target_type="agent",
                     target_id=agent.id,
                     detail={k: v for k, v in changes.items() if k != "password" and v is not None})
        await session.flush()
        await drain_queues(session, services.settings, agent.team_ids)
    return agent


@dataclass
class LoginResult:
    agent: Agent | None
    error: str | None = None


async def authenticate(services: Services, email: str, password: str) -> LoginResult:
    """Check a login; counts failures and locks the account after too many."""
    settings = services.settings
    async with services.transaction() as session:
        agent = await session.scalar(select(Agent).where(Agent.email == email.strip().lower()))
        now = utcnow()
        if agent is not None and agent.locked_until and agent.locked_until > now:
            verify_password(None, password)  # same cost as a real check
            return LoginResult(None, "locked")
        if agent is None or not agent.is_active:
            verify_password(None, password)
            return LoginResult(None, "invalid")
        if not verify_password(agent.password_hash, password):
            agent.failed_logins += 1
            if agent.failed_logins >= settings.login_max_failures:
                agent.locked_until = now + timedelta(seconds=settings.login_lockout_s)
                agent.failed_logins = 0
                record_audit(session, actor_agent_id=None, action="agent.locked",
                             target_type="agent", target_id=agent.id)
            return LoginResult(None, "invalid")
        agent.failed_logins = 0
        agent.locked_until = None
        record_audit(session, actor_agent_id=agent.id, action="agent.login",
                     target_type="agent", target_id=agent.id)
    return LoginResult(agent)


async def logout_everywhere(services: Services, agent_id: int) -> None:
    async with services.transaction() as session:
        agent = await session.get(Agent, agent_id)
        if agent is None:
            raise NotFound("agent not found")
        agent.session_version += 1
        agent.presence = Presence.offline
        record_audit(session, actor_agent_id=agent.id, action="agent.logout_everywhere",
                     target_type="agent", target_id=agent.id)


async def set_presence(services: Services, agent_id: int, presence: Presence) -> Agent:
    """Online agents are offered conversations; going online drains their queues."""
    async with services.transaction() as session:
        agent = await session.get(Agent, agent_id)
        if agent is None:
            raise NotFound("agent not found")
        agent.presence = Presence(presence)
        agent.presence_changed_at = utcnow()
        emit(session, {"type": "presence", "agent_id": agent.id, "presence": agent.presence})
        await session.flush()
        await drain_queues(session, services.settings, agent.team_ids)
    return agent


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


TOKEN_SCOPES = ("read", "write")


async def create_api_token(services: Services, agent: Agent, name: str,
                           scope: str = "write") -> tuple[ApiToken, str]:
    """Returns the row and the token itself, which is shown once and stored only as a hash."""
    if not name.strip():
        raise Invalid("a token name is required")
    if scope not in TOKEN_SCOPES:
        raise Invalid("a token's scope is read (GET only) or write")
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    async with services.transaction() as session:
        row = ApiToken(agent_id=agent.id, name=name.strip()[:80], token_hash=_token_hash(token),
                       scope=scope)
        session.add(row)
        await session.flush()
        record_audit(session, actor_agent_id=agent.id, action="api_token.create",
                     target_type="api_token", target_id=row.id, detail={"scope": scope})
    return row, token


async def agent_for_token(services: Services, token: str) -> tuple[Agent, str] | None:
    """The active agent a token stands for, and the token's scope."""
    async with services.transaction() as session:
        row = await session.scalar(
            select(ApiToken).where(ApiToken.token_hash == _token_hash(token),
                                   ApiToken.revoked_at.is_(None))
        )
        if row is None or not row.agent.is_active:
            return None
        now = utcnow()
        if row.last_used_at is None or now - row.last_used_at > timedelta(minutes=1):
            row.last_used_at = now
        return row.agent, row.scope


async def revoke_api_token(services: Services, agent: Agent, token_id: int) -> None:
    async with services.transaction() as session:
        row = await session.get(ApiToken, token_id)
        if row is None or (row.agent_id != agent.id and agent.role != Role.admin):
            raise NotFound("token not found")
        row.revoked_at = utcnow()
        record_audit(session, actor_agent_id=agent.id, action="api_token.revoke",
                     target_type="api_token", target_id=row.id)


def _check_team_fields(fields: dict[str, Any]) -> None:
    try:
        validate_hours(fields.get("weekly_hours") or {}, fields.get("holidays") or [],
                       fields.get("timezone") or "UTC")
    except InvalidHours as exc:
        raise Invalid(str(exc)) from exc


async def create_team(session: AsyncSession, actor: Agent | None, *, name: str,
                      languages: list[str] | None = None, is_outsourced: bool = False,
                      timezone: str = "UTC", weekly_hours: dict[str, Any] | None = None,
                      holidays: list[str] | None = None, is_default: bool = False) -> Team:
    name = name.strip()
    if not name:
        raise Invalid("a team name is required")
    weekly_hours = weekly_hours if weekly_hours is not None else default_weekly_hours()
    _check_team_fields({"weekly_hours": weekly_hours, "holidays": holidays, "timezone": timezone})
    if await session.scalar(select(Team.id).where(Team.name == name)):
        raise Conflict("a team with this name already exists")
    if is_default:
        for team in (await session.scalars(select(Team).where(Team.is_default))).all():
            team.is_default = False
    team = Team(name=name, languages=languages or [], is_outsourced=is_outsourced,
                timezone=timezone, weekly_hours=weekly_hours, holidays=holidays or [],
                is_default=is_default)
    session.add(team)
    await session.flush()
    record_audit(session, actor_agent_id=actor.id if actor else None, action="team.create",
                 target_type="team", target_id=team.id)
    return team


async def update_team(services: Services, actor: Agent, team_id: int,
                      changes: dict[str, Any]) -> Team:
    async with services.transaction() as session:
        team = await session.get(Team, team_id)
        if team is None:
            raise NotFound("team not found")
        merged = {"weekly_hours": team.weekly_hours, "holidays": team.holidays,
                  "timezone": team.timezone}
        merged.update({k: v for k, v in changes.items() if v is not None})
        _check_team_fields(merged)
        for field in ("name", "languages", "is_outsourced", "timezone", "weekly_hours",
                      "holidays"):
            if changes.get(field) is not None:
                setattr(team, field, changes[field])
        if changes.get("is_default"):
            for other in (await session.scalars(select(Team).where(Team.is_default))).all():
                other.is_default = False
            team.is_default = True
        record_audit(session, actor_agent_id=actor.id, action="team.update", target_type="team",
                     target_id=team.id, detail={k: v for k, v in changes.items() if v is not None})
        await session.flush()
        await drain_queues(session, services.settings, [team.id])
    return team


async def delete_team(services: Services, actor: Agent, team_id: int) -> None:
    async with services.transaction() as session:
        team = await session.get(Team, team_id)
        if team is None:
            raise NotFound("team not found")
        await session.delete(team)
        record_audit(session, actor_agent_id=actor.id, action="team.delete", target_type="team",
                     target_id=team_id)



def check_agent_change_allowed(actor: Agent, changes: dict[str, Any]) -> None:
    """Supervisors tune agents (teams, languages, capacity); only admins change who can log in."""
    admin_only = {"role", "password", "is_active"} & {k for k, v in changes.items() if v is not None}
    if actor.role != Role.admin and admin_only:
        raise Forbidden(f"only admins may change {', '.join(sorted(admin_only))}")
