"""The conversation list's preview line (and subject) as an outsourced agent reads it: masked
as the conversation itself is — a wallet address cut in two where the preview is cut was
shown in clear in the list, and so was the bot's list of the customer's transactions (its
amounts), which the list no longer previews at all (the customer's words instead)."""

import httpx

from tests.conftest import PASSWORD
from walletdesk.accounts.models import Role
from walletdesk.conversations.actions import InboundMessage, receive_message
from walletdesk.conversations.messages import PREVIEW_CHARS, append_message, lock_conversation
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
