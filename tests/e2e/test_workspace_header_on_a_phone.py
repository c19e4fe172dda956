"""The open conversation's header on a phone, in a real browser, as an agent, a supervisor and an
outsourced agent (each has other actions): it stays compact so the thread keeps the screen, every
action is whole on the screen and big enough to tap (≥ 44 px), nothing scrolls sideways and the
reply box shows. On a wide screen the header keeps its desktop layout.

The busiest header (a long name, the "unverified" warning and an SLA clock, four labels and a
free one, six actions) needs at 375 px: the first row (← Inbox, the title, Customer) 44 px,
the conversation's details 16, the two warnings 2 × 18, the labels 44 (each × a 44-px tap
target: tests/e2e/test_workspace_tap_targets.py), two rows of actions 2 × 44 + 4, gaps and
padding 5 × 4 + 8: 256 px (222 with the 40-px controls and 22-px labels before the tap targets
grew; 232 px, with 25-px buttons, before this test). BUSY_HEADER_MAX leaves a few pixels to
that; a plain one (one warning, no labels) needs 18 + 44 + 4 less, 190 px.
Screenshots: test-artifacts/workspace-header/.
"""

from pathlib import Path
from typing import Any

import pytest
from playwright.async_api import Browser, Page, expect

from tests.conftest import PASSWORD, make_agent_in
from walletdesk.accounts.actions import create_team
from walletdesk.accounts.models import Agent, Role
from walletdesk.cases.sla import save_sla_policy
from walletdesk.conversations.actions import InboundMessage, receive_message
from walletdesk.labels.actions import add_conversation_label, create_label
from walletdesk.services import Services

pytestmark = pytest.mark.e2e
PHONE = {"width": 375, "height": 812}
DESK = {"width": 1440, "height": 900}
BUSY_HEADER_MAX = 260
PLAIN_HEADER_MAX = 194
TOUCH = 44
ARROW = 16  # a select's arrow, beside its text (Chromium draws it about 16 px wide)
# what each one sees on a conversation routed to Alice, in the header's order
ACTIONS = {
    "agent": ["transfer", "complaint-link", "resolve-reason", "snooze", "resolve"],
    "supervisor": ["take", "transfer", "complaint-link", "resolve-reason", "snooze", "resolve"],
    "outsourced": ["take", "transfer", "complaint-link", "resolve-reason", "resolve"],
}
# boxes of what the test looks at; a select's "text" is its chosen option, its "need" the width
# that option's words take in the select's font plus its padding
MEASURE = """() => {
  const box = e => { const b = e.getBoundingClientRect();
    return {x: b.left, y: b.top, right: b.right, bottom: b.bottom, width: b.width, height: b.height}; };
  const shown = e => e.getClientRects().length > 0;
  const canvas = document.createElement('canvas').getContext('2d');
  const need = e => { if (e.tagName !== 'SELECT') return 0; const s = getComputedStyle(e);
    canvas.font = s.font; return canvas.measureText(e.options[e.selectedIndex].text).width
      + parseFloat(s.paddingLeft) + parseFloat(s.paddingRight); };
  const control = e => ({id: e.id || e.className, need: need(e), ...box(e)});
  return {
    scrollWidth: document.documentElement.scrollWidth, innerWidth, innerHeight,
    headDisplay: getComputedStyle(document.querySelector('.thread-head')).display,
    head: box(document.querySelector('.thread-head')),
    messages: box(document.getElementById('messages')),
    text: box(document.getElementById('reply-text')),
    send: box(document.querySelector('#reply button[type=submit]')),
    panes: [...document.querySelectorAll('.pane-switch button')].filter(shown).map(control),
    actions: [...document.querySelectorAll('.thread-head .actions > *')].filter(shown).map(control),
  };
}"""


def shot(artifacts: Path, name: str) -> str:
    (artifacts / "workspace-header").mkdir(exist_ok=True)
    return str(artifacts / "workspace-header" / f"{name}.png")


async def desk(services: Services, *, busy: bool) -> tuple[dict[str, Agent], int]:
    """A team's colleagues by role and a customer's conversation, routed to Alice (the agent)."""
    async with services.transaction() as session:
        team = await create_team(session, None, name="Support", is_default=True)
    alice = await make_agent_in(services, "Alice", teams=[team], online=True)
    # a long name in the transfer list must not widen the header
    await make_agent_in(services, "Bartholomew Longname-Example", teams=[team], online=True)
    boss = await make_agent_in(services, "Boss", role=Role.admin)
    lead = await make_agent_in(services, "Lead", role=Role.supervisor, teams=[team])
    olivia = await make_agent_in(services, "Olivia", role=Role.outsourced, teams=[team])
    if busy:  # an SLA clock among the warnings
        await save_sla_policy(services, lead, name="Standard", first_response_s=1800,
                              resolution_s=86400)
    delivered = await receive_message(services, InboundMessage(
        channel="web", external_id="v1", text="my withdrawal is stuck since yesterday",
        customer_name="Maximilian Alexander Featherstonehaugh-Winterbottom"))
    await services.after_commit.drain()  # the SLA is attached after the commit
    conversation_id = delivered.conversation.id
    if busy:  # four labels on it, one more to add ("+ Label")
        for name in ("Chain: TRON", "Refund", "Urgent", "Withdrawal", "Spare"):
            label = await create_label(services, boss, name=name, color="#cf222e")
            if name != "Spare":
                await add_conversation_label(services, boss, conversation_id, label.id)
    return {"agent": alice, "supervisor": lead, "outsourced": olivia}, conversation_id


