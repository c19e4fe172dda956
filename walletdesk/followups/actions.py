"""Follow-up actions: programmes, the events that create tasks, the customer's choices, and
the agent's call outcomes.

Rules every task obeys: nobody who opted out is ever contacted again; a customer gets at
most one follow-up per ``followup_min_interval_days`` across all programmes; nothing is sent
in quiet hours (the notification waits for their end); a slot takes at most
``followup_slot_capacity`` customers; a call without an answer is tried again the next day,
up to the programme's ``max_attempts``.
"""

from datetime import date, datetime, time, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from walletdesk.accounts.models import Agent, Role
from walletdesk.audit.actions import record_audit
from walletdesk.config import Settings
from walletdesk.conversations.actions import InboundMessage, receive_message
from walletdesk.crypto import keyed_hash
from walletdesk.customers.models import Customer, CustomerIdentity
from walletdesk.db.base import utcnow
from walletdesk.errors import Conflict, Forbidden, Invalid, NotFound
from walletdesk.followups import texts
from walletdesk.followups.models import (
    OPEN_FOLLOWUP_STATUSES,
    CallOutcome,
    FollowUp,
    FollowUpProgramme,
    FollowUpStatus,
    NotifyChannel,
    Trigger,
)
from walletdesk.jobs.actions import cancel_job, schedule_job
from walletdesk.routing.hours import parse_clock
from walletdesk.safety.protect import protect_text
from walletdesk.services import Services
from walletdesk.tokens import followup_from_token

NOTIFY_JOB = "followup.notify"
COHORT_JOB = "followup.cohort_scan"
SLOT_DAYS_SHOWN = 7


# --- time rules ---------------------------------------------------------------------------

def _local_clock(settings: Settings, moment: datetime) -> time:
    return moment.astimezone(ZoneInfo(settings.followup_timezone)).time()


def in_quiet_hours(settings: Settings, moment: datetime) -> bool:
    start = time(*parse_clock(settings.followup_quiet_start))
    end = time(*parse_clock(settings.followup_quiet_end))
    clock = _local_clock(settings, moment)
    return (start <= clock or clock < end) if start > end else (start <= clock < end)


def after_quiet_hours(settings: Settings, moment: datetime) -> datetime:
    """``moment``, or the end of the quiet hours it falls in."""
    if not in_quiet_hours(settings, moment):
        return moment
    tz = ZoneInfo(settings.followup_timezone)
    local = moment.astimezone(tz)
    end = time(*parse_clock(settings.followup_quiet_end))
    candidate = datetime.combine(local.date(), end, tz)
    if candidate <= local:
        candidate = datetime.combine(local.date() + timedelta(days=1), end, tz)
    return candidate.astimezone(moment.tzinfo)


# --- programmes ---------------------------------------------------------------------------

def _valid_rule(trigger: Trigger, rule: dict[str, Any]) -> dict[str, Any]:
    if trigger == Trigger.transaction:
        clean: dict[str, Any] = {}
        if rule.get("type"):
            clean["type"] = str(rule["type"]).strip().lower()[:40]
        if rule.get("asset"):
            clean["asset"] = str(rule["asset"]).strip().upper()[:20]
        if rule.get("min_amount") not in (None, ""):
            try:
                clean["min_amount"] = str(Decimal(str(rule["min_amount"])))
            except InvalidOperation as exc:
                raise Invalid("min_amount must be a number") from exc
        return clean
    if trigger == Trigger.cohort:
        days = rule.get("days_after_signup")
        if not isinstance(days, int) or isinstance(days, bool) or not 1 <= days <= 365:
            raise Invalid("a cohort programme needs days_after_signup between 1 and 365")
        return {"days_after_signup": days}
    return {}


