"""Routing: which team and agent get a conversation, and the queue while nobody can.

A conversation goes to a team (by language, else the default team). If the team is open and
an online agent speaking the customer's language has free capacity, the least-loaded such
agent gets it; otherwise it waits in the team's queue and the customer is told their position
and expected wait. Outside working hours the customer is told when the team is back and the
conversation waits as a case for the next shift. Whenever capacity frees up (an agent comes
online, a conversation is resolved or transferred) the queue is drained in order.
"""

from datetime import datetime, timedelta

import structlog
from babel.dates import format_datetime
from sqlalchemy import and_, exists, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from walletdesk import i18n
from walletdesk.accounts.access import mask_email
from walletdesk.accounts.models import Agent, Presence, Team, agent_teams
from walletdesk.cases.sla import resume_sla, start_sla
from walletdesk.config import Settings
from walletdesk.conversations.assignment import assign_to
from walletdesk.conversations.messages import append_message, emit_conversation_changed
from walletdesk.conversations.models import (
    ACTIVE_STATUSES,
    Conversation,
    Message,
    SenderKind,
    Status,
)
from walletdesk.customers.models import Customer
from walletdesk.db.base import utcnow
from walletdesk.routing.hours import is_open, next_opening
from walletdesk.routing.overflow import (
    OVERFLOWED,
    QueueLoad,
    decide_overflow,
    offer_message,
    recent_handle_s,
    record_offer,
)
from walletdesk.routing.presence import RETURN_WORK_AFTER, available, heartbeat_s, seen_cutoff
from walletdesk.routing.waits import LONG_WAIT_S, answers_by_mail, long_wait_text, wait_label
from walletdesk.services import Services, emit, emit_after_commit
from walletdesk.staffing.models import OverflowChoice, OverflowOffer

log = structlog.get_logger(__name__)


def team_is_open(team: Team, now: datetime) -> bool:
    return is_open(team.weekly_hours, team.holidays, team.timezone, now)


async def choose_team(session: AsyncSession, language: str | None,
                      now: datetime | None = None) -> Team | None:
    """Follow the sun: of the teams that speak the customer's language (else the default
    team and the rest), one that is open now; a closed one only when none of them is open
    (the customer is then told when it is back)."""
    teams = list((await session.scalars(select(Team).order_by(Team.id))).all())
    if not teams:
        return None
    moment = now or utcnow()

    def rank(team: Team) -> tuple[int, int, int, int]:
        speaks = bool(language) and language in team.languages
        return (0 if speaks else 1, 0 if team_is_open(team, moment) else 1,
                0 if team.is_default else 1, 1 if team.is_outsourced else 0)

    return min(teams, key=rank)


async def agent_loads(session: AsyncSession, agent_ids: list[int]) -> dict[int, int]:
    if not agent_ids:
        return {}
    rows = await session.execute(
        select(Conversation.assignee_id, func.count())
        .where(Conversation.assignee_id.in_(agent_ids), Conversation.status.in_(ACTIVE_STATUSES))
        .group_by(Conversation.assignee_id)
    )
    loads = {agent_id: 0 for agent_id in agent_ids}
    loads.update({agent_id: count for agent_id, count in rows.all()})
    return loads


def speaks(agent: Agent, language: str | None) -> bool:
    return not language or not agent.languages or language in agent.languages


async def _online_team_agents(session: AsyncSession, settings: Settings, team_id: int, *,
                              lock: bool) -> list[Agent]:
    """The team's agents who may be offered work: online and connected
    (walletdesk.routing.presence)."""
    query = (
        select(Agent)
        .join(agent_teams, agent_teams.c.agent_id == Agent.id)
        .where(agent_teams.c.team_id == team_id, available(settings, utcnow()))
        .order_by(Agent.id)
    )
    if lock:  # serialises assignment per agent across server processes (PostgreSQL)
        query = query.with_for_update(of=Agent)
    return list((await session.scalars(query)).unique().all())


