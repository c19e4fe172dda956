"""Sending the follow-up invitation (``followup.notify`` job) and the daily cohort scan.

The deliver step sends the link by email or SMS outside the transaction; the handle step
marks the task notified. In-app invitations are a message in the customer's latest
conversation, written in the handle step itself. Quiet hours are checked again at sending
time (a retry may fall into them): the job then moves to their end.
"""

from datetime import datetime
from typing import Any

from sqlalchemy import select

from walletdesk.conversations.messages import append_message, lock_conversation
from walletdesk.conversations.models import Conversation, SenderKind
from walletdesk.customers.models import Customer
from walletdesk.db.base import utcnow
from walletdesk.followups import texts
from walletdesk.followups.actions import (
    COHORT_JOB,
    NOTIFY_JOB,
    after_quiet_hours,
    in_quiet_hours,
    scan_cohort,
)
from walletdesk.followups.models import FollowUp, FollowUpProgramme, FollowUpStatus, NotifyChannel
from walletdesk.jobs.actions import schedule_job
from walletdesk.jobs.models import Job
from walletdesk.jobs.runner import JobContext, PermanentJobError, job_handler
from walletdesk.services import Services
from walletdesk.tokens import followup_token


def _channels_to_try(services: Services, preferred: str, customer: Customer) -> list[str]:
    """The programme's channel first, then the others this customer can be reached on."""
    usable = []
    if customer.phone:
        usable.append(NotifyChannel.sms)
    if customer.email and services.settings.smtp_host:
        usable.append(NotifyChannel.email)
    ordered = sorted(usable, key=lambda channel: channel != preferred)
    return [] if preferred == NotifyChannel.in_app else ordered


def invitation(services: Services, followup: FollowUp, language: str | None) -> str:
    link = f"{services.settings.public_url.rstrip('/')}/followup/" \
           f"{followup_token(services.settings, followup.id)}"
    return texts.text("invite", language, brand=services.settings.brand_name,
                      reason=followup.reason, link=link)


async def deliver_invitation(services: Services, job: Job) -> dict[str, Any]:
    settings = services.settings
    async with services.read() as session:
        followup = await session.get(FollowUp, int(job.payload["followup_id"]))
        if followup is None or followup.status != FollowUpStatus.scheduled:
            return {"via": "skipped"}
        customer = await session.get(Customer, followup.customer_id)
        programme = await session.get(FollowUpProgramme, followup.programme_id)
    assert customer is not None and programme is not None
    if customer.followup_opt_out_at is not None:
        return {"via": "skipped"}
    now = utcnow()
    if in_quiet_hours(settings, now):
        return {"via": "deferred", "until": after_quiet_hours(settings, now).isoformat()}
    body = invitation(services, followup, customer.language)
    for channel in _channels_to_try(services, programme.channel, customer):
        if channel == NotifyChannel.sms:
            from walletdesk.notify.sms import SmsError, make_sms_provider

            try:
                sent = await make_sms_provider(settings).send(customer.phone or "", body)
            except SmsError as exc:
                if exc.retryable:
                    raise ConnectionError(str(exc)) from None
                continue  # a number the provider refuses: try the next way
            return {"via": "sms", "provider_id": sent.provider_id}
        if channel == NotifyChannel.email:
            from walletdesk.email.outbound import notice_mail, send_mail

            mail = notice_mail(settings, customer.email or "", texts.text(
                "subject", customer.language, brand=settings.brand_name), body)
            mail["Message-ID"] = f"<followup-{followup.id}@{settings.support_email.split('@')[1]}>"
            try:
                await send_mail(services, mail, customer.email or "")
            except PermanentJobError:
                continue
            return {"via": "email"}
    return {"via": "in_app"}  # written in the handle step


async def invitation_failed(ctx: JobContext, error: str) -> None:
    """Could not notify: the task goes on the call list anyway (the agent may still call)."""
    followup = await ctx.session.get(FollowUp, int(ctx.job.payload["followup_id"]),
                                     with_for_update=True)
    if followup is not None and followup.status == FollowUpStatus.scheduled:
        followup.status = FollowUpStatus.notified
        followup.notified_via = "failed"
        followup.notes = f"The invitation could not be sent: {error}"[:2000]


@job_handler(NOTIFY_JOB, deliver=deliver_invitation, on_failure=invitation_failed)
async def invitation_sent(ctx: JobContext) -> None:
    delivered = ctx.delivered or {}
    session = ctx.session
    followup = await session.get(FollowUp, int(ctx.job.payload["followup_id"]),
                                 with_for_update=True)
    if followup is None or followup.status != FollowUpStatus.scheduled or \
            delivered.get("via") == "skipped":
        return
    if delivered.get("via") == "deferred":
        until = datetime.fromisoformat(delivered["until"])
        await schedule_job(session, NOTIFY_JOB, ctx.job.payload, due_at=until,
                           dedupe_key=f"followup:notify:{followup.id}:{until.isoformat()}")
        return
    via = delivered["via"]
    if via == "in_app":
        latest = await session.scalar(select(Conversation.id).where(
            Conversation.customer_id == followup.customer_id)
            .order_by(Conversation.id.desc()).limit(1))
        conversation = await lock_conversation(session, latest) if latest else None
        if conversation is None:
            followup.status, followup.closed_at = FollowUpStatus.unreachable, utcnow()
            followup.notes = "No email, phone or conversation to send the invitation to."
            return
        customer = await session.get(Customer, followup.customer_id)
        await append_message(session, conversation, sender_kind=SenderKind.system,
                             text=invitation(ctx.services, followup,
                                             customer.language if customer else None),
                             meta={"kind": "followup", "followup_id": followup.id})
    followup.status = FollowUpStatus.notified
    followup.notified_at = utcnow()
    followup.notified_via = via


@job_handler(COHORT_JOB)
async def cohort_scan(ctx: JobContext) -> None:
    await scan_cohort(ctx.session, ctx.services.settings, int(ctx.job.payload["programme_id"]),
                      utcnow())
