"""Announcements end to end on both engines: the API (created, published, advanced), the
public status page and the banners' data in the visitor's language, the bot's answer with the
announcement first, and the customers who asked told once when it is resolved — in the
widget and by e-mail, in their language."""

from sqlalchemy import select

from tests.incidents.conftest import ask, run_jobs, thread, with_the_bot
from walletdesk.accounts.models import Role
from walletdesk.conversations.models import SenderKind
from walletdesk.incidents.actions import RESOLVED_NOTICE_JOB
from walletdesk.incidents.models import AnnouncementConversation, LinkSource
from walletdesk.jobs.models import Job

INCIDENT = {
    "texts": {"en": {"title": "USDT withdrawals on TRON are delayed",
                     "body": "TRC20 withdrawals are queued; your funds are safe."},
              "zh-Hans": {"title": "波场 USDT 提现延迟", "body": "TRC20 提现正在排队，您的资产是安全的。"}},
    "severity": "major", "affected": ["usdt", "tron", "withdrawal"],
    "contact_reasons": ["withdrawal"], "published": True,
}


async def _lead(make_agent, sign_in):  # type: ignore[no-untyped-def]
    lead = await make_agent("Lead", role=Role.supervisor)
    return await sign_in(lead.email)


async def test_publish_show_answer_and_tell_on_resolve(services, client, make_agent, sign_in,
                                                       mail_desk):
    lead = await _lead(make_agent, sign_in)
    headers = {"x-csrf-token": lead.csrf}
    draft = await lead.http.post("/api/v1/announcements", headers=headers, json={
        **INCIDENT, "published": False, "texts": {"en": {"title": "Draft only"}}})
    assert draft.status_code == 201 and draft.json()["published"] is False
    created = await lead.http.post("/api/v1/announcements", headers=headers, json=INCIDENT)
    assert created.status_code == 201, created.text
    incident = created.json()
    assert incident["status"] == "investigating"
    assert [step["status"] for step in incident["history"]] == ["investigating"]
    number = incident["id"]

    # the banners' data and the status page, in the visitor's language (drafts never)
    active = (await client.get("/status/active?lang=zh-Hant")).json()
    assert [a["id"] for a in active["announcements"]] == [number]
    assert active["announcements"][0]["title"] == "波場 USDT 提現延遲"  # converted script
    english = (await client.get("/status/active", headers={"accept-language": "en"})).json()
    assert english["announcements"][0]["title"] == "USDT withdrawals on TRON are delayed"
    page = await client.get("/status?lang=zh-Hans")
    assert "波场 USDT 提现延迟" in page.text and "Draft only" not in page.text

    # the bot answers a related question with the announcement first, once per conversation
    widget = await with_the_bot(services, "v-zh", "你好")
    await ask(services, "v-zh", "我的 USDT 提现一直没到账 TRC20", widget)
    messages = await thread(services, widget)
    notice = [m for m in messages if (m.meta or {}).get("kind") == "announcement"]
    assert len(notice) == 1 and notice[0].sender_kind == SenderKind.bot
    assert "波场 USDT 提现延迟" in notice[0].text
    after = messages[messages.index(notice[0]) + 1:]
    assert after and (after[0].meta or {}).get("kind") != "announcement"  # then the bot's turn
    # an unrelated question elsewhere gets no announcement
    other = await with_the_bot(services, "v-other", "hi")
    await ask(services, "v-other", "how do I back up my recovery phrase?", other)
    assert not [m for m in await thread(services, other)
                if (m.meta or {}).get("kind") == "announcement"]
    # an e-mail customer who asked about it (the announcement is mailed like any reply)
    mail = await with_the_bot(services, "ana@example.com", "Hola", channel="email",
                              language="es")
    await ask(services, "ana@example.com", "Mi retiro de USDT en TRON no llegó", mail,
              channel="email")
    async with services.read() as session:
        links = {link.conversation_id: link.source for link in await session.scalars(
            select(AnnouncementConversation))}
    assert links == {widget: LinkSource.bot, mail: LinkSource.bot}

    # advancing: forward only; resolving schedules one notice per linked conversation
    step = await lead.http.post(f"/api/v1/announcements/{number}/status", headers=headers,
                                json={"status": "identified"})
    assert step.status_code == 200 and step.json()["status"] == "identified"
    back = await lead.http.post(f"/api/v1/announcements/{number}/status", headers=headers,
                                json={"status": "identified"})
    assert back.status_code == 422
    resolved = await lead.http.post(f"/api/v1/announcements/{number}/status", headers=headers,
                                    json={"status": "resolved", "notes": {
                                        "en": "Withdrawals are flowing again.",
                                        "zh-Hans": "提现已恢复正常。"}})
    assert resolved.json()["status"] == "resolved"
    assert (await client.get("/status/active")).json()["announcements"] == []
    await run_jobs(services)
    async with services.read() as session:
        told = (await session.scalars(select(AnnouncementConversation)
                                      .where(AnnouncementConversation.notified_at.is_not(None))
                                      )).all()
    assert len(told) == 2
    chinese = [m for m in await thread(services, widget)
               if (m.meta or {}).get("kind") == "announcement_resolved"]
    assert len(chinese) == 1 and "提现已恢复正常" in chinese[0].text
    assert "波场 USDT 提现延迟" in chinese[0].text
    mailed = [m for m in await thread(services, mail)
              if (m.meta or {}).get("kind") == "announcement_resolved"]
    assert len(mailed) == 1
    await run_jobs(services)  # the e-mail replies go out through the relay
    bodies = [m.get_body(("plain",)).get_content() for m in mail_desk.relay.received]
    assert any("Withdrawals are flowing again." in body for body in bodies)
    assert any("USDT withdrawals on TRON are delayed" in body for body in bodies)
    # once each: running the notices again changes nothing
    async with services.transaction() as session:
        for job in await session.scalars(select(Job).where(Job.kind == RESOLVED_NOTICE_JOB)):
            job.status = "pending"
    await run_jobs(services)
    assert len([m for m in await thread(services, widget)
                if (m.meta or {}).get("kind") == "announcement_resolved"]) == 1
    page = await client.get("/status?lang=en")
    assert "Past incidents" in page.text and "Withdrawals are flowing again." in page.text


