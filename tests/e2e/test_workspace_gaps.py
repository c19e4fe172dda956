"""The workspace's day-one tools the first browser tests left out: the keyboard shortcuts
(j/k, r/n/t, a, c, /), the "conversation offered" notice (tab title, tone and a desktop
notification when the browser allows it) and a screenshot pasted in the agent's reply box
reaching the customer's widget inline without its metadata."""

import base64
import io
import re

import pytest
from PIL import Image
from playwright.async_api import Browser, Page, expect
from sqlalchemy import select

from tests.conftest import PASSWORD, make_agent_in
from tests.e2e.test_chat_attachments import LOADED_WIDTH
from tests.e2e.test_chat_in_browser import open_widget, sign_in, write
from tests.labels.helpers import conversation_in
from tests.web.test_chat_attachments import GPS_IFD, jpeg_with_gps
from walletdesk.accounts.actions import create_team
from walletdesk.accounts.models import Role
from walletdesk.conversations.actions import InboundMessage, receive_message
from walletdesk.conversations.models import Conversation
from walletdesk.macros.actions import create_canned_reply

pytestmark = pytest.mark.e2e

# Headless Chromium shows no desktop notification: the page's Notification is wrapped to
# record what the desk constructs (and still constructs the real one). Playwright also tells
# every page it has the focus; `window.__away = true` stands for the agent being in another
# window, which is when the desk notifies on the desktop.
RECORD_NOTIFICATIONS = """(() => {
    window.__notices = [];
    window.__away = false;
    const Real = window.Notification;
    if (Real) {
        const Recorded = function (title, options) {
            window.__notices.push({title: title, body: (options || {}).body || ""});
            return new Real(title, options);
        };
        Object.defineProperty(Recorded, "permission", {get: () => Real.permission});
        Recorded.requestPermission = (...a) => Real.requestPermission(...a);
        Recorded.prototype = Real.prototype;
        window.Notification = Recorded;
    }
    const hasFocus = Document.prototype.hasFocus;
    Document.prototype.hasFocus = function () { return window.__away ? false : hasFocus.call(this); };
})();"""


async def conversation(services, conversation_id: int) -> Conversation:  # type: ignore[no-untyped-def]
    async with services.read() as session:
        found = await session.get(Conversation, conversation_id)
        assert found is not None
        return found


async def mode(page: Page) -> str:
    return str(await page.evaluate(
        "document.querySelector('input[name=mode]:checked').value"))


