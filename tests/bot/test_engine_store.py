"""The bot from the first second: the engine saved on disk and loaded at start, rebuilt in the
background when the knowledge base changes (the old engine serving meanwhile), one builder
among several processes, damaged files rebuilt, and the lexical stand-in of a cold start."""

import asyncio
import json
from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import select
from structlog.testing import capture_logs

from walletdesk.bot.engine_store import EngineStore, knowledge_base_key
from walletdesk.bot.lexical import REASON, LexicalDocument, LexicalMatcher
from walletdesk.bot.models import BotTurn
from walletdesk.bot.runtime import BotRuntime, entries_from_articles
from walletdesk.conversations.actions import InboundMessage, receive_message
from walletdesk.conversations.models import Conversation, Status
from walletdesk.kb.actions import import_articles, parse_jsonl_line
from walletdesk.kb.models import Article, ArticleTranslation
from walletdesk.kb.queries import published_articles

TINY_KB = [
    {"id": "backup", "category": "wallet",
     "title": {"en": "How do I back up my wallet?", "zh-Hans": "怎么备份钱包"},
     "answer": {"en": "Write your recovery phrase on paper.", "zh-Hans": "把助记词抄在纸上。"},
     "examples": {"en": ["back up my recovery phrase", "where do I save my seed words"],
                  "zh-Hans": ["助记词怎么备份", "钱包备份在哪里"]}},
    {"id": "pending", "category": "transfer",
     "title": {"en": "My transfer is pending", "zh-Hans": "转账一直没到账"},
     "answer": {"en": "Check the transaction hash in a block explorer."},
     "examples": {"en": ["transaction stuck, not arrived", "why hasn't my transfer arrived"],
                  "zh-Hans": ["交易一直在等待确认"]}},
    {"id": "fees", "category": "transfer",
     "title": {"en": "What is the network fee?", "zh-Hans": "矿工费是多少"},
     "answer": {"en": "The network fee goes to the miners, not to us."},
     "examples": {"en": ["why is gas so expensive", "how much does a transfer cost"],
                  "zh-Hans": ["手续费为什么这么高"]}},
]
STAKING = {"id": "staking", "category": "earn",
           "title": {"en": "How do I stake my tokens?", "zh-Hans": "怎么质押代币"},
           "answer": {"en": "Open Earn, choose a validator and confirm."},
           "examples": {"en": ["can I stake ETH in the wallet", "staking rewards"],
                        "zh-Hans": ["质押收益怎么算"]}}
QUESTIONS = ["how do I back up my wallet", "转账没到账", "asdfgh qwerty zxcv"]


def lines(*articles: dict[str, Any]) -> list[str]:
    return [json.dumps(article, ensure_ascii=False) for article in articles]


@pytest.fixture(scope="session")
def tiny_engine():  # type: ignore[no-untyped-def]
    """Built once from the tiny knowledge base, as a fresh start would build it."""
    from walletdesk.bot.engine import BotEngine

    articles = []
    for line in lines(*TINY_KB):
        slug, category, translations = parse_jsonl_line(line)
        articles.append(Article(slug=slug, category=category, translations=[
            ArticleTranslation(locale=locale, title=t.title, body=t.body, examples=t.examples)
            for locale, t in translations.items()]))
    return BotEngine.build(entries_from_articles(articles))


def same_answers(a: Any, b: Any) -> None:
    for question in QUESTIONS:
        first, second = a.match(question), b.match(question)
        assert (first.decision, first.reason) == (second.decision, second.reason), question
        assert [slug for slug, _ in first.candidates] == [slug for slug, _ in second.candidates]
        assert first.confidence == pytest.approx(second.confidence, abs=1e-6)


async def eventually(predicate: Callable[[], bool], task: asyncio.Task[None]) -> None:
    """Wait for the runtime's background work (``task``) to reach a state: no fixed sleep and
    no time limit — the work waits on a lock the test holds, so it can only get there or end."""
    while not predicate() and not task.done():
        await asyncio.sleep(0.01)
    if not predicate():
        await task  # its error, if it failed
        raise AssertionError("the runtime's background work ended without reaching the state")


async def current_key(services: Any) -> str:
    async with services.read() as session:
        return knowledge_base_key(entries_from_articles(await published_articles(session)))


async def ask(services: Any, text: str, visitor: str) -> tuple[Conversation, BotTurn | None]:
    delivered = await receive_message(services, InboundMessage(
        channel="web", external_id=visitor, text=text, language="en"))
    async with services.read() as session:
        conversation = await session.get(Conversation, delivered.conversation.id)
        turn = await session.scalar(select(BotTurn).where(
            BotTurn.conversation_id == delivered.conversation.id).order_by(BotTurn.id.desc()))
    assert conversation is not None
    return conversation, turn


# the file ----------------------------------------------------------------------------------
def test_a_saved_engine_answers_as_the_freshly_built_one(tiny_engine, tmp_path):
    store = EngineStore(tmp_path)
    key = "a" * 64
    assert store.save(key, tiny_engine) == store.path(key)
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]  # renamed whole
    loaded = store.load(key)
    assert loaded is not None and loaded is not tiny_engine
    same_answers(tiny_engine, loaded)
    assert store.load("b" * 64) is None  # another knowledge base: nothing to load


