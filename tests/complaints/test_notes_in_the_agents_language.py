"""The internal notes a complaint writes into its conversation: stored in English, with the
msgid and values each agent's workspace shows them with in the agent's language, and never
with the agent's own words (which outsourced agents see masked) in the meta."""

import json
from typing import Any

from sqlalchemy import select

from walletdesk import i18n
from walletdesk.accounts.models import Role
from walletdesk.complaints.actions import advance_complaint, close_complaint, open_complaint
from walletdesk.conversations.actions import InboundMessage, receive_message
from walletdesk.conversations.messages import message_payload
from walletdesk.conversations.models import Message
from walletdesk.services import Services


def say(phrase: dict[str, Any], locale: str) -> str:
    """A note's phrase as the workspace says it (static/workspace.js: phraseText)."""
    values = {key: say(value, locale) if isinstance(value, dict) else value
              for key, value in phrase["values"].items()}
    return i18n.translations(locale).gettext(phrase["msgid"]).format(**values)


async def _notes(services: Services, conversation_id: int) -> list[Message]:
    async with services.read() as session:
        messages = (await session.scalars(select(Message).where(
            Message.conversation_id == conversation_id,
            Message.is_internal.is_(True)).order_by(Message.seq))).all()
    return [m for m in messages if (m.meta or {}).get("kind") == "complaint"]


async def _complaint_at_proposal(services: Services, make_team, make_agent):  # type: ignore[no-untyped-def]
    team = await make_team("Support")
    mei = await make_agent("Mei", teams=[team])
    boss = await make_agent("Boss", role=Role.supervisor, teams=[team])
    conversation = (await receive_message(services, InboundMessage(
        channel="web", external_id="v-notes", text="手续费扣了两次", language="zh-Hans"))).conversation
    complaint = await open_complaint(services, mei, conversation.id, category="fees",
                                     summary="charged twice")
    await advance_complaint(services, mei, complaint.id, "investigating", summary="two fees")
    await advance_complaint(services, mei, complaint.id, "resolution_proposed", kind="refund",
                            amount="1.50", asset="usdt")
    return mei, boss, conversation, complaint


async def test_a_proposal_and_its_approval_read_in_each_agents_language(services, make_team,
                                                                        make_agent):
    _, boss, conversation, complaint = await _complaint_at_proposal(
        services, make_team, make_agent)
    await advance_complaint(services, boss, complaint.id, "approved")
    proposed, approved = await _notes(services, conversation.id)

    ref = complaint.id
    assert proposed.text == f"Complaint #{ref}: Mei proposed a refund of 1.5 USDT; it needs approval."
    phrase = proposed.meta["phrase"]
    assert say(phrase, "en") == proposed.text  # the stored text is the phrase's English
    assert say(phrase, "zh-Hans") == f"投诉 #{ref}：Mei 提出退款 1.5 USDT，需要审批。"
    assert say(phrase, "zh-Hant") == f"投訴 #{ref}：Mei 提出退款 1.5 USDT，需要審批。"
    assert say(phrase, "es") == \
        f"Reclamación #{ref}: Mei propuso un reembolso de 1.5 USDT; necesita aprobación."
    assert say(approved.meta["phrase"], "zh-Hans") == f"投诉 #{ref}：Boss 已批准拟定的处理方案。"
    # the rest of the meta is what it was: readers of the kind and stage keep working
    assert approved.meta["kind"] == "complaint" and approved.meta["stage"] == "approved"


async def test_closing_early_names_the_stage_translated_and_keeps_the_reason_out_of_the_meta(
        services, make_team, make_agent):
    mei, _, conversation, complaint = await _complaint_at_proposal(
        services, make_team, make_agent)
    reason = "withdrawn, call him on +6591234567"
    await close_complaint(services, mei, complaint.id, reason=reason)
    note = (await _notes(services, conversation.id))[-1]

    head = f"Complaint #{complaint.id} closed early (at stage resolution proposed) by Mei:"
    assert note.text == f"{head} {reason}" and note.meta["detail"] is True
    assert say(note.meta["phrase"], "en") == head
    assert say(note.meta["phrase"], "zh-Hans") == \
        f"投诉 #{complaint.id} 已由 Mei 提前关闭（处于“已提出方案”阶段）："
    assert say(note.meta["phrase"], "es") == (f"Reclamación #{complaint.id} cerrada antes de "
                                              "tiempo (en la etapa «solución propuesta») por Mei:")
    # the agent's words are only in the text, which masking covers for outsourced agents
    assert "6591234567" not in json.dumps(note.meta) and "withdrawn" not in json.dumps(note.meta)
    outsourced = await make_agent("Ravi", role=Role.outsourced)
    shown = message_payload(note, outsourced)
    assert "6591234567" not in json.dumps(shown) and shown["text"].startswith(head)
