"""More free text through the protect step: knowledge-base articles (title, body and example
questions, saved and imported, and their version snapshots), the customer's name as an agent
edits it, and the admin's privacy notice (SQLite and PostgreSQL)."""

import json
import random

from mnemonic import Mnemonic
from sqlalchemy import select, text

from walletdesk.accounts.models import Role
from walletdesk.conversations.actions import InboundMessage, receive_message
from walletdesk.customers.edits import update_customer_details
from walletdesk.customers.models import Customer, PrivacyNotice
from walletdesk.customers.privacy_notice import notice_to_show, save_privacy_notices
from walletdesk.kb.actions import TranslationIn, import_articles, save_article
from walletdesk.kb.models import Article, ArticleTranslation, ArticleVersion
from walletdesk.safety.protect import KEY_PLACEHOLDER, SEED_PLACEHOLDER

PHRASE = Mnemonic("english").to_mnemonic(random.Random("kb").randbytes(16))
KEY = random.Random("key").randbytes(32).hex()  # a raw private key: 64 hex digits


def secret_free(stored: str) -> bool:
    """No run of three of the phrase's words and no key is left in ``stored``."""
    words = PHRASE.split()
    runs = [" ".join(words[i:i + 3]) for i in range(len(words) - 2)]
    return KEY not in stored and not any(run in stored for run in runs)


async def _everything_stored_about_articles(services) -> str:  # type: ignore[no-untyped-def]
    async with services.read() as session:
        translations = (await session.scalars(select(ArticleTranslation))).all()
        versions = (await session.scalars(select(ArticleVersion))).all()
    return json.dumps([[t.title, t.body, list(t.examples)] for t in translations]
                      + [v.content for v in versions], ensure_ascii=False)


async def test_a_secret_in_an_article_title_body_or_example_is_never_stored(services):
    async with services.transaction() as session:
        article, _ = await save_article(session, None, slug="backup-help", category="security",
                                        translations={"en": TranslationIn(
                                            f"Is «{PHRASE}» OK to send?",
                                            f"Never paste your private key {KEY} anywhere.",
                                            [f"my words are {PHRASE}", f"private key {KEY}"])})
    stored = await _everything_stored_about_articles(services)
    assert secret_free(stored)
    en = article.translation("en")
    assert en.title == f"Is «{SEED_PLACEHOLDER}» OK to send?"
    assert en.body == f"Never paste your private key {KEY_PLACEHOLDER} anywhere."
    assert en.examples == [f"my words are {SEED_PLACEHOLDER}", f"private key {KEY_PLACEHOLDER}"]


async def test_an_imported_article_is_protected_in_every_locale(services):
    words_es = Mnemonic("spanish").to_mnemonic(random.Random("es").randbytes(16))
    line = json.dumps({"id": "import-leak", "category": "security",
                       "title": {"en": f"Restore with {PHRASE}", "es": "Restaurar"},
                       "answer": {"en": "Type the words.", "es": f"Escriba {words_es}"},
                       "examples": {"en": [f"key {KEY} lost"]}}, ensure_ascii=False)
    report = await import_articles(services, [line])
    assert report.created == 1 and report.errors == []
    stored = await _everything_stored_about_articles(services)
    assert secret_free(stored)
    assert " ".join(words_es.split()[:3]) not in stored
    async with services.read() as session:
        article = await session.scalar(select(Article).where(Article.slug == "import-leak"))
        assert article is not None
        assert SEED_PLACEHOLDER in article.translation("es").body


async def _a_customer(services, make_team, make_agent):  # type: ignore[no-untyped-def]
    team = await make_team("Support", is_default=True)
    alice = await make_agent("Alice", teams=[team], online=True)
    delivered = await receive_message(services, InboundMessage(
        channel="web", external_id="visitor-name", text="my deposit is missing",
        customer_name="Li Wei"))
    return alice, delivered.conversation.customer_id


async def test_a_secret_typed_into_the_customers_name_is_never_stored(services, make_team,
                                                                      make_agent):
    alice, customer_id = await _a_customer(services, make_team, make_agent)
    shown = await update_customer_details(services, alice, customer_id,
                                          {"display_name": f"Li Wei {PHRASE}"})
    assert shown["display_name"] == f"Li Wei {SEED_PLACEHOLDER}"
    shown = await update_customer_details(services, alice, customer_id,
                                          {"display_name": f"Li Wei private key {KEY}"})
    assert shown["display_name"] == f"Li Wei private key {KEY_PLACEHOLDER}"
    async with services.read() as session:
        customer = await session.get(Customer, customer_id)
        raw = (await session.execute(text("SELECT display_name FROM customers WHERE id = :id"),
                                     {"id": customer_id})).scalar_one()
    assert customer is not None and customer.display_name == f"Li Wei private key {KEY_PLACEHOLDER}"
    assert raw.startswith("enc1:")  # still encrypted at rest like the other fields
    # an ordinary name is kept as typed
    shown = await update_customer_details(services, alice, customer_id,
                                          {"display_name": "Wang Fang (Ivy)"})
    assert shown["display_name"] == "Wang Fang (Ivy)"


async def test_a_secret_in_the_privacy_notice_is_never_stored_or_shown(services, make_agent):
    admin = await make_agent("Ada", role=Role.admin)
    await save_privacy_notices(services, admin, {
        "en": (f"Notez-bien: «{PHRASE}» jamais.", "https://example.com/privacy"),
        "es": (f"Nunca pedimos su clave privada {KEY}.", ""),
        "zh-Hans": ("我们保存聊天记录两年。", "")})
    async with services.read() as session:
        stored = {n.locale: n.text for n in (await session.scalars(select(PrivacyNotice))).all()}
        shown = await notice_to_show(session, "en", "en", None)
    assert secret_free(json.dumps(stored, ensure_ascii=False))
    assert SEED_PLACEHOLDER in stored["en"]
    assert stored["es"] == f"Nunca pedimos su clave privada {KEY_PLACEHOLDER}."
    assert stored["zh-Hans"] == "我们保存聊天记录两年。"
    assert shown is not None and shown["text"] == stored["en"]
    assert shown["url"] == "https://example.com/privacy"
