"""The bot answers a customer's questions about their own account from the operator's context:
"how many points do I have?", "what is my account level?", "my recent transactions".

Called by the bot (walletdesk.bot.actions.handle_customer_message) before it matches the
knowledge base; it does nothing unless the message asks about one of these. A verified
customer gets the answer in their language; an unverified one goes through the bot's
verification (e-mail code, or a person when no mail relay is configured); when the context is
unavailable, or lacks what was asked, the customer is told so and a person takes over.

Without a context endpoint the bot cannot see the account: the knowledge base answers what
it can ("where do I see my points?"), and what it cannot goes to a person with the reason
``account_question`` (a person checks who the customer is and looks it up), not as a question
outside the knowledge base ("out_of_scope") that told the agent nothing and was counted as
an article to write.
"""

import re
from dataclasses import dataclass
from typing import Literal

from babel.numbers import format_decimal

from walletdesk.bot.models import BotTurn
from walletdesk.bot.text import message_language
from walletdesk.conversations.messages import append_message, lock_conversation
from walletdesk.conversations.models import Conversation, SenderKind, Status
from walletdesk.customer_context.operator import OperatorContext, operator_context, subject_of
from walletdesk.customer_context.texts import text
from walletdesk.customer_context.views import transaction_values
from walletdesk.customers.language import follow_conversation_language
from walletdesk.customers.models import Customer
from walletdesk.i18n import locale_dir_name
from walletdesk.services import Services, emit

Topic = Literal["points", "account_level", "recent_transactions"]
OUTCOME = "account_context"  # a BotTurn's outcome when answered from the operator's context
SHOWN_TRANSACTIONS = 5
# the hand-off of an account question the bot cannot see without the operator's context (the
# same reason as when a person must check who the customer is: walletdesk.bot.actions)
NO_CONTEXT_REASON = "account_question"

# the customer speaks of their own account ("my", "I have", 我的, mis …) …
_OWN = re.compile(r"\b(my|mine|i|i've|i'm|me|mis|mi|tengo|yo)\b|我", re.IGNORECASE)
# … and of one of the topics; "how do I earn points" is the knowledge base's, not this
_TOPICS: tuple[tuple[Topic, re.Pattern[str]], ...] = (
    ("recent_transactions", re.compile(
        r"(recent|last|latest|past)\s+(\w+\s+)?(transactions|transfers|deposits|withdrawals)"
        r"|transaction\s+(history|list)|my\s+transactions"
        r"|(transacciones|movimientos)\s+(recientes|últimas)|(últimas|ultimas)\s+"
        r"(transacciones|movimientos)|historial\s+de\s+(transacciones|movimientos)"
        r"|mis\s+(transacciones|movimientos)"
        r"|(最近|最新|近期)的?(几笔|幾筆)?(交易|转账|轉帳|转帐|轉賬)|(交易|转账|轉帳)(记录|記錄|明细|明細)",
        re.IGNORECASE)),
    ("points", re.compile(
        r"\bmy\s+(\w+\s+)?points\b|\bpoints?\s+balance\b|how\s+many\s+(\w+\s+)?points"
        r"|\bpoints\s+(do\s+)?i\s+have|mis\s+puntos|cu[aá]ntos\s+puntos|saldo\s+de\s+puntos"
        r"|积分|積分", re.IGNORECASE)),
    ("account_level", re.compile(
        r"\b(account|membership|vip|user)\s+(level|tier)\b|\bmy\s+(level|tier)\b"
        r"|what\s+level\s+am\s+i|\bvip\b|mi\s+nivel|nivel\s+de\s+(mi\s+)?cuenta"
        r"|(会员|會員|账户|賬戶|账号|帳號|用户|用戶)?(等级|等級|级别|級別)", re.IGNORECASE)),
)
_HOW_TO = re.compile(r"\bhow\s+(do|can|to)\s+(i\s+)?(earn|get|collect|redeem|use|upgrade)"
                     r"|怎么(获得|賺|赚|得到|兑换|升级)|如何(获得|賺|赚|得到|兑换|升级)"
                     r"|怎麼(獲得|賺|得到|兌換|升級)|cómo\s+(gano|consigo|obtengo|canjeo|subo)"
                     r"|\bupgraded?\b|升级|升級",
                     re.IGNORECASE)


def own_account_topic(message: str) -> Topic | None:
    """What of their own account the customer asks about, if anything this module answers."""
    if len(message) > 300 or _HOW_TO.search(message) or not _OWN.search(message):
        return None
    for topic, pattern in _TOPICS:
        if pattern.search(message):
            return topic
    return None


