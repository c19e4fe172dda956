"""A desk without chain endpoints (the demo): a question with a transaction hash gets, in the
customer's language, a plain "I can't look this transfer up myself" and the pending-transfer
article, not "passing you to a person"; the hash never outweighs the words it came with.
Articles about a custodial account promise no check of the account holder that cannot start."""

import pytest

from tests.bot.test_bot_flow import ask, bot, demo_engine  # noqa: F401 - fixtures
from walletdesk.bot.actions import NOT_LOOKED_UP
from walletdesk.bot.text import without_codes
from walletdesk.conversations.models import SenderKind, Status

TX = "7c3f9a0b2d4e6f8a1c3e5b7d9f0a2c4e6b8d0f1a3c5e7b9d2f4a6c8e0b1d3e58"  # 64 hex, no 0x

QUESTIONS = [  # as customers write them; (text, browser language, answer language, network)
    (f"my USDT TRC20 transfer is stuck, txid {TX}", "en", "en", "TRON"),
    (f"Envié 100 USDT por TRC20 y sigue pendiente, el hash es {TX}", "es", "es", "TRON"),
    (f"hola!! mande usdt hace 3 horas y no me llega nada, hash {TX}", "es", "es", None),
    (f"我嘅USDT轉帳等咗好耐都未到帳，hash 係 {TX}", "zh-TW", "zh-Hant", None),
    (f"我的USDT转账一直没到账，交易哈希是 {TX}", "zh-CN", "zh-Hans", None),
    (f"usdt转账卡住了 一直pending txid:{TX}", "zh-CN", "zh-Hans", None),
]


def test_the_words_are_matched_without_the_hash() -> None:
    assert without_codes(f"el hash es {TX}") == "el hash es"
    assert without_codes(f"tx 0x{TX[:40]} stuck") == "tx stuck"
    assert without_codes("internationalization is a word") == "internationalization is a word"
    assert without_codes(TX) == TX  # a hash alone stays: nothing else to match


@pytest.mark.parametrize(("text", "browser", "language", "network"), QUESTIONS)
async def test_a_hash_the_desk_cannot_look_up_gets_the_pending_article(
        services, bot, text, browser, language, network):  # noqa: F811
    assert not services.settings.chain_endpoints
    conversation, replies, turns = await ask(services, text, visitor=f"v-{language}-{len(text)}",
                                             language=browser)
    assert conversation.status == Status.bot, [(t.outcome, t.reason, t.candidates[:1])
                                               for t in turns]  # answered, nobody called
    assert conversation.handoff_reason is None
    assert turns[-1].language == language
    assert turns[-1].outcome == "answered" and turns[-1].article_slug == "transfer-pending"
    said = [r for r in replies if r.sender_kind == SenderKind.bot]
    assert [r.meta["kind"] for r in said] == [NOT_LOOKED_UP, "answer"]
    plain, answer = said
    if network:
        assert network in plain.text
    if language == "en":
        assert "can't look up transfers" in plain.text
    assert answer.meta["article"]["slug"] == "transfer-pending"
    assert "human" in answer.meta["actions"]  # a person is one button away
    assert answer.text != plain.text
    if language.startswith("zh"):  # the article in the customer's language
        assert ("雜湊" if language == "zh-Hant" else "哈希") in answer.text
    if language == "es":
        assert "hash" in answer.text.lower() and "pendiente" in answer.text.lower()


async def test_asking_for_a_person_with_a_hash_still_hands_off(services, bot):  # noqa: F811
    conversation, _, turns = await ask(services, f"转人工 交易哈希 {TX}", visitor="person")
    assert conversation.status == Status.queued
    assert turns[-1].reason == "asked_for_human"


@pytest.mark.parametrize(("text", "browser"), [
    ("my withdrawal from my DemoWallet account was rejected, why?", "en"),
    ("¿por qué rechazaron mi retiro de mi cuenta DemoWallet?", "es"),
    ("我的 DemoWallet 账户提现为什么被拒绝", "zh-CN"),
    ("點解我 DemoWallet 賬戶嘅提現被拒絕", "zh-TW"),
])
async def test_self_custody_answers_promise_no_check_of_the_account_holder(
        services, bot, text, browser):  # noqa: F811
    """The demo: self-custody mode, no mail relay. The article is the answer, and it sends
    the customer to a person instead of promising a verification nobody starts."""
    conversation, replies, turns = await ask(services, text, visitor=f"w-{browser}",
                                             language=browser)
    assert conversation.status == Status.bot
    assert (turns[-1].outcome, turns[-1].article_slug) == ("answered", "withdrawal-review")
    body = replies[-1].text
    for promise in ("account holder", "账户本人", "賬戶本人", "titular"):
        assert promise not in body
    assert any(person in body for person in ("a person", "人工客服", "una persona"))
