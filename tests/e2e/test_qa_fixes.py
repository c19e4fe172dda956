"""Fixes from the QA pass in a real browser: the @mention picker offers only colleagues who
may see the conversation and tells the writer about a mention nobody received; the transfer
list is refreshed when opened; the privacy notice acknowledgement survives a reload."""

from pathlib import Path

import pytest
from playwright.async_api import Page, expect
from sqlalchemy import select

from tests.conftest import make_agent_in
from tests.e2e.test_chat_in_browser import PASSWORD, open_widget, sign_in, write
from walletdesk import i18n
from walletdesk.accounts.actions import create_team
from walletdesk.accounts.models import Role
from walletdesk.cases.models import Survey
from walletdesk.cases.surveys import submit_rating
from walletdesk.conversations.actions import (
    InboundMessage,
    receive_message,
    resolve_conversation,
)
from walletdesk.conversations.models import Conversation
from walletdesk.customers.language import follow_conversation_language
from walletdesk.customers.models import Customer
from walletdesk.customers.privacy_notice import save_privacy_notices
from walletdesk.labels.actions import add_conversation_label, create_label

pytestmark = pytest.mark.e2e
SHOTS = Path("/work/notes/shots")


async def shot(page: Page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    await page.screenshot(path=SHOTS / f"QAFIX_{name}.png")


async def test_the_mention_picker_skips_agents_who_cannot_see_the_conversation(
        browser, server, e2e_services):
    async with e2e_services.transaction() as session:
        chinese = await create_team(session, None, name="Chinese", is_default=True)
        english = await create_team(session, None, name="English")
    alice = await make_agent_in(e2e_services, "Alice", teams=[chinese], online=True)
    await make_agent_in(e2e_services, "Carl", teams=[chinese])
    await make_agent_in(e2e_services, "Sam", teams=[english])
    delivered = await receive_message(e2e_services, InboundMessage(
        channel="web", external_id="v1", text="我的USDT没到账"))
    conversation_id = delivered.conversation.id
    assert delivered.conversation.team_id == chinese.id

    mine = await sign_in(browser, server.url, alice.email)
    await mine.locator(f".conv[data-id='{conversation_id}']").click()
    await mine.click("input[value=note]")
    await mine.locator("#reply-text").press_sequentially("@")
    picker = mine.locator("#mention-picker")
    await expect(picker.locator("li")).to_have_text(["Carl"])  # not Sam
    await mine.locator("#reply-text").press_sequentially("S")
    await expect(picker).to_be_hidden()
    await shot(mine, "mention_picker")

    await mine.press("#reply-text", "Escape")
    await mine.fill("#reply-text", "@Sam please check the chain")
    await mine.press("#reply-text", "Enter")
    await expect(mine.locator(".msg.note .body")).to_have_text("@Sam please check the chain")
    notice = mine.locator("#mention-skipped")
    await expect(notice).to_be_visible()
    await expect(notice).to_contain_text("Sam")
    await shot(mine, "mention_skipped")


async def test_the_privacy_acknowledgement_survives_a_reload_before_the_first_message(
        browser, server, e2e_services):
    async with e2e_services.transaction() as session:
        await create_team(session, None, name="Support")
    boss = await make_agent_in(e2e_services, "Boss", role=Role.admin)
    await save_privacy_notices(e2e_services, boss, {"en": ("We keep chats for two years.", "")})

    widget = await open_widget(browser, server.url)
    notice = widget.locator("#privacy-notice")
    await expect(notice).to_be_visible()
    await widget.click("#privacy-ack")
    await expect(notice).to_be_hidden()
    await widget.reload()  # nothing written yet: no customer row to hold the acknowledgement
    await expect(widget.locator("#conn-state")).to_have_attribute("data-state", "away")
    await expect(notice).to_be_hidden()

    await write(widget, "hello")
    await expect(widget.locator(".msg.customer .body")).to_contain_text("hello")
    acked = None
    for _ in range(50):  # recorded with the first message, on the server's side
        async with e2e_services.read() as session:
            acked = await session.scalar(select(Customer.privacy_notice_ack_at))
        if acked is not None:
            break
        await widget.wait_for_timeout(100)
    assert acked is not None


async def test_on_a_phone_the_open_conversation_fits_the_width_and_its_header_is_compact(
        browser, server, e2e_services):
    async with e2e_services.transaction() as session:
        team = await create_team(session, None, name="Support", is_default=True)
    alice = await make_agent_in(e2e_services, "Alice", teams=[team], online=True)
    await make_agent_in(e2e_services, "Bartholomew Longname-Example", teams=[team], online=True)
    delivered = await receive_message(e2e_services, InboundMessage(
        channel="web", external_id="v1", text="my withdrawal is stuck since yesterday"))
    page = await (await browser.new_context(viewport={"width": 375, "height": 812},
                                            is_mobile=True, has_touch=True)).new_page()
    await page.goto(f"{server.url}/login")
    await page.fill("input[name=email]", alice.email)
    await page.fill("input[name=password]", PASSWORD)
    await page.click("button[type=submit]")
    await page.wait_for_url(f"{server.url}/app")
    await page.locator(f".conv[data-id='{delivered.conversation.id}']").click()
    await expect(page.locator("#conv-title")).to_contain_text(f"#{delivered.conversation.id}")
    await page.focus("#transfer")  # the targets (long names) are loaded into the select
    await expect(page.locator("#transfer-agents option")).to_have_count(1)
    await shot(page, "phone_thread")
    width = await page.evaluate("document.documentElement.scrollWidth")
    assert width <= 375  # no sideways scrolling
    head = await page.locator(".thread-head").bounding_box()
    assert head is not None and head["height"] <= 812 * 0.3, head


async def bot_detected(services, conversation_id: int, language: str) -> None:  # type: ignore[no-untyped-def]
    """What the bot does when it detects the language a message is written in."""
    async with services.transaction() as session:
        conversation = await session.get(Conversation, conversation_id)
        assert conversation is not None
        conversation.language = language
        await follow_conversation_language(session, conversation)


async def test_the_agent_sees_the_customers_rating_live_and_after_a_reload(
        browser, server, e2e_services):
    async with e2e_services.transaction() as session:
        team = await create_team(session, None, name="Support", is_default=True)
    alice = await make_agent_in(e2e_services, "Alice", teams=[team], online=True)
    delivered = await receive_message(e2e_services, InboundMessage(
        channel="web", external_id="v1", text="where is my deposit?"))
    conversation = delivered.conversation
    agent = await sign_in(browser, server.url, alice.email)
    await agent.locator(f".conv[data-id='{conversation.id}']").click()
    await expect(agent.locator(".msg.customer .body")).to_have_text("where is my deposit?")
    await resolve_conversation(e2e_services, alice, conversation.id)
    async with e2e_services.read() as session:
        survey = await session.scalar(select(Survey))
    assert survey is not None
    await submit_rating(e2e_services, customer_id=conversation.customer_id,
                        survey_id=survey.id, rating=4, comment="quick, <i>thanks</i>")
    note = agent.locator(".msg.system.note .body", has_text="4/5")
    await expect(note).to_have_text("Customer rating: ★★★★☆ 4/5 — “quick, <i>thanks</i>”")
    await agent.goto(f"{server.url}/app#{conversation.id}")  # resolved: not in the inbox
    await agent.reload()
    await expect(agent.locator(".msg.system.note .body", has_text="4/5")).to_have_count(1)
    await shot(agent, "agent_sees_rating")


async def test_the_customer_language_follows_their_chinese_and_an_agent_can_choose_it(
        browser, server, e2e_services):
    async with e2e_services.transaction() as session:
        team = await create_team(session, None, name="Support", is_default=True)
    alice = await make_agent_in(e2e_services, "Alice", teams=[team], online=True)
    delivered = await receive_message(e2e_services, InboundMessage(
        channel="web", external_id="v1", text="我的USDT没到账", language="en-US"))
    await bot_detected(e2e_services, delivered.conversation.id, "zh-Hans")
    agent = await sign_in(browser, server.url, alice.email)
    await agent.locator(f".conv[data-id='{delivered.conversation.id}']").click()
    details = agent.locator("#customer-details")
    await expect(details).to_contain_text("zh-Hans")
    await agent.click("#customer-edit")
    language = agent.locator("#customer-language")
    await expect(language).to_have_value("zh-Hans")
    await language.select_option("zh-Hant")
    await agent.click("#customer-form button[type=submit]")
    await expect(details).to_contain_text("zh-Hant")
    await shot(agent, "customer_language")
    await bot_detected(e2e_services, delivered.conversation.id, "zh-Hans")  # the choice stays
    async with e2e_services.read() as session:
        assert await session.scalar(select(Customer.language)) == "zh-Hant"


async def test_opening_a_labelled_conversation_shows_the_newest_message(
        browser, server, e2e_services):
    async with e2e_services.transaction() as session:
        team = await create_team(session, None, name="Support", is_default=True)
    alice = await make_agent_in(e2e_services, "Alice", teams=[team], online=True)
    boss = await make_agent_in(e2e_services, "Boss", role=Role.admin)
    for n in range(30):
        delivered = await receive_message(e2e_services, InboundMessage(
            channel="web", external_id="v1", text=f"message number {n}"))
    conversation_id = delivered.conversation.id
    for name in ("Refund", "Urgent", "Withdrawal", "Chain: TRON"):
        label = await create_label(e2e_services, boss, name=name, color="#cf222e")
        await add_conversation_label(e2e_services, alice, conversation_id, label.id)
    agent = await sign_in(browser, server.url, alice.email)
    await agent.locator(f".conv[data-id='{conversation_id}']").click()
    await expect(agent.locator("#conv-labels .label-chip")).to_have_count(4)
    newest = agent.locator(".msg.customer .body", has_text="message number 29")
    await expect(newest).to_be_in_viewport(ratio=1)
    gap = await agent.evaluate(
        "(() => { var t = document.getElementById('messages');"
        " return t.scrollHeight - t.scrollTop - t.clientHeight; })()")
    assert gap < 4, gap
    await shot(agent, "labelled_thread_bottom")


async def test_the_widget_texts_follow_the_conversations_language(
        browser, server, e2e_services):
    async with e2e_services.transaction() as session:
        team = await create_team(session, None, name="Support", is_default=True)
    alice = await make_agent_in(e2e_services, "Alice", teams=[team], online=True)
    widget = await open_widget(browser, server.url, locale="en-US")
    await write(widget, "我的USDT没到账")
    await expect(widget.locator(".msg.customer .body")).to_contain_text("我的USDT没到账")
    async with e2e_services.read() as session:
        conversation_id = await session.scalar(select(Conversation.id))
    assert conversation_id is not None
    await bot_detected(e2e_services, conversation_id, "zh-Hans")
    await widget.reload()
    chinese = i18n.translations("zh-Hans")
    await expect(widget.locator("#send")).to_have_text(chinese.gettext("Send"))
    await resolve_conversation(e2e_services, alice, conversation_id)
    await widget.locator(".csat button[data-score='4']").click()
    status = widget.locator(".csat-status")
    await expect(status).to_have_text(
        chinese.gettext("Thanks, you rated this {n}/5.").format(n=4))
    assert await widget.evaluate("document.documentElement.lang") == "zh-Hans"
    await shot(widget, "widget_rating_in_conversation_language")
