"""A customer with no stored name who introduces themselves gets that name: outsourced
agents' views mask it in the later messages too, not only in the one that gave it; a name
the channel gave, or an erased customer, is left as it is (SQLite and PostgreSQL)."""

from walletdesk.accounts.models import Role
from walletdesk.conversations.actions import InboundMessage, receive_message
from walletdesk.conversations.workspace import open_conversation
from walletdesk.customers.models import Customer


async def _say(services, external_id: str, text: str, name: str | None = None):  # type: ignore[no-untyped-def]
    delivered = await receive_message(services, InboundMessage(
        channel="api", external_id=external_id, text=text, customer_name=name))
    await services.after_commit.drain()
    return delivered


async def test_a_name_given_once_is_masked_in_every_later_message(services, make_team,
                                                                   make_agent) -> None:
    team = await make_team("Support")
    staff = await make_agent("Alice", teams=[team])
    partner = await make_agent("Partner", role=Role.outsourced, teams=[team])
    first = await _say(services, "ana-1", "hi, my name is Ana Lopez and my transfer is stuck")
    await _say(services, "ana-1", "Ana Lopez again, any news? Lopez is my surname")
    cid = first.conversation.id
    async with services.read() as session:
        customer = await session.get(Customer, first.conversation.customer_id)
        assert customer is not None and customer.display_name == "Ana Lopez"

    seen = await open_conversation(services, partner, cid)
    texts = [m["text"] for m in seen["messages"] if m["sender_kind"] == "customer"]
    assert len(texts) == 2
    assert all("Lopez" not in text and "Ana " not in text for text in texts), texts
    assert all("Ana" not in (m["sender_name"] or "") for m in seen["messages"]
               if m["sender_kind"] == "customer")
    staff_view = await open_conversation(services, staff, cid)  # staff see it all
    assert [m["text"] for m in staff_view["messages"] if m["sender_kind"] == "customer"][1] \
        == "Ana Lopez again, any news? Lopez is my surname"


async def test_a_given_name_stays_and_an_erased_customer_gets_none(services) -> None:
    named = await _say(services, "li-1", "my name is Ana Lopez", name="Li Wei")
    erased = await _say(services, "gone-1", "hello")
    async with services.transaction() as session:
        customer = await session.get(Customer, erased.conversation.customer_id)
        assert customer is not None
        customer.erased_at = customer.created_at
    await _say(services, "gone-1", "my name is Ana Lopez")
    async with services.read() as session:
        assert (await session.get(Customer, named.conversation.customer_id)).display_name \
            == "Li Wei"
        assert (await session.get(Customer, erased.conversation.customer_id)).display_name \
            == ""
