"""Outreach actions: segments, campaigns (save, launch, cancel) and the customer's
preferences (time zone, opt-out by link, by SMS reply, in the widget or by staff).

Only supervisors and admins manage segments and campaigns; every text staff write is
protected (secrets removed) before it is stored.
"""

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from walletdesk.accounts.models import Agent, Role
from walletdesk.audit.actions import record_audit
from walletdesk.crypto import keyed_hash
from walletdesk.customers.models import Customer, CustomerIdentity
from walletdesk.db.base import utcnow
from walletdesk.errors import Conflict, Forbidden, Invalid, NotFound
from walletdesk.i18n import N_, Phrase
from walletdesk.jobs.actions import cancel_job, schedule_job
from walletdesk.outreach import texts as shipped
from walletdesk.outreach.models import (
    Campaign,
    CampaignKind,
    CampaignStatus,
    OutreachChannel,
    OutreachContact,
    OutreachSend,
    Segment,
    SendStatus,
)
from walletdesk.outreach.rules import clean_texts, customer_from_stop_token, valid_timezone
from walletdesk.outreach.segments import valid_rule
from walletdesk.safety.protect import protect_text
from walletdesk.services import Services

RUN_JOB = "outreach.run"
SEND_JOB = "outreach.send"
MAX_TEXT_CHARS = 1000  # an SMS of a few parts, with the opt-out line
MAX_SUBJECT_CHARS = 150
MAX_SAMPLE = 100_000
RECURRING_KINDS = (CampaignKind.safety_tip, CampaignKind.survey)
DEFAULT_REPEAT_DAYS = 30
# a campaign that will not go out again, as a refusal names its status (translated with it)
ENDED_STATUS_NAMES = {
    # Translators: a campaign's status, e.g. "this campaign is cancelled"
    CampaignStatus.cancelled: N_("cancelled"),
    # Translators: a campaign's status once its only run went out: "this campaign is done"
    CampaignStatus.done: N_("done"),
}


def may_manage(actor: Agent) -> None:
    if actor.role not in (Role.admin, Role.supervisor):
        raise Forbidden("only supervisors and admins manage proactive messages")


def _name(name: str) -> str:
    name = name.strip()
    if not name or len(name) > 80:
        raise Invalid("a name of 1 to 80 characters is required")
    return name


# --- segments -----------------------------------------------------------------------------

async def save_segment(services: Services, actor: Agent, segment_id: int | None = None, *,
                       name: str, rule: Any) -> Segment:
    may_manage(actor)
    name = _name(protect_text(name).text)
    clean = valid_rule(rule, services.settings.default_language)
    async with services.transaction() as session:
        clash = await session.scalar(select(Segment.id).where(Segment.name == name))
        if clash is not None and clash != segment_id:
            raise Conflict("a segment with this name exists")
        if segment_id is None:
            segment = Segment(name=name, created_by_agent_id=actor.id)
            session.add(segment)
        else:
            found = await session.get(Segment, segment_id)
            if found is None:
                raise NotFound("segment not found")
            segment = found
        segment.name, segment.rule, segment.updated_at = name, clean, utcnow()
        await session.flush()
        record_audit(session, actor_agent_id=actor.id, action="outreach.segment.save",
                     target_type="outreach_segment", target_id=segment.id,
                     detail={"name": name, "rule": clean})
        return segment


# --- campaigns ----------------------------------------------------------------------------

def _protected(values: dict[str, str], max_chars: int) -> dict[str, str]:
    """Per-locale texts with secrets removed; Invalid if one is too long."""
    clean = clean_texts(values)
    for locale, value in clean.items():
        if len(value) > max_chars:
            raise Invalid("the {language} text is longer than {max} characters", language=locale,
                          max=max_chars)
        clean[locale] = protect_text(value).text
    return clean


def _default_texts(services: Services, kind: CampaignKind) -> tuple[dict[str, str],
                                                                     dict[str, str]]:
    """The shipped texts of a safety-tip campaign (surveys write theirs at sending time)."""
    settings = services.settings
    if kind != CampaignKind.safety_tip:
        return {}, {}
    verify = f"{settings.public_url.rstrip('/')}/verify"
    return (shipped.per_locale("safety_tip", brand=settings.brand_name, verify=verify),
            shipped.per_locale("safety_tip_subject", brand=settings.brand_name))


def _sample(kind: CampaignKind, percent: float | None, size: int | None
            ) -> tuple[float | None, int | None]:
    if kind != CampaignKind.survey:
        return None, None
    if (percent is None) == (size is None):
        raise Invalid("a survey samples either a percentage or a number of customers")
    if percent is not None and not 0 < percent <= 100:
        raise Invalid("the sample percentage is above 0 and at most 100")
    if size is not None and (isinstance(size, bool) or not 1 <= size <= MAX_SAMPLE):
        raise Invalid("the sample size is 1 to {max}", max=MAX_SAMPLE)
    return percent, size


