"""The bot answers a question about a known incident with its announcement first.

Called from the bot's after-commit listener (walletdesk.bot.listeners.answer_customer) before
the bot's own answer. A question is related to a published, unresolved announcement when it
names one of the chains or assets the announcement affects (or, for an announcement that
names only features, one of the features), or when the conversation's reason — its
category, or the category of an article the bot matched earlier in it — is one of the
announcement's contact reasons (any code of it: the category "security" and the label
"Security" are one reason, walletdesk.conversations.reasons). Each conversation gets an
announcement once; it is linked to it, so its customer is told when it is resolved
(walletdesk.incidents.notify).
"""

import structlog
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from walletdesk.bot.choices import MATCHED_OUTCOMES
from walletdesk.bot.models import BotTurn
from walletdesk.bot.queries import matched_category
from walletdesk.bot.text import detect_language, has_content
from walletdesk.conversations.messages import append_message, lock_conversation
from walletdesk.conversations.models import Conversation, SenderKind, Status
from walletdesk.conversations.reasons import shares_reason
from walletdesk.events.bus import Event
from walletdesk.incidents import texts
from walletdesk.incidents.actions import link_conversation
from walletdesk.incidents.models import Announcement, AnnouncementConversation, LinkSource
from walletdesk.incidents.queries import active_announcement_rows, shown
from walletdesk.incidents.vocabulary import BY_KEY, terms_in
from walletdesk.services import Services

log = structlog.get_logger(__name__)


def is_related(announcement: Announcement, words: set[str], reasons: set[str]) -> bool:
    if shares_reason(reasons, announcement.contact_reasons):
        return True
    affected = set(announcement.affected)
    things = {k for k in affected if k in BY_KEY and BY_KEY[k].kind in ("chain", "asset")}
    return bool(words & things) if things else bool(words & affected)


def _language(text: str, current: str | None, default: str) -> str:
    """The language the customer writes this question in (as the bot will answer it): the
    conversation's when the message says nothing or is in the same Chinese script family."""
    if not has_content(text):
        return current or default
    detected = detect_language(text, current or default)
    if current and current.startswith("zh") and detected.startswith("zh"):
        return current
    return detected


async def _reasons(session: AsyncSession, conversation: Conversation) -> set[str]:
    matched = await session.scalars(
        select(matched_category())
        .where(BotTurn.conversation_id == conversation.id,
               BotTurn.outcome.in_(MATCHED_OUTCOMES)))
    return {r for r in (conversation.category, conversation.contact_reason, *matched) if r}


async def answer_with_announcement(services: Services, event: Event) -> int | None:
    """Post the related announcement before the bot's answer; its id, or None. A failure
    here is logged and never keeps the bot from answering."""
    if event.get("status") != Status.bot:
        return None
    try:
        return await _answer_with_announcement(services, event)
    except Exception:
        log.exception("incidents.announce_failed", conversation_id=event.get("conversation_id"))
        return None


async def _answer_with_announcement(services: Services, event: Event) -> int | None:
    text = str(event.get("text") or "")
    conversation_id = int(event["conversation_id"])
    async with services.transaction() as session:
        candidates = await active_announcement_rows(session)
        if not candidates:
            return None
        told = set((await session.scalars(
            select(AnnouncementConversation.announcement_id)
            .where(AnnouncementConversation.conversation_id == conversation_id))).all())
        candidates = [a for a in candidates if a.id not in told]
        if not candidates:
            return None
        conversation = await lock_conversation(session, conversation_id)
        if conversation is None or conversation.status != Status.bot:
            return None
        words, reasons = terms_in(text), await _reasons(session, conversation)
        related = next((a for a in candidates if is_related(a, words, reasons)), None)
        if related is None:
            return None
        language = _language(text, conversation.language,
                             services.settings.default_language)
        found = await shown(session, [related], language, services.settings.default_language)
        if not found or not await link_conversation(session, related.id, conversation.id,
                                                    LinkSource.bot, language):
            return None
        notice = found[0]
        await append_message(
            session, conversation, sender_kind=SenderKind.bot,
            text=texts.text("bot_announcement", language, title=notice.title,
                            body=notice.body),
            meta={"kind": "announcement", "announcement_id": related.id,
                  "severity": related.severity, "status": related.status,
                  "article": {"slug": "", "title": notice.title,
                              "url": f"/status?lang={language}#incident-{related.id}"}})
        return related.id


async def link_on_resolve(services: Services, event: Event) -> None:
    """A conversation resolved with a contact reason an unresolved announcement names (any
    code of it) is linked to it (its customer asked about it): they are told when it is
    resolved."""
    async with services.transaction() as session:
        conversation = await session.get(Conversation, int(event["conversation_id"]))
        if conversation is None:
            return
        reasons = {r for r in (conversation.contact_reason, conversation.category) if r}
        if not reasons:
            return
        for announcement in await active_announcement_rows(session):
            if shares_reason(reasons, announcement.contact_reasons):
                await link_conversation(session, announcement.id, conversation.id,
                                        LinkSource.reason)
