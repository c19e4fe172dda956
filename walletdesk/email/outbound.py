"""Sending replies by email: the ``email.send`` job, scheduled for every agent or bot reply
(and rating request) in an email conversation by ``append_message``.

The deliver step builds the mail and hands it to the SMTP relay (aiosmtplib), outside any
transaction; the handle step records its Message-ID for threading and marks the message
sent. The Message-ID is derived from the message, so a repeated delivery after a crash is
recognisably the same mail. Retries back off (see walletdesk.jobs.runner); a refusal by the
relay (5xx), or giving up, puts an internal note on the conversation for the agent.
"""

import hashlib
from datetime import UTC
from email.message import EmailMessage as MimeMessage
from email.utils import format_datetime, formataddr
from html import escape
from typing import Any

import aiosmtplib
from sqlalchemy import select

from walletdesk import i18n
from walletdesk.config import Settings
from walletdesk.conversations.messages import append_message, lock_conversation
from walletdesk.conversations.models import Conversation, Message, SenderKind
from walletdesk.customers.models import Customer, CustomerIdentity
from walletdesk.db.base import utcnow
from walletdesk.email.models import EmailMessage
from walletdesk.jobs.models import Job
from walletdesk.jobs.runner import JobContext, PermanentJobError, job_handler
from walletdesk.services import Services
from walletdesk.tokens import reply_address, support_domain, survey_token

SEND_JOB = "email.send"
THREAD_REFERENCES = 20


def outgoing_message_id(services: Services, message_id: int) -> str:
    digest = hashlib.sha256(f"{services.settings.secret_key}:mail:{message_id}".encode())
    return f"wd-{message_id}-{digest.hexdigest()[:10]}@{support_domain(services.settings)}"


async def _recipient(services: Services, customer_id: int) -> str | None:
    async with services.read() as session:
        customer = await session.get(Customer, customer_id)
        if customer is not None and customer.email:
            return customer.email
        return await session.scalar(select(CustomerIdentity.external_id).where(
            CustomerIdentity.customer_id == customer_id, CustomerIdentity.channel == "email"))


def _rating_links(services: Services, survey_id: int) -> list[tuple[str, str]]:
    token = survey_token(services.settings, survey_id)
    base = services.settings.public_url.rstrip("/")
    return [(f"{n}★", f"{base}/survey/{token}?rating={n}") for n in range(1, 6)]


def support_sender(settings: Settings) -> str:
    return formataddr((f"{settings.brand_name} Support", settings.support_email))


def notice_mail(settings: Settings, to: str, subject: str, body: str) -> MimeMessage:
    """A plain mail the desk itself sends (a code, an invitation), marked automatic."""
    mail = MimeMessage()
    mail["From"] = support_sender(settings)
    mail["To"] = to
    mail["Subject"] = subject
    mail["Auto-Submitted"] = "auto-generated"
    mail.set_content(body)
    return mail


def build_mail(services: Services, conversation: Conversation, message: Message, to: str,
               references: list[str]) -> MimeMessage:
    settings = services.settings
    language = conversation.language
    mail = MimeMessage()
    mail["From"] = support_sender(settings)
    mail["To"] = to
    mail["Reply-To"] = reply_address(settings, conversation.id)
    subject = conversation.subject or settings.brand_name
    mail["Subject"] = subject if subject.lower().startswith("re:") else f"Re: {subject}"
    mail["Message-ID"] = f"<{outgoing_message_id(services, message.id)}>"
    mail["Date"] = format_datetime(message.created_at.astimezone(UTC))
    if references:
        mail["In-Reply-To"] = f"<{references[-1]}>"
        mail["References"] = " ".join(f"<{ref}>" for ref in references)
    if message.sender_kind != SenderKind.agent:  # RFC 3834: tell auto-responders not to answer
        mail["Auto-Submitted"] = "auto-replied"
    mail["X-Walletdesk-Loop"] = support_domain(settings)
    if language:
        mail["Content-Language"] = language

    footer = i18n.text("email_footer", language, brand=settings.brand_name)
    meta = message.meta or {}
    links = _rating_links(services, int(meta["survey_id"])) if meta.get("kind") == "csat" else []
    text_links = i18n.text("email_rate", language,
                           links="  ".join(f"{label} {url}" for label, url in links))
    mail.set_content("\n\n".join(filter(None, [message.text, text_links if links else "",
                                               "--", footer])))
    html_links = " ".join(f'<a href="{escape(url)}">{escape(label)}</a>' for label, url in links)
    html_body = (f"<p>{escape(message.text).replace(chr(10), '<br>')}</p>"
                 + (f"<p>{i18n.text('email_rate', language, links=html_links)}</p>" if links else "")
                 + f'<hr><p style="color:#666;font-size:12px">{escape(footer)}</p>')
    mail.add_alternative(f"<!doctype html><html><body>{html_body}</body></html>", subtype="html")
    return mail