async def save_campaign(services: Services, actor: Agent, campaign_id: int | None = None, *,
                        name: str, kind: str = "message", channel: str = "in_app",
                        segment_id: int | None = None, texts: dict[str, str] | None = None,
                        subjects: dict[str, str] | None = None,
                        repeat_days: int | None = None, sample_percent: float | None = None,
                        sample_size: int | None = None, active_days: int = 30) -> Campaign:
    may_manage(actor)
    name = _name(protect_text(name).text)
    try:
        kind_value, channel_value = CampaignKind(kind), OutreachChannel(channel)
        body, subject = (_protected(texts or {}, MAX_TEXT_CHARS),
                         _protected(subjects or {}, MAX_SUBJECT_CHARS))
    except ValueError as exc:  # an unknown kind, channel or locale
        raise Invalid("{reason}", reason=str(exc)) from exc
    if not body:
        default_body, default_subject = _default_texts(services, kind_value)
        body, subject = default_body, subject or default_subject
    if not body and kind_value != CampaignKind.survey:
        raise Invalid("write the message in at least one language")
    if kind_value in RECURRING_KINDS and repeat_days is None:
        repeat_days = DEFAULT_REPEAT_DAYS
    if repeat_days is not None and (isinstance(repeat_days, bool) or
                                    not 1 <= repeat_days <= 365):
        raise Invalid("a campaign repeats every 1 to 365 days, or runs once")
    if isinstance(active_days, bool) or not 1 <= active_days <= 365:
        raise Invalid("recently active means seen within 1 to 365 days")
    percent, size = _sample(kind_value, sample_percent, sample_size)
    if kind_value == CampaignKind.message and segment_id is None:
        raise Invalid("a message campaign goes to a segment")
    async with services.transaction() as session:
        if segment_id is not None and await session.get(Segment, segment_id) is None:
            raise Invalid("no such segment")
        clash = await session.scalar(select(Campaign.id).where(Campaign.name == name))
        if clash is not None and clash != campaign_id:
            raise Conflict("a campaign with this name exists")
        if campaign_id is None:
            campaign = Campaign(name=name, created_by_agent_id=actor.id)
            session.add(campaign)
        else:
            found = await session.get(Campaign, campaign_id, with_for_update=True)
            if found is None:
                raise NotFound("campaign not found")
            if found.status == CampaignStatus.cancelled:
                raise Conflict("a cancelled campaign cannot be changed")
            campaign = found
        campaign.name, campaign.kind, campaign.channel = name, kind_value, channel_value
        campaign.segment_id, campaign.texts, campaign.subjects = segment_id, body, subject
        campaign.repeat_days, campaign.active_days = repeat_days, active_days
        campaign.sample_percent, campaign.sample_size = percent, size
        campaign.updated_at = utcnow()
        await session.flush()
        record_audit(session, actor_agent_id=actor.id, action="outreach.campaign.save",
                     target_type="outreach_campaign", target_id=campaign.id,
                     detail={"name": name, "kind": kind_value, "channel": channel_value})
        return campaign


def run_key(campaign_id: int, run: int) -> str:
    return f"outreach:run:{campaign_id}:{run}"


async def schedule_run(session: AsyncSession, campaign: Campaign, when: datetime) -> None:
    campaign.status, campaign.next_run_at = CampaignStatus.scheduled, when
    run = campaign.runs + 1
    await schedule_job(session, RUN_JOB, {"campaign_id": campaign.id, "run": run}, due_at=when,
                       dedupe_key=run_key(campaign.id, run))


async def launch_campaign(services: Services, actor: Agent, campaign_id: int,
                          at: datetime | None = None) -> Campaign:
    """Send now, or schedule the (first) run at ``at``; again moves a scheduled run."""
    may_manage(actor)
    now = utcnow()
    when = max(at, now) if at is not None else now
    if when > now + timedelta(days=366):
        raise Invalid("schedule within a year")
    async with services.transaction() as session:
        campaign = await session.get(Campaign, campaign_id, with_for_update=True)
        if campaign is None:
            raise NotFound("campaign not found")
        if campaign.status in (CampaignStatus.cancelled, CampaignStatus.done):
            raise Conflict("this campaign is {status}",
                           status=Phrase(ENDED_STATUS_NAMES[campaign.status]))
        await schedule_run(session, campaign, when)
        record_audit(session, actor_agent_id=actor.id, action="outreach.campaign.launch",
                     target_type="outreach_campaign", target_id=campaign.id,
                     detail={"at": when.isoformat()})
        return campaign