async def _free_agent(session: AsyncSession, settings: Settings, conversation: Conversation,
                      prefer_agent_id: int | None = None,
                      avoid_agent_id: int | None = None) -> Agent | None:
    """The agent of the conversation's team who gets it: online and connected, speaking its
    language, with free capacity; ``prefer_agent_id`` if free, ``avoid_agent_id`` only if
    nobody else is."""
    if conversation.team_id is None:
        return None
    agents = [a for a in await _online_team_agents(session, settings, conversation.team_id,
                                                   lock=True)
              if speaks(a, conversation.language)]
    loads = await agent_loads(session, [a.id for a in agents])
    free = [a for a in agents if loads[a.id] < a.capacity]
    if not free:
        return None
    others = [a for a in free if a.id != avoid_agent_id]
    if not others:
        return free[0]  # the one to avoid is the only one free
    free = others
    for agent in free:
        if agent.id == prefer_agent_id:
            return agent
    return min(free, key=lambda a: (loads[a.id] / max(a.capacity, 1), loads[a.id], a.id))


AFTER_HOURS = "after_hours"  # the notice's meta kind; "opens": the time it promised


async def tell_after_hours(session: AsyncSession, conversation: Conversation, team: Team,
                           now: datetime) -> None:
    """The thread's notice that the team is away and when it is back (in the customer's
    language and the team's time zone); its meta keeps the time promised."""
    opens = next_opening(team.weekly_hours, team.holidays, team.timezone, now)
    notice = (i18n.text("after_hours", conversation.language,
                        opens=return_time(opens, team.timezone, conversation.language))
              if opens else i18n.text("after_hours_unknown", conversation.language))
    await append_message(session, conversation, sender_kind=SenderKind.system, text=notice,
                         meta={"kind": AFTER_HOURS,
                               "opens": opens.isoformat() if opens else None})


async def tell_after_hours_again(session: AsyncSession, conversation: Conversation) -> None:
    """The customer wrote again to a conversation still waiting after hours: when the time
    the last notice promised has passed (the team opened and closed again, nobody took it),
    that notice is stale ("back Mon 09:00" on Monday night): tell them the next opening."""
    if conversation.status != Status.queued or not conversation.after_hours \
            or conversation.team_id is None:
        return
    team = await session.get(Team, conversation.team_id)
    now = utcnow()
    if team is None or team_is_open(team, now):
        return
    notices = (await session.scalars(
        select(Message.meta).where(Message.conversation_id == conversation.id,
                                   Message.sender_kind == SenderKind.system)
        .order_by(Message.seq.desc()).limit(50))).all()
    last = next((meta for meta in notices if meta and meta.get("kind") == AFTER_HOURS), None)
    promised = last.get("opens") if last else None
    if promised is None or datetime.fromisoformat(promised) > now:
        return  # still true, or it never said when
    await tell_after_hours(session, conversation, team, now)