async def send_mail(services: Services, mail: MimeMessage, to: str) -> None:
    """Hand one mail to the relay; PermanentJobError for a refusal, ConnectionError to retry."""
    settings = services.settings
    if not settings.smtp_host:
        raise PermanentJobError("outgoing mail is not configured (WALLETDESK_SMTP_HOST)")
    try:
        await aiosmtplib.send(
            mail, sender=settings.support_email, recipients=[to], hostname=settings.smtp_host,
            port=settings.smtp_port, username=settings.smtp_username,
            password=settings.smtp_password, use_tls=settings.smtp_tls == "tls",
            start_tls=settings.smtp_tls == "starttls", timeout=settings.smtp_timeout_s)
    except aiosmtplib.SMTPRecipientsRefused as exc:
        codes = [refusal.code for refusal in exc.recipients]
        error = f"the relay refused the recipient (SMTP {', '.join(map(str, codes))})"
        if all(code >= 500 for code in codes):
            raise PermanentJobError(error) from None
        raise ConnectionError(error) from None
    except aiosmtplib.SMTPResponseException as exc:
        error = f"the relay answered SMTP {exc.code}"
        if exc.code >= 500:
            raise PermanentJobError(error) from None
        raise ConnectionError(error) from None
    except (aiosmtplib.SMTPException, OSError) as exc:
        raise ConnectionError(f"could not reach the relay: {type(exc).__name__}") from None


async def deliver_email(services: Services, job: Job) -> dict[str, Any]:
    async with services.read() as session:
        message = await session.get(Message, int(job.payload["message_id"]))
        if message is None:
            return {"skipped": "the message was deleted"}
        conversation = await session.get(Conversation, message.conversation_id)
        assert conversation is not None
        references = list((await session.scalars(
            select(EmailMessage.rfc_message_id)
            .where(EmailMessage.conversation_id == conversation.id,
                   EmailMessage.id.in_(select(EmailMessage.id).where(
                       EmailMessage.conversation_id == conversation.id)
                       .order_by(EmailMessage.id.desc()).limit(THREAD_REFERENCES)))
            .order_by(EmailMessage.id))).all())
    to = await _recipient(services, conversation.customer_id)
    if not to:
        raise PermanentJobError("the customer has no email address")
    mail = build_mail(services, conversation, message, to, references)
    await send_mail(services, mail, to)
    return {"rfc_message_id": outgoing_message_id(services, message.id)}


async def _mark(ctx: JobContext, delivery: dict[str, Any]) -> Message | None:
    message = await ctx.session.get(Message, int(ctx.job.payload["message_id"]),
                                    with_for_update=True)
    if message is not None:
        message.meta = {**(message.meta or {}), "delivery": delivery}
    return message


async def email_failed(ctx: JobContext, error: str) -> None:
    message = await _mark(ctx, {"status": "failed", "error": error})
    if message is None:
        return
    conversation = await lock_conversation(ctx.session, message.conversation_id)
    assert conversation is not None
    text, note_meta = i18n.note("email_failed", error)
    await append_message(ctx.session, conversation, sender_kind=SenderKind.system, internal=True,
                         text=text,
                         meta={"kind": "delivery_failed", "message_id": message.id, **note_meta})


@job_handler(SEND_JOB, deliver=deliver_email, on_failure=email_failed)
async def email_sent(ctx: JobContext) -> None:
    delivered = ctx.delivered or {}
    rfc_id = delivered.get("rfc_message_id")
    message = await _mark(ctx, {"status": "sent", "at": utcnow().isoformat()} if rfc_id
                          else {"status": "skipped"})
    if rfc_id and message is not None:
        exists = await ctx.session.scalar(select(EmailMessage.id).where(
            EmailMessage.rfc_message_id == rfc_id))
        if exists is None:
            ctx.session.add(EmailMessage(rfc_message_id=rfc_id, direction="out",
                                         conversation_id=message.conversation_id,
                                         message_id=message.id))
