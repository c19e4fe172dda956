"""Domain errors in the reader's language: the agent's chosen one (else the browser's), the
widget's customer's, English for an API token's client unless it asks for another. The
``code`` is the same in every language; ``detail`` changes language only."""

import html
import re

import pytest

from tests.conftest import make_agent_in
from tests.live.helpers import agent as agent_socket
from tests.live.helpers import customer
from walletdesk.accounts.actions import create_api_token, create_team
from walletdesk.accounts.interface_locale import set_interface_locale
from walletdesk.accounts.models import Role
from walletdesk.complaints.actions import advance_complaint, open_complaint
from walletdesk.conversations.actions import InboundMessage, receive_message
from walletdesk.errors import Invalid
from walletdesk.kb.actions import import_articles
from walletdesk.web import error_pages

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


# --- forms shown again with their refusal, bulk results, values named in a sentence -------------

def _refusal_on(page) -> str:  # type: ignore[no-untyped-def]
    """The refusal a form's page shows (its alert), as the reader reads it."""
    found = re.search(r'<p class="error" role="alert">(.*?)</p>', page.text, re.S)
    assert found, page.text[:400]
    return html.unescape(found.group(1))


@pytest.mark.parametrize(("chosen", "lang", "said"), [
    ("zh-Hans", "zh-Hans", (
        "请填写由 1 到 40 个字母、数字、'-'、'_' 或 '.' 组成的快捷指令（不含空格）",
        "时限须在 1 分钟到 90 天（首次回复）或 365 天（解决）之间",
        "首次回复时限必须是数字",  # a field named by the form, translated in the sentence
        "Ann，星期一：18:00 不早于 09:00")),
    (None, "en", (
        "a shortcut of 1 to 40 letters, digits, '-', '_' or '.' (no spaces) is required",
        "targets must be between one minute and 90 days (first reply) or 365 days (resolution)",
        "the first-reply target must be a number",
        "Ann, Monday: 18:00 is not before 09:00")),
])
async def test_a_form_shown_again_explains_its_refusal_in_the_pages_language(
        services, sign_in, chosen, lang, said):
    lead = await make_agent_in(services, "Lead", role=Role.supervisor)
    ann = await make_agent_in(services, "Ann")
    if chosen:
        await set_interface_locale(services, lead.id, chosen)
    signed = await sign_in(lead.email)
    shortcut, targets, number, shift = said
    reply = await signed.http.post("/app/canned-replies", data={
        "csrf_token": signed.csrf, "shortcut": "two words", "title": "Hello",
        "scope": "personal", "text_en": "Hello!"})
    assert reply.status_code == 422 and _refusal_on(reply) == shortcut
    assert f'<html lang="{lang}">' in reply.text  # the page and its refusal agree
    policy = {"csrf_token": signed.csrf, "name": "Fast", "resolution_hours": "24"}
    too_short = await signed.http.post("/admin/sla", data={**policy,
                                                           "first_response_minutes": "0"})
    assert too_short.status_code == 422 and _refusal_on(too_short) == targets
    not_a_number = await signed.http.post("/admin/sla", data={
        **policy, "first_response_minutes": "soon"})
    assert not_a_number.status_code == 422 and _refusal_on(not_a_number) == number
    backwards = await signed.http.post(f"/staffing/shifts/{ann.id}", data={
        "csrf_token": signed.csrf, "mon": "18:00-09:00", "timezone": "UTC"})
    assert backwards.status_code == 422 and _refusal_on(backwards) == shift


async def test_the_sign_in_page_refuses_in_the_browsers_language(client):
    refused = await client.post("/login", data={"email": "nobody@example.com",
                                                "password": "wrong"},
                                headers={"Accept-Language": "zh-TW,zh;q=0.9"})
    assert refused.status_code == 401 and _refusal_on(refused) == "電子郵件或密碼錯誤。"


