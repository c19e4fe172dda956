"""Monero seeds are recovery phrases: removed before anything is stored.

Found in an outside review: the 25 words of a Monero wallet (Monero's own lists of 1,626
words, not BIP-39's) pasted in the chat were stored whole in English, German, Russian and
seven other languages. The seeds here are made by the ``monero`` package's encoder, so
their checksum words are real.
"""

import random

import pytest
from monero.wordlists import get_wordlist, list_wordlists
from sqlalchemy import select

from walletdesk.conversations.actions import InboundMessage, receive_message
from walletdesk.conversations.models import Message
from walletdesk.safety.across import protect_with_previous
from walletdesk.safety.monero import checksum_holds, find_monero_seeds, wordlists
from walletdesk.safety.protect import SEED_PLACEHOLDER, protect_text

LANGUAGES = sorted(list_wordlists())


def _seed(language: str = "English", secret_bytes: int = 32, seed: int = 7) -> list[str]:
    """A seed of the language, the same on every run: 25 words for 32 bytes, 13 for 16."""
    return get_wordlist(language).encode(random.Random(seed).randbytes(secret_bytes).hex()).split()


def _kept_words(words: list[str], text: str) -> list[str]:
    """Three words of the seed in a row, in the text (a word alone may be an everyday one)."""
    lowered = " ".join(text.lower().replace(",", " ").split())
    return [" ".join(words[i:i + 3]) for i in range(len(words) - 2)
            if " ".join(words[i:i + 3]).lower() in lowered]


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("secret_bytes", [32, 16])
def test_a_seed_of_every_list_is_removed(language: str, secret_bytes: int) -> None:
    words = _seed(language, secret_bytes)
    assert len(words) == (25 if secret_bytes == 32 else 13)
    protected = protect_text(f"my monero wallet: {' '.join(words)} is it valid?")
    assert protected.text == f"my monero wallet: {SEED_PLACEHOLDER} is it valid?"
    assert protected.findings and protected.findings[0].kind == "seed_phrase"


@pytest.mark.parametrize("language", [name for name in LANGUAGES
                                      if name not in ("Chinese (simplified)", "Japanese")])
def test_the_checksum_word_makes_it_certain(language: str) -> None:
    words = _seed(language)
    assert [(f.certainty, f.detail) for *_, f in find_monero_seeds(" ".join(words))] == [
        ("certain", "monero")]
    assert [f.certainty for f in protect_text(" ".join(words)).findings] == ["certain"]
    wordlist = next(w for w in wordlists() if w.name == language)
    indices = [wordlist.words.index(word) for word in words]
    assert checksum_holds(wordlist, indices)
    # another last word: no checksum (the 24 words are still a likely seed)
    wrong = indices[:-1] + [next(i for i in range(1626) if
                                 wordlist.words[i][:wordlist.prefix]
                                 != wordlist.words[indices[-1]][:wordlist.prefix]
                                 and i not in indices)]
    assert not checksum_holds(wordlist, wrong)


@pytest.mark.parametrize("layout", [
    lambda words: "\n".join(f"{i}. {w}" for i, w in enumerate(words, 1)),
    lambda words: ", ".join(words),
    lambda words: str(words),  # a Python list: ['abbey', 'ability', …]
    lambda words: " ".join(w[:4] for w in words),  # a word by its first letters
    lambda words: " ".join(w.upper() for w in words),
    lambda words: " - ".join(words),
])
def test_written_as_customers_write_it(layout) -> None:  # type: ignore[no-untyped-def]
    words = _seed()
    protected = protect_text("here: " + layout(words))
    assert protected.has_secret and SEED_PLACEHOLDER in protected.text
    assert not _kept_words(words, protected.text)


def test_accents_dropped_and_cyrillic_are_the_same_words() -> None:
    for language in ("German", "French", "Spanish", "Russian"):
        words = _seed(language, seed=11)
        plain = " ".join(words).replace("ä", "a").replace("é", "e").replace("ü", "u")\
            .replace("ö", "o").replace("è", "e").replace("á", "a").replace("í", "i")
        assert protect_text(plain).text == SEED_PLACEHOLDER, language


def test_a_seed_with_a_typo_or_without_its_checksum_word_is_likely() -> None:
    words = _seed()
    typo = words[:9] + ["qwertz"] + words[10:]
    for text in (" ".join(typo), " ".join(words[:24]), " ".join(words[:19])):
        assert protect_text(text).text == SEED_PLACEHOLDER
        assert [f.certainty for f in protect_text(text).findings] == ["likely"]


@pytest.mark.parametrize("text", [
    "I restored my Monero wallet from the 25 word seed in Cake Wallet but the balance shows "
    "zero, the restore height was probably wrong. How do I rescan the blockchain?",
    "Mein Monero-Wallet zeigt nach der Wiederherstellung mit den 25 Wörtern keinen Kontostand "
    "an. Muss ich die Blockhöhe angeben oder die ganze Blockchain neu scannen?",
    "Мой кошелёк Monero после восстановления из мнемонической фразы показывает ноль. "
    "Что делать, нужно ли указывать высоту блока?",
    # twelve words of the English list and no checksum: a list, not a seed
    "abbey ability ablaze abnormal abort abrasive absorb abyss academy aces aching acidic",
])
def test_talk_about_seeds_is_kept(text: str) -> None:
    assert protect_text(text).text == text and not find_monero_seeds(text)


async def test_a_seed_sent_in_the_chat_is_never_stored(services) -> None:  # type: ignore[no-untyped-def]
    words = _seed("Russian")
    delivered = await receive_message(services, InboundMessage(
        channel="web", external_id="v-monero", text=f"проверьте мой сид {' '.join(words)}"))
    async with services.read() as session:
        stored = (await session.scalars(select(Message.text).where(
            Message.conversation_id == delivered.conversation.id))).all()
    assert stored and not any(_kept_words(words, text) for text in stored)
    assert delivered.message.text == f"проверьте мой сид {SEED_PLACEHOLDER}"


def test_a_seed_split_over_two_messages_is_removed_from_both() -> None:
    words = _seed("Italian")
    across = protect_with_previous([" ".join(words[:12])], " ".join(words[12:]))
    assert across.protected.text == SEED_PLACEHOLDER
    assert across.earlier == {0: SEED_PLACEHOLDER}
