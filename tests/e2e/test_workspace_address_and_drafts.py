"""The workspace's address and drafts in a real browser (outside review): the open
conversation is in the URL (/app#42), a reload reopens it with its unsent reply, Back and
Forward move between the conversations and the list, a conversation the agent may not see says
so; the transfer warns when the colleague or team does not speak the conversation's language;
statuses and channels come named from the server, in a Spanish agent's words."""

import asyncio
import re
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from playwright.async_api import Dialog, Page, expect

from tests.conftest import make_agent_in
from tests.e2e.test_workspace_first_use import DESKTOP, PHONE, sign_in
from tests.labels.helpers import conversation_in
from walletdesk import i18n
from walletdesk.accounts.actions import create_team
from walletdesk.accounts.models import Agent, Role, Team
from walletdesk.conversations.actions import (
    InboundMessage,
    assign_conversation,
    receive_message,
)
from walletdesk.services import Services

pytestmark = pytest.mark.e2e


@dataclass
class Desk:
    alice: Agent
    mei: Agent
    asia: Team
    lin: int  # Alice's conversations: Lin's in English, Sofía's in Spanish
    sofia: int
    hidden: int  # Asia desk's, which Alice may not see


async def desk(services: Services) -> Desk:
    """Alice (Support; English and Spanish) with two customers' conversations, one in
    Spanish; Mei (Asia desk; Chinese only, online) with a third Alice may not see."""
    async with services.transaction() as session:
        support = await create_team(session, None, name="Support", is_default=True)
        asia = await create_team(session, None, name="Asia desk")
    admin = await make_agent_in(services, "Ada", role=Role.admin)
    alice = await make_agent_in(services, "Alice", teams=[support], languages=["en", "es"])
    mei = await make_agent_in(services, "Mei", teams=[asia], languages=["zh-Hans"], online=True)
    ids = []
    for visitor, name, text, language in (
            ("v-lin", "Lin", "My USDT transfer is stuck", "en"),
            ("v-sofia", "Sofía", "Mi transferencia no llega", "es")):
        delivered = await receive_message(services, InboundMessage(
            channel="web", external_id=visitor, text=text, customer_name=name,
            language=language))
        await assign_conversation(services, admin, delivered.conversation.id,
                                  agent_id=alice.id)
        ids.append(delivered.conversation.id)
    hidden = await conversation_in(services, admin, asia, "v-wang", name="Wang",
                                   text="我的转账没有到", language="zh-Hans")
    return Desk(alice, mei, asia, ids[0], ids[1], hidden.id)


async def open_row(page: Page, conversation_id: int) -> None:
    await page.locator(f"#conversation-list .conv[data-id='{conversation_id}']").click()
    await expect(page.locator("#conv-title")).to_contain_text(f"#{conversation_id}")


async def type_draft(page: Page, text: str) -> None:
    await page.fill("#reply-text", text)  # fill fires "input", as typing does


async def drafts_kept(page: Page) -> list[str]:
    return list(await page.evaluate(
        "Object.keys(sessionStorage).filter(k => k.indexOf('wd-draft:') === 0)"))


async def test_reload_back_and_forward_keep_the_conversation_and_its_draft(
        browser, server, e2e_services, artifacts):
    people = await desk(e2e_services)
    lin, sofia = people.lin, people.sofia
    page = await sign_in(browser, server.url, people.alice.email, DESKTOP)
    box = page.locator("#reply-text")

    await open_row(page, lin)
    assert page.url.endswith(f"/app#{lin}")
    await type_draft(page, "Let me check the chain for you")
    await open_row(page, sofia)
    assert page.url.endswith(f"/app#{sofia}")
    await expect(box).to_have_value("")  # Lin's words never go to Sofía
    await page.check("input[name=mode][value=note]")
    await type_draft(page, "Ask finance about the fee")

    # a reload reopens Sofía's conversation with the half-written internal note
    await page.reload()
    await expect(page.locator("#conv-title")).to_contain_text(f"#{sofia}")
    await expect(box).to_have_value("Ask finance about the fee")
    await expect(page.locator("input[name=mode][value=note]")).to_be_checked()
    await page.screenshot(path=str(artifacts / "workspace_nav_reloaded_1440.png"))

    # Back: Lin's conversation with its reply; Back again: the list; Forward: Lin again
    await page.go_back()
    await expect(page.locator("#messages .msg.customer .body")).to_have_text(
        "My USDT transfer is stuck")
    await expect(page.locator("#conv-title")).to_contain_text(f"#{lin}")
    await expect(box).to_have_value("Let me check the chain for you")
    await expect(page.locator("input[name=mode][value=reply]")).to_be_checked()
    await page.go_back()
    await expect(page.locator("#empty")).to_be_visible()
    await expect(page.locator("#empty")).to_have_text("Pick a conversation on the left.")
    await expect(page.locator("#conversation")).to_be_hidden()
    assert page.url.endswith("/app")
    await page.go_forward()
    await expect(page.locator("#conversation")).to_be_visible()
    await expect(page.locator("#conv-title")).to_contain_text(f"#{lin}")
    await expect(box).to_have_value("Let me check the chain for you")

    # sent: the draft is gone, a reload leaves the box empty
    await box.press("Enter")
    await expect(page.locator("#messages .msg.agent .body").last).to_have_text(
        "Let me check the chain for you")
    await expect(page.locator("#messages .msg.pending")).to_have_count(0)
    await page.reload()
    await expect(page.locator("#conv-title")).to_contain_text(f"#{lin}")
    await expect(box).to_have_value("")
    assert len(await drafts_kept(page)) == 1  # Sofía's note only

    # a conversation Alice may not see (another team's, or no such one) says so
    for refused in (people.hidden, 987654):
        await page.goto(f"{server.url}/app#{refused}")
        await expect(page.locator("#empty")).to_be_visible()
        await expect(page.locator("#empty")).to_contain_text(
            f"Conversation #{refused} is not in your queues any more")
        await expect(page.locator("#conversation")).to_be_hidden()
    await page.screenshot(path=str(artifacts / "workspace_nav_refused_1440.png"))
    await page.locator("#empty .empty-back").click()
    await expect(page.locator("#empty")).to_have_text("Pick a conversation on the left.")

    # signing out drops every draft kept in this tab
    await open_row(page, sofia)
    await expect(box).to_have_value("Ask finance about the fee")
    await page.locator("form[action='/logout'] button").click()
    await page.wait_for_url(re.compile(r"/login"))
    assert await drafts_kept(page) == []