async def save_programme(services: Services, actor: Agent, programme_id: int | None = None, *,
                         name: str, trigger: str, rule: dict[str, Any] | None = None,
                         channel: str = "email", delay_s: int = 86400, window_s: int = 3 * 86400,
                         max_attempts: int = 3, active: bool = True) -> FollowUpProgramme:
    name = name.strip()
    if not name or len(name) > 80:
        raise Invalid("a programme name of 1 to 80 characters is required")
    try:
        trigger_kind, channel_kind = Trigger(trigger), NotifyChannel(channel)
    except ValueError as exc:
        raise Invalid("unknown trigger or channel: {reason}", reason=str(exc)) from exc
    if not 0 <= delay_s <= 90 * 86400 or not 3600 <= window_s <= 60 * 86400:
        raise Invalid("the delay is 0 to 90 days and the call window 1 hour to 60 days")
    if not 1 <= max_attempts <= 10:
        raise Invalid("attempts are 1 to 10")
    clean_rule = _valid_rule(trigger_kind, rule or {})
    async with services.transaction() as session:
        clash = await session.scalar(select(FollowUpProgramme.id).where(
            FollowUpProgramme.name == name))
        if clash is not None and clash != programme_id:
            raise Conflict("a programme with this name exists")
        if programme_id is None:
            programme = FollowUpProgramme(name=name, trigger=trigger_kind)
            session.add(programme)
        else:
            found = await session.get(FollowUpProgramme, programme_id)
            if found is None:
                raise NotFound("programme not found")
            programme = found
        programme.name, programme.trigger, programme.rule = name, trigger_kind, clean_rule
        programme.channel, programme.delay_s, programme.window_s = channel_kind, delay_s, window_s
        programme.max_attempts, programme.active = max_attempts, active
        await session.flush()
        if trigger_kind == Trigger.cohort and active:
            await schedule_cohort_scan(session, programme.id, utcnow())
        record_audit(session, actor_agent_id=actor.id, action="followup_programme.save",
                     target_type="followup_programme", target_id=programme.id,
                     detail={"name": name})
        return programme


async def list_programmes(session: AsyncSession) -> list[FollowUpProgramme]:
    return list((await session.scalars(select(FollowUpProgramme)
                                       .order_by(FollowUpProgramme.name))).all())


# --- creating tasks -----------------------------------------------------------------------

async def _capped(session: AsyncSession, settings: Settings, customer_id: int,
                  now: datetime) -> bool:
    since = now - timedelta(days=settings.followup_min_interval_days)
    recent = await session.scalar(select(func.count()).select_from(FollowUp).where(
        FollowUp.customer_id == customer_id, FollowUp.created_at >= since))
    return bool(recent)


async def create_followup(session: AsyncSession, settings: Settings,
                          programme: FollowUpProgramme, customer: Customer, *,
                          source_ref: str, reason: str) -> FollowUp | None:
    """One task for this programme and event, unless a rule says no (then None)."""
    now = utcnow()
    if customer.followup_opt_out_at is not None:
        return None
    if await session.scalar(select(FollowUp.id).where(
            FollowUp.programme_id == programme.id, FollowUp.source_ref == source_ref)):
        return None  # the same event reported twice
    if await _capped(session, settings, customer.id, now):
        return None
    notify_at = after_quiet_hours(settings, now + timedelta(seconds=programme.delay_s))
    followup = FollowUp(programme_id=programme.id, customer_id=customer.id,
                        source_ref=source_ref[:120], reason=reason[:200], notify_at=notify_at,
                        due_from=notify_at,
                        due_until=notify_at + timedelta(seconds=programme.window_s))
    session.add(followup)
    await session.flush()
    await schedule_job(session, NOTIFY_JOB, {"followup_id": followup.id}, due_at=notify_at,
                       dedupe_key=f"followup:notify:{followup.id}")
    return followup


def _matches(rule: dict[str, Any], kind: str, amount: Decimal, asset: str) -> bool:
    if rule.get("type") and rule["type"] != kind:
        return False
    if rule.get("asset") and rule["asset"] != asset:
        return False
    return not (rule.get("min_amount") and amount < Decimal(rule["min_amount"]))


async def _operator_customer(session: AsyncSession, user_id: str, *, email: str | None,
                             phone: str | None, name: str | None,
                             language: str | None) -> Customer:
    """The customer the operator's backend means by its own user id."""
    customer = await session.scalar(select(Customer).where(
        Customer.verified_user_hash == keyed_hash(user_id)))
    if customer is None:
        customer = Customer(display_name=(name or "")[:120], verified_user_id=user_id,
                            identities=[CustomerIdentity(channel="operator", external_id=user_id)])
        session.add(customer)
    customer.email = email or customer.email
    customer.phone = phone or customer.phone
    customer.language = language or customer.language
    await session.flush()
    return customer


