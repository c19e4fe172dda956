"""Knowledge base: import (idempotent), versions, locale fallback, sanitised rendering."""

import json

import pytest
from sqlalchemy import func, select

from walletdesk.kb.actions import TranslationIn, import_articles, save_article
from walletdesk.kb.models import Article, ArticleStatus, ArticleVersion
from walletdesk.kb.text import localize, render_markdown
from walletdesk.shared_data import shared_data_dir

WALLET_FAQ = shared_data_dir() / "wallet_faq" / "kb.jsonl"


def faq_lines() -> list[str]:
    assert WALLET_FAQ.is_file(), f"test data missing: {WALLET_FAQ}"
    return WALLET_FAQ.read_text(encoding="utf-8").splitlines()


async def test_import_is_idempotent_and_updates_what_changed(services, bus):
    lines = faq_lines()
    first = await import_articles(services, lines)
    assert (first.created, first.updated, first.errors) == (45, 0, [])
    again = await import_articles(services, lines)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 45)

    record = json.loads(lines[0])
    record["answer"]["en"] += " Updated."
    changed = await import_articles(services, [json.dumps(record, ensure_ascii=False)])
    assert changed.updated == 1
    async with services.read() as session:
        article = await session.scalar(select(Article).where(Article.slug == record["id"]))
        assert article is not None and article.version == 2
        versions = await session.scalar(select(func.count()).select_from(ArticleVersion)
                                        .where(ArticleVersion.article_id == article.id))
        assert versions == 2
        assert article.translation("en").body.endswith("Updated.")
    assert bus.of_type("kb.changed")


async def test_bad_lines_are_reported_and_the_rest_imported(services):
    report = await import_articles(services, [
        "not json", '{"id": "ok-one", "title": {"en": "Fine"}}', '["a list"]',
        '{"id": "x", "title": {"xx": "unknown locale"}}',
    ])
    assert report.created == 1
    assert [e.split(":")[0] for e in report.errors] == ["line 1", "line 3", "line 4"]


async def test_secrets_in_articles_are_removed_too(services):
    from mnemonic import Mnemonic

    phrase = Mnemonic("english").generate(128)
    async with services.transaction() as session:
        article, _ = await save_article(session, None, slug="leak", category="x", translations={
            "en": TranslationIn("Example", f"Never share it, e.g. {phrase}", [phrase])})
    body = article.translation("en")
    assert phrase not in body.body and phrase not in body.examples[0]


async def test_traditional_reader_gets_converted_simplified_text(services):
    async with services.transaction() as session:
        article, _ = await save_article(
            session, None, slug="fees", category="fees", status=ArticleStatus.published,
            translations={"zh-Hans": TranslationIn("矿工费是什么？", "转账需要支付矿工费。"),
                          "en": TranslationIn("What is a network fee?", "Transfers pay a fee.")})
    hant = localize(article, "zh-Hant", "en")
    assert hant is not None and hant.converted and hant.title == "礦工費是什麼？"
    es = localize(article, "es", "en")
    assert es is not None and es.source_locale == "en"  # no Spanish: the default locale


@pytest.mark.parametrize("source, forbidden", [
    ("<script>alert(1)</script>", "<script"),
    ("[x](javascript:alert(1))", 'href="javascript'),
    ('<img src=x onerror="alert(1)">', "<img"),
])
def test_markdown_is_sanitised(source, forbidden):
    assert forbidden not in str(render_markdown(source))


def test_markdown_keeps_safe_formatting():
    html = str(render_markdown("**bold** and [docs](https://example.com)\n\n- one\n- two"))
    assert "<strong>bold</strong>" in html and 'href="https://example.com"' in html
    assert "<li>one</li>" in html