async def _answered_otherwise(services: Services, message: str) -> bool:
    """Without the context: does the bot do better than hand the question off for want of an
    article (an answer, a choice of articles, a topic for people, a transfer's lookup)?"""
    from walletdesk.bot.actions import UNMATCHED, left_to_lookup

    runtime = services.bot
    if runtime is None or not runtime.ready:
        return False
    if left_to_lookup(services.settings, message):
        return True  # "my last transfer 0x…": its lookup answers
    result = await runtime.match(message)
    return not (result.decision == "handoff" and result.reason in UNMATCHED)


@dataclass(frozen=True)
class _Reply:
    text: str
    outcome: str
    reason: str
    hand_off: bool
    # the text as outsourced agents read it (message meta "masked_text"), where it differs
    masked_text: str | None = None


async def answer_from_customer_context(services: Services, conversation_id: int,
                                       message_id: int, message: str) -> bool:
    """True when this message was a question about the customer's own account that was
    answered here (or sent on to verification or a person); False lets the bot go on."""
    topic = own_account_topic(message)
    if topic is None:
        return False
    endpoint = bool(services.settings.customer_context_url)
    if not endpoint and await _answered_otherwise(services, message):
        return False
    async with services.read() as session:
        conversation = await session.get(Conversation, conversation_id)
        if conversation is None or conversation.status != Status.bot:
            return False
        customer = await session.get(Customer, conversation.customer_id)
    subject = subject_of(customer) if endpoint else None
    # asked outside any transaction: the operator's endpoint may take its timeout
    context = await operator_context(services.settings, subject) if subject else None
    async with services.transaction() as session:
        conversation = await lock_conversation(session, conversation_id)
        if conversation is None or conversation.status != Status.bot:
            return True  # a person took over meanwhile: they answer
        conversation.language = message_language(message, conversation.language)
        await follow_conversation_language(session, conversation)
        turn = BotTurn(conversation_id=conversation.id, message_id=message_id,
                       query=message[:2000], language=conversation.language or "en",
                       candidates=[], confidence=1.0, outcome="", reason=topic)
        session.add(turn)
        await session.flush()
        if not endpoint:
            from walletdesk.bot.actions import hand_off

            # the customer is told a person checks who they are, as without a mail relay
            turn.outcome, turn.reason = "handed_off", NO_CONTEXT_REASON
            await hand_off(session, services, conversation, turn.reason,
                           text_key="verify_by_person")
        elif context is None:
            from walletdesk.bot.actions import verify_first

            await verify_first(session, services, conversation, turn)
        else:
            reply = _reply(topic, context, conversation.language)
            turn.outcome, turn.reason = reply.outcome, reply.reason
            await append_message(
                session, conversation, sender_kind=SenderKind.bot, text=reply.text,
                meta={"kind": "account_context", "turn_id": turn.id, "topic": topic,
                      "actions": [] if reply.hand_off else ["solved", "human"]}
                | ({"masked_text": reply.masked_text} if reply.masked_text else {}))
            if reply.hand_off:
                from walletdesk.bot.actions import hand_off

                await hand_off(session, services, conversation, reply.reason, text_key=None)
        emit(session, {"type": "bot.turn", "conversation_id": conversation.id,
                       "turn_id": turn.id, "outcome": turn.outcome, "reason": turn.reason,
                       "category": None})
    return True


def _reply(topic: Topic, context: OperatorContext, language: str | None) -> _Reply:
    if context.state != "ok":
        return _Reply(text("context_unavailable", language), "handed_off",
                      "context_unavailable", True)
    if topic == "points" and context.points is not None:
        return _Reply(text("context_points", language,
                           points=format_decimal(context.points, locale=_babel(language))),
                      OUTCOME, topic, False)
    if topic == "account_level" and context.account_level:
        return _Reply(text("context_account_level", language, level=context.account_level),
                      OUTCOME, topic, False)
    if topic == "recent_transactions" and context.transactions is not None:
        if not context.transactions:
            return _Reply(text("context_no_transactions", language), OUTCOME, topic, False)
        shown = context.transactions[:SHOWN_TRANSACTIONS]
        lines, masked = ("\n".join(_transaction_line(transaction_values(t.values, full))
                                   for t in shown) for full in (True, False))
        return _Reply(text("context_transactions", language, transactions=lines),
                      OUTCOME, topic, False,
                      masked_text=text("context_transactions", language, transactions=masked))
    return _Reply(text("context_missing", language), "handed_off", "context_missing", True)


def _babel(language: str | None) -> str:
    tag = locale_dir_name(language or "en")
    return {"zh_Hans": "zh_Hans_CN", "zh_Hant": "zh_Hant_TW"}.get(tag, tag)


def _transaction_line(values: dict[str, str | None]) -> str:
    """One line a transaction: date · kind · amount asset · status (what the operator sent)."""
    when = (values.get("at") or "")[:16].replace("T", " ")
    amount = " ".join(v for v in (values.get("amount"), values.get("asset")) if v)
    parts = [when, values.get("type") or "", amount, values.get("status") or ""]
    return "• " + " · ".join(p for p in parts if p)
