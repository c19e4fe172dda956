"""The two job kinds of a campaign: ``outreach.run`` (who gets it this time: one send row per
customer, one ``outreach.send`` job each) and ``outreach.send`` (one customer).

A send is reserved before it leaves, in a transaction that locks the customer's row: the
opt-out and the frequency cap are checked there, and the reservation itself counts towards
the cap, so two campaigns racing for one customer cannot both pass. In quiet hours (the
customer's time zone) nothing is reserved: the job moves to their morning. The channel gets
the message outside any transaction (deliver step); the handle step marks it sent. A worker
that dies in between repeats the delivery of a reserved send with the same Message-ID (e-mail)
or — in the app — writes nothing until the one transaction that writes the message and marks
the send sent: no customer is counted or messaged twice by a crash.
"""

import hashlib
import math
import random
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.utils import format_datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from walletdesk.cases.models import Survey
from walletdesk.config import Settings
from walletdesk.conversations.messages import append_message, lock_conversation
from walletdesk.conversations.models import Conversation, SenderKind, Status
from walletdesk.customers.models import Customer, CustomerIdentity
from walletdesk.db.base import utcnow
from walletdesk.jobs.actions import schedule_job
from walletdesk.jobs.models import Job
from walletdesk.jobs.registry import JobContext, PermanentJobError, job_handler
from walletdesk.outreach import texts
from walletdesk.outreach.actions import RUN_JOB, SEND_JOB, schedule_run, send_key
from walletdesk.outreach.models import (
    CAPPED_STATUSES,
    Campaign,
    CampaignKind,
    CampaignStatus,
    OutreachChannel,
    OutreachContact,
    OutreachSend,
    Segment,
    SendStatus,
)
from walletdesk.outreach.rules import (
    after_quiet_hours,
    in_quiet_hours,
    pick_locale,
    stop_url,
    zone,
)
from walletdesk.outreach.segments import audience
from walletdesk.services import Services
from walletdesk.tokens import support_domain, survey_token

WIDGET_CHANNEL = "web"  # the widget's conversations (walletdesk.web.routes.sockets)


# --- a run: who gets it -------------------------------------------------------------------

async def audience_ids(session: AsyncSession, campaign: Campaign, run: int,
                       now: datetime) -> list[int]:
    """The customers of this run: the segment's (everyone for a safety tip without one); for
    a survey, a random sample of those seen within ``active_days`` (the same sample if the
    run is repeated after a crash)."""
    rule: dict[str, Any] = {}
    if campaign.segment_id is not None:
        segment = await session.get(Segment, campaign.segment_id)
        rule = dict(segment.rule) if segment is not None else {}
    if campaign.kind == CampaignKind.survey:
        rule.setdefault("active_days", campaign.active_days)
    ids = list((await session.scalars(audience(rule, now))).all())
    if campaign.kind != CampaignKind.survey:
        return ids
    if campaign.sample_size is not None:
        wanted = min(campaign.sample_size, len(ids))
    else:
        wanted = math.ceil(len(ids) * (campaign.sample_percent or 0) / 100)
    return sorted(random.Random(f"{campaign.id}:{run}").sample(ids, wanted))


@job_handler(RUN_JOB)
async def campaign_run(ctx: JobContext) -> None:
    session = ctx.session
    run = int(ctx.job.payload["run"])
    campaign = await session.get(Campaign, int(ctx.job.payload["campaign_id"]),
                                 with_for_update=True)
    if campaign is None or campaign.status != CampaignStatus.scheduled or campaign.runs >= run:
        return  # cancelled meanwhile, or this run happened
    now = utcnow()
    customer_ids = await audience_ids(session, campaign, run, now)
    sends = [OutreachSend(campaign_id=campaign.id, run=run, customer_id=customer_id,
                          channel=campaign.channel, due_at=now)
             for customer_id in customer_ids]
    session.add_all(sends)
    await session.flush()
    for send in sends:
        await schedule_job(session, SEND_JOB, {"send_id": send.id}, due_at=now,
                           dedupe_key=send_key(send.id))
    campaign.runs, campaign.last_run_at = run, now
    if campaign.repeat_days:
        await schedule_run(session, campaign, max(
            (campaign.next_run_at or now) + timedelta(days=campaign.repeat_days), now))
    else:
        campaign.status, campaign.next_run_at = CampaignStatus.done, None


# --- one send -----------------------------------------------------------------------------

@dataclass
class Content:
    subject: str
    body: str  # the campaign's text (in-app), or with the opt-out line (e-mail, SMS)
    stop_url: str
    language: str | None


