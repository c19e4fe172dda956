"""The contact reasons an agent may choose when resolving a conversation: the knowledge base's
categories (of published articles) and the labels' names — the same words the bot's matches
and the agents' labels give, so the reports count one vocabulary (docs/reports.md)."""

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from walletdesk.conversations.reasons import merged_reasons
from walletdesk.errors import Invalid
from walletdesk.kb.models import Article, ArticleStatus
from walletdesk.labels.models import Label

MAX_REASON_CHARS = 80


async def contact_reason_codes(session: AsyncSession) -> list[str]:
    """Every code a reason may be stored as: the categories of published articles, then the
    labels not already among them (the label "Security" beside the category "security")."""
    categories = list(await session.scalars(
        select(Article.category).where(Article.status == ArticleStatus.published)
        .distinct().order_by(Article.category)))
    labels = list(await session.scalars(select(Label.name).order_by(Label.name)))
    chosen = [c for c in categories if c]
    return chosen + [name for name in labels if name and name not in chosen]


async def contact_reason_choices(session: AsyncSession) -> list[str]:
    """The reasons to choose from, each once (walletdesk.conversations.reasons): the category
    "security" and the label "Security" are one entry, the category's."""
    return merged_reasons(await contact_reason_codes(session))


async def checked_contact_reason(session: AsyncSession, reason: str | None) -> str | None:
    """The reason as stored: None when none was chosen; one of the choices otherwise."""
    if reason is None or not reason.strip():
        return None
    reason = reason.strip()
    # any code of a listed reason (an integration may send the label "Security")
    if len(reason) > MAX_REASON_CHARS or reason not in await contact_reason_codes(session):
        raise Invalid("the contact reason must be one of the knowledge base's categories or "
                      "a label")
    return reason