async def test_shortcuts_move_compose_assign_open_canned_replies_and_search(
        browser, server, e2e_services):
    services = e2e_services
    async with services.transaction() as session:
        team = await create_team(session, None, name="Support", is_default=True)
    admin = await make_agent_in(services, "Ada", role=Role.admin)
    alice = await make_agent_in(services, "Alice", teams=[team])
    carl = await make_agent_in(services, "Carl", teams=[team], online=True)
    await create_canned_reply(services, admin, shortcut="greeting", title="Greeting",
                              scope="everyone", texts={"en": "Hi {{customer_name}}!"})
    for visitor in ("v1", "v2", "v3"):
        created = await conversation_in(services, admin, team, visitor,
                                        text=f"question from {visitor}")
        assert created.assignee_id == carl.id  # Carl's, so "assign to me" has work to do

    workspace = await sign_in(browser, server.url, alice.email)
    await workspace.click("#views button[data-view=team]")
    rows = workspace.locator("#conversation-list .conv")
    await expect(rows).to_have_count(3)
    ids = [int(i) for i in await rows.evaluate_all("rows => rows.map(r => r.dataset.id)")]
    title = workspace.locator("#conv-title")

    # j / k: next and previous conversation in the list's order
    await workspace.keyboard.press("j")
    await expect(title).to_contain_text(f"#{ids[0]}")
    await workspace.keyboard.press("j")
    await expect(title).to_contain_text(f"#{ids[1]}")
    await expect(rows.nth(1)).to_have_class(re.compile(r"\bactive\b"))
    await workspace.keyboard.press("j")
    await expect(title).to_contain_text(f"#{ids[2]}")
    await workspace.keyboard.press("k")
    await expect(title).to_contain_text(f"#{ids[1]}")
    await workspace.keyboard.press("k")
    await expect(title).to_contain_text(f"#{ids[0]}")

    # n / r: an internal note or a reply, with the cursor in the box; t switches
    box = workspace.locator("#reply-text")
    await workspace.keyboard.press("n")
    assert await mode(workspace) == "note"
    await expect(box).to_be_focused()
    await workspace.keyboard.press("Escape")  # leaves the box: single keys act again
    await expect(box).not_to_be_focused()
    await workspace.keyboard.press("r")
    assert await mode(workspace) == "reply"
    await expect(box).to_be_focused()
    await workspace.keyboard.press("Escape")
    await workspace.keyboard.press("t")
    assert await mode(workspace) == "note"
    await workspace.keyboard.press("Escape")
    await workspace.keyboard.press("t")
    assert await mode(workspace) == "reply"
    await workspace.keyboard.press("Escape")
    await expect(box).to_have_value("")  # no key was typed into the box

    # a: assign to me
    take = workspace.locator("#take")
    await expect(take).to_be_visible()
    await workspace.keyboard.press("a")
    await expect(take).to_be_hidden()
    assert (await conversation(services, ids[0])).assignee_id == alice.id

    # c: the canned-reply picker, in the reply box
    picker = workspace.locator("#canned-picker")
    await expect(picker).to_be_hidden()
    await workspace.keyboard.press("c")
    await expect(picker).to_be_visible()
    await expect(picker.locator("li")).to_have_count(1)
    await expect(picker.locator("li.active .text")).to_have_text("Hi Lin Xiaoyu!")
    await expect(box).to_be_focused()
    await expect(box).to_have_value("/")
    await box.fill("")
    await workspace.keyboard.press("Escape")
    await expect(box).not_to_be_focused()

    # /: the search field, without a "/" typed into it
    search = workspace.locator("#search")
    await workspace.keyboard.press("/")
    await expect(search).to_be_focused()
    await expect(search).to_have_value("")


async def desk_with_notifications(browser: Browser, base: str, email: str) -> Page:
    context = await browser.new_context(viewport={"width": 1280, "height": 800},
                                        permissions=["notifications"])
    await context.add_init_script(RECORD_NOTIFICATIONS)
    page = await context.new_page()
    await page.goto(f"{base}/login")
    await page.fill("input[name=email]", email)
    await page.fill("input[name=password]", PASSWORD)
    await page.click("button[type=submit]")
    await page.wait_for_url(f"{base}/app")
    return page


async def test_a_conversation_offered_counts_in_the_title_beeps_and_shows_on_the_desktop(
        browser, server, e2e_services):
    services = e2e_services
    async with services.transaction() as session:
        team = await create_team(session, None, name="Support", is_default=True)
    alice = await make_agent_in(services, "Alice", teams=[team], online=True)
    workspace = await desk_with_notifications(browser, server.url, alice.email)
    assert await workspace.evaluate("Notification.permission") == "granted"
    await expect(workspace).to_have_title(re.compile(r"^Inbox"))

    # desktop notifications on, from the panel (the browser has allowed them already)
    await workspace.click("#notif-toggle")
    await expect(workspace.locator(".notif-permission")).to_contain_text("allowed")
    async with workspace.expect_response(  # the PUT, not the page's first GET of them
            lambda r: r.url.endswith("/api/v1/me/notification-preferences")
            and r.request.method == "PUT") as saved:
        await workspace.locator("#notif-panel input[name=desktop]").check()
    assert (await saved.value).ok and (await (await saved.value).json())["desktop"] is True
    await workspace.click("#notif-toggle")
    assert await workspace.evaluate("window.wdNotifications.beeps") == 0
    await workspace.evaluate("window.__away = true")  # the agent is in another window

    offered = await receive_message(services, InboundMessage(
        channel="web", external_id="v-new", text="my withdrawal never arrived"))
    assert offered.conversation.assignee_id == alice.id
    await expect(workspace.locator(".conv")).to_have_count(1)
    await expect(workspace).to_have_title(re.compile(r"^\(1\) Inbox"))
    await expect(workspace.locator("#notif-count")).to_have_text("1")
    assert await workspace.evaluate("window.wdNotifications.beeps") == 1
    notices = await workspace.evaluate("window.__notices")
    assert notices == [{"title": "A conversation was assigned to you",
                        "body": "my withdrawal never arrived"}]
    assert await workspace.evaluate("window.wdNotifications.shown") == 1

    # looking at it clears the count
    await workspace.evaluate("window.__away = false")
    await workspace.locator(".conv").first.click()
    await expect(workspace).to_have_title(re.compile(r"^Inbox"))


