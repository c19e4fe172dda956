"""Verifying an unverified customer's email with a one-time code, before anyone discusses
their account.

When the operator has custodial accounts and a customer whose identity the operator has not
signed asks the bot something that needs their own account data (walletdesk.verification.
account_questions), the bot asks for the email address registered with the account, sends a
6-digit code there (``verification.email_code`` job) and hands the conversation to a person
once the code comes back. Without an outgoing mail relay no code is offered: a person takes
over at once. A typed code always gets an answer (right, wrong, expired). The workspace shows
the result ("Email verified"). Codes live 10 minutes, allow 5 tries, and are kept only as an
HMAC; the code itself exists in the mail.

Each wrong or expired code invites the customer to send the address again for a new one, so
the codes mailed are counted (in the database: several server processes answer): at most
``CODES_PER_CONVERSATION`` in a conversation, ``CODES_PER_CUSTOMER`` per customer and
``CODES_PER_ADDRESS`` per address within ``CODE_WINDOW`` (a sliding hour). Past them no mail
is sent and a person verifies the customer (reason ``verification_failed``): a script in the
widget must not turn the desk into a mail cannon aimed at someone's inbox. The conversation
is locked while its count is read; the customer's and the address's counts are rows of their
own (walletdesk.customers.code_quotas), locked while a code is considered, so requests from
several conversations or processes at once count one after another and cannot pass a limit
together. An address is counted under its keyed hash (trimmed, lower-cased), and a check
reads no other address's codes. A code typed where none is expected is answered as a code
("I haven't sent you one"), not matched as a question.
"""

import hashlib
import hmac
import re
import secrets
from datetime import timedelta
from typing import Any

import structlog
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from walletdesk import i18n
from walletdesk.accounts.access import mask_email
from walletdesk.config import Settings
from walletdesk.conversations.messages import (
    append_message,
    emit_conversation_changed,
    lock_conversation,
)
from walletdesk.conversations.models import Conversation, SenderKind, Status
from walletdesk.customers import code_quotas
from walletdesk.customers.models import Customer, EmailCode
from walletdesk.db.base import utcnow
from walletdesk.i18n import N_, translate
from walletdesk.jobs.actions import schedule_job
from walletdesk.jobs.models import Job
from walletdesk.jobs.runner import JobContext, job_handler
from walletdesk.services import Services

SEND_JOB = "verification.email_code"
CODE_TTL = timedelta(minutes=10)
MAX_ATTEMPTS = 5
EMAIL = re.compile(r"[\w.+-]{1,64}@[\w-]{1,63}(?:\.[\w-]{1,63})+", re.UNICODE)
CODE = re.compile(r"(?<!\d)(\d{6})(?!\d)")
# a message that is nothing but a code (spaces and punctuation around it allowed)
BARE_CODE = re.compile(r"^\W*\d{6}\W*$")
# the same, or said to be a code ("code: 123456", "验证码是123456", "el código es 123456");
# not an amount ("$100000", "¥100000")
_AROUND = r"[^\w$€£¥￥]*"
LONE_CODE = re.compile(
    rf"^{_AROUND}(?:(?:(?:my|the|el|mi)\s+)?(?:verification\s+)?"
    rf"(?:code|otp|c[oó]digo|验证码|驗證碼)(?:\s*(?:is|es|是))?\W*)?\d{{6}}{_AROUND}$",
    re.IGNORECASE)
# the codes mailed, counted in the database (several server processes answer; see above)
CODES_PER_CONVERSATION = 3  # in the conversation's life
CODES_PER_CUSTOMER = 5  # per customer within CODE_WINDOW (a new conversation starts afresh)
CODES_PER_ADDRESS = 5  # per address within CODE_WINDOW (whoever asks: someone else's inbox)
CODE_WINDOW = timedelta(hours=1)
# Translators: the customer typed a 6-digit code, but the bot sent none in this conversation
UNEXPECTED_CODE = N_(
    "I haven't sent you a code in this conversation, so there is nothing to enter here. If "
    "you received a code you didn't ask for, don't share it with anyone. What can I help you "
    "with?")
log = structlog.get_logger(__name__)


def is_verified(customer: Customer) -> bool:
    return customer.verified_user_id is not None or customer.email_verified_at is not None


def _code_hash(settings: Settings, code_id: int, code: str) -> str:
    key = settings.secret_key.encode()
    return hmac.new(key, f"email-code:{code_id}:{code}".encode(), hashlib.sha256).hexdigest()


