"""SLA clocks: when a conversation needs a person, its policy sets the first-response and
resolution due times, counted in the team's working hours.

Every deadline is a job (``sla.check``) at the warning point and at the due time. A check
does its work only if the deadline it was made for still stands: a reply, a resolve or a
pause moves or ends the clock, and the old jobs find nothing to do. While the desk waits on
the customer the resolution clock is paused; when the customer writes, the due time moves
by the working time that passed.

A warning and a breach each put an internal note on the conversation (the assignee, the
team and supervisors see it live) and raise an ``sla`` event; a breach also escalates as
the policy says: priority up by one, and/or to another team.
"""

from datetime import datetime
from typing import Literal

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from walletdesk import i18n
from walletdesk.accounts.models import Agent, Team, default_weekly_hours
from walletdesk.audit.actions import record_audit
from walletdesk.cases.models import SlaPolicy
from walletdesk.config import Settings
from walletdesk.conversations.messages import (
    append_message,
    emit_conversation_changed,
    lock_conversation,
)
from walletdesk.conversations.models import Conversation, SenderKind, Status
from walletdesk.db.base import utcnow
from walletdesk.errors import Conflict, Invalid, NotFound
from walletdesk.jobs.actions import schedule_job
from walletdesk.jobs.runner import JobContext, job_handler
from walletdesk.routing.hours import add_business_seconds, business_seconds_between
from walletdesk.services import Services, emit

CHECK_JOB = "sla.check"
MAX_PRIORITY = 3
Clock = Literal["first_response", "resolution"]


async def policy_for(session: AsyncSession, conversation: Conversation) -> SlaPolicy | None:
    """The most specific active policy for the conversation's priority, channel, category."""
    policies = (await session.scalars(select(SlaPolicy).where(SlaPolicy.active.is_(True))
                                      .order_by(SlaPolicy.id))).all()

    def matches(policy: SlaPolicy) -> bool:
        return ((policy.priority is None or policy.priority == conversation.priority)
                and (policy.channel is None or policy.channel == conversation.channel)
                and (policy.category is None or policy.category == conversation.category))

    def specificity(policy: SlaPolicy) -> int:
        return sum(value is not None for value in (policy.category, policy.channel, policy.priority))

    candidates = [policy for policy in policies if matches(policy)]
    return max(candidates, key=specificity) if candidates else None


def _hours(team: Team | None) -> tuple[dict, list[str], str]:  # type: ignore[type-arg]
    if team is None:  # no team: the clock runs around the clock
        return default_weekly_hours(), [], "UTC"
    return team.weekly_hours, team.holidays, team.timezone


async def _team(session: AsyncSession, conversation: Conversation) -> Team | None:
    return await session.get(Team, conversation.team_id) if conversation.team_id else None


async def _schedule_checks(session: AsyncSession, conversation: Conversation, clock: Clock,
                           start: datetime, due: datetime, warn_at_ratio: float) -> None:
    warn_at = start + (due - start) * warn_at_ratio
    for stage, when in (("warning", warn_at), ("breach", due)):
        await schedule_job(
            session, CHECK_JOB,
            {"conversation_id": conversation.id, "clock": clock, "stage": stage,
             "due": due.isoformat()},
            due_at=when, dedupe_key=f"sla:{conversation.id}:{clock}:{stage}:{due.isoformat()}")


async def start_sla(session: AsyncSession, conversation: Conversation) -> None:
    """Called when a conversation starts needing a person (routing); once per conversation."""
    if conversation.sla_policy_id is not None:
        return
    policy = await policy_for(session, conversation)
    if policy is None:
        return
    now = utcnow()
    hours = _hours(await _team(session, conversation))
    conversation.sla_policy_id = policy.id
    conversation.resolution_due_at = add_business_seconds(*hours, now, policy.resolution_s)
    await _schedule_checks(session, conversation, "resolution", now,
                           conversation.resolution_due_at, policy.warn_at_ratio)
    if conversation.first_response_at is None:
        conversation.first_response_due_at = add_business_seconds(*hours, now,
                                                                   policy.first_response_s)
        await _schedule_checks(session, conversation, "first_response", now,
                               conversation.first_response_due_at, policy.warn_at_ratio)


def pause_sla(conversation: Conversation) -> None:
    """We answered and wait on the customer: the resolution clock stops."""
    if conversation.resolution_due_at is not None and conversation.sla_paused_at is None:
        conversation.sla_paused_at = utcnow()


async def resume_sla(session: AsyncSession, conversation: Conversation) -> None:
    """The customer wrote: the resolution due time moves by the working time paused."""
    if conversation.sla_paused_at is None or conversation.resolution_due_at is None:
        return
    now = utcnow()
    hours = _hours(await _team(session, conversation))
    paused = business_seconds_between(*hours, conversation.sla_paused_at, now)
    conversation.sla_paused_at = None
    if paused <= 0:
        return
    policy = await session.get(SlaPolicy, conversation.sla_policy_id) \
        if conversation.sla_policy_id else None
    conversation.resolution_due_at = add_business_seconds(*hours, conversation.resolution_due_at,
                                                          paused)
    if not conversation.resolution_breached:
        await _schedule_checks(session, conversation, "resolution", now,
                               conversation.resolution_due_at,
                               policy.warn_at_ratio if policy else 0.8)