async def test_a_screenshot_pasted_in_the_reply_box_reaches_the_widget_without_exif(
        browser, server, e2e_services, tmp_path):
    services = e2e_services
    services.settings.data_dir = str(tmp_path)
    async with services.transaction() as session:
        team = await create_team(session, None, name="Support")
    alice = await make_agent_in(services, "Alice", teams=[team], online=True)
    widget = await open_widget(browser, server.url)
    await write(widget, "which screen do you mean?")
    await expect(widget.locator(".msg.system")).to_contain_text("Alice joined")

    workspace = await sign_in(browser, server.url, alice.email)
    await workspace.locator(".conv").first.click()
    await expect(workspace.locator("#messages .msg.customer")).to_have_count(1)
    downloads: list[bytes] = []  # what the widget fetched of the picture, with its token

    async def keep(route) -> None:  # type: ignore[no-untyped-def]
        response = await route.fetch()  # the desk's answer, passed on unchanged
        downloads.append(await response.body())
        await route.fulfill(response=response)
    await widget.route(re.compile(r"/api/widget/attachments/\d+$"), keep)
    photo = base64.b64encode(jpeg_with_gps()).decode()
    await workspace.locator("#reply-text").evaluate("""(box, b64) => {
        const bytes = Uint8Array.from(atob(b64), c => c.charCodeAt(0));
        const clip = new DataTransfer();
        clip.items.add(new File([bytes], "image.jpg", {type: "image/jpeg"}));
        box.value = "this one, at the top";
        box.dispatchEvent(new ClipboardEvent("paste", {clipboardData: clip, bubbles: true,
                                                       cancelable: true}));
    }""", photo)
    sent = workspace.locator("#messages .msg.agent").filter(has_text="this one, at the top")
    assert await sent.locator(".wd-thumb img").evaluate(LOADED_WIDTH) == 64
    await expect(workspace.locator("#reply-text")).to_have_value("")

    # the customer sees it inline, with the caption, and what the desk serves has no EXIF
    received = widget.locator(".msg.agent").filter(has_text="this one, at the top")
    thumb = received.locator(".wd-thumb img")
    assert await thumb.evaluate(LOADED_WIDTH) == 64
    assert len(downloads) == 1
    data = downloads[0]
    assert data[:2] == b"\xff\xd8"  # a JPEG
    assert b"Exif" not in data and b"PhoneMaker" not in data and b"taken at home" not in data
    with Image.open(io.BytesIO(data)) as image:
        assert image.size == (64, 48)
        assert len(image.getexif()) == 0 and not image.getexif().get_ifd(GPS_IFD)
    await received.locator(".wd-thumb").click()
    await expect(widget.locator(".wd-lightbox img")).to_be_visible()
    async with services.read() as session:
        stored = await session.scalar(select(Conversation))
    assert stored is not None and stored.assignee_id == alice.id