async def record_transaction(services: Services, *, user_id: str, transaction_id: str,
                             kind: str, amount: Decimal, asset: str, email: str | None = None,
                             phone: str | None = None, name: str | None = None,
                             language: str | None = None) -> list[FollowUp]:
    """The operator's backend reports a transaction; matching programmes create tasks."""
    if phone is not None:
        from walletdesk.notify.sms import normalise_phone

        try:
            phone = normalise_phone(phone)
        except ValueError as exc:
            raise Invalid("{reason}", reason=str(exc)) from exc
    kind, asset = kind.strip().lower(), asset.strip().upper()
    async with services.transaction() as session:
        customer = await _operator_customer(session, user_id, email=email, phone=phone,
                                            name=name, language=language)
        programmes = (await session.scalars(select(FollowUpProgramme).where(
            FollowUpProgramme.trigger == Trigger.transaction,
            FollowUpProgramme.active.is_(True)).order_by(FollowUpProgramme.id))).all()
        created = []
        for programme in programmes:
            if _matches(programme.rule, kind, amount, asset):
                followup = await create_followup(
                    session, services.settings, programme, customer,
                    source_ref=f"tx:{transaction_id}",
                    reason=texts.reason("transaction", customer.language, kind=kind,
                                        amount=str(amount), asset=asset))
                if followup is not None:
                    created.append(followup)
        return created


async def followup_after_complaint(session: AsyncSession, settings: Settings, *,
                                   complaint_id: int, customer_id: int) -> list[FollowUp]:
    """Called when a complaint's outcome is told to the customer: the programmes for
    resolved complaints create their tasks."""
    customer = await session.get(Customer, customer_id)
    if customer is None:
        return []
    created = []
    for programme in (await session.scalars(select(FollowUpProgramme).where(
            FollowUpProgramme.trigger == Trigger.complaint_resolved,
            FollowUpProgramme.active.is_(True)))).all():
        followup = await create_followup(session, settings, programme, customer,
                                         source_ref=f"complaint:{complaint_id}",
                                         reason=texts.reason("complaint", customer.language))
        if followup is not None:
            created.append(followup)
    return created


async def schedule_cohort_scan(session: AsyncSession, programme_id: int, when: datetime) -> None:
    await schedule_job(session, COHORT_JOB, {"programme_id": programme_id}, due_at=when,
                       dedupe_key=f"followup:cohort:{programme_id}:{when.date().isoformat()}")


async def scan_cohort(session: AsyncSession, settings: Settings, programme_id: int,
                      now: datetime) -> int:
    """Customers who joined ``days_after_signup`` days ago (a day's worth) get a task."""
    programme = await session.get(FollowUpProgramme, programme_id)
    if programme is None or not programme.active or programme.trigger != Trigger.cohort:
        return 0
    days = int(programme.rule["days_after_signup"])
    newest = now - timedelta(days=days)
    customers = (await session.scalars(select(Customer).where(
        Customer.created_at > newest - timedelta(days=1), Customer.created_at <= newest))).all()
    created = 0
    for customer in customers:
        if await create_followup(session, settings, programme, customer,
                                 source_ref=f"cohort:{customer.id}",
                                 reason=texts.reason("cohort", customer.language,
                                                     days=str(days))):
            created += 1
    await schedule_cohort_scan(session, programme.id, now + timedelta(days=1))
    return created


# --- the customer's choices (through the signed link) -------------------------------------

async def _by_token(session: AsyncSession, settings: Settings, token: str) -> FollowUp:
    followup_id = followup_from_token(settings, token)
    followup = await session.get(FollowUp, followup_id, with_for_update=True) \
        if followup_id is not None else None
    if followup is None:
        raise NotFound("this link is not valid")
    return followup


async def followup_for_link(services: Services, token: str
                            ) -> tuple[FollowUp, Customer, list[tuple[datetime, bool]]]:
    """The task, its customer and the slots on offer (time, still free)."""
    async with services.read() as session:
        followup = await _by_token(session, services.settings, token)
        customer = await session.get(Customer, followup.customer_id)
        assert customer is not None
        return followup, customer, await slots(session, services.settings, followup)


def _slot_times(settings: Settings, followup: FollowUp, now: datetime) -> list[datetime]:
    tz = ZoneInfo(settings.followup_timezone)
    step = timedelta(minutes=settings.followup_slot_minutes)
    start = max(followup.due_from, now)
    end = min(followup.due_until, start + timedelta(days=SLOT_DAYS_SHOWN))
    local_day: date = start.astimezone(tz).date()
    times = []
    while datetime.combine(local_day, time(0), tz) < end:
        moment = datetime.combine(local_day, time(0), tz)
        while moment.date() == local_day:
            if start <= moment < end and not in_quiet_hours(settings, moment):
                times.append(moment.astimezone(now.tzinfo))
            moment += step
        local_day += timedelta(days=1)
    return times


