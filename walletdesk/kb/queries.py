"""Reading the knowledge base."""

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import case, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from walletdesk.accounts.models import Agent
from walletdesk.errors import NotFound
from walletdesk.kb.models import Article, ArticleFeedback, ArticleStatus, ArticleVersion


async def published_articles(session: AsyncSession) -> list[Article]:
    query = (select(Article).where(Article.status == ArticleStatus.published)
             .order_by(Article.category, Article.slug))
    return list((await session.scalars(query)).unique().all())


async def last_change_at(session: AsyncSession) -> datetime | None:
    """When an article last changed (a save, a publication, a retirement): what the bot must
    have learnt (walletdesk.bot.runtime.learning_seconds)."""
    return await session.scalar(select(func.max(Article.updated_at)))


async def all_articles(session: AsyncSession) -> list[Article]:
    query = select(Article).order_by(Article.category, Article.slug)
    return list((await session.scalars(query)).unique().all())


async def article_by_slug(session: AsyncSession, slug: str, *,
                          published_only: bool = True) -> Article:
    article = await session.scalar(select(Article).where(Article.slug == slug))
    if article is None or (published_only and article.status != ArticleStatus.published):
        raise NotFound("article not found")
    return article


async def article_by_id(session: AsyncSession, article_id: int) -> Article:
    article = await session.get(Article, article_id)
    if article is None:
        raise NotFound("article not found")
    return article


@dataclass(frozen=True)
class VersionRow:
    """A saved version of an article, with who saved it."""

    version: int
    status: str
    created_at: datetime
    content: dict[str, Any]
    author_agent_id: int | None  # None: imported (the command line saves as nobody)
    author_name: str | None  # None with an author id: an agent no longer there


async def article_versions(session: AsyncSession, article_id: int) -> list[VersionRow]:
    """The article's versions, the newest first, each with its author's name."""
    rows = await session.execute(
        select(ArticleVersion, Agent.display_name)
        .outerjoin(Agent, Agent.id == ArticleVersion.author_agent_id)
        .where(ArticleVersion.article_id == article_id)
        .order_by(ArticleVersion.version.desc()))
    return [VersionRow(version=v.version, status=v.status, created_at=v.created_at,
                       content=v.content, author_agent_id=v.author_agent_id, author_name=name)
            for v, name in rows.all()]


@dataclass
class FeedbackFigures:
    helpful: int
    not_helpful: int


async def feedback_by_article(session: AsyncSession) -> dict[int, FeedbackFigures]:
    rows = await session.execute(
        select(ArticleFeedback.article_id,
               func.sum(case((ArticleFeedback.helpful, 1), else_=0)),
               func.sum(case((ArticleFeedback.helpful, 0), else_=1)))
        .group_by(ArticleFeedback.article_id))
    return {article_id: FeedbackFigures(int(yes or 0), int(no or 0))
            for article_id, yes, no in rows.all()}