async def verification_step(services: Services, conversation_id: int, text: str) -> bool:
    """Called by the bot before it matches: the e-mail address or the code of a verification
    under way; True when this message was about verifying (it has had its answer)."""
    async with services.transaction() as session:
        conversation = await lock_conversation(session, conversation_id)
        if conversation is None:
            return False
        state = conversation.verification_state
        if state is None and LONE_CODE.match(text) and conversation.status == Status.bot:
            await _no_code_expected(session, conversation)
            return True
        customer = await session.get(Customer, conversation.customer_id)
        if customer is None or is_verified(customer):
            return False
        code = CODE.search(text)
        if code and (state == "code_sent" or (state in ("asked_email", "failed")
                                              and BARE_CODE.match(text))):
            await _check_code(session, services, conversation, customer, code.group(1))
            return True
        email = EMAIL.search(text)
        if state in ("asked_email", "code_sent") and email:
            address = email.group(0).lower()
            if not services.settings.smtp_host:  # the relay was removed meanwhile
                await _verify_with_a_person(session, services, conversation)
                return True
            limit, quotas = await _one_more_code(session, conversation, customer, address)
            if limit:
                await _too_many_codes(session, services, conversation, limit)
            else:
                await _send_code(session, services, conversation, customer, address, quotas)
            return True
        return False


async def ask_for_email(session: AsyncSession, services: Services, conversation: Conversation,
                        turn_id: int | None = None) -> None:
    """The first step: the address registered with the account (a code is mailed to it)."""
    conversation.verification_state = "asked_email"
    await append_message(session, conversation, sender_kind=SenderKind.bot,
                         text=i18n.text("verify_ask_email", conversation.language,
                                        brand=services.settings.brand_name),
                         meta={"kind": "verify_email", "turn_id": turn_id, "actions": ["human"]})
    emit_conversation_changed(session, conversation)


async def _verify_with_a_person(session: AsyncSession, services: Services,
                                conversation: Conversation) -> None:
    from walletdesk.bot.actions import hand_off

    conversation.verification_state = None
    await hand_off(session, services, conversation, "account_question",
                   text_key="verify_by_person")


async def _no_code_expected(session: AsyncSession, conversation: Conversation) -> None:
    """A code with no verification under way: said so, and asked what the customer needs.
    Matched as a question it was handed off as out of scope; it may be a code someone else
    sent them (a fake "support" agent asking for it), hence the warning."""
    await append_message(session, conversation, sender_kind=SenderKind.bot,
                         text=translate(UNEXPECTED_CODE, conversation.language),
                         meta={"kind": "verify_code", "actions": ["human"]})
    emit_conversation_changed(session, conversation)


async def _one_more_code(session: AsyncSession, conversation: Conversation,
                         customer: Customer, email: str
                         ) -> tuple[str | None, list[code_quotas.Held]]:
    """Which limit one more code would pass ("conversation", "customer", "address"), or None
    and the customer's and the address's quotas, held until the transaction ends: requests of
    other conversations (other processes) for the same customer or address wait, then count
    the code this one mails. Always customer before address: no two requests wait for each
    other in a circle."""
    in_conversation = await session.scalar(select(func.count(EmailCode.id)).where(
        EmailCode.conversation_id == conversation.id))  # the conversation is locked
    if (in_conversation or 0) >= CODES_PER_CONVERSATION:
        return "conversation", []
    since = utcnow() - CODE_WINDOW
    held: list[code_quotas.Held] = []
    for scope, key, most in ((code_quotas.CUSTOMER, str(customer.id), CODES_PER_CUSTOMER),
                             (code_quotas.ADDRESS, code_quotas.address_key(email),
                              CODES_PER_ADDRESS)):
        quota = await code_quotas.hold(session, scope, key, since)
        if len(quota.code_ids) >= most:
            return scope, []
        held.append(quota)
    return None, held


async def _too_many_codes(session: AsyncSession, services: Services,
                          conversation: Conversation, limit: str) -> None:
    """No more mail: a person verifies the customer. The log names the limit, never the
    address."""
    log.info("verification_code_limit", conversation_id=conversation.id, limit=limit)
    conversation.verification_state = "failed"
    if conversation.status != Status.bot:
        return  # a person has it already: they see the message
    from walletdesk.bot.actions import hand_off

    await hand_off(session, services, conversation, "verification_failed",
                   text_key="verify_by_person")


