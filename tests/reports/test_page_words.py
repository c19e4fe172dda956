"""The reports page in the reader's words: the codes a report counts by — why the bot handed
over, the channel, the category, the language — show as the rest of the desk names them
(the workspace's hand-over reasons and channels, the help centre's category names, the
languages' own names), in the filters too; never as the stored code."""

import re

import pytest

from tests.reports.history import END, START, TZ, build_history
from walletdesk import i18n
from walletdesk.accounts.interface_locale import set_interface_locale
from walletdesk.accounts.models import Role

PERIOD = {"start": START, "end": END, "tz": TZ}


def chinese(msgid: str) -> str:
    """The catalog's Chinese for an English text; a missing translation fails the test."""
    translated = i18n.translations("zh-Hans").gettext(msgid)
    assert translated != msgid, f"no zh-Hans translation of {msgid!r}"
    return translated


def cells(fragment: str) -> list[str]:
    return [re.sub(r"<[^>]+>", "", cell).strip()
            for cell in re.findall(r"<td[^>]*>(.*?)</td>", fragment, re.S)]


@pytest.fixture
async def lead_in_chinese(services, make_agent, make_team, sign_in):  # type: ignore[no-untyped-def]
    await build_history(services, make_agent, make_team)
    lead = await make_agent("Lin", role=Role.supervisor)
    await set_interface_locale(services, lead.id, "zh-Hans")
    return await sign_in(lead.email)


async def test_the_panels_name_the_codes_in_chinese(lead_in_chinese) -> None:  # type: ignore[no-untyped-def]
    http = lead_in_chinese.http
    outcome = (await http.get("/reports/panels/outcome", params=PERIOD)).text
    assert chinese("the bot was not confident") in cells(outcome)  # c4: low_confidence
    assert "low_confidence" not in outcome

    volume = cells((await http.get("/reports/panels/volume", params=PERIOD)).text)
    assert chinese("web chat") in volume and chinese("e-mail") in volume  # widget, email
    assert chinese("Transfers") in volume  # the category "transfer"
    assert "中文 (简体)" in volume and "英语" in volume  # zh-Hans, en
    for code in ("widget", "email", "transfer", "zh-Hans", "en"):
        assert code not in volume, code

    comments = cells((await http.get("/reports/panels/comments", params=PERIOD)).text)
    assert chinese("web chat") in comments and "widget" not in comments


async def test_the_filters_name_the_codes_and_keep_them_as_values(lead_in_chinese) -> None:  # type: ignore[no-untyped-def]
    page = (await lead_in_chinese.http.get("/reports", params={**PERIOD, "channel": "email",
                                                               "category": "transfer"})).text
    options = dict(re.findall(r'<option value="([^"]+)"[^>]*>([^<]*)</option>', page))
    assert options["email"] == chinese("e-mail") and options["widget"] == chinese("web chat")
    assert options["transfer"] == chinese("Transfers")
    assert options["zh-Hans"] == "中文 (简体)"
    assert '<option value="email" selected>' in page
    assert '<option value="transfer" selected>' in page


async def test_every_hand_over_reason_the_bot_gives_has_the_workspaces_words() -> None:
    """The reasons ``hand_off`` is called with (walletdesk/bot, customers, chains,
    customer_context): each is named, in every language of the desk."""
    from walletdesk.web.localization import TERMS, term
    reasons = ("low_confidence", "asked_for_human", "repeated_failure", "sensitive_topic",
               "out_of_scope", "bot_unavailable", "context_unavailable", "context_missing",
               "account_question", "verification_failed", "chain_unavailable",
               "chain_unsupported")
    for reason in reasons:
        assert reason in TERMS, reason
        for locale in ("zh-Hans", "zh-Hant", "es"):
            assert term(locale, reason) != TERMS[reason], (reason, locale)