async def test_a_conversation_resolved_with_its_reason_and_one_an_agent_links(
        services, make_agent, make_team, sign_in):
    from walletdesk.conversations.actions import (
        InboundMessage,
        assign_conversation,
        receive_message,
        resolve_conversation,
    )
    from walletdesk.labels.actions import create_label

    lead = await _lead(make_agent, sign_in)
    boss = await make_agent("Boss", role=Role.admin)
    alice = await make_agent("Alice", role=Role.agent)
    await create_label(services, boss, name="withdrawal", color="#bf8700", description="")
    number = (await lead.http.post("/api/v1/announcements", headers={"x-csrf-token": lead.csrf},
                                   json=INCIDENT)).json()["id"]
    first = await receive_message(services, InboundMessage(channel="web", external_id="r1",
                                                           text="where is my money"))
    await assign_conversation(services, boss, first.conversation.id, agent_id=alice.id)
    await resolve_conversation(services, alice, first.conversation.id,
                               contact_reason="withdrawal")
    second = await receive_message(services, InboundMessage(channel="web", external_id="r2",
                                                            text="hello?"))
    await assign_conversation(services, boss, second.conversation.id, agent_id=alice.id)
    signed = await sign_in(alice.email)
    url = f"/api/v1/conversations/{second.conversation.id}/announcements/{number}"
    linked = await signed.http.post(url, headers={"x-csrf-token": signed.csrf})
    assert linked.status_code == 200 and linked.json() == {"linked": True}
    again = await signed.http.post(url, headers={"x-csrf-token": signed.csrf})
    assert again.json() == {"linked": False}
    # a conversation of another team, which Alice may not see, cannot be linked by her
    other_team = await make_team("Other")
    third = await receive_message(services, InboundMessage(channel="web", external_id="r3",
                                                           text="hi"))
    await assign_conversation(services, boss, third.conversation.id, team_id=other_team.id)
    hidden = await signed.http.post(
        f"/api/v1/conversations/{third.conversation.id}/announcements/{number}",
        headers={"x-csrf-token": signed.csrf})
    assert hidden.status_code == 404
    async with services.read() as session:
        sources = {link.conversation_id: link.source for link in await session.scalars(
            select(AnnouncementConversation))}
    assert sources == {first.conversation.id: LinkSource.reason,
                       second.conversation.id: LinkSource.agent}
