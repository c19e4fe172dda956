"""An agent answered in the web chat, but the customer had left: after
``WALLETDESK_CHAT_REPLY_MAIL_AFTER_MIN`` minutes unread, the reply goes to their email address.

``on_event`` listens to the bus after commit: an agent's public reply in a web conversation
schedules a ``chat.reply_mail`` job due that many minutes later (the job row keeps the due
time, so a restart loses nothing once it is written). When it runs, the job mails every
reply the customer has neither seen (``customer_read_seq``, moved by the widget) nor been
mailed already (``reply_mailed_seq``): several quick replies make one mail. Sending happens
in the job's deliver step, outside any transaction and never from a request handler.
"""

import hashlib
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage as MimeMessage
from email.utils import format_datetime
from html import escape
from typing import Any

import structlog
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from walletdesk.conversations.messages import append_message, lock_conversation
from walletdesk.conversations.models import Conversation, Message, SenderKind
from walletdesk.customers.models import Customer
from walletdesk.email.outbound import send_mail, support_sender
from walletdesk.events.bus import Event
from walletdesk.i18n import N_, note, translate
from walletdesk.jobs.actions import schedule_job
from walletdesk.jobs.models import Job
from walletdesk.jobs.runner import JobContext, job_handler
from walletdesk.services import Services
from walletdesk.tokens import support_domain

REPLY_MAIL_JOB = "chat.reply_mail"
CHAT_CHANNEL = "web"
MAX_REPLIES = 20  # the newest ones, if an agent wrote more while the customer was away
log = structlog.get_logger(__name__)

# the mail's texts, by key; translated from the catalogs (walletdesk/locale, ``make catalogs``)
TEXTS: dict[str, str] = {
    "subject": N_("{brand} Support replied to you"),
    "intro": N_("You have a reply in your chat with {brand} Support:"),
    "file": N_("(file: {name} — open the chat to see it)"),
    "footer": N_("Open the chat on our site or app to answer. This mail was sent because you "
                 "left the chat before the reply came. {brand} staff will never ask for your "
                 "recovery phrase (seed words) or private key."),
}


def _text(key: str, language: str | None, **values: str) -> str:
    """One of the mail's texts in the customer's language (English without a catalog)."""
    return translate(TEXTS[key], language, **values)


# --- scheduling: an after-commit listener ------------------------------------------------------

async def on_event(services: Services, event: Event) -> None:
    """Bus listener: an agent's public reply schedules its away-mail check."""
    minutes = services.settings.chat_reply_mail_after_min
    if event.get("type") != "message" or not minutes or not services.settings.smtp_host:
        return
    message = event["message"]
    if message["sender_kind"] != SenderKind.agent or message["internal"]:
        return
    due_at = datetime.fromisoformat(message["created_at"]) + timedelta(minutes=minutes)
    try:
        async with services.transaction() as session:
            channel = await session.scalar(select(Conversation.channel).where(
                Conversation.id == event["conversation_id"]))
            if channel != CHAT_CHANNEL:
                return
            # one job per reply; with several server processes (Redis) each hears the event,
            # and the key keeps it to one row
            await schedule_job(session, REPLY_MAIL_JOB,
                               {"conversation_id": event["conversation_id"],
                                "seq": message["seq"]}, due_at=due_at,
                               dedupe_key=f"reply-mail:{event['conversation_id']}:{message['seq']}")
    except IntegrityError:
        return  # another process scheduled it at the same moment


# --- the job ---------------------------------------------------------------------------------

async def _unread_replies(session: Any, conversation: Conversation) -> list[Message]:
    after = max(conversation.customer_read_seq, conversation.reply_mailed_seq)
    replies = (await session.scalars(
        select(Message).where(Message.conversation_id == conversation.id, Message.seq > after,
                              Message.sender_kind == SenderKind.agent,
                              Message.is_internal.is_(False))
        .order_by(Message.seq.desc()).limit(MAX_REPLIES))).all()
    return list(reversed(replies))


