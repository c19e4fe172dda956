"""Reading the knowledge base."""

from dataclasses import dataclass

from sqlalchemy import case, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from walletdesk.errors import NotFound
from walletdesk.kb.models import Article, ArticleFeedback, ArticleStatus, ArticleVersion


async def published_articles(session: AsyncSession) -> list[Article]:
    query = (select(Article).where(Article.status == ArticleStatus.published)
             .order_by(Article.category, Article.slug))
    return list((await session.scalars(query)).unique().all())


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


async def article_versions(session: AsyncSession, article_id: int) -> list[ArticleVersion]:
    query = (select(ArticleVersion).where(ArticleVersion.article_id == article_id)
             .order_by(ArticleVersion.version.desc()))
    return list((await session.scalars(query)).all())


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