async def route_conversation(session: AsyncSession, settings: Settings,
                             conversation: Conversation, *,
                             prefer_agent_id: int | None = None,
                             waiting_notice: str = "queued", keep_place: bool = False) -> None:
    """Give the conversation to a free agent, or queue it and tell the customer
    (``waiting_notice``: the i18n text they are told while they wait; ``keep_place``: it
    waits from when it was first queued, as work given back by an agent who went away)."""
    now = utcnow()
    team = await session.get(Team, conversation.team_id) if conversation.team_id else None
    first_routing = team is None
    # a transfer to a team: the agent who has it now gets it back only if nobody else can
    held = ((conversation.assignee_id, conversation.status, conversation.assigned_at,
             conversation.assignee_joined_at, conversation.queued_at)
            if conversation.status in ACTIVE_STATUSES and conversation.assignee_id else None)
    if team is None:
        team = await choose_team(session, conversation.language, now)
        conversation.team_id = team.id if team is not None else None
    was_queued = conversation.status == Status.queued and conversation.queued_at is not None
    keep_place = keep_place and conversation.queued_at is not None
    # back with people after the bot or a resolve: a clock resolving paused runs again (a
    # conversation a supervisor resolved from the queue went back to the bot when the
    # customer wrote, and its clock stood still after the hand-off)
    returning = conversation.status in (Status.bot, Status.resolved)
    await start_sla(session, conversation)  # from now on a person is needed
    if returning:
        await resume_sla(session, conversation)
    conversation.assignee_id = None
    conversation.status = Status.queued
    if (not was_queued and not keep_place) or conversation.queued_at is None:
        conversation.queued_at = now

    if team is not None and not team_is_open(team, now):
        if not conversation.after_hours:
            conversation.after_hours = True
            await tell_after_hours(session, conversation, team, now)
        emit_conversation_changed(session, conversation)
        await publish_queue_positions(session, settings, [team.id])
        return

    agent = await _free_agent(session, settings, conversation, prefer_agent_id,
                              avoid_agent_id=held[0] if held else None)
    if agent is not None and held is not None and agent.id == held[0]:
        # nobody else in the team is free: it stays as it was, and the customer is not told
        # a second time that the same agent joined
        (conversation.assignee_id, conversation.status, conversation.assigned_at,
         conversation.assignee_joined_at, conversation.queued_at) = held
        emit_conversation_changed(session, conversation)
        await publish_queue_positions(session, settings, [team.id] if team else [])
        return
    if agent is None and not was_queued and not keep_place:
        # its place in line from now, once the team's agents are locked: routings of one
        # team take the lock in turn, so places follow commits and never move back
        conversation.queued_at = utcnow()
    offer = None
    if agent is None and team is not None and first_routing:
        offer = await _overflow(session, settings, conversation, team, now)
    if agent is not None:
        await assign_to(session, conversation, agent)
        if conversation.team_id is not None:
            await publish_queue_positions(session, settings, [conversation.team_id])
        return
    # the places and waits the widgets' banners show: the notice below says the same
    queue = (await queue_events(session, settings, conversation.team_id)
             if conversation.team_id is not None else [])
    if offer is not None and offer.offered_wait_s != 0:  # 0: an outsourced agent is free
        await _tell_overflow(session, conversation, offer)  # it says the wait: the notice
    elif not was_queued:
        mine = next((e for e in queue if e["conversation_id"] == conversation.id), None)
        await append_message(session, conversation, sender_kind=SenderKind.system,
                             text=await _waiting_text(session, settings, conversation,
                                                      waiting_notice, mine))
    # still waiting, maybe in another team now (a transfer): watchers must know
    emit_conversation_changed(session, conversation)
    for event in queue:
        emit(session, event)


async def _waiting_text(session: AsyncSession, settings: Settings,
                        conversation: Conversation, waiting_notice: str,
                        queue: dict[str, object] | None) -> str:
    """What a customer who must wait is told, from the wait their banner shows (``queue``,
    their queue event). "An agent will be with you shortly" (or, after a transfer, "we're
    waiting for them to join") only when an agent is online to answer and the wait is short:
    past ``LONG_WAIT_S`` they are told every agent is busy, their place and the wait; with
    nobody online (the team open, its agents all away), as after hours, that the team is
    away and to leave their message."""
    language = conversation.language
    away = {"queued": "after_hours_unknown", "transferred_waiting": "transferred_away"}
    if waiting_notice in away and conversation.team_id is not None \
            and (queue is None or queue["eta_s"] is None):
        return i18n.text(away[waiting_notice], language)
    if queue is not None and isinstance(queue["eta_s"], int) \
            and isinstance(queue["position"], int) and queue["eta_s"] > LONG_WAIT_S:
        customer = await session.get(Customer, conversation.customer_id)
        by_mail = answers_by_mail(settings, conversation.channel,
                                  customer.email if customer is not None else None)
        told = long_wait_text(waiting_notice, language, position=queue["position"],
                              eta_s=queue["eta_s"], by_mail=by_mail)
        if told is not None:
            return told
    return i18n.text(waiting_notice, language)


async def _overflow(session: AsyncSession, settings: Settings, conversation: Conversation,
                    team: Team, now: datetime) -> OverflowOffer | None:
    """A new conversation facing a wait past the threshold: moved to an open outsourced team
    if one is shorter, and the offer recorded (walletdesk.routing.overflow)."""
    if await session.scalar(select(OverflowOffer.id).where(
            OverflowOffer.conversation_id == conversation.id)) is not None:
        return None
    open_teams = [t for t in (await session.scalars(select(Team).order_by(Team.id))).all()
                  if team_is_open(t, now)]
    decision = await decide_overflow(session, settings, conversation, team, open_teams)
    if decision is None:
        return None
    if decision.to_team.id != team.id:
        conversation.team_id = decision.to_team.id
        await publish_queue_positions(session, settings, [team.id])
        # a free outsourced agent takes it right after commit (its queue drains then): not
        # here, where this team's agents are locked already (two teams' locks in one
        # transaction, in either order, could deadlock with the queue sweep)
        emit_after_commit(session, {"type": OVERFLOWED, "freed_team_ids": [decision.to_team.id]})
    offer = record_offer(session, conversation, team, decision)
    await session.flush()
    return offer


