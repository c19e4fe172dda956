"""Domain errors in the reader's language: the agent's chosen one (else the browser's), the
widget's customer's, English for an API token's client unless it asks for another. The
``code`` is the same in every language; ``detail`` changes language only."""

import pytest

from tests.conftest import make_agent_in
from tests.live.helpers import agent as agent_socket
from tests.live.helpers import customer
from walletdesk.accounts.actions import create_api_token, create_team
from walletdesk.accounts.interface_locale import set_interface_locale
from walletdesk.accounts.models import Role
from walletdesk.conversations.actions import InboundMessage, receive_message

ENGLISH = "Sam already has this conversation: choose another agent or a team"


async def _held_by_sam(services):  # type: ignore[no-untyped-def]
    """A conversation routed to Sam (the one online), and a supervisor who may transfer it."""
    async with services.transaction() as session:
        team = await create_team(session, None, name="Global", languages=["en"],
                                 is_default=True)
    lead = await make_agent_in(services, "Lead", role=Role.supervisor, teams=[team])
    sam = await make_agent_in(services, "Sam", teams=[team], online=True)
    delivered = await receive_message(services, InboundMessage(
        channel="web", external_id="v1", text="hello", language="en"))
    assert delivered.conversation.assignee_id == sam.id
    return lead, sam, delivered.conversation.id


@pytest.mark.parametrize(("chosen", "browser", "detail"), [
    ("zh-Hans", None, "Sam 已在处理这个对话：请选择其他客服或团队"),
    ("zh-Hans", "es-ES,es;q=0.9", "Sam 已在处理这个对话：请选择其他客服或团队"),  # the choice wins
    (None, None, ENGLISH),
    (None, "zh-TW,zh;q=0.9", "Sam 已在處理這個對話：請選擇其他客服或團隊"),  # as the page: the browser's
])
async def test_a_refused_transfer_is_explained_in_the_agents_language(
        services, sign_in, chosen, browser, detail):
    lead, sam, conversation_id = await _held_by_sam(services)
    if chosen:
        await set_interface_locale(services, lead.id, chosen)
    signed = await sign_in(lead.email)
    headers = {"x-csrf-token": signed.csrf, **({"Accept-Language": browser} if browser else {})}
    refused = await signed.http.post(f"/api/v1/conversations/{conversation_id}/assign",
                                     json={"agent_id": sam.id}, headers=headers)
    assert refused.status_code == 422
    assert refused.json() == {"detail": detail, "code": "invalid"}  # nothing else added


async def test_an_api_tokens_client_reads_english_unless_it_asks_for_another_language(
        services, client):
    lead, sam, conversation_id = await _held_by_sam(services)
    await set_interface_locale(services, lead.id, "zh-Hans")  # the agent's pages, not the API's
    _, token = await create_api_token(services, lead, "backend")
    path = f"/api/v1/conversations/{conversation_id}/assign"
    bearer = {"authorization": f"Bearer {token}"}
    english = await client.post(path, json={"agent_id": sam.id}, headers=bearer)
    assert english.json() == {"detail": ENGLISH, "code": "invalid"}
    spanish = await client.post(path, json={"agent_id": sam.id},
                                headers={**bearer, "Accept-Language": "es-MX,es;q=0.9"})
    assert spanish.status_code == 422
    assert spanish.json() == {"detail": "Sam ya tiene esta conversación: elige otro agente o "
                                        "un equipo", "code": "invalid"}
    missing = await client.get("/api/v1/conversations/999999",
                               headers={**bearer, "Accept-Language": "zh-CN"})
    assert missing.status_code == 404
    assert missing.json() == {"detail": "找不到该对话", "code": "not_found"}


async def test_a_translated_error_page_escapes_the_values_it_names(make_agent, services,
                                                                    sign_in):
    mei = await make_agent("Mei")
    await set_interface_locale(services, mei.id, "zh-Hant")
    signed = await sign_in(mei.email)
    page = await signed.http.post("/app/interface-locale", data={
        "csrf_token": signed.csrf, "locale": "<b>xx</b>"}, headers={"Accept": "text/html"})
    assert page.status_code == 422 and "<b>xx</b>" not in page.text
    assert "沒有介面語言 &#39;&lt;b&gt;xx&lt;/b&gt;&#39;；可用的有：" in page.text


async def test_the_widgets_error_frames_speak_the_customers_language(services, live_server):
    visitor, welcome = await customer(live_server.ws_url, language="es")
    assert welcome["language"] == "es"
    assert (await visitor.say("hola, necesito ayuda"))["type"] == "ack"
    await visitor.send({"type": "overflow_choice", "offer_id": 999999, "choice": "wait"})
    error = await visitor.expect_type("error")
    assert error == {"type": "error", "code": "not_found", "detail": "no existe esa oferta"}
    await visitor.close()


async def test_the_workspaces_error_frames_speak_the_agents_language(services, live_server):
    mei = await make_agent_in(services, "Mei")
    await set_interface_locale(services, mei.id, "zh-Hans")
    staff = await agent_socket(live_server.url, live_server.ws_url, mei.email)
    await staff.send({"type": "message", "conversation_id": 999999, "client_id": "c1",
                      "text": "hello"})
    error = await staff.expect_type("error")
    assert error == {"type": "error", "code": "not_found", "detail": "找不到该对话",
                     "client_id": "c1"}
    await staff.close()
