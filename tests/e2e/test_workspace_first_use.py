"""Issue 10, "broken on first use", in a real browser: a customer in the widget, agents Sam and
Mei, a supervisor on a phone."""

import re

import pytest
from playwright.async_api import Browser, Dialog, Page, expect

from tests.conftest import PASSWORD, make_agent_in
from walletdesk.accounts.actions import create_team
from walletdesk.accounts.models import Role
from walletdesk.conversations.actions import (
    InboundMessage,
    receive_message,
    resolve_conversation,
    send_message,
)

pytestmark = pytest.mark.e2e
DESKTOP = {"width": 1440, "height": 900}
PHONE = {"width": 375, "height": 812}
MONDAY_MINUTE = {"mon": [["09:00", "09:01"]]}  # closed whenever the tests run


async def sign_in(browser: Browser, base: str, email: str, viewport: dict[str, int] = DESKTOP
                  ) -> Page:
    page = await (await browser.new_context(viewport=viewport)).new_page()  # type: ignore[arg-type]
    await page.goto(f"{base}/login")
    await page.fill("input[name=email]", email)
    await page.fill("input[name=password]", PASSWORD)
    await page.click("button[type=submit]")
    await page.wait_for_url(f"{base}/app")
    return page


async def open_widget(browser: Browser, base: str, viewport: dict[str, int] = DESKTOP) -> Page:
    page = await (await browser.new_context(viewport=viewport)).new_page()  # type: ignore[arg-type]
    await page.goto(f"{base}/widget")
    await expect(page.locator(".greeting")).to_be_visible()
    return page


async def write(page: Page, text: str) -> None:
    await page.fill("#text", text)
    await page.press("#text", "Enter")


def answer_dialogs(page: Page, seen: list[str]) -> None:
    async def accept(dialog: Dialog) -> None:
        seen.append(dialog.message)
        await dialog.accept()
    page.on("dialog", accept)