def test_a_damaged_or_foreign_file_is_ignored_without_its_content(tiny_engine, tmp_path):
    store = EngineStore(tmp_path)
    key = "c" * 64
    store.save(key, tiny_engine)
    data = store.path(key).read_bytes()
    store.path(key).write_bytes(data[:len(data) // 2])  # cut short
    with capture_logs() as logs:
        assert store.load(key) is None
    assert [(e["event"], sorted(e)) for e in logs] == [
        ("bot_engine_file_ignored", ["error", "event", "file", "log_level"])]
    assert not store.path(key).exists()  # the next build writes a good one
    # a file naming code outside the allowed modules is refused, not run
    store.save(key, tiny_engine)
    forged = store.path(key).read_bytes().replace(
        b'"walletdesk.bot.text:tokens"', b'"walletdesk.bot.text:re.compile"')
    store.path(key).write_bytes(forged)
    assert store.load(key) is None
    # someone else's engine under this name (another key inside) is not served either
    store.save("d" * 64, tiny_engine)
    store.path("d" * 64).rename(store.path(key))
    assert store.load(key) is None


def test_the_lexical_stand_in_answers_a_plain_question_and_hands_off_nonsense():
    matcher = LexicalMatcher([
        LexicalDocument("backup", ["How do I back up my wallet?", "怎么备份钱包"],
                        ["Write your recovery phrase on paper."]),
        LexicalDocument("pending", ["My transfer is pending", "转账一直没到账"]),
        LexicalDocument("fees", ["What is the network fee?", "矿工费是多少"])])
    answer = matcher.match("How do I back up my wallet")
    assert (answer.decision, answer.reason, answer.candidates[0][0]) == ("answer", REASON,
                                                                         "backup")
    assert matcher.match("转账一直没到账怎么办").candidates[0][0] == "pending"
    for nonsense in ("asdfgh qwerty zxcv", "what's the weather like tomorrow", "🙂"):
        assert matcher.match(nonsense).decision == "handoff", nonsense
    assert matcher.match("I want to talk to a human").reason == "asked_for_human"


# the runtime -------------------------------------------------------------------------------
async def test_a_cold_start_answers_lexically_until_the_builders_file_is_loaded(
        services, make_team, tiny_engine, tmp_path):
    await make_team("Support")
    await import_articles(services, lines(*TINY_KB))
    store = EngineStore(tmp_path)
    key = await current_key(services)
    runtime = services.bot = BotRuntime("en", store)
    try:
        with store.builder_lock() as builder:  # another process is building this engine
            assert builder
            task = asyncio.create_task(runtime.rebuild(services))
            await eventually(lambda: runtime.fallback is not None, task)
            assert runtime.engine is None and runtime.active
            conversation, turn = await ask(services, "How do I back up my wallet?", "plain")
            assert conversation.status == Status.bot and turn is not None
            assert (turn.outcome, turn.reason, turn.article_slug) == ("answered", REASON,
                                                                      "backup")
            conversation, turn = await ask(services, "asdfgh qwerty zxcv", "nonsense")
            assert conversation.status == Status.queued and turn is not None
            assert turn.outcome == "handed_off"
            store.save(key, tiny_engine)  # the other process is done
        await task
        assert runtime.engine is not None and runtime.fallback is None
        assert runtime.engine.index_s == tiny_engine.index_s  # loaded, not built again
        _, turn = await ask(services, "How do I back up my wallet?", "later")
        assert turn is not None and turn.outcome == "answered" and turn.reason != REASON
    finally:
        services.bot = None


async def test_a_knowledge_base_edit_is_built_while_the_old_engine_serves(
        services, tiny_engine, tmp_path):
    await import_articles(services, lines(*TINY_KB))
    store = EngineStore(tmp_path)
    store.save(await current_key(services), tiny_engine)
    runtime = BotRuntime("en", store)
    await runtime.rebuild(services)  # a warm start: the saved engine
    old = runtime.engine
    assert old is not None and runtime.fallback is None and old.index_s == tiny_engine.index_s

    await import_articles(services, lines(STAKING))
    new_key = await current_key(services)
    store.path(new_key).write_bytes(b"PK\x03\x04 not an engine")  # a damaged file
    with capture_logs() as logs, store.builder_lock():  # the build waits for the lock
        task = asyncio.create_task(runtime.rebuild(services))
        await eventually(lambda: not store.path(new_key).exists(), task)  # read and dropped
        assert not task.done() and runtime.engine is old and runtime.fallback is None
        assert "staking" not in runtime.articles  # the old engine with its own articles
        assert (await runtime.match("How do I back up my wallet?")).candidates[0][0] == "backup"
    await task
    assert "bot_engine_file_ignored" in [e["event"] for e in logs]
    assert runtime.engine is not old and runtime.engine_key == new_key
    result = await runtime.match("how do I stake my tokens")
    assert result.decision == "answer" and result.candidates[0][0] == "staking"
    saved = store.load(new_key)
    assert saved is not None  # built again and saved whole
    # with how long its build took: a process that loads it estimates the next change by it
    assert runtime.last_build_s and saved.build_s == pytest.approx(runtime.last_build_s)
    another = BotRuntime("en", store)
    await another.rebuild(services)
    assert another.engine_key == new_key and another.last_build_s == saved.build_s