async def cancel_campaign(services: Services, actor: Agent, campaign_id: int) -> Campaign:
    """No further run; sends not yet out are cancelled (those on their way finish)."""
    may_manage(actor)
    async with services.transaction() as session:
        campaign = await session.get(Campaign, campaign_id, with_for_update=True)
        if campaign is None:
            raise NotFound("campaign not found")
        await cancel_job(session, run_key(campaign.id, campaign.runs + 1))
        pending = list((await session.scalars(select(OutreachSend.id).where(
            OutreachSend.campaign_id == campaign.id,
            OutreachSend.status == SendStatus.pending))).all())
        for send_id in pending:
            await cancel_job(session, send_key(send_id))
        await session.execute(update(OutreachSend).where(OutreachSend.id.in_(pending))
                              .values(status=SendStatus.cancelled))
        campaign.status, campaign.next_run_at = CampaignStatus.cancelled, None
        record_audit(session, actor_agent_id=actor.id, action="outreach.campaign.cancel",
                     target_type="outreach_campaign", target_id=campaign.id)
        return campaign


def send_key(send_id: int) -> str:
    return f"outreach:send:{send_id}"


# --- the customer's preferences -----------------------------------------------------------

async def _contact(session: AsyncSession, customer_id: int) -> OutreachContact:
    contact = await session.get(OutreachContact, customer_id, with_for_update=True)
    if contact is None:
        contact = OutreachContact(customer_id=customer_id)
        session.add(contact)
    return contact


async def set_outreach_preferences(services: Services, customer_id: int, *,
                                   opted_out: bool | None = None, timezone: str | None = None,
                                   via: str = "staff", actor: Agent | None = None
                                   ) -> OutreachContact:
    """Opt out (or back in), and/or the customer's time zone (for quiet hours)."""
    if actor is not None and actor.role == Role.outsourced:
        raise Forbidden("outsourced agents do not change a customer's preferences")
    if timezone is not None:
        try:
            timezone = valid_timezone(timezone.strip())
        except ValueError as exc:
            raise Invalid("{reason}", reason=str(exc)) from exc
    async with services.transaction() as session:
        customer = await session.get(Customer, customer_id)
        if customer is None or customer.erased_at is not None:
            raise NotFound("customer not found")
        contact = await _contact(session, customer_id)
        if timezone is not None:
            contact.timezone = timezone
        if opted_out is True and contact.opted_out_at is None:
            contact.opted_out_at, contact.opted_out_via = utcnow(), via[:20]
        elif opted_out is False:
            contact.opted_out_at, contact.opted_out_via = None, None
        contact.updated_at = utcnow()
        if opted_out is not None:
            record_audit(session, actor_agent_id=actor.id if actor else None,
                         action="outreach.opt_out" if opted_out else "outreach.opt_in",
                         target_type="customer", target_id=customer_id, detail={"via": via})
        await session.flush()
        return contact


async def set_widget_preferences(services: Services, external_id: str, *,
                                 timezone: str | None = None,
                                 opted_out: bool | None = None) -> OutreachContact:
    """From the widget (its signed token names the customer on the web channel): the
    browser's time zone, or the customer's own opt-out / back in."""
    async with services.read() as session:
        customer_id = await session.scalar(select(CustomerIdentity.customer_id).where(
            CustomerIdentity.channel == "web",
            CustomerIdentity.external_hash == keyed_hash(external_id)))
    if customer_id is None:
        raise NotFound("no conversation yet")
    return await set_outreach_preferences(services, customer_id, timezone=timezone,
                                          opted_out=opted_out, via="widget")


async def opt_out_by_link(services: Services, token: str) -> int:
    """The one-click link of an e-mail or the widget: the customer it names opts out."""
    customer_id = customer_from_stop_token(services.settings, token)
    if customer_id is None:
        raise NotFound("this link is not valid")
    await set_outreach_preferences(services, customer_id, opted_out=True, via="link")
    return customer_id


STOP_WORDS = {"stop", "stopall", "unsubscribe", "cancel", "end", "quit", "退订", "td", "t"}


def is_stop_reply(body: str) -> bool:
    """A reply that asks for no more messages ("STOP", "unsubscribe", "退订", "TD")."""
    return body.strip().strip(".!。！").lower() in STOP_WORDS


async def opt_out_by_sms(services: Services, phone: str, body: str) -> bool:
    """An SMS reply from ``phone``: a stop word opts every customer with that number out."""
    from walletdesk.notify.sms import normalise_phone

    if not is_stop_reply(body):
        return False
    try:
        number = normalise_phone(phone)
    except ValueError:
        return False
    async with services.read() as session:
        customer_ids = list((await session.scalars(select(Customer.id).where(
            Customer.phone_hash == keyed_hash(number)))).all())
    for customer_id in customer_ids:
        await set_outreach_preferences(services, customer_id, opted_out=True, via="sms_reply")
    return bool(customer_ids)
