"""A phrase split over messages: each half is a "possible phrase fragment", removed when it
arrives, so neither half is ever stored, published or shown (SQLite and PostgreSQL)."""

import random

import pytest
from mnemonic import Mnemonic
from sqlalchemy import select

from walletdesk.conversations.actions import InboundMessage, receive_message
from walletdesk.conversations.models import Conversation, Message, SenderKind
from walletdesk.safety.across import protect_with_previous
from walletdesk.safety.protect import SEED_PLACEHOLDER, protect_text

FIRST = "abandon ability able about above absent"
SECOND = "absorb abstract absurd abuse access accident"


@pytest.mark.parametrize("text", [
    FIRST, SECOND, "abandon, ability, able, about, above, absent",
    "1. abandon 2. ability 3. able 4. about 5. above 6. absent",
    "abandon\nabilty\nable\nabout\nabove\nabsent",  # one word misspelt
    "my words: absorb abstract absurd abuse access accident",
])
def test_a_half_phrase_alone_is_removed(text: str) -> None:
    result = protect_text(text)
    assert "absurd" not in result.text and "about above" not in result.text
    assert SEED_PLACEHOLDER in result.text
    assert [f.kind for f in result.findings] == ["seed_phrase"]


@pytest.mark.parametrize("text", [
    "abandon ability able about",  # four words: left (the across-message rule reads them)
    "Am I able to do a SWIFT transfer with you?",
    "unhappy with service need to delete account",
    "Extra charge during transfer",
    "cash from this morning has not deposited",
    "Please provide details on how to top up my account using transfer option",
    "如何确认地址格式正确、属于哪条链？",
    "余额显示为0但浏览器上有",
])
def test_ordinary_support_text_is_not_a_fragment(text: str) -> None:
    assert protect_text(text).findings == []


def test_chinese_half_phrase_glued_is_removed_and_prose_is_not() -> None:
    words = Mnemonic("chinese_simplified").to_mnemonic(random.Random(3).randbytes(16)).split()
    half = "".join(words[:6])
    assert protect_text(half).text == SEED_PLACEHOLDER
    assert protect_text(" ".join(words[6:])).text == SEED_PLACEHOLDER
    assert protect_text("我的钱包余额不对").findings == []


def test_second_half_after_a_removed_first_half_is_caught() -> None:
    first = protect_with_previous([], FIRST).protected
    assert first.text == SEED_PLACEHOLDER and first.has_secret
    second = protect_with_previous([first.text], SECOND)
    assert second.protected.text == SEED_PLACEHOLDER and second.protected.has_secret
    assert second.earlier == {}


async def test_neither_half_is_ever_stored_or_published(services, bus, make_team) -> None:
    await make_team("Support")
    for number, text in enumerate((FIRST, SECOND)):
        delivered = await receive_message(services, InboundMessage(
            channel="web", external_id="qa-split", text=text, client_id=f"q{number}"))
        assert delivered.message.text == SEED_PLACEHOLDER
        published = " ".join(str(e) for e in bus.published)
        assert "abandon" not in published and "absurd" not in published
        async with services.read() as session:
            stored = " ".join(await session.scalars(select(Message.text).where(
                Message.conversation_id == delivered.conversation.id)))
            conversation = await session.get(Conversation, delivered.conversation.id)
        assert "ability" not in stored and "abstract" not in stored
        assert conversation is not None and conversation.has_secret_redaction
        assert conversation.subject == SEED_PLACEHOLDER
    async with services.read() as session:
        customer_rows = list(await session.scalars(select(Message.text).where(
            Message.sender_kind == SenderKind.customer)))
    assert customer_rows == [SEED_PLACEHOLDER, SEED_PLACEHOLDER]


async def test_sqlite_connections_zero_deleted_content(tmp_path) -> None:
    from sqlalchemy import text

    from walletdesk.db.engine import make_engine

    engine = make_engine(f"sqlite+aiosqlite:///{tmp_path / 'secure.db'}")
    try:
        async with engine.connect() as connection:
            assert (await connection.execute(text("PRAGMA secure_delete"))).scalar() == 1
    finally:
        await engine.dispose()


def test_a_checksum_valid_stretch_inside_a_chinese_sentence_is_prose() -> None:
    """One in sixteen runs of twelve list characters has a valid checksum: inside a sentence
    (a character of no list before it) it is prose; alone or between punctuation, a phrase."""
    sentence = "只在您自己的设备上按顺序输入助记词。"
    stretch = sentence[5:17]  # "的设备上按顺序输入助记词": 己 is in no list
    assert Mnemonic("chinese_simplified").check(" ".join(stretch))
    assert protect_text(sentence).findings == []
    assert protect_text(stretch).text == SEED_PLACEHOLDER
    assert protect_text(f"助记词：{stretch}。").has_secret


@pytest.mark.parametrize("seed", range(40))
def test_a_real_phrase_glued_inside_a_chinese_sentence_is_still_removed(seed: int) -> None:
    phrase = "".join(Mnemonic("chinese_simplified").to_mnemonic(
        random.Random(seed).randbytes(16)).split())
    text = f"您自己看看我的{phrase}对不对"
    protected = protect_text(text)
    assert protected.has_secret and phrase not in protected.text