async def _tell_overflow(session: AsyncSession, conversation: Conversation,
                         offer: OverflowOffer) -> None:
    """The customer is told the expected wait and offered the choices (the widget shows them
    as buttons; other channels read the text)."""
    customer = await session.get(Customer, conversation.customer_id)
    await append_message(
        session, conversation, sender_kind=SenderKind.system,
        text=offer_message(conversation.language, offer.offered_wait_s),
        meta={"kind": "overflow_offer", "offer_id": offer.id, "eta_s": offer.offered_wait_s,
              "choices": list(OverflowChoice.ALL),
              # the address on file, masked: the widget asks to confirm it or give another
              "email_hint": mask_email(customer.email) if customer is not None else None})


def return_time(moment: datetime, timezone: str, language: str | None = None) -> str:
    """When a closed team is back, as the reader sees it everywhere (the thread's notice and
    the widget's banner show this same text), the weekday in their language: "Mon 2026-12-07
    09:00 CST", "周一 2026-12-07 09:00 CST", "lun 2026-12-07 09:00 CST"."""
    from zoneinfo import ZoneInfo

    local = moment.astimezone(ZoneInfo(timezone))
    return format_datetime(local, "EEE yyyy-MM-dd HH:mm ", locale=i18n.babel_locale(language)) \
        + (local.tzname() or timezone)


STRAGGLER_AFTER = timedelta(seconds=10)


async def route_stragglers(session: AsyncSession, settings: Settings) -> int:
    """Route the conversations whose routing listener never ran (the process stopped between
    the message's commit and it): new ones never queued, reopened ones never given back."""
    waiting = (await session.scalars(
        select(Conversation)
        .where(or_(and_(Conversation.status == Status.queued,
                        Conversation.queued_at.is_(None)),
                   and_(Conversation.status == Status.resolved,
                        Conversation.resolved_at.is_(None))),
               Conversation.last_message_at < utcnow() - STRAGGLER_AFTER)
        .order_by(Conversation.id)
        .with_for_update(of=Conversation)
    )).all()
    for conversation in waiting:
        await route_conversation(session, settings, conversation,
                                 prefer_agent_id=conversation.assignee_id)
    return len(waiting)


async def drain_queues(session: AsyncSession, settings: Settings,
                       team_ids: list[int] | None = None) -> int:
    """Assign queued conversations, oldest and most urgent first, while agents are free
    (every team's, with ``team_ids`` None: the periodic sweep, which also routes stragglers,
    gives back the unanswered work of agents gone for a while and, last, notices the online
    agents no longer connected: conversations are locked before agents, as everywhere)."""
    now = utcnow()
    query = select(Team)
    if team_ids is not None:
        if not team_ids:
            return 0
        query = query.where(Team.id.in_(team_ids))
    else:
        await route_stragglers(session, settings)
        await return_unanswered_work(session, settings)
    assigned = 0
    for team in (await session.scalars(query.order_by(Team.id))).all():
        if not team_is_open(team, now):
            continue
        waiting = (await session.scalars(
            select(Conversation)
            .where(Conversation.team_id == team.id, Conversation.status == Status.queued)
            .order_by(Conversation.priority.desc(), Conversation.queued_at, Conversation.id)
            .with_for_update(of=Conversation)
        )).all()
        for conversation in waiting:
            agent = await _free_agent(session, settings, conversation)
            if agent is not None:
                await assign_to(session, conversation, agent)
                assigned += 1
        await publish_queue_positions(session, settings, [team.id])
    if team_ids is None:
        await notice_lost_connections(session, settings)
    return assigned


