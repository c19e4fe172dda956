"""Two-factor login: enrolment, the second step of a login, recovery codes, reset by an admin.

A code counts against the same failure counts as passwords (walletdesk.accounts.
login_throttle: per e-mail and address, and the account's), so a stolen password does not buy
unlimited code guesses, nor lets the thief lock the owner out. A TOTP code is accepted once
(totp_last_step only moves forward); a recovery code is spent in one conditional UPDATE.
"""

from dataclasses import dataclass

from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from walletdesk.accounts import totp
from walletdesk.accounts.actions import LoginResult, two_factor_required
from walletdesk.accounts.device_trust import trusted_device
from walletdesk.accounts.login_throttle import (
    UNKNOWN_SOURCE,
    Attempt,
    attempt_failed,
    attempt_keys,
    begin_attempt,
    login_succeeded,
)
from walletdesk.accounts.models import Agent, RecoveryCode, Role
from walletdesk.accounts.queries import load_agent
from walletdesk.accounts.sessions import revoke_all_sessions
from walletdesk.audit.actions import record_audit
from walletdesk.db.base import utcnow
from walletdesk.errors import Conflict, Forbidden, Invalid, NotFound
from walletdesk.services import Services


@dataclass
class Enrolment:
    secret: str
    uri: str


async def _active_agent(session: AsyncSession, agent_id: int) -> Agent:
    agent = await load_agent(session, agent_id)
    if agent is None or not agent.is_active:
        raise NotFound("agent not found")
    return agent


async def begin_enrolment(services: Services, agent_id: int) -> Enrolment:
    """A fresh secret, stored but not yet in force; shown to the agent this once."""
    async with services.transaction() as session:
        agent = await _active_agent(session, agent_id)
        if agent.totp_enabled_at is not None:
            raise Conflict("two-factor login is already on")
        agent.totp_secret = totp.new_secret()
        return Enrolment(agent.totp_secret, totp.provisioning_uri(
            agent.totp_secret, agent.email, services.settings.brand_name))


async def confirm_enrolment(services: Services, agent_id: int, code: str) -> list[str]:
    """The first good code turns two-factor login on; returns the recovery codes (shown once)."""
    async with services.transaction() as session:
        agent = await _active_agent(session, agent_id)
        if agent.totp_enabled_at is not None:
            raise Conflict("two-factor login is already on")
        if not agent.totp_secret:
            raise Invalid("start the set-up first")
        step = totp.matching_step(agent.totp_secret, code)
        if step is None:
            raise Invalid("that code is not right; check the phone's clock and try the next one")
        agent.totp_enabled_at = utcnow()
        agent.totp_last_step = step
        codes = await _replace_recovery_codes(session, agent.id)
        record_audit(session, actor_agent_id=agent.id, action="agent.two_factor_on",
                     target_type="agent", target_id=agent.id)
    return codes


async def confirm_enrolment_at_sign_in(services: Services, agent_id: int, code: str,
                                       source: str = UNKNOWN_SOURCE) -> list[str]:
    """Two-factor set up as the last step of a sign-in from ``source``: turned on, and the
    sign-in recorded as any other (the place trusted, its failures forgotten, audited)."""
    codes = await confirm_enrolment(services, agent_id, code)
    async with services.read() as session:
        agent = await load_agent(session, agent_id)
    if agent is not None:
        account_key, source_key = attempt_keys(agent.email, source)
        await login_succeeded(services, Attempt(account_key, source_key), agent_id,
                              {"second_factor": "enrolled"})
    return codes


async def _replace_recovery_codes(session: AsyncSession, agent_id: int) -> list[str]:
    await session.execute(delete(RecoveryCode).where(RecoveryCode.agent_id == agent_id))
    codes = totp.new_recovery_codes()
    session.add_all([RecoveryCode(agent_id=agent_id, code_hash=totp.recovery_code_hash(code))
                     for code in codes])
    return codes


async def new_recovery_codes(services: Services, agent_id: int) -> list[str]:
    """Replace the recovery codes (the old ones stop working)."""
    async with services.transaction() as session:
        agent = await _active_agent(session, agent_id)
        if agent.totp_enabled_at is None:
            raise Invalid("two-factor login is off")
        codes = await _replace_recovery_codes(session, agent.id)
        record_audit(session, actor_agent_id=agent.id, action="agent.recovery_codes_new",
                     target_type="agent", target_id=agent.id)
    return codes


