"""An email arrives: find its thread, then hand it to the one inbound message path.

``receive_email`` is called by the SMTP server for each accepted mail. It decides what the
mail is (a customer writing, an auto-reply, a bounce of our own mail, a loop), finds the
conversation (the signed reply address first, then In-Reply-To/References, else a new
one) and calls ``receive_message``; the Message-ID is recorded in the same transaction so
a mail delivered twice is stored once.
"""

import hashlib
from dataclasses import dataclass, replace
from typing import Literal

import structlog
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from walletdesk.conversations.actions import InboundMessage, receive_message
from walletdesk.conversations.attachments import AttachmentIn
from walletdesk.conversations.messages import append_message, lock_conversation
from walletdesk.conversations.models import Conversation, Message, SenderKind
from walletdesk.customers.models import CustomerIdentity
from walletdesk.email.models import EmailMessage
from walletdesk.email.parse import MalformedMail, ParsedMail, parse_mail
from walletdesk.i18n import note
from walletdesk.safety.protect import protect_text
from walletdesk.services import Services
from walletdesk.text_rules import clean_text
from walletdesk.tokens import conversation_from_address, support_domain

log = structlog.get_logger(__name__)
CHANNEL = "email"
TRUNCATED_NOTE = "\n\n[… the email was longer; the whole text is attached]"

Outcome = Literal["stored", "duplicate", "auto_reply", "bounce", "loop"]


@dataclass
class MailReceived:
    outcome: Outcome
    conversation_id: int | None = None
    message_id: int | None = None


async def _thread(session: AsyncSession, services: Services, mail: ParsedMail,
                  recipients: list[str]) -> int | None:
    """The conversation this mail continues, if it is the sender's own."""
    candidate = None
    for address in [*recipients, *mail.to_addresses]:
        candidate = conversation_from_address(services.settings, address)
        if candidate is not None:
            break
    if candidate is None and mail.in_reply_to:
        candidate = await session.scalar(
            select(EmailMessage.conversation_id)
            .where(EmailMessage.rfc_message_id.in_(mail.in_reply_to[:50])).limit(1))
    if candidate is None:
        return None
    # a reply token or thread id only counts for the customer it was sent to
    owner = await session.scalar(
        select(CustomerIdentity.external_id)
        .join(Conversation, Conversation.customer_id == CustomerIdentity.customer_id)
        .where(Conversation.id == candidate, CustomerIdentity.channel == CHANNEL))
    return candidate if owner == mail.from_address else None


async def _record_bounce(services: Services, mail: ParsedMail) -> int | None:
    async with services.transaction() as session:
        sent = await session.scalar(select(EmailMessage).where(
            EmailMessage.rfc_message_id.in_(mail.bounced_message_ids[:20]),
            EmailMessage.direction == "out"))
        if sent is None:
            return None
        conversation = await lock_conversation(session, sent.conversation_id)
        if conversation is None:
            return None
        text, note_meta = note("email_bounced_status", status=mail.bounce_status) \
            if mail.bounce_status else note("email_bounced")
        await append_message(
            session, conversation, sender_kind=SenderKind.system, internal=True, text=text,
            meta={"kind": "delivery_failed", "message_id": sent.message_id, **note_meta})
        return conversation.id


def _body(services: Services, mail: ParsedMail) -> tuple[str, list[AttachmentIn]]:
    """The message text, and the files to keep. The raw mail is never stored: it would hold
    whatever secret the protect step removes from the text and the text attachments."""
    # what a mail may carry but no database column can (a NUL, a lone surrogate) goes here:
    # the sender cannot be asked to fix it (walletdesk.text_rules)
    text = clean_text(mail.text).strip()
    attachments = [replace(a, filename=clean_text(a.filename)) for a in mail.attachments]
    if not text:
        text = "(no text; see the attachments)" if attachments else "(empty email)"
    limit = services.settings.max_message_chars
    if len(text) > limit:
        # protected before it is cut: a key cut at the limit would no longer look like one
        whole = protect_text(text).text
        text = whole[: limit - len(TRUNCATED_NOTE)].rstrip() + TRUNCATED_NOTE
        # the whole (protected) text is kept, whatever the attachment limits say
        attachments.append(AttachmentIn("whole-message.txt", "text/plain",
                                        whole.encode("utf-8"), trusted=True))
    return text, attachments


async def receive_email(services: Services, raw: bytes, *, envelope_from: str | None = None,
                        recipients: list[str] | None = None) -> MailReceived:
    settings = services.settings
    if len(raw) > settings.mail_max_bytes:
        raise MalformedMail(f"message larger than {settings.mail_max_bytes} bytes")
    try:
        mail = parse_mail(raw, envelope_from=envelope_from, our_domain=support_domain(settings))
    except RecursionError:  # thousands of nested MIME parts: a poison mail, refused for good
        raise MalformedMail("MIME parts nested too deeply") from None
    if mail.loop:
        log.warning("email.loop_dropped")
        return MailReceived("loop")
    if mail.bounce:
        conversation_id = await _record_bounce(services, mail)
        log.info("email.bounce", matched=conversation_id is not None)
        return MailReceived("bounce", conversation_id)
    if mail.auto_reply:
        log.info("email.auto_reply_ignored")
        return MailReceived("auto_reply")

    rfc_id = mail.message_id or "sha256-" + hashlib.sha256(raw).hexdigest() + "@walletdesk"
    async with services.read() as session:
        seen = await session.scalar(select(EmailMessage).where(
            EmailMessage.rfc_message_id == rfc_id))
        if seen is not None:
            return MailReceived("duplicate", seen.conversation_id, seen.message_id)
        thread = await _thread(session, services, mail, recipients or [])
    text, attachments = _body(services, mail)

    async def record(session: AsyncSession, conversation: Conversation, message: Message) -> None:
        session.add(EmailMessage(rfc_message_id=rfc_id, conversation_id=conversation.id,
                                 message_id=message.id, direction="in"))

    inbound = InboundMessage(
        channel=CHANNEL, external_id=mail.from_address, text=text,
        client_id="mid-" + hashlib.sha256(rfc_id.encode()).hexdigest()[:56],
        conversation_id=thread, new_conversation=thread is None,
        customer_name=clean_text(mail.from_name or mail.from_address.split("@")[0]),
        customer_email=mail.from_address, language=mail.language_hint,
        subject=clean_text(mail.subject) or "(no subject)", attachments=attachments, on_stored=record)
    try:
        delivered = await receive_message(services, inbound)
    except IntegrityError:  # the same mail, delivered twice at the same moment
        return MailReceived("duplicate")
    return MailReceived("duplicate" if delivered.duplicate else "stored",
                        delivered.conversation.id, delivered.message.id)