async def publish_queue_positions(session: AsyncSession, settings: Settings,
                                  team_ids: list[int]) -> None:
    """Tell every waiting customer of these teams their place in line and expected wait."""
    for team_id in team_ids:
        for event in await queue_events(session, settings, team_id):
            emit(session, event)


async def queue_events(session: AsyncSession, settings: Settings,
                       team_id: int) -> list[dict[str, object]]:
    """One "queue" event per waiting conversation of the team, in queue order."""
    now = utcnow()
    team = await session.get(Team, team_id)
    if team is None:
        return []
    waiting = (await session.execute(
        select(Conversation.id, Conversation.customer_id, Conversation.language)
        .where(Conversation.team_id == team_id, Conversation.status == Status.queued)
        .order_by(Conversation.priority.desc(), Conversation.queued_at, Conversation.id)
    )).all()
    if not waiting:
        return []
    online = await _online_team_agents(session, settings, team_id, lock=False)
    open_now = team_is_open(team, now)
    opens = None if open_now else next_opening(team.weekly_hours, team.holidays,
                                               team.timezone, now)
    loads = await agent_loads(session, [a.id for a in online])
    handle_s = await recent_handle_s(session, settings, team) if open_now else 0.0
    events: list[dict[str, object]] = []
    ahead_by_language: dict[str | None, int] = {}
    for conversation_id, customer_id, language in waiting:
        position = ahead_by_language.get(language, 0) + 1
        ahead_by_language[language] = position
        helpers = [a for a in online if speaks(a, language)]
        # the same estimate as the overflow decision (walletdesk.routing.overflow): the
        # places ahead, the helpers' free capacity and the recent handling time
        wait = QueueLoad(waiting=position - 1, agents=len(helpers),
                         slots=sum(max(a.capacity, 0) for a in helpers),
                         free=sum(max(a.capacity - loads.get(a.id, 0), 0) for a in helpers),
                         handle_s=handle_s).expected_wait_s if open_now else None
        eta = max(1, round(wait)) if wait is not None else None  # 0 reads "nobody" (widget)
        events.append({
            "type": "queue",
            "conversation_id": conversation_id,
            "customer_id": customer_id,
            "position": position,
            "eta_s": eta,
            "agents_online": len(helpers),
            "after_hours": not open_now,
            "opens_at": opens.isoformat() if opens else None,
            "opens_label": return_time(opens, team.timezone, language) if opens else None,
            # the wait in the customer's words, as the thread's notice says it ("3 hours")
            "eta_label": wait_label(eta, language) if eta else None,
        })
    return events


async def queue_state(session: AsyncSession, settings: Settings,
                      conversation: Conversation) -> dict[str, object] | None:
    """The queue event of one conversation (sent when a customer's socket resumes)."""
    if conversation.status != Status.queued or conversation.team_id is None:
        return None
    for event in await queue_events(session, settings, conversation.team_id):
        if event["conversation_id"] == conversation.id:
            return event
    return None


# --- agents who are not there any more (decision 0059) -----------------------------------------

async def mark_seen(session: AsyncSession, settings: Settings, agent_id: int) -> list[int] | None:
    """The agent is there (their workspace socket connected or is still open; they set their
    presence): ``last_seen_at`` is stamped, unless a socket (of any process) did within the
    last heartbeat, so an agent costs at most one write a heartbeat. Returns the teams whose
    queues should drain now (commit first: ``agent_seen``) when an online agent comes back
    after the grace; if the sweep had announced them gone, it announces them back."""
    now = utcnow()
    row = (await session.execute(
        select(Agent.last_seen_at, Agent.connection_lost_at, Agent.presence, Agent.is_active)
        .where(Agent.id == agent_id))).first()
    if row is None:
        return None
    last_seen, lost_at, presence, active = row
    fresh = now - timedelta(seconds=heartbeat_s(settings) * 0.8)
    if last_seen is not None and last_seen >= fresh and lost_at is None:
        return None
    stamped = await session.execute(
        update(Agent).where(Agent.id == agent_id,
                            or_(Agent.last_seen_at.is_(None), Agent.last_seen_at < fresh,
                                Agent.connection_lost_at.is_not(None)))
        .values(last_seen_at=now, connection_lost_at=None),
        execution_options={"synchronize_session": False})
    if not stamped.rowcount:  # type: ignore[attr-defined]
        return None  # another process stamped it meanwhile
    if presence != Presence.online or not active:
        return None
    if lost_at is not None:
        emit(session, {"type": "presence", "agent_id": agent_id, "presence": str(presence),
                       "connected": True, "changed_at": now.isoformat()})
    cutoff = seen_cutoff(settings, now)
    if lost_at is None and (cutoff is None or (last_seen is not None and last_seen >= cutoff)):
        return None  # was connected all along: nothing new to offer
    return list((await session.scalars(
        select(agent_teams.c.team_id).where(agent_teams.c.agent_id == agent_id))).all())