def compose(settings: Settings, campaign: Campaign, customer: Customer,
            survey_id: int | None) -> Content:
    language = customer.language
    link = stop_url(settings, customer.id)
    if campaign.kind == CampaignKind.survey and not campaign.texts:
        body = texts.text("survey_in_app", language, brand=settings.brand_name) \
            if campaign.channel == OutreachChannel.in_app else ""
    else:
        locale = pick_locale(campaign.texts, language, settings.default_language)
        body = campaign.texts[locale] if locale else ""
        language = locale or language
    if campaign.kind == CampaignKind.survey and survey_id is not None and \
            campaign.channel != OutreachChannel.in_app:
        survey_link = f"{settings.public_url.rstrip('/')}/survey/" \
                      f"{survey_token(settings, survey_id)}"
        body = f"{body}\n\n{survey_link}" if body else texts.text(
            "survey", language, brand=settings.brand_name, link=survey_link)
    subject_locale = pick_locale(campaign.subjects, language, settings.default_language)
    subject = campaign.subjects[subject_locale] if subject_locale else texts.text(
        "survey_subject" if campaign.kind == CampaignKind.survey else "subject", language,
        brand=settings.brand_name)
    if campaign.channel != OutreachChannel.in_app:
        body = f"{body}\n\n{texts.text('stop_line', language, link=link)}"
    return Content(subject=subject, body=body, stop_url=link, language=language)


async def _widget_conversation(session: AsyncSession, customer_id: int) -> int | None:
    return await session.scalar(select(Conversation.id).where(
        Conversation.customer_id == customer_id, Conversation.channel == WIDGET_CHANNEL)
        .order_by(Conversation.id.desc()).limit(1))


async def _has_widget_identity(session: AsyncSession, customer_id: int) -> bool:
    return await session.scalar(select(CustomerIdentity.id).where(
        CustomerIdentity.customer_id == customer_id,
        CustomerIdentity.channel == WIDGET_CHANNEL).limit(1)) is not None


async def _email_of(session: AsyncSession, customer: Customer) -> str | None:
    if customer.email:
        return customer.email
    return await session.scalar(select(CustomerIdentity.external_id).where(
        CustomerIdentity.customer_id == customer.id, CustomerIdentity.channel == "email")
        .limit(1))


async def _reachable(session: AsyncSession, settings: Settings, channel: str,
                     customer: Customer) -> bool:
    if channel == OutreachChannel.in_app:
        return await _widget_conversation(session, customer.id) is not None or \
            await _has_widget_identity(session, customer.id)
    if channel == OutreachChannel.email:
        return bool(settings.smtp_host) and await _email_of(session, customer) is not None
    return bool(customer.phone)


async def _capped(session: AsyncSession, settings: Settings, send: OutreachSend,
                  now: datetime) -> bool:
    since = now - timedelta(days=settings.outreach_cap_days)
    recent = await session.scalar(select(func.count()).select_from(OutreachSend).where(
        OutreachSend.customer_id == send.customer_id, OutreachSend.id != send.id,
        OutreachSend.status.in_(CAPPED_STATUSES), OutreachSend.reserved_at >= since))
    return int(recent or 0) >= settings.outreach_cap_messages


async def reserve(services: Services, send_id: int) -> dict[str, Any]:
    """Decide about one send, in one transaction: skip it (and say why), defer it past quiet
    hours, or reserve it ("go", with what to deliver)."""
    settings = services.settings
    now = utcnow()
    async with services.transaction() as session:
        send = await session.get(OutreachSend, send_id, with_for_update=True)
        if send is None or send.status not in (SendStatus.pending, SendStatus.sending):
            return {"result": "skipped"}
        campaign = await session.get(Campaign, send.campaign_id)
        assert campaign is not None
        if campaign.status == CampaignStatus.cancelled and send.status == SendStatus.pending:
            send.status = SendStatus.cancelled
            return {"result": "skipped"}
        # one decision at a time per customer: the cap counts what the others reserved
        customer = await session.scalar(select(Customer).where(
            Customer.id == send.customer_id).with_for_update())
        contact = await session.get(OutreachContact, send.customer_id)
        if customer is None or customer.erased_at is not None:
            send.status = SendStatus.skipped_no_address
            return {"result": "skipped"}
        if contact is not None and contact.opted_out_at is not None:
            send.status = SendStatus.skipped_opt_out
            return {"result": "skipped"}
        if send.status == SendStatus.pending:
            tz = zone(settings, contact.timezone if contact else None)
            if in_quiet_hours(settings, now, tz):
                return {"result": "deferred",
                        "until": after_quiet_hours(settings, now, tz).isoformat()}
            if await _capped(session, settings, send, now):
                send.status = SendStatus.skipped_cap
                return {"result": "skipped"}
            if not await _reachable(session, settings, send.channel, customer):
                send.status = SendStatus.skipped_no_address
                return {"result": "skipped"}
            if campaign.kind == CampaignKind.survey:
                survey = Survey(conversation_id=None, source="periodic", customer_id=customer.id,
                                channel=send.channel)
                session.add(survey)
                await session.flush()
                send.survey_id = survey.id
            send.status, send.reserved_at = SendStatus.sending, now
        content = compose(settings, campaign, customer, send.survey_id)
        return {"result": "go", "channel": send.channel, "subject": content.subject,
                "body": content.body, "stop_url": content.stop_url,
                "email": await _email_of(session, customer)
                if send.channel == OutreachChannel.email else None,
                "phone": customer.phone if send.channel == OutreachChannel.sms else None,
                "reserved_at": (send.reserved_at or now).isoformat()}


