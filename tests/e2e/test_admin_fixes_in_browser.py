"""Three admin pages in a real browser, on a desktop and on a phone (1440 and 375 px): the
knowledge-base editor's preview and refused save never show a recovery phrase typed into an
article (the form keeps the text with the marker), a refused "New agent" form comes back on
the whole administration page (queues now, satisfaction figures), and the segment form's
contact reasons name each reason once."""

import random
import re
from collections import Counter
from pathlib import Path

import pytest
from mnemonic import Mnemonic
from playwright.async_api import expect
from sqlalchemy import select

from tests.conftest import make_agent_in
from tests.e2e.test_chat_in_browser import sign_in
from walletdesk.accounts.actions import create_team
from walletdesk.accounts.models import Role
from walletdesk.cases.models import Survey
from walletdesk.cases.surveys import submit_rating
from walletdesk.conversations.actions import InboundMessage, receive_message, resolve_conversation
from walletdesk.kb.actions import TranslationIn, save_article
from walletdesk.kb.models import ArticleStatus
from walletdesk.labels.actions import create_label
from walletdesk.safety.protect import SEED_PLACEHOLDER, protect_text

pytestmark = pytest.mark.e2e
SHOTS = Path("/work/notes/shots")
WORDS = Mnemonic("english").to_mnemonic(random.Random("e2e").randbytes(16)).split()


def shot(artifacts: Path, name: str) -> Path:
    return (SHOTS if SHOTS.is_dir() else artifacts) / name


async def _desk(services):  # type: ignore[no-untyped-def]
    """A team, Alice rated 4 by a customer (before any article: the bot answers nothing and
    the conversation is hers), the reasons "security" and "Security", "transfer" and
    "transfers"; the admin Root."""
    async with services.transaction() as session:
        team = await create_team(session, None, name="Support")
    alice = await make_agent_in(services, "Alice", teams=[team], online=True)
    root = await make_agent_in(services, "Root", role=Role.admin)
    delivered = await receive_message(services, InboundMessage(
        channel="web", external_id="v1", text="help", language="en"))
    await resolve_conversation(services, alice, delivered.conversation.id)
    async with services.read() as session:
        survey = await session.scalar(select(Survey))
    assert survey is not None and survey.agent_id == alice.id
    await submit_rating(services, customer_id=delivered.conversation.customer_id,
                        survey_id=survey.id, rating=4)
    async with services.transaction() as session:
        for slug, category in (("phrase", "security"), ("sent", "transfer"),
                               ("late", "transfers")):
            await save_article(session, None, slug=slug, category=category,
                               translations={"en": TranslationIn(slug.title(), "x")},
                               status=ArticleStatus.published)
    await create_label(services, root, name="Security", color="#1a7f37")
    return root


@pytest.mark.parametrize("width", [1440, 375])
async def test_admin_pages_fixed(browser, server, e2e_services, artifacts, width):
    root = await _desk(e2e_services)
    page = await sign_in(browser, server.url, root.email,
                         viewport={"width": width, "height": 900})

    # 1. the editor: a phrase typed into the body is never shown back
    await page.goto(f"{server.url}/admin/kb/new")
    await page.fill("input[name=slug]", "backup")
    await page.fill("input[name=title_en]", "Back up your wallet")
    await page.fill("textarea[name=body_en]", "Write the words on **paper**, 2024.\n\n"
                    + " ".join(WORDS) + "\n\n---\n\n2025")
    await page.click("button[value=preview]")
    await expect(page.locator(".refusal")).to_contain_text("a recovery phrase in the body")
    body = await page.locator("textarea[name=body_en]").input_value()
    assert SEED_PLACEHOLDER in body and "paper" in body
    await expect(page.locator(".preview")).to_contain_text(SEED_PLACEHOLDER)
    screen = await page.locator("main").inner_text()
    assert not protect_text(f"{screen} {body}").has_secret and " ".join(WORDS[:3]) not in screen
    await page.screenshot(path=shot(artifacts, f"admin-fixes-kb-preview-{width}.png"),
                          full_page=True)
    await page.fill("textarea[name=body_en]", " ".join(f"{w[:2]}**{w[2:]}**" for w in WORDS))
    await page.click("button[value=save]")
    await expect(page.locator(".refusal")).to_contain_text("Not saved")
    body = await page.locator("textarea[name=body_en]").input_value()
    assert body == SEED_PLACEHOLDER
    await page.screenshot(path=shot(artifacts, f"admin-fixes-kb-refused-{width}.png"),
                          full_page=True)

    # 2. a refused new agent: the whole administration page, the typing kept
    await page.goto(f"{server.url}/admin")
    await expect(page.locator("h2", has_text="Queues now")).to_be_visible()
    await page.locator("#new-agent summary").click()
    form = page.locator("#new-agent form")
    await form.locator("input[name=display_name]").fill("Alice Again")
    await form.locator("input[name=email]").fill("alice@example.com")  # taken
    await form.locator("input[name=password]").fill("a-long-password-1")
    await form.locator("button[type=submit]").click()
    await expect(page.locator("#new-agent .refusal")).to_be_visible()
    await expect(page.locator("h2", has_text="Queues now")).to_be_visible()
    await expect(page.locator("main")).to_contain_text("4.0 / 5 (1)")
    await expect(page.locator("#new-agent input[name=display_name]")).to_have_value("Alice Again")
    await expect(page.locator("#new-agent input[name=password]")).to_have_value("")
    await page.screenshot(path=shot(artifacts, f"admin-fixes-new-agent-refused-{width}.png"),
                          full_page=True)

    # 3. the segment form's reasons: each name once
    await page.goto(f"{server.url}/admin/outreach")
    names = [re.sub(r"\s+", " ", n).strip() for n in
             await page.locator("#new-segment select[name=reason] option").all_inner_texts()]
    assert [n for n, count in Counter(names).items() if count > 1] == [], names
    assert "Security" in names and "Transfers" in names
    await page.locator("#new-segment select[name=reason]").evaluate(
        "select => { select.size = select.options.length }")  # every option on the picture
    await page.locator("#new-segment").screenshot(
        path=shot(artifacts, f"admin-fixes-outreach-reasons-{width}.png"))