async def slots(session: AsyncSession, settings: Settings, followup: FollowUp
                ) -> list[tuple[datetime, bool]]:
    times = _slot_times(settings, followup, utcnow())
    if not times:
        return []
    taken = dict((await session.execute(
        select(FollowUp.slot_at, func.count()).where(
            FollowUp.status == FollowUpStatus.booked, FollowUp.slot_at >= times[0],
            FollowUp.slot_at <= times[-1]).group_by(FollowUp.slot_at))).all())
    return [(t, taken.get(t, 0) < settings.followup_slot_capacity) for t in times]


def _must_be_open(followup: FollowUp) -> None:
    if followup.status == FollowUpStatus.booked:
        raise Conflict("a time is already booked for this call")
    if followup.status not in OPEN_FOLLOWUP_STATUSES:
        raise Conflict("this follow-up is closed")


async def book_slot(services: Services, token: str, slot: datetime) -> FollowUp:
    settings = services.settings
    async with services.transaction() as session:
        followup = await _by_token(session, settings, token)
        _must_be_open(followup)
        if slot not in _slot_times(settings, followup, utcnow()):
            raise Invalid("this time is not on offer")
        # serialise bookings of one slot: lock the tasks already in it
        taken = len((await session.scalars(select(FollowUp.id).where(
            FollowUp.status == FollowUpStatus.booked, FollowUp.slot_at == slot)
            .with_for_update())).all())
        if taken >= settings.followup_slot_capacity:
            raise Conflict("this time has just been taken; please pick another")
        followup.status = FollowUpStatus.booked
        followup.slot_at = slot
        record_audit(session, actor_agent_id=None, action="followup.book",
                     target_type="followup", target_id=followup.id)
        return followup


async def decline(services: Services, token: str, *, opt_out: bool) -> FollowUp:
    """No thanks (this time), or never again (every programme, for good)."""
    async with services.transaction() as session:
        followup = await _by_token(session, services.settings, token)
        if followup.status not in OPEN_FOLLOWUP_STATUSES and not opt_out:
            raise Conflict("this follow-up is closed")
        now = utcnow()
        if opt_out:
            customer = await session.get(Customer, followup.customer_id)
            assert customer is not None
            customer.followup_opt_out_at = customer.followup_opt_out_at or now
            open_ids = list((await session.scalars(select(FollowUp.id).where(
                FollowUp.customer_id == customer.id,
                FollowUp.status.in_(OPEN_FOLLOWUP_STATUSES)))).all())
            await session.execute(update(FollowUp).where(FollowUp.id.in_(open_ids)).values(
                status=FollowUpStatus.opted_out, closed_at=now))
            for open_id in open_ids:
                await cancel_job(session, f"followup:notify:{open_id}")
        else:
            followup.status, followup.closed_at = FollowUpStatus.declined, now
        record_audit(session, actor_agent_id=None,
                     action="followup.opt_out" if opt_out else "followup.decline",
                     target_type="followup", target_id=followup.id)
        await session.refresh(followup)
        return followup


async def _customer_channel(session: AsyncSession, customer: Customer) -> tuple[str, str] | None:
    """Where a conversation with this customer can go: email first, else a known identity."""
    identities = (await session.scalars(select(CustomerIdentity).where(
        CustomerIdentity.customer_id == customer.id))).all()
    by_channel = {i.channel: i.external_id for i in identities}
    if "email" in by_channel:
        return "email", by_channel["email"]
    if customer.email:
        return "email", customer.email
    for channel in ("widget", "api", "operator"):
        if channel in by_channel:
            return channel, by_channel[channel]
    return None


async def request_chat(services: Services, token: str) -> FollowUp:
    """The customer would rather write than talk: a conversation for the team, instead."""
    async with services.read() as session:
        followup = await _by_token(session, services.settings, token)
        _must_be_open(followup)
        customer = await session.get(Customer, followup.customer_id)
        assert customer is not None
        where = await _customer_channel(session, customer)
    if where is None:
        raise Invalid("we have no way to write to you; please open the chat in the app")
    channel, external_id = where
    delivered = await receive_message(services, InboundMessage(
        channel=channel, external_id=external_id, new_conversation=True,
        text=texts.text("chat_instead", customer.language, reason=followup.reason),
        client_id=f"followup-chat-{followup.id}", subject="Follow-up: chat instead of a call"))
    async with services.transaction() as session:
        followup = await _by_token(session, services.settings, token)
        followup.status, followup.closed_at = FollowUpStatus.chat_requested, utcnow()
        followup.conversation_id = delivered.conversation.id
        record_audit(session, actor_agent_id=None, action="followup.chat_instead",
                     target_type="followup", target_id=followup.id)
        return followup


