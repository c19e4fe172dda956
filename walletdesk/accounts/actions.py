"""Staff accounts: create, update, authenticate, presence, API tokens, teams."""

import asyncio
import functools
import hashlib
import re
import secrets
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any
from zoneinfo import available_timezones

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from walletdesk.accounts.device_trust import trusted_device
from walletdesk.accounts.login_throttle import (
    UNKNOWN_SOURCE,
    attempt_failed,
    begin_attempt,
    give_attempt_back,
    login_succeeded,
)
from walletdesk.accounts.models import Agent, ApiToken, Presence, Role, Team, default_weekly_hours
from walletdesk.accounts.password_policy import check_new_password
from walletdesk.accounts.passwords import hash_password_off_loop, verify_password_off_loop
from walletdesk.accounts.sessions import ACCESS_CHANGED, emit_access_changed, revoke_all_sessions
from walletdesk.audit.actions import record_audit
from walletdesk.config import Settings
from walletdesk.db.base import utcnow
from walletdesk.db.engine import DatabaseBusy
from walletdesk.errors import Conflict, Forbidden, Invalid, NotFound
from walletdesk.i18n import customer_locale, customer_locales, kb_locale
from walletdesk.routing.actions import drain_queues
from walletdesk.routing.hours import InvalidHours, validate_hours
from walletdesk.routing.presence import seen_cutoff
from walletdesk.services import Services, emit

TOKEN_PREFIX = "wdk_"  # noqa: S105 - a prefix, not a secret
BUSY_RETRY_DELAYS_S = (0.2, 0.5, 1.0, 2.0)  # recording a right password under load
_LANGUAGE_TAG = re.compile(r"[A-Za-z]{2,3}(?:[-_][A-Za-z0-9]{2,8})*")  # BCP-47's shape


