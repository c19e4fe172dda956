"""The password policy (walletdesk.accounts.password_policy): pure checks, and applied by every
action that sets a password (create, an admin's new password), on both engines."""

import pytest

from tests.conftest import PASSWORD
from walletdesk.accounts.actions import create_agent, served_languages, update_agent
from walletdesk.accounts.models import Role
from walletdesk.accounts.password_policy import check_new_password, password_length
from walletdesk.errors import Invalid

EMAIL, NAME = "mei.lin@example.com", "Mei Lin"


@pytest.mark.parametrize(("password", "reason"), [
    ("aaaaaaaaaa", "at least 12"),
    ("short pass", "at least 12"),
    ("aaaaaaaaaaaaaaaa", "repeated character"),
    ("abcabcabcabcabc", "repeated character"),
    ("abcdefghijklmno", "run such as"),
    ("1234567890123", "run such as"),
    ("9876543210987", "run such as"),
    ("qwertyuiopasdf", "run such as"),
    ("Password2026!!", "most common"),
    ("iloveyou123456", "most common"),
    ("woaini1314520", "most common"),
    ("mei.lin@example.com!", "e-mail address or name"),
    ("MeiLin-forever-2026", "e-mail address or name"),
    ("harbour-lin-lantern", "e-mail address or name"),
])
def test_weak_passwords_are_refused_with_a_reason(password: str, reason: str) -> None:
    with pytest.raises(Invalid) as refused:
        check_new_password(password, email=EMAIL, display_name=NAME)
    assert reason in str(refused.value)


@pytest.mark.parametrize("password", [
    PASSWORD, "harbour lantern violet", "Tr0ub4dor&3-plus", "我的咖啡杯是蓝色的",
    "demo-agent-2026", "long-enough-pw",
])
def test_passphrases_and_long_passwords_are_accepted(password: str) -> None:
    check_new_password(password, email=EMAIL, display_name=NAME)


def test_a_chinese_character_counts_as_two() -> None:
    assert password_length("蓝色咖啡杯子") == 12
    with pytest.raises(Invalid):
        check_new_password("蓝色咖啡杯", email=EMAIL, display_name=NAME)


def test_a_chinese_name_in_the_password_is_refused() -> None:
    with pytest.raises(Invalid, match="e-mail address or name"):
        check_new_password("陈静的咖啡杯是蓝色的", email="cj@example.com", display_name="陈静")


async def test_every_action_that_sets_a_password_applies_the_policy(services, make_agent):
    boss = await make_agent("Boss", role=Role.admin)
    with pytest.raises(Invalid, match="at least 12"):
        async with services.transaction() as session:
            await create_agent(session, email="new@example.com", display_name="New",
                               password="aaaaaaaaaa", actor=boss)
    alice = await make_agent("Alice")
    with pytest.raises(Invalid, match="e-mail address or name"):
        await update_agent(services, boss, alice.id, {"password": "alice-in-the-harbour"})
    with pytest.raises(Invalid, match="most common"):
        await update_agent(services, boss, alice.id, {"password": "qwerty123456789"})
    await update_agent(services, boss, alice.id, {"password": "harbour lantern violet"})


@pytest.mark.parametrize(("tags", "stored"), [
    (["zh-CN", "zh_TW", "EN", "es-MX", "en"], ["zh-Hans", "zh-Hant", "en", "es"]),
    (["zh-Hans", "zh-Hant"], ["zh-Hans", "zh-Hant"]),
    ([], []),
])
def test_queue_languages_are_folded_onto_the_served_ones(tags: list[str],
                                                         stored: list[str]) -> None:
    assert served_languages(tags) == stored


@pytest.mark.parametrize("tag", ["tlh", "xx-YY", "fr", "", "en-US-x-" + "a" * 40, "zh-Hans,en"])
def test_unknown_or_unserved_languages_are_refused(tag: str) -> None:
    with pytest.raises(Invalid) as refused:
        served_languages(["en", tag])
    assert "unknown language" in str(refused.value)
    assert "zh-Hans, zh-Hant, en, es" in str(refused.value)
