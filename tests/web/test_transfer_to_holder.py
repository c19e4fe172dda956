"""The desk's transfer picker never offers the agent who has the conversation, and a transfer
to them anyway (a stale list, the API) is a readable error that changes nothing."""

from sqlalchemy import select

from tests.conftest import make_agent_in
from walletdesk.accounts.actions import create_team
from walletdesk.accounts.models import Role
from walletdesk.conversations.actions import InboundMessage, receive_message
from walletdesk.conversations.models import Conversation, Message


async def _thread(services, conversation_id: int) -> list[str]:  # type: ignore[no-untyped-def]
    async with services.read() as session:
        return list((await session.scalars(select(Message.text).where(
            Message.conversation_id == conversation_id).order_by(Message.seq))).all())


async def test_the_picker_leaves_out_the_holder_and_a_transfer_to_them_is_refused(
        services, sign_in):
    async with services.transaction() as session:
        team = await create_team(session, None, name="Global", languages=["en"],
                                 is_default=True)
    lead = await make_agent_in(services, "Lead", role=Role.supervisor, teams=[team])
    sam = await make_agent_in(services, "Sam", teams=[team], online=True)
    await make_agent_in(services, "Mei", teams=[team])
    delivered = await receive_message(services, InboundMessage(
        channel="web", external_id="v1", text="hello", language="en"))
    conversation_id = delivered.conversation.id
    assert delivered.conversation.assignee_id == sam.id  # routed to the one online
    thread = await _thread(services, conversation_id)

    signed = await sign_in(lead.email)
    targets = await signed.http.get(f"/api/v1/conversations/{conversation_id}/transfer-targets")
    assert targets.status_code == 200, targets.text
    assert [a["name"] for a in targets.json()["agents"]] == ["Mei"]  # not Lead, not Sam

    refused = await signed.http.post(f"/api/v1/conversations/{conversation_id}/assign",
                                     json={"agent_id": sam.id},
                                     headers={"x-csrf-token": signed.csrf})
    assert refused.status_code == 422
    assert refused.json() == {
        "detail": "Sam already has this conversation: choose another agent or a team",
        "code": "invalid"}
    assert await _thread(services, conversation_id) == thread
    async with services.read() as session:
        assert (await session.get(Conversation, conversation_id)).assignee_id == sam.id
