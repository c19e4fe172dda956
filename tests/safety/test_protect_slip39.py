"""Shamir backup shares (SLIP-39) are recovery phrases: removed before anything is stored.

Found in an outside review: a Trezor owner pasting two shares of a two-of-three Shamir backup
("so you can check them") had both stored whole: the detector knew BIP-39's lists only, and a
share is 20 or 33 words of SLIP-39's own list of 1,024. The shares here are made by the
standard's reference implementation (``shamir-mnemonic``), so their checksums are real.
"""

import random

import pytest
import shamir_mnemonic
import shamir_mnemonic.shamir
from sqlalchemy import select

from walletdesk.conversations.actions import InboundMessage, receive_message
from walletdesk.conversations.models import Message
from walletdesk.safety.across import protect_with_previous
from walletdesk.safety.protect import SEED_PLACEHOLDER, protect_text
from walletdesk.safety.shares import find_shares


def _shares(secret_bytes: int = 16, *, extendable: bool = False) -> list[str]:
    """Three shares of a two-of-three backup, the same on every run (seeded randomness)."""
    seeded = random.Random(secret_bytes)
    original = shamir_mnemonic.shamir.RANDOM_BYTES
    shamir_mnemonic.shamir.RANDOM_BYTES = seeded.randbytes
    try:
        groups = shamir_mnemonic.generate_mnemonics(1, [(2, 3)], seeded.randbytes(secret_bytes),
                                                    b"", extendable=extendable)
    finally:
        shamir_mnemonic.shamir.RANDOM_BYTES = original
    return groups[0]


def _kept_words(share: str, text: str) -> list[str]:
    """Three words of the share in a row, in the text (a word alone may be an everyday one)."""
    words, lowered = share.split(), " ".join(text.lower().split())
    return [" ".join(words[i:i + 3]) for i in range(len(words) - 2)
            if " ".join(words[i:i + 3]) in lowered]


@pytest.mark.parametrize(("secret_bytes", "extendable", "words"),
                         [(16, False, 20), (32, True, 33), (20, False, 23)])
def test_a_share_of_each_length_is_certain(secret_bytes: int, extendable: bool,
                                           words: int) -> None:
    share = _shares(secret_bytes, extendable=extendable)[0]
    assert len(share.split()) == words
    protected = protect_text(f"my trezor backup: {share} please help")
    assert protected.text == f"my trezor backup: {SEED_PLACEHOLDER} please help"
    assert [(f.kind, f.certainty, f.detail) for f in protected.findings] == [
        ("seed_phrase", "certain", "slip39")]


@pytest.mark.parametrize("layout", [
    lambda words: "\n".join(f"{i}. {w}" for i, w in enumerate(words, 1)),
    lambda words: ", ".join(words),
    lambda words: '["' + '", "'.join(words) + '"]',
    lambda words: " ".join(w[:4] for w in words),  # wallets take a word's first four letters
    lambda words: " ".join(w.upper() for w in words),
    lambda words: " - ".join(words),
])
def test_written_as_customers_write_it(layout) -> None:  # type: ignore[no-untyped-def]
    share = _shares()[0]
    protected = protect_text("here: " + layout(share.split()))
    assert protected.has_secret and protected.findings[0].certainty == "certain"
    assert SEED_PLACEHOLDER in protected.text
    assert not set(share.split()) & set(protected.text.lower().replace(",", " ").split())


def test_two_shares_in_one_message_are_both_removed() -> None:
    first, second, _ = _shares()
    protected = protect_text(f"share 1:\n{first}\n\nshare 2:\n{second}\nis my backup ok?")
    assert protected.text.count(SEED_PLACEHOLDER) == 2 and len(protected.findings) == 2
    assert not _kept_words(first, protected.text) and not _kept_words(second, protected.text)


def test_a_share_with_a_typo_or_a_word_short_is_likely() -> None:
    words = _shares()[0].split()
    typo = " ".join(words[:9] + ["qwertz"] + words[10:])
    short = " ".join(words[:18])
    for text in (typo, short):
        protected = protect_text(text)
        assert [(f.certainty, f.detail) for f in protected.findings] == [("likely", "slip39")]
        assert protected.text == SEED_PLACEHOLDER


@pytest.mark.parametrize("text", [
    "I have a Trezor with Shamir backup and lost one of my three shares. Can I still recover "
    "my wallet with the other two shares, or do I need all of them to restore it?",
    "Shamir backup: which words are valid? I typed academic acid acne and the app said wrong",
    "academic acid acne acquire acrobat activity actress adapt adequate adjust admit adorn "
    "adult advance advocate afraid again",  # 17 words of the list: no share
])
def test_talk_about_shares_is_kept(text: str) -> None:
    assert protect_text(text).text == text and not find_shares(text)


async def test_a_share_sent_in_the_chat_is_never_stored(services) -> None:  # type: ignore[no-untyped-def]
    share = _shares()[0]
    delivered = await receive_message(services, InboundMessage(
        channel="web", external_id="v-shamir", text=f"is this share valid? {share}"))
    async with services.read() as session:
        stored = (await session.scalars(select(Message.text).where(
            Message.conversation_id == delivered.conversation.id))).all()
    assert stored and not any(_kept_words(share, text) for text in stored)
    assert delivered.message.text == f"is this share valid? {SEED_PLACEHOLDER}"


def test_a_share_split_over_two_messages_is_removed_from_both() -> None:
    words = _shares()[0].split()
    across = protect_with_previous([" ".join(words[:10])], " ".join(words[10:]))
    assert across.protected.text == SEED_PLACEHOLDER
    assert across.earlier == {0: SEED_PLACEHOLDER}
