"""Telling the customers who asked about an incident that it is resolved: one
``incidents.resolved_notice`` job per linked conversation (scheduled by
walletdesk.incidents.actions when the announcement is resolved), once each.

The notice is a bot message in the customer's own conversation, in its language: the widget
shows it live (or on the next visit) and an e-mail conversation mails it like any reply
(walletdesk.conversations.messages.needs_delivery).
"""

from sqlalchemy import select

from walletdesk.conversations.messages import append_message, lock_conversation
from walletdesk.conversations.models import SenderKind
from walletdesk.db.base import utcnow
from walletdesk.incidents import texts
from walletdesk.incidents.actions import RESOLVED_NOTICE_JOB
from walletdesk.incidents.models import (
    Announcement,
    AnnouncementConversation,
    AnnouncementUpdate,
    IncidentStatus,
)
from walletdesk.incidents.queries import localized_note, shown
from walletdesk.jobs.registry import JobContext, job_handler


@job_handler(RESOLVED_NOTICE_JOB)
async def tell_resolved(ctx: JobContext) -> None:
    session = ctx.session
    link = await session.scalar(select(AnnouncementConversation).where(
        AnnouncementConversation.id == int(ctx.job.payload["link_id"])).with_for_update())
    if link is None or link.notified_at is not None:
        return  # told already (or the conversation was erased)
    announcement = await session.get(Announcement, link.announcement_id)
    if announcement is None or announcement.status != IncidentStatus.resolved:
        return
    conversation = await lock_conversation(session, link.conversation_id)
    if conversation is None:
        return
    default = ctx.services.settings.default_language
    language = link.language or conversation.language or default
    found = await shown(session, [announcement], language, default)
    if not found:
        return
    last = await session.scalar(select(AnnouncementUpdate).where(
        AnnouncementUpdate.announcement_id == announcement.id,
        AnnouncementUpdate.status == IncidentStatus.resolved)
        .order_by(AnnouncementUpdate.id.desc()).limit(1))
    note = localized_note(last.notes, language, default) if last is not None else ""
    await append_message(
        session, conversation, sender_kind=SenderKind.bot,
        text=texts.text("resolved_notice", language, title=found[0].title,
                        note=f"{note} " if note else ""),
        meta={"kind": "announcement_resolved", "announcement_id": announcement.id})
    link.notified_at = utcnow()