async def test_on_a_phone_the_inbox_button_and_back_move_between_list_and_conversation(
        browser, server, e2e_services, artifacts):
    people = await desk(e2e_services)
    lin = people.lin
    page = await sign_in(browser, server.url, people.alice.email, PHONE)
    workspace = page.locator("#workspace")
    await open_row(page, lin)
    await expect(workspace).to_have_attribute("data-pane", "thread")
    await type_draft(page, "One moment please")
    await page.screenshot(path=str(artifacts / "workspace_nav_conversation_375.png"))

    await page.locator("#back-to-list").click()  # the step back, not a new one
    await expect(workspace).to_have_attribute("data-pane", "list")
    await expect(page.locator("#conversation-list")).to_be_visible()
    assert page.url.endswith("/app")
    await page.go_forward()
    await expect(workspace).to_have_attribute("data-pane", "thread")
    await expect(page.locator("#reply-text")).to_have_value("One moment please")
    await page.go_back()
    await expect(workspace).to_have_attribute("data-pane", "list")

    await page.goto(f"{server.url}/app#{people.hidden}")
    message = page.locator("#empty")
    await expect(message).to_be_visible()
    await expect(message).to_contain_text("is not in your queues any more")
    await expect(page.locator("#empty .empty-back")).to_be_visible()
    await page.screenshot(path=str(artifacts / "workspace_nav_refused_375.png"))
    await page.locator("#empty .empty-back").click()
    await expect(workspace).to_have_attribute("data-pane", "list")
    await expect(page.locator("#conversation-list .conv")).to_have_count(2)


async def until(check: Callable[[], bool]) -> None:
    for _ in range(200):
        if check():
            return
        await asyncio.sleep(0.1)
    assert check()


def record_dialogs(page: Page, seen: list[str]) -> None:
    async def dismiss(dialog: Dialog) -> None:  # "Transfer anyway?" → no
        seen.append(dialog.message)
        await dialog.dismiss()
    page.on("dialog", dismiss)


async def test_the_transfer_warns_of_the_language_and_names_come_translated(
        browser, server, e2e_services, artifacts):
    people = await desk(e2e_services)
    alice, sofia = people.alice, people.sofia
    async with e2e_services.transaction() as session:
        stored = await session.get(Agent, alice.id)
        assert stored is not None
        stored.interface_locale = "es"
    page = await sign_in(browser, server.url, alice.email, DESKTOP)

    # statuses and channels named by the server in Spanish
    row = page.locator(f"#conversation-list .conv[data-id='{sofia}']")
    await expect(row.locator(".badge.status-assigned")).to_have_text("asignada")
    await open_row(page, sofia)
    await expect(page.locator("#conv-meta")).to_contain_text("asignada · chat web · español")
    await expect(page.locator("#transfer-agents option").filter(has_text="Mei")).to_have_count(1)

    catalog = i18n.translations("es")
    dialogs: list[str] = []
    record_dialogs(page, dialogs)
    await page.select_option("#transfer", f"agent:{people.mei.id}")
    await until(lambda: len(dialogs) == 1)
    assert catalog.gettext("{name} does not speak {language}, the conversation's language."
                           ).format(name="Mei", language="español") in dialogs[0]
    await page.select_option("#transfer", f"team:{people.asia.id}")
    await until(lambda: len(dialogs) == 2)
    assert catalog.gettext("Nobody in {team} speaks {language}, the conversation's language."
                           ).format(team="Asia desk", language="español") in dialogs[1]
    # dismissed: nothing moved
    await expect(page.locator("#conv-meta")).to_contain_text("Alice")
    await page.screenshot(path=str(artifacts / "workspace_nav_spanish_1440.png"))