def _still_due(conversation: Conversation, clock: Clock, due: datetime) -> bool:
    if conversation.status in (Status.resolved, Status.closed, Status.bot):
        return False
    if clock == "first_response":
        return conversation.first_response_at is None and conversation.first_response_due_at == due
    return conversation.sla_paused_at is None and conversation.resolution_due_at == due


@job_handler(CHECK_JOB)
async def check_sla(ctx: JobContext) -> None:
    payload = ctx.job.payload
    clock: Clock = payload["clock"]
    due = datetime.fromisoformat(payload["due"])
    conversation = await lock_conversation(ctx.session, int(payload["conversation_id"]))
    if conversation is None or not _still_due(conversation, clock, due):
        return
    if payload["stage"] == "warning":
        minutes = max(0, int((due - utcnow()).total_seconds() // 60))
        text, note_meta = i18n.note(f"sla_warning_{clock}", minutes=minutes)
    else:
        setattr(conversation, f"{clock}_breached", True)
        escalation = await _escalate(ctx.session, ctx.services.settings, conversation)
        values: dict[str, object] = {"due": due.strftime("%Y-%m-%d %H:%M")}
        if escalation is not None:
            values["escalation"] = escalation
        text, note_meta = i18n.note(
            f"sla_breach_{clock}" + ("_escalated" if escalation is not None else ""), **values)
        record_audit(ctx.session, actor_agent_id=None, action="sla.breach",
                     target_type="conversation", target_id=conversation.id,
                     detail={"clock": clock, "due": payload["due"]})
    await append_message(ctx.session, conversation, sender_kind=SenderKind.system, internal=True,
                         text=text, meta={"kind": "sla", "stage": payload["stage"], "clock": clock,
                                          **note_meta})
    emit(ctx.session, {"type": "sla", "stage": payload["stage"], "clock": clock,
                       "conversation_id": conversation.id, "team_id": conversation.team_id,
                       "assignee_id": conversation.assignee_id, "due": payload["due"]})
    emit_conversation_changed(ctx.session, conversation)


async def _escalate(session: AsyncSession, settings: Settings,
                    conversation: Conversation) -> i18n.Phrase | None:
    """What the breach escalated (the note says it), None for nothing."""
    policy = await session.get(SlaPolicy, conversation.sla_policy_id) \
        if conversation.sla_policy_id else None
    if policy is None:
        return None
    done: dict[str, object] = {}
    if policy.escalate_priority and conversation.priority < MAX_PRIORITY:
        conversation.priority += 1
        done["priority"] = conversation.priority
    if policy.escalate_team_id and policy.escalate_team_id != conversation.team_id:
        team = await session.get(Team, policy.escalate_team_id)
        if team is not None:
            from walletdesk.routing.actions import route_conversation

            conversation.team_id = team.id
            await route_conversation(session, settings, conversation)  # a free agent there
            done["team"] = team.name
    return i18n.note_phrase("sla_escalated_" + "_".join(done), **done) if done else None


async def save_sla_policy(services: Services, actor: Agent, policy_id: int | None = None, *,
                          name: str, first_response_s: int, resolution_s: int,
                          priority: int | None = None, channel: str | None = None,
                          category: str | None = None, warn_at_ratio: float = 0.8,
                          escalate_priority: bool = True, escalate_team_id: int | None = None,
                          active: bool = True) -> SlaPolicy:
    """Create (no id) or change an SLA policy; admins and supervisors only (see the routes)."""
    name = name.strip()
    if not name or len(name) > 80:
        raise Invalid("a policy name of 1 to 80 characters is required")
    if not 60 <= first_response_s <= 90 * 86400 or not 60 <= resolution_s <= 365 * 86400:
        raise Invalid("targets must be between one minute and 90 days (first reply) "
                      "or 365 days (resolution)")
    if resolution_s < first_response_s:
        raise Invalid("the resolution target cannot be shorter than the first-reply target")
    if not 0 < warn_at_ratio < 1:
        raise Invalid("the warning point is a share of the time between 0 and 1, e.g. 0.8")
    if priority is not None and not 0 <= priority <= MAX_PRIORITY:
        raise Invalid("priority is 0 to {max}, or empty for any", max=MAX_PRIORITY)
    async with services.transaction() as session:
        if escalate_team_id is not None and await session.get(Team, escalate_team_id) is None:
            raise NotFound("team not found")
        duplicate = await session.scalar(select(SlaPolicy.id).where(SlaPolicy.name == name))
        if duplicate is not None and duplicate != policy_id:
            raise Conflict("a policy with this name exists")
        if policy_id is None:
            policy = SlaPolicy(name=name, first_response_s=first_response_s,
                               resolution_s=resolution_s)
            session.add(policy)
        else:
            found = await session.get(SlaPolicy, policy_id)
            if found is None:
                raise NotFound("SLA policy not found")
            policy = found
        policy.name, policy.first_response_s, policy.resolution_s = \
            name, first_response_s, resolution_s
        policy.priority, policy.channel, policy.category = \
            priority, (channel or None), (category or None)
        policy.warn_at_ratio, policy.escalate_priority = warn_at_ratio, escalate_priority
        policy.escalate_team_id, policy.active = escalate_team_id, active
        await session.flush()
        record_audit(session, actor_agent_id=actor.id,
                     action="sla_policy.create" if policy_id is None else "sla_policy.update",
                     target_type="sla_policy", target_id=policy.id, detail={"name": name})
        return policy


async def list_sla_policies(session: AsyncSession) -> list[SlaPolicy]:
    return list((await session.scalars(select(SlaPolicy).order_by(SlaPolicy.name))).all())