def reply_mail_id(services: Services, conversation_id: int, last_seq: int) -> str:
    digest = hashlib.sha256(
        f"{services.settings.secret_key}:reply-mail:{conversation_id}:{last_seq}".encode())
    return f"wd-chat-{conversation_id}-{last_seq}-{digest.hexdigest()[:10]}@" \
        f"{support_domain(services.settings)}"


def build_reply_mail(services: Services, conversation: Conversation, replies: list[Message],
                     to: str) -> MimeMessage:
    settings = services.settings
    language, brand = conversation.language, settings.brand_name
    mail = MimeMessage()
    mail["From"] = support_sender(settings)
    mail["To"] = to
    mail["Subject"] = _text("subject", language, brand=brand)
    mail["Message-ID"] = f"<{reply_mail_id(services, conversation.id, replies[-1].seq)}>"
    mail["Date"] = format_datetime(datetime.now(UTC))
    mail["Auto-Submitted"] = "auto-generated"  # RFC 3834: not a person writing
    mail["X-Walletdesk-Loop"] = support_domain(settings)
    if language:
        mail["Content-Language"] = language
    blocks: list[tuple[str, str, list[str]]] = []
    for reply in replies:
        files = [_text("file", language, name=a["filename"])
                 for a in (reply.meta or {}).get("attachments", [])]
        blocks.append((reply.sender_name or brand, reply.text, files))
    intro = _text("intro", language, brand=brand)
    footer = _text("footer", language, brand=brand)
    plain = [intro, ""]
    for name, text, files in blocks:
        plain += [f"{name}:", text, *files, ""]
    mail.set_content("\n".join([*plain, "--", footer]))
    html = "".join(
        f"<p><strong>{escape(name)}</strong><br>{escape(text).replace(chr(10), '<br>')}</p>"
        + "".join(f"<p><em>{escape(f)}</em></p>" for f in files)
        for name, text, files in blocks)
    mail.add_alternative(
        f"<!doctype html><html><body><p>{escape(intro)}</p>{html}<hr>"
        f'<p style="color:#666;font-size:12px">{escape(footer)}</p></body></html>',
        subtype="html")
    return mail


async def deliver_reply_mail(services: Services, job: Job) -> dict[str, Any]:
    """Outside the transaction: decide from the rows, and send if the reply is still unread."""
    seq = int(job.payload["seq"])
    async with services.read() as session:
        conversation = await session.get(Conversation, int(job.payload["conversation_id"]))
        if conversation is None:
            return {"skipped": "deleted"}
        if max(conversation.customer_read_seq, conversation.reply_mailed_seq) >= seq:
            return {"skipped": "read"}  # seen in the chat, or in an earlier mail
        customer = await session.get(Customer, conversation.customer_id)
        if customer is None or not customer.email or customer.erased_at is not None:
            return {"skipped": "no_address"}
        replies = await _unread_replies(session, conversation)
    if not replies:
        return {"skipped": "read"}
    await send_mail(services, build_reply_mail(services, conversation, replies, customer.email),
                    customer.email)
    log.info("chat.reply_mailed", conversation_id=conversation.id, replies=len(replies))
    return {"mailed_seq": replies[-1].seq, "count": len(replies)}


@job_handler(REPLY_MAIL_JOB, deliver=deliver_reply_mail)
async def reply_mail_done(ctx: JobContext) -> None:
    """In the job's transaction: remember what was mailed, and tell the agent."""
    mailed_seq = (ctx.delivered or {}).get("mailed_seq")
    if mailed_seq is None:
        return
    conversation = await lock_conversation(ctx.session, int(ctx.job.payload["conversation_id"]))
    if conversation is None:
        return
    conversation.reply_mailed_seq = max(conversation.reply_mailed_seq, int(mailed_seq))
    count = int((ctx.delivered or {}).get("count", 1))
    text, note_meta = note("reply_mailed_one" if count == 1 else "reply_mailed_other",
                           count=count)
    await append_message(
        ctx.session, conversation, sender_kind=SenderKind.system, internal=True, text=text,
        meta={"kind": "reply_mailed", "seq": int(mailed_seq), **note_meta})
