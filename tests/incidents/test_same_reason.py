"""An incident about a contact reason named by two codes — the category "security" and the
demo's label "Security" — lists the reason once on its form, shows a stored label code as
its reason chosen, and is about the conversations carrying either code: the bot's answer
first and the link on resolve. On SQLite and PostgreSQL."""

import html
import re
from collections import Counter
from datetime import timedelta

from sqlalchemy import select, update

from tests.incidents.conftest import ask, thread, with_the_bot
from walletdesk.accounts.models import Role
from walletdesk.conversations.actions import (
    InboundMessage,
    assign_conversation,
    receive_message,
    resolve_conversation,
)
from walletdesk.conversations.models import Conversation
from walletdesk.db.base import utcnow
from walletdesk.i18n import available_locales
from walletdesk.incidents.actions import AnnouncementFields, create_announcement
from walletdesk.incidents.models import AnnouncementConversation, LinkSource
from walletdesk.incidents.spikes import count_windows
from walletdesk.kb.actions import TranslationIn, save_article
from walletdesk.kb.models import ArticleStatus
from walletdesk.labels.actions import add_conversation_label, create_label
from walletdesk.labels.models import Label
from walletdesk.services import Services

REASON = re.compile(r'<input type="checkbox" name="contact_reasons" value="([^"]*)"\s*'
                    r'(checked)?\s*>\s*([^<]*)</label>')


async def security_both_ways(services: Services, make_agent) -> None:  # type: ignore[no-untyped-def]
    """The category "security" (a published article's) and the label "Security"."""
    boss = await make_agent("Boss", role=Role.admin)
    async with services.transaction() as session:
        await save_article(session, None, slug="phrase", category="security",
                           translations={"en": TranslationIn("phrase", "x")},
                           status=ArticleStatus.published)
    await create_label(services, boss, name="Security", color="#cf222e")


async def announce(services: Services, reasons: list[str]) -> int:
    async with services.transaction() as session:
        made = await create_announcement(session, None, AnnouncementFields(
            texts={"en": ("Suspicious sign-ins", "Change your password; we are on it.")},
            severity="major", contact_reasons=reasons, published=True))
        return made.id


def reasons_on(page: str) -> list[tuple[str, bool, str]]:
    return [(html.unescape(value), bool(checked), html.unescape(name).strip())
            for value, checked, name in REASON.findall(page)]


async def test_the_form_lists_each_reason_once(services, make_agent, sign_in) -> None:  # type: ignore[no-untyped-def]
    await security_both_ways(services, make_agent)
    number = await announce(services, ["Security"])  # the label's code (the API, or before)
    lead = await make_agent("Lead", role=Role.supervisor)
    signed = await sign_in(lead.email)
    for locale in available_locales():
        page = await signed.http.get("/admin/incidents", headers={"accept-language": locale})
        assert page.status_code == 200
        shown = reasons_on(page.text)
        assert [value for value, _, _ in shown] == ["security"], (locale, shown)
        assert not [n for n, count in Counter(name for _, _, name in shown).items()
                    if count > 1], (locale, shown)
    page = await signed.http.get(f"/admin/incidents/announcements/{number}")
    assert page.status_code == 200
    # the stored label code is its reason, checked: saving the form again keeps it
    assert reasons_on(page.text) == [("security", True, "Security")]


async def test_the_bot_answers_with_it_under_either_code(services, make_agent) -> None:  # type: ignore[no-untyped-def]
    await security_both_ways(services, make_agent)
    await announce(services, ["Security"])
    widget = await with_the_bot(services, "v-sec", "hello")
    async with services.transaction() as session:
        await session.execute(update(Conversation).where(Conversation.id == widget)
                              .values(category="security"))
    await ask(services, "v-sec", "someone signed in to my account", widget)
    notices = [m for m in await thread(services, widget)
               if (m.meta or {}).get("kind") == "announcement"]
    assert len(notices) == 1 and "Suspicious sign-ins" in notices[0].text


async def test_a_conversation_resolved_with_the_other_code_is_linked(
        services, make_agent) -> None:  # type: ignore[no-untyped-def]
    await security_both_ways(services, make_agent)
    number = await announce(services, ["security"])
    boss = await make_agent("Chief", role=Role.admin)
    alice = await make_agent("Alice", role=Role.agent)
    delivered = await receive_message(services, InboundMessage(
        channel="web", external_id="r1", text="was I hacked?"))
    cid = delivered.conversation.id
    await assign_conversation(services, boss, cid, agent_id=alice.id)
    await resolve_conversation(services, alice, cid, contact_reason="Security")  # the label
    async with services.read() as session:
        links = [(link.announcement_id, link.conversation_id, link.source)
                 for link in await session.scalars(select(AnnouncementConversation))]
    assert links == [(number, cid, LinkSource.reason)]


async def test_the_spike_detector_counts_either_code_as_one_reason(
        services, make_agent) -> None:  # type: ignore[no-untyped-def]
    await security_both_ways(services, make_agent)
    boss = await make_agent("Lead", role=Role.admin)
    by_category = await receive_message(services, InboundMessage(
        channel="web", external_id="s1", text="someone took my coins"))
    by_label = await receive_message(services, InboundMessage(
        channel="web", external_id="s2", text="strange sign-in from abroad"))
    async with services.transaction() as session:
        await session.execute(update(Conversation)
                              .where(Conversation.id == by_category.conversation.id)
                              .values(category="security"))
        label = (await session.scalars(select(Label).where(Label.name == "Security"))).one()
    await add_conversation_label(services, boss, by_label.conversation.id, label.id)
    now = utcnow()
    async with services.read() as session:
        counts = (await count_windows(session, [(now - timedelta(hours=1),
                                                 now + timedelta(minutes=1))]))[0].counts
    reasons = {key: n for (kind, key), n in counts.items() if kind == "reason"}
    assert reasons == {"security": 2}