async def horizontal_overflow(page: Page) -> int:
    """How far the page scrolls sideways (0 = it does not)."""
    return int(await page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"))


async def sam_and_mei(services):  # type: ignore[no-untyped-def]
    async with services.transaction() as session:
        global_team = await create_team(session, None, name="Global support",
                                        languages=["en"], is_default=True)
        chinese = await create_team(session, None, name="Chinese support",
                                    languages=["zh-Hans"])
    sam = await make_agent_in(services, "Sam", teams=[global_team], languages=["en"],
                              online=True)
    mei = await make_agent_in(services, "Mei", teams=[chinese], languages=["en", "zh-Hans"])
    return global_team, chinese, sam, mei


async def test_customer_bubbles_keep_their_height_in_a_long_thread(browser, server, e2e_services,
                                                                   artifacts):
    _, _, sam, _ = await sam_and_mei(e2e_services)
    conversation_id = None
    for n in range(10):
        delivered = await receive_message(e2e_services, InboundMessage(
            channel="web", external_id="long-thread", customer_name="Daniel", language="en",
            text=f"Message {n}: my USDT withdrawal\nstill shows pending\nafter two hours",
            client_id=f"c{n}"))
        conversation_id = delivered.conversation.id
        await send_message(e2e_services, sam, conversation_id, f"Reply {n}: checking the chain")
    page = await sign_in(browser, server.url, sam.email)
    await page.locator(".conv").first.click()
    bubbles = page.locator("#messages li.msg.customer")
    await expect(bubbles).to_have_count(10)
    await expect(page.locator("#messages li.msg.agent")).to_have_count(10)
    scrolls = await page.evaluate("(() => { const ol = document.getElementById('messages');"
                                  " return ol.scrollHeight > ol.clientHeight; })()")
    assert scrolls, "the thread is long enough to scroll"
    sizes = await page.evaluate("""Array.from(document.querySelectorAll('#messages li.msg'))
        .map(li => [li.className, li.clientHeight, li.scrollHeight])""")
    assert len(sizes) >= 20
    for class_name, height, content in sizes:
        assert height >= content, (class_name, height, content)
    customer_heights = [h for c, h, _ in sizes if "customer" in c]
    assert min(customer_heights) > 50  # three lines and the name, not an 18 px strip
    # the bubble says who wrote it: the customer's name, not "customer"
    await expect(bubbles.first.locator(".who")).to_have_text("Daniel")
    await page.screenshot(path=str(artifacts / "A_workspace_1440.png"))
    assert conversation_id


async def test_transfer_to_an_offline_colleague_updates_both_sides_honestly(
        browser, server, e2e_services, artifacts):
    _, _, sam, mei = await sam_and_mei(e2e_services)
    widget = await open_widget(browser, server.url)
    await write(widget, "My deposit has not arrived")
    await expect(widget.locator(".msg.system")).to_contain_text(["Sam joined the conversation."])

    workspace = await sign_in(browser, server.url, sam.email)
    await workspace.locator(".conv").first.click()
    await expect(workspace.locator("#conv-meta")).to_contain_text("assigned to Sam")
    options = workspace.locator("#transfer-agents option")
    await expect(options).to_have_count(1)  # Mei; never Sam himself
    await expect(options.first).to_have_text(re.compile(r"^Mei — offline · 0/5"))
    teams = workspace.locator("#transfer-teams option")
    await expect(teams.filter(has_text="Global support")).to_have_text(
        re.compile(r"open · 1 online"))

    dialogs: list[str] = []
    answer_dialogs(workspace, dialogs)
    await workspace.select_option("#transfer", f"agent:{mei.id}")
    # Sam's view follows at once: who has it now, and no reply box that would fail
    await expect(workspace.locator("#conv-meta")).to_contain_text("Transferred to Mei")
    await expect(workspace.locator("#reply-note")).to_be_visible()
    await expect(workspace.locator("#reply-note")).to_contain_text("transferred to Mei")
    await expect(workspace.locator("#reply-text")).to_be_disabled()
    await expect(workspace.locator("#reply button[type=submit]").last).to_be_disabled()
    await expect(workspace.locator("#transfer")).to_be_hidden()
    await expect(workspace.locator("#complaint-link")).to_be_hidden()
    assert dialogs and "Mei is offline" in dialogs[0]
    assert await workspace.locator("#messages .msg.failed").count() == 0

    # the customer is told the truth: waiting for an agent, Mei has not joined
    await expect(widget.locator(".msg.system").last).to_contain_text(
        "You have been transferred to another agent")
    assert await widget.locator("text=Mei joined").count() == 0

    # Mei signs in and opens it: now she has joined
    mei_page = await sign_in(browser, server.url, mei.email)
    await mei_page.locator(".conv").first.click()
    await expect(widget.locator(".msg.system").last).to_have_text("Mei joined the conversation.")
    await expect(mei_page.locator("#reply-text")).to_be_enabled()
    await workspace.screenshot(path=str(artifacts / "A_transferred_away.png"))

    # Sam following an old link to it learns why he cannot open it
    conversation_id = await workspace.evaluate("document.querySelector('#conv-title').textContent"
                                               ".split('#').pop()")
    await workspace.goto(f"{server.url}/app#{conversation_id}")
    await expect(workspace.locator("#empty")).to_contain_text(
        f"Conversation #{conversation_id} is not in your queues any more")


async def test_transfer_to_a_closed_team_warns_and_the_return_time_reads_the_same(
        browser, server, e2e_services):
    _, _, sam, _ = await sam_and_mei(e2e_services)
    async with e2e_services.transaction() as session:
        vip = await create_team(session, None, name="VIP desk", languages=["en"],
                                weekly_hours=MONDAY_MINUTE, timezone="Asia/Singapore")
    widget = await open_widget(browser, server.url)
    await write(widget, "I need the VIP desk")
    await expect(widget.locator(".msg.system")).to_contain_text(["Sam joined the conversation."])
    await expect(widget.locator("#conn-state")).to_have_text("Online")
    workspace = await sign_in(browser, server.url, sam.email)
    await workspace.locator(".conv").first.click()
    await expect(workspace.locator("#transfer-teams option").filter(has_text="VIP desk")
                 ).to_contain_text("closed until Mon")
    dialogs: list[str] = []
    answer_dialogs(workspace, dialogs)
    await workspace.select_option("#transfer", f"team:{vip.id}")
    await expect(workspace.locator("#conv-meta")).to_contain_text("Transferred to VIP desk")
    assert dialogs and "VIP desk is closed now" in dialogs[0]

    notice = widget.locator("#notice")
    await expect(notice).to_be_visible()
    thread_text = await widget.locator(".msg.system").last.inner_text()
    banner_text = await notice.inner_text()
    back = re.compile(r"back (.+?)\. Leave")
    in_thread, in_banner = back.search(thread_text), back.search(banner_text)
    assert in_thread and in_banner, (thread_text, banner_text)
    assert in_thread.group(1) == in_banner.group(1)  # one format for the return time
    assert in_thread.group(1) in dialogs[0]  # and the same one Sam was warned with
    # the header agrees with the banner: closed, back at the same time
    await expect(widget.locator("#conn-state")).to_have_text(
        f"Closed until {in_banner.group(1)} · leave a message")


async def test_the_rating_card_stays_answered_after_a_reload(browser, server, e2e_services,
                                                             artifacts):
    _, _, sam, _ = await sam_and_mei(e2e_services)
    widget = await open_widget(browser, server.url, PHONE)
    await write(widget, "How do I add a token?")
    await expect(widget.locator(".msg.system")).to_contain_text(["Sam joined the conversation."])
    async with e2e_services.read() as session:
        from sqlalchemy import select

        from walletdesk.conversations.models import Conversation
        conversation_id = await session.scalar(select(Conversation.id))
    await resolve_conversation(e2e_services, sam, conversation_id)
    stars = widget.locator(".csat button")
    await expect(stars).to_have_count(5)
    await stars.nth(4).click()
    await expect(widget.locator(".csat-status")).to_have_text("Thanks, you rated this 5/5.")
    await expect(widget.locator(".msg.system").last).to_have_text("Thank you for your rating!")
    assert await widget.locator("text=points").count() == 0  # an anonymous visitor has no account

    await widget.reload()
    await expect(widget.locator(".csat button")).to_have_count(5)
    for n in range(5):
        await expect(widget.locator(".csat button").nth(n)).to_be_disabled()
    await expect(widget.locator(".csat button.chosen")).to_have_text("★ 5")
    await expect(widget.locator(".csat-status")).to_have_text("Thanks, you rated this 5/5.")
    assert await horizontal_overflow(widget) == 0
    await widget.screenshot(path=str(artifacts / "A_widget_375.png"))


async def test_an_agent_opening_admin_sees_a_page_in_the_desks_look(browser, server, e2e_services,
                                                                   artifacts):
    _, _, sam, _ = await sam_and_mei(e2e_services)
    page = await sign_in(browser, server.url, sam.email)
    response = await page.goto(f"{server.url}/admin")
    assert response is not None and response.status == 403
    await expect(page.locator("h1")).to_have_text("You don't have access to this page")
    await expect(page.locator(".topbar")).to_contain_text("Sam")
    await page.screenshot(path=str(artifacts / "A_error_403.png"))
    await page.click("text=Back to the inbox")
    await page.wait_for_url(f"{server.url}/app")
    missing = await page.goto(f"{server.url}/app/nothing-here")
    assert missing is not None and missing.status == 404
    await expect(page.locator("h1")).to_have_text("Page not found")


async def test_a_supervisor_can_work_the_queues_on_a_phone(browser, server, e2e_services,
                                                           artifacts):
    global_team, _, sam, _ = await sam_and_mei(e2e_services)
    lead = await make_agent_in(e2e_services, "Li Na", role=Role.supervisor, teams=[global_team])
    for n in range(3):
        await receive_message(e2e_services, InboundMessage(
            channel="web", external_id=f"phone-{n}", customer_name=f"Customer {n}",
            language="en", text=f"Question {n} about a pending withdrawal"))
    page = await sign_in(browser, server.url, lead.email, PHONE)
    assert await horizontal_overflow(page) == 0
    await page.locator(".topbar .menu-toggle").click()  # the top bar's menu holds Log out
    logout = await page.get_by_role("button", name="Log out").bounding_box()
    assert logout is not None and logout["x"] >= 0 and logout["x"] + logout["width"] <= 375
    await expect(page.locator(".topbar .who")).to_contain_text("Li Na")
    await page.keyboard.press("Escape")

    await page.click("button[data-view=all]")
    await expect(page.locator(".conv")).to_have_count(3)
    await expect(page.locator("#thread")).to_be_hidden()  # the list is one pane
    await page.locator(".conv").first.click()
    await expect(page.locator(".inbox")).to_be_hidden()  # then the thread is the other
    await expect(page.locator("#reply-text")).to_be_visible()
    reply = await page.locator("#reply-text").bounding_box()
    assert reply is not None and reply["y"] + reply["height"] <= 812, reply
    assert await horizontal_overflow(page) == 0
    await page.screenshot(path=str(artifacts / "A_workspace_375.png"))
    await page.fill("#reply-text", "On it from my phone")
    await page.press("#reply-text", "Enter")
    await expect(page.locator("#messages .msg.agent .body").last).to_have_text(
        "On it from my phone")
    await page.click("#show-customer")
    await expect(page.locator("#customer-panel")).to_be_visible()
    await page.click("#back-to-thread")
    await page.click("#back-to-list")
    await expect(page.locator(".inbox")).to_be_visible()

    for path in ("/admin", "/admin/kb", "/admin/bot", "/admin/channels", "/admin/sla",
                 "/admin/followups", "/admin/audit", "/app/followups", "/app/complaints"):
        response = await page.goto(f"{server.url}{path}")
        assert response is not None and response.status == 200, path
        assert await horizontal_overflow(page) == 0, path
    widget = await open_widget(browser, server.url, PHONE)
    assert await horizontal_overflow(widget) == 0
    assert sam
