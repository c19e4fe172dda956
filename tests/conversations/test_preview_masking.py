"""The conversation list's preview line (and subject) as an outsourced agent reads it: masked
as the conversation itself is — a wallet address cut in two where the preview is cut was
shown in clear in the list, and so was the bot's list of the customer's transactions (its
amounts), which the list no longer previews at all (the customer's words instead)."""

import re

import httpx

from tests.conftest import PASSWORD
from walletdesk.accounts.models import Role
from walletdesk.conversations.actions import InboundMessage, receive_message
from walletdesk.conversations.messages import (
    PREVIEW_CHARS,
    SUBJECT_CHARS,
    append_message,
    lock_conversation,
    masked_conversation,
)
from walletdesk.conversations.models import SenderKind
from walletdesk.conversations.queries import InboxFilter, InboxView
from walletdesk.conversations.workspace import inbox, open_conversation
from walletdesk.web.app import create_app

ADDRESS = "0x52908400098527886E0F7030069857D2E4169EE7"


async def test_an_address_cut_by_the_preview_is_masked_for_outsourced_agents(
        services, make_team, make_agent) -> None:
    team = await make_team("Support")
    staff = await make_agent("Alice", teams=[team])
    partner = await make_agent("Partner", role=Role.outsourced, teams=[team])
    # the address begins 10 characters before the preview's end: only its start is stored
    text = "x" * (PREVIEW_CHARS - 14) + " to " + ADDRESS + " please check"
    delivered = await receive_message(services, InboundMessage(
        channel="api", external_id="cut-1", text=text))
    [row] = await inbox(services, partner, InboxFilter(view=InboxView.all))
    assert ADDRESS[:5] not in row["preview"], row["preview"]
    assert row["preview"].endswith(" to 0x52***")
    opened = await open_conversation(services, partner, delivered.conversation.id)
    assert ADDRESS[:5] not in str(opened)  # as the conversation shows it
    [row] = await inbox(services, staff, InboxFilter(view=InboxView.all))
    assert row["preview"] == text[:PREVIEW_CHARS]  # staff read it whole


async def test_the_bots_transactions_stay_out_of_the_list_and_are_masked_in_the_thread(
        services, make_team, make_agent) -> None:
    """The list previews the customer's words, not the bot's answer (its amounts never reach
    the list); the thread shows the outsourced agent the bot's masked form."""
    team = await make_team("Support")
    partner = await make_agent("Partner", role=Role.outsourced, teams=[team])
    delivered = await receive_message(services, InboundMessage(
        channel="api", external_id="tx-1", text="show me my recent transactions"))
    full = ("Your most recent transactions:\n"
            "• 2026-11-28 09:15 · withdrawal · 250.00 USDT · completed")
    masked = ("Your most recent transactions:\n"
              "• 2026-11-28 09:15 · withdrawal · *** USDT · completed")
    async with services.transaction() as session:  # as the bot's context answer writes it
        conversation = await lock_conversation(session, delivered.conversation.id)
        assert conversation is not None
        await append_message(session, conversation, sender_kind=SenderKind.bot, text=full,
                             meta={"kind": "account_context", "masked_text": masked})
    app = create_app(services.settings, services)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app),
                                 base_url="http://desk.test") as http:
        login = await http.post("/login", data={"email": partner.email, "password": PASSWORD})
        assert login.status_code == 303
        listed = (await http.get("/api/v1/conversations", params={"view": "all"})).json()
        paged = (await http.get("/api/v1/conversations", params={"cursor": ""})).json()
        shown = (await http.get(
            f"/api/v1/conversations/{delivered.conversation.id}/messages")).json()
    assert shown[-1]["text"] == masked
    assert [c["preview"] for c in listed] == ["show me my recent transactions"]
    assert [c["preview"] for c in paged] == ["show me my recent transactions"]


async def test_a_card_or_identity_number_cut_by_the_preview_or_subject_is_masked(
        services, make_team, make_agent) -> None:
    """A card in groups cut part-way no longer passes the card check, and an identity number
    cut part-way no longer the ID check: their digits are masked whole, else the outsourced
    agent reads the first twelve of a card whose last four the thread shows."""
    team = await make_team("Support")
    staff = await make_agent("Alice", teams=[team])
    partner = await make_agent("Partner", role=Role.outsourced, teams=[team])
    card, resident_id = "4111 1111 1111 1111", "11010519491231002X"
    head = "x" * (PREVIEW_CHARS - 16 - len(" my card is ")) + " my card is "
    # the preview (140) ends in the card's fourth group; the subject (200) in the ID's birth date
    middle = " thanks " + "y" * (SUBJECT_CHARS - PREVIEW_CHARS - 3 - 8 - len(" 证件 ") - 14) + " 证件 "
    text = head + card + middle + resident_id + " 谢谢"
    assert text[:PREVIEW_CHARS].endswith("4111 1111 1111 1")
    assert text[:SUBJECT_CHARS].endswith(" 证件 11010519491231")
    delivered = await receive_message(services, InboundMessage(
        channel="api", external_id="cut-card", text=text))
    [row] = await inbox(services, partner, InboxFilter(view=InboxView.all))
    assert row["preview"] == head + "**** **** **** *", row["preview"]
    assert row["subject"].endswith(" 证件 **************"), row["subject"]
    assert "**** **** **** 1111" in row["subject"]  # the whole card, masked as ever
    opened = await open_conversation(services, partner, delivered.conversation.id)
    assert "**** **** **** 1111" in str(opened) and "4111" not in str(opened)
    [row] = await inbox(services, staff, InboxFilter(view=InboxView.all))
    assert row["preview"] == text[:PREVIEW_CHARS]  # staff read it whole
    assert row["subject"] == text[:SUBJECT_CHARS]


def test_only_digits_a_cut_ends_with_are_masked_whole() -> None:
    """Short numbers (amounts) at the cut stay; a text not cut is masked as a message is."""
    cut = "z" * (PREVIEW_CHARS - len(" sent 25000")) + " sent 25000"
    assert masked_conversation({"preview": cut}, [])["preview"] == cut
    whole = "card 4111 1111 1111 1"  # not cut: no card, nothing masked
    assert masked_conversation({"preview": whole}, [])["preview"] == whole
    for tail in (" id 110105-19491231-", " card 4111 1111 1111 "):  # cut after a separator
        cut = "z" * (PREVIEW_CHARS - len(tail)) + tail
        assert not re.search(r"\d", masked_conversation({"preview": cut}, [])["preview"])