# --- the agents' side ---------------------------------------------------------------------

def _may_call(agent: Agent) -> None:
    if agent.role == Role.outsourced:
        raise Forbidden("follow-up calls are made by the operator's own staff")


async def call_list(session: AsyncSession, agent: Agent, day: date, timezone: str
                    ) -> list[tuple[FollowUp, Customer]]:
    """The day's calls: booked slots in time order, then open tasks due that day."""
    _may_call(agent)
    if not date(2000, 1, 1) <= day <= date(2999, 12, 31):
        raise Invalid("pick a day between 2000 and 2999")
    tz = ZoneInfo(timezone)
    start = datetime.combine(day, time(0), tz)
    end = start + timedelta(days=1)
    rows = (await session.execute(
        select(FollowUp, Customer).join(Customer, Customer.id == FollowUp.customer_id).where(
            FollowUp.status.in_((FollowUpStatus.booked, FollowUpStatus.notified)),
            FollowUp.due_from < end, FollowUp.due_until >= start))).all()
    due = []
    for followup, customer in rows:
        if followup.status == FollowUpStatus.booked and followup.slot_at is not None:
            if not start <= followup.slot_at < end and (
                    followup.next_call_at is None or followup.next_call_at >= end):
                continue
        elif followup.next_call_at is not None and followup.next_call_at >= end:
            continue
        due.append((followup, customer))
    far = datetime.max.replace(tzinfo=tz)
    due.sort(key=lambda row: (row[0].next_call_at or row[0].slot_at or far, row[0].due_until))
    return due


async def record_call(services: Services, agent: Agent, followup_id: int, *, outcome: str,
                      satisfaction: int | None = None, notes: str = "",
                      new_case: str | None = None) -> FollowUp:
    """What happened on the call; a problem found becomes a new case for the team."""
    _may_call(agent)
    try:
        result = CallOutcome(outcome)
    except ValueError as exc:
        raise Invalid("outcome is reached, no_answer, declined or wrong_number") from exc
    if satisfaction is not None and (isinstance(satisfaction, bool) or
                                     not 1 <= satisfaction <= 5):
        raise Invalid("satisfaction is 1 to 5")
    if new_case is not None and not new_case.strip():
        new_case = None
    async with services.transaction() as session:
        followup = await session.get(FollowUp, followup_id, with_for_update=True)
        if followup is None:
            raise NotFound("follow-up not found")
        if followup.status not in (FollowUpStatus.booked, FollowUpStatus.notified):
            raise Conflict("this follow-up is not waiting for a call")
        programme = await session.get(FollowUpProgramme, followup.programme_id)
        now = utcnow()
        followup.attempts += 1
        followup.called_by_agent_id = agent.id
        # call notes are free text like any message: the protect step applies to them too
        followup.notes = "\n".join(filter(None, [followup.notes,
                                                 protect_text(notes.strip()).text[:2000]]))
        followup.outcome = result
        if result == CallOutcome.no_answer:
            limit = programme.max_attempts if programme else 3
            if followup.attempts >= limit:
                followup.status, followup.closed_at = FollowUpStatus.unreachable, now
            else:
                followup.next_call_at = after_quiet_hours(services.settings,
                                                          now + timedelta(days=1))
                followup.due_until = max(followup.due_until,
                                         followup.next_call_at + timedelta(hours=12))
        else:
            followup.status, followup.closed_at = FollowUpStatus.completed, now
            followup.satisfaction = satisfaction if result == CallOutcome.reached else None
            if result == CallOutcome.wrong_number:
                customer = await session.get(Customer, followup.customer_id)
                if customer is not None:
                    customer.phone = None  # do not call it again
        record_audit(session, actor_agent_id=agent.id, action=f"followup.call.{result}",
                     target_type="followup", target_id=followup.id,
                     detail={"attempt": followup.attempts})
        customer_id = followup.customer_id
    if new_case:
        async with services.read() as session:
            customer = await session.get(Customer, customer_id)
            assert customer is not None
            where = await _customer_channel(session, customer)
        channel, external_id = where or ("operator", f"customer-{customer_id}")
        delivered = await receive_message(services, InboundMessage(
            channel=channel, external_id=external_id, new_conversation=True,
            text=new_case.strip()[:services.settings.max_message_chars],
            client_id=f"followup-case-{followup_id}-{followup.attempts}",
            subject="Problem found on a follow-up call"))
        async with services.transaction() as session:
            found = await session.get(FollowUp, followup_id)
            assert found is not None
            found.conversation_id = delivered.conversation.id
            followup = found
    return followup
