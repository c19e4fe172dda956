"""The side panel (the customer's context, transfers on chain) in the agent's interface
language, in a real browser at desk (1440 px) and phone (375 px) width: every reason code the
server sends reads as a sentence (never the code), chain names and the "checked" time follow
the agent's language (not the browser's), and long operator values wrap inside the panel."""

import re

import pytest
from playwright.async_api import Browser, Page, expect
from sqlalchemy import update

from tests.conftest import make_agent_in
from tests.customer_context.operator_server import configure, operator_endpoint
from tests.e2e.test_chat_in_browser import sign_in
from walletdesk.accounts.actions import create_team
from walletdesk.accounts.models import Agent
from walletdesk.chains import results
from walletdesk.chains.models import ChainLookup
from walletdesk.conversations.actions import InboundMessage, receive_message
from walletdesk.customer_context import operator as context_module
from walletdesk.customer_context.models import DeviceContext

pytestmark = pytest.mark.e2e
PANEL_WAIT_MS = 20_000  # the panel loads after the conversation: slow on a loaded machine
LONG_LEVEL = "Platinum" + "X" * 192  # 200 characters, no space (the desk keeps 60)
LONG_VALUE = "v" * 200
BTC = "bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq"
HAN = re.compile(r"[\u4e00-\u9fff]")

# every code the server sends, by where it comes from
OPERATOR_REASONS = ["timeout", "connection", "bad_json", "too_large", "http_500", "http_503",
                    "http_401", "http_403", "http_404", "http_429", "http_400"]
CHAIN_ERRORS = [results.TIMEOUT, results.RATE_LIMITED, results.MALFORMED, results.UNREACHABLE]
CHAIN_FAILURES = [
    results.REVERTED, results.OUT_OF_GAS, results.OUT_OF_ENERGY, results.OUT_OF_BANDWIDTH,
    # TRON's receipt results as adapters/tron.py stores them (lower case)
    "out_of_time", "transfer_failed", "bad_jump_destination", "out_of_memory",
    "precompiled_contract", "stack_too_small", "stack_too_large", "illegal_operation",
    "stack_overflow", "jvm_stack_over_flow", "invalid_code",
    # Solana's errors as adapters/solana.py stores them (lower case, no separators)
    "insufficientfundsforfee", "insufficientfundsforrent", "accountnotfound",
    "blockhashnotfound", "alreadyprocessed"]


async def _sign_in(browser: Browser, base: str, email: str, width: int) -> Page:
    # the browser's language: English (the agent's is not)
    return await sign_in(browser, base, email, viewport={"width": width, "height": 800},
                         locale="en-US")


