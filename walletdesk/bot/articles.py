"""The articles the bot answers with, as they are in the database now.

The engine decides which article answers a question; the words it answers with are read from
the article's current version when it answers. An edit that changes a body's words makes the
engine learn the new sentences (walletdesk.bot.runtime: 10–80 s, more for a big knowledge
base), and meanwhile the engine in service kept answering with the text it was built from: a
corrected date was wrong in the chat for most of a minute. Read at answer time, a correction
is live at once, and an article retired meanwhile is never answered.
"""

from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from walletdesk.kb.models import Article, ArticleStatus


async def current_articles(session: AsyncSession, slugs: Iterable[str]) -> dict[str, Article]:
    """The published articles among ``slugs``, by slug, as they are now."""
    wanted = sorted(set(slugs))
    if not wanted:
        return {}
    rows = await session.scalars(select(Article).where(
        Article.slug.in_(wanted), Article.status == ArticleStatus.published))
    return {article.slug: article for article in rows.unique().all()}