async def agent_seen(services: Services, agent_id: int) -> bool:
    """``mark_seen`` in its own transaction, then, for an agent back after the grace, their
    teams' queues drained in another (the agent's row is never held while conversations are
    locked). True if they came back to work."""
    async with services.transaction() as session:
        teams = await mark_seen(session, services.settings, agent_id)
    if teams is None:
        return False
    async with services.transaction() as session:
        await drain_queues(session, services.settings, teams)
    return True


async def notice_lost_connections(session: AsyncSession, settings: Settings) -> list[int]:
    """Online agents not seen within the grace, noticed once (by one process): the moment
    they stopped being offered work is stored (``connection_lost_at``) and announced, a
    ``presence`` event with ``connected`` false (supervisors' lists; the reports count them
    as not connected from then)."""
    now = utcnow()
    cutoff = seen_cutoff(settings, now)
    if cutoff is None:
        return []
    not_seen = or_(Agent.last_seen_at.is_(None), Agent.last_seen_at < cutoff)
    gone = (await session.execute(
        select(Agent.id, Agent.last_seen_at, Agent.presence_changed_at)
        .where(Agent.presence == Presence.online, Agent.is_active,
               Agent.connection_lost_at.is_(None), not_seen)
        .order_by(Agent.id))).all()
    grace = timedelta(seconds=settings.presence_grace_s)
    noticed = []
    for agent_id, last_seen, changed_at in gone:
        lost_at = last_seen + grace if last_seen is not None and last_seen + grace > changed_at \
            else now
        done = await session.execute(
            update(Agent).where(Agent.id == agent_id, Agent.connection_lost_at.is_(None),
                                not_seen).values(connection_lost_at=lost_at),
            execution_options={"synchronize_session": False})
        if done.rowcount:  # type: ignore[attr-defined]
            emit(session, {"type": "presence", "agent_id": agent_id,
                           "presence": str(Presence.online), "connected": False,
                           "changed_at": lost_at.isoformat()})
            log.info("agent_connection_lost", agent_id=agent_id)
            noticed.append(agent_id)
    return noticed


async def return_unanswered_work(session: AsyncSession, settings: Settings) -> int:
    """An agent gone ``RETURN_WORK_AFTER`` past the grace gives back the conversations they
    held when they went and never answered: each goes back to its team's queue in its old
    place (or at once to a connected agent), the customer told they wait. What they answered
    stays theirs (supervisors see them online, not connected, and can transfer it); so does
    what a supervisor gave them after they went."""
    if seen_cutoff(settings, utcnow()) is None:
        return 0
    answered = exists().where(
        Message.conversation_id == Conversation.id, Message.sender_kind == SenderKind.agent,
        Message.sender_agent_id == Conversation.assignee_id, Message.is_internal.is_(False),
        Message.created_at >= Conversation.assigned_at)
    held = (await session.scalars(
        select(Conversation)
        .join(Agent, Agent.id == Conversation.assignee_id)
        .where(Conversation.status == Status.assigned,
               Agent.connection_lost_at <= utcnow() - RETURN_WORK_AFTER,
               Conversation.assigned_at < Agent.connection_lost_at, ~answered)
        .order_by(Conversation.priority.desc(), Conversation.queued_at, Conversation.id)
        .with_for_update(of=Conversation))).all()
    for conversation in held:
        log.info("unanswered_work_returned", conversation_id=conversation.id,
                 agent_id=conversation.assignee_id)
        await route_conversation(session, settings, conversation, keep_place=True)
    return len(held)