def served_languages(tags: list[str] | None) -> list[str]:
    """Queue languages (a team's, an agent's) as the conversations carry them: each tag a
    BCP-47 tag the desk serves customers in, folded onto it (zh-CN -> zh-Hans, EN -> en,
    es-MX -> es), duplicates dropped. A conversation's language is always one of these
    (i18n.customer_language): "tlh" or "fr" would never match one, silently."""
    served: list[str] = []
    for tag in tags or []:
        try:  # the shape first: Babel reads "zh-Hans,en" as Chinese
            language = customer_locale(kb_locale(str(tag)), "") \
                if _LANGUAGE_TAG.fullmatch(str(tag).strip()) else ""
        except ValueError:
            language = ""
        if not language:
            raise Invalid("unknown language {tag}: use the tags of the languages the desk "
                          "serves, {languages}", tag=repr(str(tag)[:20]),
                          languages=", ".join(customer_locales()))
        if language not in served:
            served.append(language)
    return served


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
    if not display_name.strip():
        raise Invalid("a display name is required")
    check_new_password(password, email=email, display_name=display_name)
    if capacity < 0 or capacity > 100:
        raise Invalid("capacity must be between 0 and 100")
    if await session.scalar(select(Agent.id).where(Agent.email == email)):
        raise Conflict("an agent with this e-mail already exists")
    agent = Agent(
        email=email,
        display_name=display_name.strip(),
        password_hash=await hash_password_off_loop(password),
        role=Role(role),
        languages=served_languages(languages),
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
    new_hash = None
    if changes.get("password"):  # hashed before the transaction: no connection held meanwhile
        async with services.read() as session:
            target = await session.get(Agent, agent_id)
        if target is None:
            raise NotFound("agent not found")
        check_new_password(changes["password"], email=target.email,
                           display_name=changes.get("display_name") or target.display_name)
        new_hash = await hash_password_off_loop(changes["password"])
    async with services.transaction() as session:
        agent = await session.get(Agent, agent_id)
        if agent is None:
            raise NotFound("agent not found")
        before = (agent.role, set(agent.team_ids))
        if "role" in changes and changes["role"] is not None:
            agent.role = Role(changes["role"])
        if changes.get("display_name"):
            agent.display_name = changes["display_name"].strip()
        if changes.get("languages") is not None:
            agent.languages = served_languages(list(changes["languages"]))
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
                await revoke_all_sessions(session, agent.id, "account deactivated")
        if new_hash is not None:
            agent.password_hash = new_hash
            agent.session_version += 1
            await revoke_all_sessions(session, agent.id, "password changed")
        if agent.is_active and before != (agent.role, set(agent.team_ids)):
            # what the agent may see changed: their sockets reconnect with the new access
            emit_access_changed(session, agent.id, code=ACCESS_CHANGED,
                                reason="role or teams changed")
        record_audit(session, actor_agent_id=actor.id, action="agent.update", target_type="agent",
                     target_id=agent.id,
                     detail={k: v for k, v in changes.items() if k != "password" and v is not None})
        await session.flush()
        await drain_queues(session, services.settings, agent.team_ids)
    return agent


@dataclass
class LoginResult:
    agent: Agent | None
    # "invalid", "locked" (this e-mail from this address), "slow" (the account is being
    # guessed at from many places: this one waits), "code" (a wrong second factor)
    error: str | None = None
    # "code": enter a code from the authenticator; "enrol": set one up first (required)
    second_factor: str | None = None


async def authenticate(services: Services, email: str, password: str,
                       source: str = UNKNOWN_SOURCE,
                       device_cookie: str | None = None) -> LoginResult:
    """Check a password from ``source`` (the client's address) under the sign-in limits of
    walletdesk.accounts.login_throttle; with ``device_cookie`` valid for the e-mail's agent
    (walletdesk.accounts.device_trust) under the device's limit instead of the account's
    slow-down. An e-mail no active agent has takes the same steps, counts and answers as a
    wrong password (a dummy hash is checked: the same time too). Argon2 runs in a bounded
    worker thread with no connection held, so a burst of logins (a shift start) neither
    stalls the server nor empties the pool."""
    async with services.read() as session:
        agent = await session.scalar(select(Agent).where(Agent.email == email.strip().lower()))
    if agent is not None and not agent.is_active:
        agent = None
    attempt = await begin_attempt(services, email, source,
                                  trusted_device(services.settings, device_cookie, agent))
    if attempt.refused:  # refused unchecked: no hash to spend time on, known or not
        return LoginResult(None, attempt.refused)
    right = await verify_password_off_loop(agent.password_hash if agent else None, password)
    if agent is None or not right:
        await attempt_failed(services, attempt, agent.id if agent else None, "password")
        return LoginResult(None, "invalid")
    known = agent  # for the closures below
    if known.totp_enabled_at is not None:
        await _after_right_password(lambda: give_attempt_back(services, attempt))
        return LoginResult(known, second_factor="code")
    if two_factor_required(known, services.settings):
        await _after_right_password(lambda: give_attempt_back(services, attempt))
        return LoginResult(known, second_factor="enrol")
    await _after_right_password(lambda: login_succeeded(services, attempt, known.id))
    return LoginResult(known)


async def _after_right_password(write: Callable[[], Awaitable[None]]) -> None:
    """A right password was expensive to check and its attempt is counted: under load, wait
    a little for a connection to record it rather than answer "busy" (each busy answer and
    retry would count one more attempt, and five of them lock the account here)."""
    for delay in (*BUSY_RETRY_DELAYS_S, None):
        try:
            await write()
            return
        except DatabaseBusy:
            if delay is None:
                raise
            await asyncio.sleep(delay)


def two_factor_required(agent: Agent, settings: Settings) -> bool:
    """Roles listed in WALLETDESK_TWO_FACTOR_ROLES (admin by default) and members of a team
    that requires it must sign in with a second factor."""
    return agent.role in settings.two_factor_roles or any(
        team.requires_two_factor for team in agent.teams)


async def logout_everywhere(services: Services, agent_id: int) -> None:
    async with services.transaction() as session:
        agent = await session.get(Agent, agent_id)
        if agent is None:
            raise NotFound("agent not found")
        agent.session_version += 1
        agent.presence = Presence.offline
        await revoke_all_sessions(session, agent.id, "signed out everywhere")
        record_audit(session, actor_agent_id=agent.id, action="agent.logout_everywhere",
                     target_type="agent", target_id=agent.id)


async def set_presence(services: Services, agent_id: int, presence: Presence) -> Agent:
    """Online agents are offered conversations while connected; going online drains their
    queues. The call is itself a sign the agent is there (``last_seen_at``): an API-only
    client stays connected by repeating it within WALLETDESK_PRESENCE_GRACE_S (decision
    0059; the workspace's socket keeps its agent seen by itself). The same presence again
    changes nothing else, unless the agent comes back from not being seen."""
    async with services.transaction() as session:
        agent = await session.get(Agent, agent_id)
        if agent is None:
            raise NotFound("agent not found")
        now = utcnow()
        cutoff = seen_cutoff(services.settings, now)
        came_back = agent.connection_lost_at is not None or (cutoff is not None and (
            agent.last_seen_at is None or agent.last_seen_at < cutoff))
        changed = agent.presence != Presence(presence) or agent.connection_lost_at is not None
        agent.last_seen_at, agent.connection_lost_at = now, None
        if changed:
            agent.presence = Presence(presence)
            agent.presence_changed_at = now
            emit(session, {"type": "presence", "agent_id": agent.id, "presence": agent.presence})
        await session.flush()
        if changed or came_back:
            await drain_queues(session, services.settings, agent.team_ids)
    return agent


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


# "metrics": reads /metrics only (a Prometheus scraper), made by admins
TOKEN_SCOPES = ("read", "write", "metrics")


async def create_api_token(services: Services, agent: Agent, name: str,
                           scope: str = "write") -> tuple[ApiToken, str]:
    """Returns the row and the token itself, which is shown once and stored only as a hash."""
    if not name.strip():
        raise Invalid("a token name is required")
    if scope not in TOKEN_SCOPES:
        raise Invalid("a token's scope is read (GET only), write or metrics")
    if scope == "metrics" and agent.role != Role.admin:
        raise Forbidden("only admins may create metrics tokens")
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
    """The active agent a token stands for, and the token's scope. A read (no write lock,
    SQLite included); last_used_at is written at most once a minute."""
    async with services.read() as session:
        row = await session.scalar(
            select(ApiToken).where(ApiToken.token_hash == _token_hash(token),
                                   ApiToken.revoked_at.is_(None))
        )
        if row is None or not row.agent.is_active:
            return None
        agent, scope, last_used_at = row.agent, row.scope, row.last_used_at
    now = utcnow()
    if last_used_at is None or now - last_used_at > timedelta(minutes=1):
        async with services.transaction() as session:
            await session.execute(update(ApiToken).where(ApiToken.id == row.id)
                                  .values(last_used_at=now),
                                  execution_options={"synchronize_session": False})
    return agent, scope


async def revoke_api_token(services: Services, agent: Agent, token_id: int) -> None:
    async with services.transaction() as session:
        row = await session.get(ApiToken, token_id)
        if row is None or (row.agent_id != agent.id and agent.role != Role.admin):
            raise NotFound("token not found")
        row.revoked_at = utcnow()
        record_audit(session, actor_agent_id=agent.id, action="api_token.revoke",
                     target_type="api_token", target_id=row.id)


@functools.cache
def _time_zones() -> frozenset[str]:
    return frozenset(available_timezones())


def _check_team_fields(fields: dict[str, Any]) -> None:
    timezone = fields.get("timezone", "UTC")
    # only the IANA names: "" or a folder of the database ("America") would pass the file
    # lookup's checks, be stored, and break every page and routing decision using the team
    if not isinstance(timezone, str) or timezone not in _time_zones():
        raise Invalid("unknown time zone {timezone}; use an IANA name such as Asia/Shanghai, "
                      "Europe/Madrid or UTC", timezone=repr(str(timezone)[:64]))
    try:
        validate_hours(fields.get("weekly_hours") or {}, fields.get("holidays") or [], timezone)
    except InvalidHours as exc:
        # Translators: a reason worded (and translated) elsewhere: keep it as it is
        raise Invalid("{reason}", reason=exc.phrase) from exc


async def _check_team_name(session: AsyncSession, name: str, team_id: int | None = None) -> str:
    name = name.strip()
    if not name:
        raise Invalid("a team name is required")
    same = select(Team.id).where(Team.name == name)
    if team_id is not None:
        same = same.where(Team.id != team_id)
    if await session.scalar(same):
        raise Conflict("a team with this name already exists")
    return name


async def create_team(session: AsyncSession, actor: Agent | None, *, name: str,
                      languages: list[str] | None = None, is_outsourced: bool = False,
                      timezone: str = "UTC", weekly_hours: dict[str, Any] | None = None,
                      holidays: list[str] | None = None, is_default: bool = False,
                      requires_two_factor: bool = False) -> Team:
    weekly_hours = weekly_hours if weekly_hours is not None else default_weekly_hours()
    _check_team_fields({"weekly_hours": weekly_hours, "holidays": holidays, "timezone": timezone})
    name = await _check_team_name(session, name)
    languages = served_languages(languages)
    if is_default:
        for team in (await session.scalars(select(Team).where(Team.is_default))).all():
            team.is_default = False
    team = Team(name=name, languages=languages, is_outsourced=is_outsourced,
                timezone=timezone, weekly_hours=weekly_hours, holidays=holidays or [],
                is_default=is_default, requires_two_factor=requires_two_factor)
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
        if team.requires_two_factor and changes.get("requires_two_factor") is False \
                and actor.role != Role.admin:
            raise Forbidden("only admins may stop requiring two-factor login")
        merged = {"weekly_hours": team.weekly_hours, "holidays": team.holidays,
                  "timezone": team.timezone}
        merged.update({k: v for k, v in changes.items() if v is not None})
        _check_team_fields(merged)
        if changes.get("name") is not None:
            changes = {**changes, "name": await _check_team_name(session, changes["name"],
                                                                team_id)}
        if changes.get("languages") is not None:
            changes = {**changes, "languages": served_languages(list(changes["languages"]))}
        for field in ("name", "languages", "is_outsourced", "timezone", "weekly_hours",
                      "holidays", "requires_two_factor"):
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
        raise Forbidden("only admins may change {fields}", fields=", ".join(sorted(admin_only)))
