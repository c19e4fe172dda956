"""The workspace's day-one tools in a real browser: the unread count in the tab title, the
shortcut list and a shortcut that resolves, an @mention reaching the other agent, bulk assign."""

import asyncio
import contextlib
import re
from pathlib import Path

import pytest
from playwright.async_api import Error as PlaywrightError
from playwright.async_api import Locator, Page, Route, expect
from sqlalchemy import select

from tests.conftest import make_agent_in
from tests.e2e.test_chat_in_browser import open_widget, sign_in, write
from walletdesk.accounts.actions import create_team
from walletdesk.accounts.models import Role
from walletdesk.conversations.actions import InboundMessage, receive_message
from walletdesk.conversations.models import Conversation, NoteMention, Status
from walletdesk.labels.actions import create_label
from walletdesk.labels.queries import conversation_labels

pytestmark = pytest.mark.e2e
SHOTS = Path("/work/notes/shots")


async def shot(page: Page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    await page.screenshot(path=SHOTS / f"D_{name}.png")


async def team_with(services, *names: str, online: bool = True):  # type: ignore[no-untyped-def]
    async with services.transaction() as session:
        team = await create_team(session, None, name="Support", is_default=True)
    return [await make_agent_in(services, name, teams=[team], online=online) for name in names]


async def conversation(services, conversation_id: int) -> Conversation:  # type: ignore[no-untyped-def]
    async with services.read() as session:
        found = await session.get(Conversation, conversation_id)
        assert found is not None
        return found


async def test_a_customer_message_in_my_conversation_shows_in_the_tab_title(
        browser, server, e2e_services):
    [alice] = await team_with(e2e_services, "Alice")
    widget = await open_widget(browser, server.url)
    await write(widget, "my withdrawal is stuck")
    await expect(widget.locator(".msg.system")).to_contain_text("Alice joined")

    workspace = await sign_in(browser, server.url, alice.email)
    await expect(workspace.locator(".conv")).to_have_count(1)
    await expect(workspace).to_have_title(re.compile(r"^Inbox"))  # nothing unread yet

    await write(widget, "hello? anyone there")
    await expect(workspace).to_have_title(re.compile(r"^\(1\) Inbox"))
    assert await workspace.evaluate("window.wdNotifications.beeps") >= 1  # the tone played
    await expect(workspace.locator("#notif-count")).to_have_text("1")
    await shot(workspace, "title_count")

    await workspace.locator(".conv").first.click()  # looking at it: read
    await expect(workspace).to_have_title(re.compile(r"^Inbox"))


async def test_the_shortcut_list_and_a_shortcut_that_resolves(browser, server, e2e_services):
    [alice] = await team_with(e2e_services, "Alice")
    delivered = await receive_message(e2e_services, InboundMessage(
        channel="web", external_id="v1", text="please close my ticket"))
    assert delivered.conversation.assignee_id == alice.id
    workspace = await sign_in(browser, server.url, alice.email)
    await expect(workspace.locator(".conv")).to_have_count(1)

    await workspace.fill("#search", "what?")  # typing in a field: no shortcut fires
    await expect(workspace.locator("#shortcuts-overlay")).to_be_hidden()
    await workspace.fill("#search", "")
    await workspace.press("#search", "Escape")  # Esc works while typing: leaves the field
    await expect(workspace.locator("#search")).not_to_be_focused()
    await expect(workspace.locator(".conv")).to_have_count(1)
    await workspace.keyboard.press("?")
    overlay = workspace.locator("#shortcuts-overlay")
    await expect(overlay).to_be_visible()
    await expect(overlay).to_contain_text("Resolve")
    await expect(overlay).to_contain_text("Assign to me")
    await shot(workspace, "shortcuts_overlay")
    await workspace.keyboard.press("Escape")
    await expect(overlay).to_be_hidden()

    await workspace.keyboard.press("j")  # the first conversation opens
    await expect(workspace.locator("#conv-title")).to_contain_text(f"#{delivered.conversation.id}")
    await workspace.keyboard.press("e")
    await expect(workspace.locator("#reopen")).to_be_visible()
    assert (await conversation(e2e_services, delivered.conversation.id)).status == Status.resolved


async def test_a_mention_in_a_note_notifies_the_other_agent(browser, server, e2e_services):
    alice, carl = await team_with(e2e_services, "Alice", "Carl")
    delivered = await receive_message(e2e_services, InboundMessage(
        channel="web", external_id="v1", text="is this address safe?"))
    conversation_id = delivered.conversation.id
    mine = await sign_in(browser, server.url, alice.email)
    theirs = await sign_in(browser, server.url, carl.email)
    await expect(theirs.locator("#notif-toggle")).to_be_visible()

    await mine.locator(f".conv[data-id='{conversation_id}']").click()
    await expect(mine.locator("#conv-title")).to_contain_text(f"#{conversation_id}")
    await mine.click("input[value=note]")
    await mine.locator("#reply-text").press_sequentially("@Ca")
    picker = mine.locator("#mention-picker")
    await expect(picker).to_be_visible()
    await expect(picker.locator("li")).to_have_text(["Carl"])
    await shot(mine, "mention_autocomplete")
    await mine.press("#reply-text", "Enter")  # picks Carl, does not send
    await expect(mine.locator("#reply-text")).to_have_value("@Carl ")
    await mine.locator("#reply-text").press_sequentially("please check the chain")
    await mine.press("#reply-text", "Enter")
    await expect(mine.locator(".msg.note .body")).to_have_text("@Carl please check the chain")

    await expect(theirs).to_have_title(re.compile(r"^\(1\) "))
    await theirs.click("#notif-toggle")
    await expect(theirs.locator("#notif-mentions")).to_contain_text(f"Alice in #{conversation_id}")
    await shot(theirs, "mention_received")
    await theirs.reload()  # stored: still there on the next load
    await expect(theirs).to_have_title(re.compile(r"^\(1\) "))
    await theirs.click("#notif-toggle")
    async with theirs.expect_response("**/api/v1/me/mentions/read") as marked:
        await theirs.locator("#notif-mentions a").click()
    assert (await marked.value).ok
    await expect(theirs.locator("#conv-title")).to_contain_text(f"#{conversation_id}")
    await expect(theirs).not_to_have_title(re.compile(r"^\(1\)"))
    async with e2e_services.read() as session:
        mention = (await session.scalars(select(NoteMention))).one()
    assert mention.agent_id == carl.id and mention.read_at is not None


async def test_bulk_assign_from_the_inbox(browser, server, e2e_services):
    alice, carl = await team_with(e2e_services, "Alice", "Carl")
    ids = []
    for visitor in ("v1", "v2", "v3"):
        delivered = await receive_message(e2e_services, InboundMessage(
            channel="web", external_id=visitor, text=f"question from {visitor}"))
        ids.append(delivered.conversation.id)
    workspace = await sign_in(browser, server.url, alice.email)
    await workspace.click("#views button[data-view=team]")
    await expect(workspace.locator(".conv")).to_have_count(3)

    chosen = ids[:2]
    for conversation_id in chosen:
        await workspace.locator(f".bulk-check[value='{conversation_id}']").check()
    await expect(workspace.locator("#bulk-bar")).to_contain_text("2 selected")
    await shot(workspace, "bulk_select")
    # routing may have given Carl one already: a transfer to its holder changes nothing
    held = sum([(await conversation(e2e_services, c)).assignee_id == carl.id for c in chosen])
    await workspace.select_option("#bulk-assign-to", label="Carl")
    await expect(workspace.locator("#bulk-result")).to_contain_text(
        f"{2 - held} done" + (f" · {held} not changed: Carl already has" if held else ""))
    for conversation_id in chosen:
        assert (await conversation(e2e_services, conversation_id)).assignee_id == carl.id
    assert (await conversation(e2e_services, ids[2])).assignee_id != carl.id


async def test_a_slow_answer_for_the_previous_view_does_not_replace_the_chosen_view(
        browser, server, e2e_services):
    alice, _carl = await team_with(e2e_services, "Alice", "Carl")
    mine = 0
    for visitor in ("v1", "v2", "v3"):  # shared between the two: fewer than 3 are Alice's
        delivered = await receive_message(e2e_services, InboundMessage(
            channel="web", external_id=visitor, text=f"question from {visitor}"))
        mine += delivered.conversation.assignee_id == alice.id
    assert 0 < mine < 3
    workspace = await sign_in(browser, server.url, alice.email)
    await expect(workspace.locator(".conv")).to_have_count(mine)

    answered = asyncio.Event()

    async def slow_mine(route: Route) -> None:
        response = await route.fetch()
        await asyncio.sleep(1.5)
        await route.fulfill(response=response)
        answered.set()

    await workspace.route(re.compile(r"/api/v1/conversations\?view=mine"), slow_mine)
    await workspace.click("#views button[data-view=mine]")
    await workspace.click("#views button[data-view=team]")
    await expect(workspace.locator(".conv")).to_have_count(3)
    await asyncio.wait_for(answered.wait(), 20)
    await workspace.wait_for_timeout(300)  # time for a late answer to be drawn, if it were
    await expect(workspace.locator(".conv")).to_have_count(3)


async def test_snooze_until_the_reply_and_edit_the_customer(browser, server, e2e_services):
    [alice] = await team_with(e2e_services, "Alice")
    widget = await open_widget(browser, server.url)
    await write(widget, "my card top-up failed")
    await expect(widget.locator(".msg.system")).to_contain_text("Alice joined")
    workspace = await sign_in(browser, server.url, alice.email)
    await workspace.locator(".conv").first.click()

    await workspace.select_option("#snooze", "reply")
    await expect(workspace.locator("#snoozed-badge")).to_have_text(
        "Snoozed until the customer replies")
    await expect(workspace.locator("#unsnooze")).to_be_visible()
    await expect(workspace.locator(".conv")).to_have_count(0)  # out of Mine
    await workspace.click("#views button[data-view=snoozed]")
    await expect(workspace.locator(".conv")).to_have_count(1)
    await shot(workspace, "snoozed")

    await write(widget, "it failed again")  # the customer's reply wakes it
    await expect(workspace.locator("#snoozed-badge")).to_be_hidden()
    await workspace.click("#views button[data-view=mine]")
    await expect(workspace.locator(".conv")).to_have_count(1)

    await workspace.click("#customer-edit")
    await workspace.fill("#customer-display_name", "Wang <b>Fang</b>")
    await workspace.fill("#customer-email", "wang.fang@example.com")
    await workspace.fill("#customer-note", "VIP; prefers English")
    await workspace.click("#customer-form button[type=submit]")
    await expect(workspace.locator(".customer-note")).to_have_text("VIP; prefers English")
    await expect(workspace.locator("#customer-details")).to_contain_text("Wang <b>Fang</b>")
    assert await workspace.evaluate("document.querySelector('#customer-details b')") is None
    await shot(workspace, "customer_edited")


async def check_through_redraws(box: Locator) -> None:
    """Tick a box of the conversation list. The list is redrawn when a live event arrives (the
    selection survives it); a redraw between Playwright's click and its check of the state
    fails ``check()``, so tick again until the box stays ticked."""
    for _ in range(5):
        with contextlib.suppress(PlaywrightError):
            await box.check(timeout=3000)
        if await box.is_checked():
            return
    await expect(box).to_be_checked()


async def test_bulk_label_from_the_inbox(browser, server, e2e_services):
    alice, _carl = await team_with(e2e_services, "Alice", "Carl")
    admin = await make_agent_in(e2e_services, "Ada", role=Role.admin)
    label = await create_label(e2e_services, admin, name="Scam report", color="#b42318")
    ids = []
    for visitor in ("v1", "v2", "v3"):
        delivered = await receive_message(e2e_services, InboundMessage(
            channel="web", external_id=visitor, text=f"question from {visitor}"))
        ids.append(delivered.conversation.id)
    workspace = await sign_in(browser, server.url, alice.email)
    await workspace.click("#views button[data-view=team]")
    await expect(workspace.locator(".conv")).to_have_count(3)
    for conversation_id in ids[:2]:
        await check_through_redraws(workspace.locator(f".bulk-check[value='{conversation_id}']"))
    await workspace.select_option("#bulk-label", label="Scam report")
    await expect(workspace.locator("#bulk-result")).to_contain_text("2 done")
    await shot(workspace, "bulk_label")
    async with e2e_services.read() as session:
        labelled = [[lbl.id for lbl in await conversation_labels(session, conversation_id)]
                    for conversation_id in ids]
    assert labelled == [[label.id], [label.id], []]
