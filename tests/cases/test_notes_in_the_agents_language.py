"""The SLA and rating notes agents read in a conversation: stored in English with the msgid
and values each agent's workspace shows them with in the agent's language (what escalated
included); the customer's comment stays in the text only (masked for outsourced agents)."""

import json

from sqlalchemy import select

from tests.cases.test_sla import ALWAYS, _admin, _run_sla_jobs, _write
from tests.cases.test_surveys import resolved
from tests.complaints.test_notes_in_the_agents_language import say
from walletdesk.cases.sla import save_sla_policy
from walletdesk.cases.surveys import submit_rating
from walletdesk.conversations.models import Message
from walletdesk.services import Services


async def _notes(services: Services, conversation_id: int, kind: str) -> list[Message]:
    async with services.read() as session:
        return [m for m in (await session.scalars(select(Message).where(
            Message.conversation_id == conversation_id, Message.is_internal.is_(True))
            .order_by(Message.seq))).all() if (m.meta or {}).get("kind") == kind]


async def test_sla_warnings_and_escalated_breaches_read_in_each_agents_language(
        services, make_agent, make_team):
    admin = await _admin(make_agent)
    await make_team("Support", weekly_hours=ALWAYS)
    vip = await make_team("Escalations", weekly_hours=ALWAYS)
    await save_sla_policy(services, admin, name="Default", first_response_s=600,
                          resolution_s=3600, escalate_team_id=vip.id)
    conversation = await _write(services)
    await _run_sla_jobs(services, "warning")
    await _run_sla_jobs(services, "breach")
    notes = await _notes(services, conversation.id, "sla")

    warning = next(n for n in notes if n.meta["stage"] == "warning"
                   and n.meta["clock"] == "first_response")
    assert say(warning.meta["phrase"], "en") == warning.text
    minutes = warning.meta["phrase"]["values"]["minutes"]
    assert say(warning.meta["phrase"], "zh-Hans") == f"SLA：首次回复将在 {minutes} 分钟后到期。"

    breach = next(n for n in notes if n.meta["stage"] == "breach"
                  and n.meta["clock"] == "first_response")
    assert breach.text.startswith("SLA breached: the first reply was due ")
    assert "Escalated: priority raised to 1, handed to team Escalations." in breach.text
    assert say(breach.meta["phrase"], "en") == breach.text
    chinese = say(breach.meta["phrase"], "zh-Hans")
    assert chinese.startswith("SLA 已超时：首次回复应在 ")
    assert chinese.endswith("已升级：优先级提高到 1，并转交给团队 Escalations。")
    assert say(breach.meta["phrase"], "es").endswith(
        "Escalado: prioridad subida a 1, pasada al equipo Escalations.")


async def test_a_rating_reads_in_each_agents_language_without_the_comment_in_the_meta(
        services, make_team, make_agent):
    _, conversation, survey = await resolved(services, make_team, make_agent)
    await submit_rating(services, customer_id=conversation.customer_id, survey_id=survey.id,
                        rating=4, comment="call me on +6591234567")
    [note] = await _notes(services, conversation.id, "csat_rating")
    assert note.text == "Customer rating: ★★★★☆ 4/5 — “call me on +6591234567”"
    assert say(note.meta["phrase"], "zh-Hant") == "客戶評分：★★★★☆ 4/5"
    assert note.meta["detail"] is True and "6591234567" not in json.dumps(note.meta)