async def open_conversation(browser: Browser, base: str, agent: Agent, conversation_id: int,
                            viewport: dict[str, int]) -> Page:
    phone = viewport == PHONE
    context = await browser.new_context(viewport=viewport, is_mobile=phone,  # type: ignore[arg-type]
                                        has_touch=phone)
    page = await context.new_page()
    await page.goto(f"{base}/login")
    await page.fill("input[name=email]", agent.email)
    await page.fill("input[name=password]", PASSWORD)
    await page.click("button[type=submit]")
    await page.wait_for_url(f"{base}/app")
    await page.goto(f"{base}/app#{conversation_id}")
    await expect(page.locator("#conv-title")).to_contain_text(f"#{conversation_id}")
    await page.focus("#transfer")  # the transfer targets (a long name) are loaded on focus
    await expect(page.locator("#transfer-agents option", has_text="Bartholomew")).to_be_attached()
    await page.evaluate("document.activeElement.blur()")
    return page


def inside(what: str, box: dict[str, Any], frame: dict[str, Any]) -> None:
    assert (box["x"] >= frame["x"] - 0.5 and box["right"] <= frame["right"] + 0.5
            and box["y"] >= frame["y"] - 0.5 and box["bottom"] <= frame["bottom"] + 0.5), (
        what, box, frame)


async def check_phone(page: Page, role: str, header_max: int) -> None:
    seen = await page.evaluate(MEASURE)
    screen = {"x": 0, "y": 0, "right": seen["innerWidth"], "bottom": seen["innerHeight"]}
    assert seen["scrollWidth"] <= seen["innerWidth"], seen  # nothing scrolls sideways
    assert seen["head"]["height"] <= header_max, seen["head"]
    assert [a["id"] for a in seen["actions"]] == ACTIONS[role]
    assert len(seen["panes"]) == 2  # ← Inbox, Customer
    for control in seen["panes"] + seen["actions"]:
        inside(control["id"], control, screen)  # whole on the screen, no scrolling needed
        inside(control["id"], control, seen["head"])  # not hanging out of the header
        assert control["height"] >= TOUCH, control
        # a select shows all of its chosen option's words ("Transfer to…", "Reason (optional)")
        # beside its arrow
        assert control["width"] >= control["need"] + ARROW, control
    for name in ("text", "send"):
        inside(name, seen[name], screen)  # the reply box is on the screen
    # the thread keeps a quarter of the screen at least, under the top bar and the header
    assert seen["messages"]["height"] >= seen["innerHeight"] / 4, seen["messages"]
    for key in ACTIONS[role] + ["back-to-list", "show-customer"]:
        # nothing covers it: a tap lands on it (Playwright's trial click checks the hit target)
        await page.locator(f"#{key}").click(trial=True)


@pytest.mark.parametrize("role", ["agent", "supervisor", "outsourced"])
async def test_the_busiest_header_is_compact_on_a_phone_and_unchanged_on_a_desk(
        browser, server, e2e_services, artifacts, role):
    agents, conversation_id = await desk(e2e_services, busy=True)
    page = await open_conversation(browser, server.url, agents[role], conversation_id, PHONE)
    await expect(page.locator("#conv-labels .label-chip")).to_have_count(4)
    await page.screenshot(path=shot(artifacts, f"{role}-375"))
    await check_phone(page, role, BUSY_HEADER_MAX)
    # "+ Label" stays in view; the labels scroll sideways inside their own line
    await page.locator("#conv-labels .add-label").click(trial=True)
    last = page.locator("#conv-labels .label-chip").last
    await last.scroll_into_view_if_needed()
    await last.locator("button").click(trial=True)
    assert await page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]

    wide = await open_conversation(browser, server.url, agents[role], conversation_id, DESK)
    await page.context.close()
    await expect(wide.locator("#conv-labels .label-chip")).to_have_count(4)
    await wide.screenshot(path=shot(artifacts, f"{role}-1440"))
    seen = await wide.evaluate(MEASURE)
    assert seen["headDisplay"] == "flex" and seen["panes"] == [], seen  # the desktop header
    assert seen["scrollWidth"] <= DESK["width"]
    assert [a["id"] for a in seen["actions"]] == ACTIONS[role]
    for control in seen["actions"]:
        inside(control["id"], control, seen["head"])
    await wide.context.close()


async def test_a_plain_header_on_a_phone(browser, server, e2e_services, artifacts):
    agents, conversation_id = await desk(e2e_services, busy=False)
    page = await open_conversation(browser, server.url, agents["agent"], conversation_id, PHONE)
    await page.screenshot(path=shot(artifacts, "agent-plain-375"))
    await check_phone(page, "agent", PLAIN_HEADER_MAX)
    await page.context.close()
