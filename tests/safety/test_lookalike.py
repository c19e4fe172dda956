"""Official-channel check: real-world style impersonations must be caught, ours recognised,
and unrelated channels left alone."""

import pytest

from walletdesk.safety.lookalike import Channel, verify_channel

OFFICIAL = [
    Channel("domain", "https://www.demowallet.com", "website"),
    Channel("email", "support@demowallet.com", "support e-mail"),
    Channel("telegram", "@DemoWalletSupport", "Telegram"),
    Channel("x", "@DemoWallet", "X"),
    Channel("discord", "https://discord.gg/demowallet", "Discord"),
    Channel("phone", "+65 6123 4567", "hotline"),
    Channel("wechat", "demowallet_cs", "WeChat"),
]

LOOKALIKES = [
    "demowa11et.com", "dem0wallet.com", "demowallet.io", "demowallet.co", "demo-wallet.com",
    "demowallet-support.com", "demowalletsupport.com", "support-demowallet.com",
    "demowalet.com", "dernowallet.com", "demowallett.com", "dеmowallet.com",
    "https://xn--dmowallet-9ef.com", "https://demowallet.com.secure-login.net/verify",
    "https://www.demowallet-help.net/login", "demowalIet.com", "officialdemowallet.com",
    "demowallet-official.org", "ｄｅｍｏｗａｌｌｅｔ.com", "demowallet.app",
    "support@demowallet-help.com", "support@demowa1let.com", "demowallet.support@gmail.com",
    "demowalletofficial@outlook.com",
    "@DemoWalletSupport_Official", "@DemoWallet_Help", "@DemoWaIlet", "@Dem0Wallet",
    "@DemoWalletSupport1", "@demowallet_service", "@DemoWalletCare", "@DemoWalIetSupport",
    "@DеmoWallet", "t.me/DemoWallet_Support_Team", "@demowalletsupp0rt", "@DemoWalletHelp",
    "@DemoWallet_Official", "https://discord.gg/demowallet-support", "@demowallet_kefu",
    "+44 6123 4567",
]
OURS = [
    "https://www.demowallet.com/help/article", "demowallet.com", "DEMOWALLET.COM",
    "support@demowallet.com", "billing@demowallet.com", "@DemoWalletSupport",
    "t.me/DemoWalletSupport", "https://twitter.com/DemoWallet", "+65 6123 4567",
    "+6561234567", "discord.gg/demowallet",
]
NOT_OURS = [
    "google.com", "binance.com", "@binance", "trustwallet.com", "metamask.io", "@vitalik",
    "support@binance.com", "+1 415 555 0100", "wallet.com", "demo.com", "example.org",
    "@cryptonews", "okx.com", "support@gmail.com",
]


def test_the_table_is_big_enough():
    assert len(LOOKALIKES) >= 40 and len(OURS) + len(NOT_OURS) >= 20


@pytest.mark.parametrize("value", LOOKALIKES)
def test_impersonations_are_flagged(value):
    verdict = verify_channel(value, OFFICIAL)
    assert verdict.status == "lookalike", (value, verdict)
    assert verdict.channel is not None and verdict.reasons


@pytest.mark.parametrize("value", OURS)
def test_official_channels_are_recognised(value):
    assert verify_channel(value, OFFICIAL).status == "official", value


@pytest.mark.parametrize("value", NOT_OURS)
def test_unrelated_channels_are_not_flagged(value):
    assert verify_channel(value, OFFICIAL).status == "not_official", value


@pytest.mark.parametrize("value", ["", "   ", "+1", "💩"])
def test_unusable_input_is_reported(value):
    assert verify_channel(value, OFFICIAL).status in ("invalid", "not_official")