def outreach_message_id(settings: Settings, send_id: int) -> str:
    digest = hashlib.sha256(f"{settings.secret_key}:outreach:{send_id}".encode()).hexdigest()
    return f"<outreach-{send_id}-{digest[:10]}@{support_domain(settings)}>"


async def _send_email(services: Services, send_id: int, decided: dict[str, Any]) -> None:
    from walletdesk.email.outbound import notice_mail, send_mail

    settings = services.settings
    mail = notice_mail(settings, decided["email"], decided["subject"], decided["body"])
    # the same id on a repeated delivery: the customer's mail client shows one message
    mail["Message-ID"] = outreach_message_id(settings, send_id)
    mail["Date"] = format_datetime(datetime.fromisoformat(decided["reserved_at"]))
    # RFC 8058 one-click unsubscribe: the mail client POSTs to the link
    mail["List-Unsubscribe"] = f"<{decided['stop_url']}>"
    mail["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    await send_mail(services, mail, decided["email"])


async def _send_sms(services: Services, decided: dict[str, Any]) -> str:
    from walletdesk.notify.sms import SmsError, make_sms_provider

    try:
        sent = await make_sms_provider(services.settings).send(decided["phone"], decided["body"])
    except SmsError as exc:
        if exc.retryable:
            raise ConnectionError(str(exc)) from None
        raise PermanentJobError(str(exc)) from None
    except ValueError as exc:  # a number or body the adapter refuses
        raise PermanentJobError(str(exc)) from None
    return sent.provider_id


async def deliver_send(services: Services, job: Job) -> dict[str, Any]:
    send_id = int(job.payload["send_id"])
    decided = await reserve(services, send_id)
    if decided["result"] != "go":
        return decided
    if decided["channel"] == OutreachChannel.email:
        await _send_email(services, send_id, decided)
        return {"result": "sent"}
    if decided["channel"] == OutreachChannel.sms:
        return {"result": "sent", "provider_id": await _send_sms(services, decided)}
    return {"result": "in_app"}  # written in the handle step, with "sent"


async def send_failed(ctx: JobContext, error: str) -> None:
    send = await ctx.session.get(OutreachSend, int(ctx.job.payload["send_id"]),
                                 with_for_update=True)
    if send is not None and send.status in (SendStatus.pending, SendStatus.sending):
        send.status, send.error = SendStatus.failed, error[:200]


async def _write_in_app(ctx: JobContext, send: OutreachSend) -> None:
    session = ctx.session
    campaign = await session.get(Campaign, send.campaign_id)
    customer = await session.get(Customer, send.customer_id)
    assert campaign is not None and customer is not None
    conversation_id = await _widget_conversation(session, customer.id)
    conversation = await lock_conversation(session, conversation_id) if conversation_id \
        else None
    if conversation is None:  # known to the widget but never wrote: a conversation to show
        now = utcnow()
        conversation = Conversation(customer_id=customer.id, channel=WIDGET_CHANNEL,
                                    status=Status.closed, language=customer.language,
                                    subject=campaign.name[:200], resolved_at=now)
        session.add(conversation)
        await session.flush()
    content = compose(ctx.services.settings, campaign, customer, send.survey_id)
    meta: dict[str, Any] = {"kind": "outreach", "campaign_id": campaign.id, "send_id": send.id,
                            "stop_url": content.stop_url,
                            "stop_label": texts.text("stop_label", content.language)}
    if send.survey_id is not None:  # the widget's rating card (walletdesk.cases.surveys)
        meta = {**meta, "kind": "csat", "survey_id": send.survey_id}
    message = await append_message(session, conversation, sender_kind=SenderKind.system,
                                   text=content.body, meta=meta)
    send.message_id = message.id


@job_handler(SEND_JOB, deliver=deliver_send, on_failure=send_failed)
async def send_done(ctx: JobContext) -> None:
    delivered = ctx.delivered or {}
    session = ctx.session
    send = await session.get(OutreachSend, int(ctx.job.payload["send_id"]),
                             with_for_update=True)
    if send is None or delivered.get("result") == "skipped":
        return
    if delivered.get("result") == "deferred":
        if send.status != SendStatus.pending:
            return
        until = datetime.fromisoformat(delivered["until"])
        send.deferrals += 1
        send.due_at = until
        await schedule_job(session, SEND_JOB, {"send_id": send.id}, due_at=until,
                           dedupe_key=f"{send_key(send.id)}:{until.isoformat()}")
        return
    if send.status != SendStatus.sending:
        return  # already marked (a repeated job)
    if delivered.get("result") == "in_app":
        await _write_in_app(ctx, send)
    send.status, send.sent_at = SendStatus.sent, utcnow()
    send.provider_id = delivered.get("provider_id")
