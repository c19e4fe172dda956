"""Article bodies are kept with ``\\n`` line ends: browsers submit a textarea's text with
``\\r\\n``, so an article saved unchanged from /admin/kb was stored with ``\\r\\n``, became a new
version and a ``kb.changed`` (a rebuild) merely for being saved."""

import json
import re

import pytest
from sqlalchemy import select

from tests.kb.test_admin_kb import login
from walletdesk.accounts.models import Role
from walletdesk.bot.engine_store import knowledge_base_key
from walletdesk.bot.runtime import entries_from_articles
from walletdesk.kb.actions import TranslationIn, import_articles, save_article
from walletdesk.kb.models import Article, ArticleTranslation, ArticleVersion
from walletdesk.kb.queries import published_articles

BODY = ("Back up your wallet before you change phones.\n\n1. Open **Settings**.\n"
        "2. Tap **Backup** and write the words down.\n\nNever share them with anyone.")
ARTICLE = {"id": "backup", "category": "security", "title": {"en": "Back up my wallet"},
           "answer": {"en": BODY}, "examples": {"en": ["how do I back up", "backup wallet"]}}


async def _state(services):  # type: ignore[no-untyped-def]
    async with services.read() as session:
        article = await session.scalar(select(Article).where(Article.slug == "backup"))
        versions = (await session.scalars(select(ArticleVersion.version).where(
            ArticleVersion.article_id == article.id))).all()
        body = await session.scalar(select(ArticleTranslation.body).where(
            ArticleTranslation.article_id == article.id, ArticleTranslation.locale == "en"))
        key = knowledge_base_key(entries_from_articles(await published_articles(session)),
                                 version="test")
    return article, sorted(versions), body, key


async def test_saving_from_the_editor_changes_nothing(services, client, make_agent, bus):
    await import_articles(services, [json.dumps(ARTICLE)])
    article, versions, body, key = await _state(services)
    lead = await make_agent("Lead", role=Role.supervisor)
    csrf = await login(client, lead.email)
    changes = len(bus.of_type("kb.changed"))
    # what a browser posts for the unchanged editor: the textarea's text with CRLF
    editor = (await client.get(f"/admin/kb/{article.id}")).text
    shown = re.search(r'name="body_en"[^>]*>([^<]*)</textarea>', editor)
    assert shown is not None and "\r" not in shown.group(1)
    saved = await client.post("/admin/kb", data={
        "csrf_token": csrf, "action": "save", "article_id": str(article.id), "slug": "backup",
        "category": "security", "title_en": "Back up my wallet",
        "body_en": BODY.replace("\n", "\r\n"),
        "examples_en": "how do I back up\r\nbackup wallet"})
    assert saved.status_code == 303
    after, versions_after, body_after, key_after = await _state(services)
    assert body_after == BODY
    assert versions_after == versions == [1] and after.version == 1  # no new version
    assert len(bus.of_type("kb.changed")) == changes  # nothing for the bot to rebuild
    assert key_after == key


@pytest.mark.parametrize("ending", ["\r\n", "\r"])
async def test_a_body_is_stored_with_unix_line_ends(services, ending):
    async with services.transaction() as session:
        article, _ = await save_article(
            session, None, slug="backup", category="security", translations={
                "en": TranslationIn("Back up my wallet", BODY.replace("\n", ending))})
        assert article.translations[0].body == BODY
    async with services.transaction() as session:  # the same text with \n: no new version
        article, changed = await save_article(
            session, None, slug="backup", category="security",
            translations={"en": TranslationIn("Back up my wallet", BODY)})
        assert not changed and article.version == 1
