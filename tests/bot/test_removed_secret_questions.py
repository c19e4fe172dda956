"""The bot matches what the customer asked, not the placeholder of a secret it removed.

Found in an outside review: "here are my words <12 words>" was answered with the article on
bridges: the bot matched "[seed phrase removed]", and "removed" is a word of that article's
examples. The words around a removed phrase are matched as if the phrase had not been there."""

from mnemonic import Mnemonic

from tests.bot.test_bot_flow import ask, bot, demo_engine  # noqa: F401 - fixtures
from walletdesk.safety.protect import KEY_PLACEHOLDER, SEED_PLACEHOLDER, placeholders_removed

PHRASE = Mnemonic("english").to_mnemonic(bytes(range(16)))


def test_placeholders_are_removed_and_nothing_else() -> None:
    text = f"here {SEED_PLACEHOLDER} and {KEY_PLACEHOLDER}, what now?"
    assert placeholders_removed(text).split() == ["here", "and", ",", "what", "now?"]
    assert placeholders_removed("nothing removed here") == "nothing removed here"


async def test_the_words_around_a_removed_phrase_are_matched_alone(services, bot):  # noqa: F811
    _, _, with_phrase = await ask(services, f"here are my words {PHRASE} is my wallet safe?",
                                  visitor="with")
    _, _, without = await ask(services, "here are my words is my wallet safe?",
                              visitor="without")
    assert [c["slug"] for c in with_phrase[-1].candidates] \
        == [c["slug"] for c in without[-1].candidates]
    assert with_phrase[-1].confidence == without[-1].confidence
    assert with_phrase[-1].outcome == without[-1].outcome