async def _spend(services: Services, agent: Agent, code: str) -> str | None:
    """Which kind of code was accepted ("totp" / "recovery"), or None."""
    async with services.transaction() as session:
        if totp.looks_like_recovery_code(code):
            result = await session.execute(
                update(RecoveryCode)
                .where(RecoveryCode.agent_id == agent.id,
                       RecoveryCode.code_hash == totp.recovery_code_hash(code),
                       RecoveryCode.used_at.is_(None))
                .values(used_at=utcnow()), execution_options={"synchronize_session": False})
            if result.rowcount == 1:  # type: ignore[attr-defined]
                record_audit(session, actor_agent_id=agent.id, action="agent.recovery_code_used",
                             target_type="agent", target_id=agent.id)
                return "recovery"
            return None
        step = totp.matching_step(agent.totp_secret or "", code)
        if step is None:
            return None
        result = await session.execute(
            update(Agent).where(Agent.id == agent.id, Agent.totp_last_step < step)
            .values(totp_last_step=step), execution_options={"synchronize_session": False})
        return "totp" if result.rowcount == 1 else None  # type: ignore[attr-defined]


async def verify_second_factor(services: Services, agent_id: int, code: str,
                               source: str = UNKNOWN_SOURCE,
                               device_cookie: str | None = None) -> LoginResult:
    """The second step of a login from ``source`` (the client's address): a code from the
    authenticator app or a recovery code, under the same limits as the password (a trusted
    device's too: walletdesk.accounts.device_trust)."""
    async with services.read() as session:
        agent = await load_agent(session, agent_id)
    if agent is None or not agent.is_active or agent.totp_enabled_at is None:
        return LoginResult(None, "invalid")
    attempt = await begin_attempt(services, agent.email, source,
                                  trusted_device(services.settings, device_cookie, agent))
    if attempt.refused:
        return LoginResult(None, attempt.refused)
    kind = await _spend(services, agent, code[:64])
    if kind is None:
        await attempt_failed(services, attempt, agent.id, "second factor")
        return LoginResult(None, "code")
    await login_succeeded(services, attempt, agent.id, {"second_factor": kind})
    return LoginResult(agent)


async def turn_off(services: Services, actor: Agent, agent_id: int) -> None:
    """An admin resets a colleague's second factor (lost phone), or an agent for whom it is
    optional turns it off. Either way every session of theirs ends."""
    async with services.transaction() as session:
        agent = await _active_agent(session, agent_id)
        if actor.id != agent.id and actor.role != Role.admin:
            raise Forbidden("only admins may reset another agent's two-factor login")
        if agent.totp_enabled_at is None:
            raise Invalid("two-factor login is off")
        if actor.id == agent.id and two_factor_required(agent, services.settings):
            raise Forbidden("your role or team requires two-factor login")
        agent.totp_secret = None
        agent.totp_enabled_at = None
        await session.execute(delete(RecoveryCode).where(RecoveryCode.agent_id == agent.id))
        await revoke_all_sessions(session, agent.id, "two-factor login reset")
        record_audit(session, actor_agent_id=actor.id, action="agent.two_factor_off",
                     target_type="agent", target_id=agent.id)


async def pending_enrolment(services: Services, agent_id: int) -> Enrolment | None:
    """The set-up in progress (the secret not yet confirmed), to show the form again."""
    async with services.read() as session:
        agent = await _active_agent(session, agent_id)
    if agent.totp_enabled_at is not None or not agent.totp_secret:
        return None
    return Enrolment(agent.totp_secret, totp.provisioning_uri(
        agent.totp_secret, agent.email, services.settings.brand_name))


@dataclass
class TwoFactorStatus:
    enabled: bool
    required: bool
    recovery_codes_left: int


async def two_factor_status(services: Services, agent_id: int) -> TwoFactorStatus:
    async with services.read() as session:
        agent = await _active_agent(session, agent_id)
        left = len((await session.scalars(select(RecoveryCode.id).where(
            RecoveryCode.agent_id == agent.id, RecoveryCode.used_at.is_(None)))).all())
    return TwoFactorStatus(agent.totp_enabled_at is not None,
                           two_factor_required(agent, services.settings), left)