async def test_a_bulk_actions_failures_are_told_in_the_agents_language(services, sign_in,
                                                                         client):
    lead, _sam, conversation_id = await _held_by_sam(services)
    await set_interface_locale(services, lead.id, "zh-Hans")
    signed = await sign_in(lead.email)
    body = {"action": "resolve", "conversation_ids": [conversation_id, 999_999]}
    done = await signed.http.post("/api/v1/conversations/bulk", json=body,
                                  headers={"x-csrf-token": signed.csrf})
    assert done.status_code == 200
    assert done.json() == {"done": [conversation_id], "failed": [
        {"conversation_id": 999_999, "detail": "找不到该对话"}]}
    _, token = await create_api_token(services, lead, "backend")  # a script: English
    again = await client.post("/api/v1/conversations/bulk", json=body,
                              headers={"authorization": f"Bearer {token}"})
    assert again.json()["failed"] == [{"conversation_id": 999_999,
                                       "detail": "conversation not found"}]


async def test_a_refusal_answers_in_the_language_the_api_dependency_found(
        services, sign_in, monkeypatch):
    """The workspace's call resolved its agent already: the refusal needs no second lookup
    (a second one that found nobody would fall back to the browser's English)."""
    lead, sam, conversation_id = await _held_by_sam(services)
    await set_interface_locale(services, lead.id, "zh-Hans")
    signed = await sign_in(lead.email)

    async def nobody(*_args):  # type: ignore[no-untyped-def]
        return None
    monkeypatch.setattr(error_pages, "load_session_agent", nobody)
    refused = await signed.http.post(f"/api/v1/conversations/{conversation_id}/assign",
                                     json={"agent_id": sam.id},
                                     headers={"x-csrf-token": signed.csrf})
    assert refused.json() == {"detail": "Sam 已在处理这个对话：请选择其他客服或团队",
                              "code": "invalid"}


async def test_transfer_targets_tell_return_times_in_the_agents_saved_language(
        services, sign_in):
    lead, _sam, conversation_id = await _held_by_sam(services)
    async with services.transaction() as session:
        await create_team(session, None, name="VIP", languages=["en"],
                          weekly_hours={"mon": [["09:00", "09:01"]]}, timezone="Asia/Singapore")
    await set_interface_locale(services, lead.id, "zh-Hant")
    signed = await sign_in(lead.email)
    targets = await signed.http.get(f"/api/v1/conversations/{conversation_id}/transfer-targets",
                                    headers={"Accept-Language": "es-ES,es;q=0.9"})
    vip = {t["name"]: t for t in targets.json()["teams"]}["VIP"]
    assert not vip["open_now"] and vip["opens_label"].startswith("週一 ")  # not "lun"


async def test_a_value_named_in_a_refusal_is_translated_inside_it(services):
    lead, _sam, conversation_id = await _held_by_sam(services)
    complaint = await open_complaint(services, lead, conversation_id, category="fees",
                                     summary="charged twice")
    with pytest.raises(Invalid) as skipped:
        await advance_complaint(services, lead, complaint.id, "approved")
    assert str(skipped.value) == (f"complaint #{complaint.id} is at stage received; the next "
                                  "stage is investigating (stages cannot be skipped)")
    assert skipped.value.translated("zh-Hans") == (
        f"投诉 #{complaint.id} 处于“已受理”阶段；下一阶段是“调查中”（不能跳过阶段）")
    assert skipped.value.translated("es") == (
        f"la reclamación #{complaint.id} está en la etapa «recibida»; la siguiente es "
        "«en investigación» (no se pueden saltar etapas)")
    with pytest.raises(Invalid) as unnamed:
        await open_complaint(services, lead, conversation_id, category="fees", summary=" ")
    assert str(unnamed.value) == "a summary of the complaint is required"
    assert unnamed.value.translated("zh-Hant") == "請填寫投訴摘要"


async def test_a_knowledge_base_imports_skipped_lines_keep_their_words_for_each_reader(
        services):
    report = await import_articles(services, ["{not json", '{"id": 7}'])
    assert [str(error) for error in report.errors] == [  # the CLI's English, as before
        "line 1: not valid JSON: Expecting property name enclosed in double quotes",
        'line 2: each line must be a JSON object with a string "id"']
    assert report.errors[0].translated("zh-Hans") == (
        "第 1 行：不是有效的 JSON：Expecting property name enclosed in double quotes")
    assert report.errors[1].translated("zh-Hant").startswith("第 2 行：")