async def test_the_panel_speaks_the_agents_language_and_fits_a_phone(
        browser, server, e2e_services, artifacts) -> None:
    services = e2e_services
    context_module.clear_cache()
    async with operator_endpoint() as operator:
        configure(services.settings, operator)
        operator.answer = {**operator.answer, "account_level": LONG_LEVEL,
                           "kyc_status": LONG_VALUE}
        async with services.transaction() as session:
            team = await create_team(session, None, name="Support")
        lin = await make_agent_in(services, "Lin", teams=[team], online=True)
        async with services.transaction() as session:  # the workspace in Simplified Chinese
            await session.execute(update(Agent).where(Agent.id == lin.id)
                                  .values(interface_locale="zh-Hans"))
        delivered = await receive_message(services, InboundMessage(
            channel="web", external_id="v-zh", text="我的转账还没到", language="zh-CN",
            verified_user_id="user-42"))
        cid = delivered.conversation.id
        async with services.transaction() as session:
            session.add(DeviceContext(conversation_id=cid, os="Android 14",
                                      wallet_addresses=f"btc:{BTC}"))
            for n, (chain, status, result, candidates) in enumerate([
                    ("tron", results.FAILED, {"failure": results.OUT_OF_ENERGY,
                                              "token": "USDT", "amount": "100"}, []),
                    ("bitcoin", results.UNAVAILABLE, {"error": results.RATE_LIMITED}, []),
                    ("ethereum", results.FAILED, {"failure": "some_future_code",
                                                  "wrong_network": "tron"}, []),
                    (None, "ask_network", {}, ["ethereum", "bsc"])]):
                session.add(ChainLookup(conversation_id=cid, tx=f"{n}" * 64, chain=chain,
                                        status=status, result=result, candidates=candidates))

        for width in (1440, 375):
            page = await _sign_in(browser, server.url, lin.email, width)
            await expect(page.locator("html")).to_have_attribute("lang", "zh-Hans")
            await page.goto(f"{server.url}/app#{cid}")
            if width < 900:
                await page.locator("#show-customer").click()
            account = page.locator("#customer-context-account")
            await expect(account).to_contain_text(LONG_LEVEL[:60], timeout=PANEL_WAIT_MS)
            await expect(account).to_contain_text(LONG_VALUE)
            lookups = page.locator("#chain-lookup-list > li")
            await expect(lookups).to_have_count(4, timeout=PANEL_WAIT_MS)
            # nothing is wider than the screen: the long values wrap inside the panel
            widths = await page.evaluate("""() => ({
                page: document.documentElement.scrollWidth,
                panel: document.getElementById('customer-panel').scrollWidth,
                panelBox: document.getElementById('customer-panel').clientWidth})""")
            assert widths["page"] <= width, widths
            assert widths["panel"] <= widths["panelBox"], widths
            await page.screenshot(path=str(artifacts / f"panel-texts-zh-{width}.png"),
                                  full_page=True)
            await page.locator("#chain-lookups").screenshot(
                path=str(artifacts / f"panel-texts-zh-chains-{width}.png"))

        # chain names and reasons in Chinese, the time in the agent's language (not en-US)
        lookups_text = await page.locator("#chain-lookup-list").inner_text()
        for shown in ("波场 (TRC-20)", "比特币", "以太坊", "以太坊, BNB 智能链", "能量",
                      "请求"):
            assert shown in lookups_text, (shown, lookups_text)
        for code in ("out_of_energy", "rate_limited", "some_future_code", "Bitcoin", "TRON",
                     "Ethereum", "tron"):
            assert code not in lookups_text, (code, lookups_text)
        for checked in await page.locator("#chain-lookup-list .foot span").all_inner_texts():
            assert re.fullmatch(r"查询于 \d{1,2}:\d{2}:\d{2}", checked), checked
        await expect(page.locator("#customer-context-device")).to_contain_text("钱包（比特币）")

        # every code the server can send, as the panel words it: Chinese, never the code
        words = await page.evaluate("""([operator, errors, failures]) => ({
            operator: operator.map(wdPanelTexts.operatorReason),
            errors: errors.map(wdPanelTexts.chainError),
            failures: failures.map(wdPanelTexts.chainFailure),
            unknown: [wdPanelTexts.operatorReason("new_code"), wdPanelTexts.chainError("new"),
                      wdPanelTexts.chainFailure("new_code")]})""",
                                    [OPERATOR_REASONS, CHAIN_ERRORS, CHAIN_FAILURES])
        for codes, texts in ((OPERATOR_REASONS, words["operator"]),
                             (CHAIN_ERRORS, words["errors"]),
                             (CHAIN_FAILURES, words["failures"])):
            for code, text in zip(codes, texts, strict=True):
                assert HAN.search(text) and "_" not in text and code not in text, (code, text)
                assert text not in words["unknown"], (code, text)  # known: its own words
        assert all(HAN.search(text) and "new" not in text for text in words["unknown"])
        assert "HTTP 503" in words["operator"][OPERATOR_REASONS.index("http_503")]

        # the operator's system answering 500: the panel says so in Chinese
        operator.mode, operator.status = "status", 500
        context_module.clear_cache()
        await page.locator("#customer-context-refresh").click()
        state = page.locator("#customer-context-state")
        await expect(state).to_contain_text("HTTP 500")
        assert "http_500" not in await state.inner_text()
    context_module.clear_cache()