async def _send_code(session: AsyncSession, services: Services, conversation: Conversation,
                     customer: Customer, email: str, quotas: list[code_quotas.Held]) -> None:
    row = EmailCode(customer_id=customer.id, conversation_id=conversation.id, email=email,
                    expires_at=utcnow() + CODE_TTL)
    session.add(row)
    await session.flush()
    await code_quotas.add(session, quotas, row.id)
    conversation.verification_state = "code_sent"
    await schedule_job(session, SEND_JOB, {"code_id": row.id}, dedupe_key=f"email-code:{row.id}",
                       max_attempts=3)
    await append_message(session, conversation, sender_kind=SenderKind.bot,
                         text=i18n.text("verify_code_sent", conversation.language,
                                        email=mask_email(email) or ""))
    emit_conversation_changed(session, conversation)


async def _check_code(session: AsyncSession, services: Services, conversation: Conversation,
                      customer: Customer, code: str) -> None:
    """Right: verified, a person takes over. Otherwise the customer is told why not."""
    row = await session.scalar(
        select(EmailCode).where(EmailCode.conversation_id == conversation.id,
                                EmailCode.used_at.is_(None))
        .order_by(EmailCode.id.desc()).limit(1).with_for_update())
    now = utcnow()
    if row is None:
        reply = "verify_no_code"
    elif row.expires_at <= now:
        reply = "verify_code_expired"
    elif row.attempts >= MAX_ATTEMPTS:
        reply = "verify_wrong_code"  # it says: send the address again for a new code
    else:
        row.attempts += 1
        right = row.code_hash is not None and hmac.compare_digest(
            row.code_hash, _code_hash(services.settings, row.id, code))
        reply = "" if right else "verify_wrong_code"
    if reply:
        await append_message(session, conversation, sender_kind=SenderKind.bot,
                             text=i18n.text(reply, conversation.language,
                                            brand=services.settings.brand_name),
                             meta={"kind": "verify_code", "actions": ["human"]})
        return
    assert row is not None
    row.used_at = now
    customer.email = row.email
    customer.email_verified_at = now
    conversation.verification_state = "verified"
    await append_message(session, conversation, sender_kind=SenderKind.bot,
                         text=i18n.text("verify_done", conversation.language))
    from walletdesk.bot.actions import hand_off

    await hand_off(session, services, conversation, "account_question", text_key=None)


async def _deliver_code(services: Services, job: Job) -> dict[str, Any]:
    """Make the code and mail it; only its HMAC goes back to the database."""
    from walletdesk.email.outbound import notice_mail, send_mail

    settings = services.settings
    async with services.read() as session:
        row = await session.get(EmailCode, int(job.payload["code_id"]))
        language = (await session.scalar(select(Conversation.language).where(
            Conversation.id == row.conversation_id))) if row else None
    if row is None or row.used_at is not None:
        return {}
    code = f"{secrets.randbelow(10**6):06d}"
    mail = notice_mail(settings, row.email,
                       i18n.text("verify_code_subject", language, brand=settings.brand_name),
                       i18n.text("verify_code_body", language, brand=settings.brand_name,
                                 code=code))
    await send_mail(services, mail, row.email)
    return {"code_hash": _code_hash(settings, row.id, code)}


async def _code_not_sent(ctx: JobContext, error: str) -> None:
    row = await ctx.session.get(EmailCode, int(ctx.job.payload["code_id"]))
    conversation = await lock_conversation(ctx.session, row.conversation_id) if row else None
    if conversation is None or conversation.verification_state != "code_sent":
        return
    conversation.verification_state = "failed"
    await append_message(ctx.session, conversation, sender_kind=SenderKind.bot,
                         text=i18n.text("verify_failed", conversation.language))
    from walletdesk.bot.actions import hand_off

    if conversation.status == "bot":
        await hand_off(ctx.session, ctx.services, conversation, "verification_failed")


@job_handler(SEND_JOB, deliver=_deliver_code, on_failure=_code_not_sent)
async def code_sent(ctx: JobContext) -> None:
    code_hash = (ctx.delivered or {}).get("code_hash")
    row = await ctx.session.get(EmailCode, int(ctx.job.payload["code_id"]),
                                with_for_update=True)
    if row is not None and code_hash:
        row.code_hash = code_hash
