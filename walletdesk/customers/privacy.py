"""GDPR: everything we hold about a customer (export), and erasing it.

What counts as personal data is declared once, column by column, in
walletdesk.customers.data_map. Export gives all of it: the customer (points and privacy
acknowledgement too), channel ids, conversations with their messages and attachments (the
files themselves, base64), bot questions, surveys, complaints with their history, follow-ups,
e-mail codes, what their widget reported about the device (wallet addresses included) and the
audit entries about them. Staff notes (internal messages) are the
desk's, not the customer's, and are left out.

Erasure removes the personal fields, every text they wrote or staff wrote about them
(messages, notes, subjects, survey comments, complaint and follow-up texts, audit details)
and the attachments: the file names, and the files themselves unless another conversation
holds the same file. The rows stay, so counts, times, statuses and ratings — the aggregates —
are kept. Both actions are written to the audit log.
"""

import asyncio
import base64
import uuid
from pathlib import Path
from typing import Any

from sqlalchemy import String, cast, func, literal, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from walletdesk.audit.actions import record_audit
from walletdesk.audit.models import AuditEvent
from walletdesk.bot.models import BotTurn
from walletdesk.cases.models import Survey
from walletdesk.chains.models import ChainLookup
from walletdesk.complaints.models import Complaint, ComplaintEvent
from walletdesk.conversations.attachments import blob_path
from walletdesk.conversations.models import Attachment, Conversation, Message
from walletdesk.customer_context.models import DeviceContext
from walletdesk.customers import code_quotas
from walletdesk.customers.data_map import customer_rows
from walletdesk.customers.models import Customer, EmailCode
from walletdesk.db.base import utcnow
from walletdesk.errors import NotFound
from walletdesk.followups.models import FollowUp
from walletdesk.services import Services

ERASED = "[erased]"
# strings in JSON details that name a kind or stage, not what anyone said: kept on erasure
KEPT_DETAIL_KEYS = frozenset({"kind", "stage", "from_stage", "status", "outcome", "channel",
                              "language", "asset", "amount", "content_type", "clock", "due",
                              "early", "reason_code", "size", "id", "complaint_id",
                              "message_id", "conversation_id", "owner_agent_id", "survey_id",
                              "turn_id", "article_id", "slug", "url"})


def _iso(value: Any) -> str | None:
    return value.isoformat() if value is not None else None


async def _ids(session: AsyncSession, customer_id: int, table: str) -> list[int]:
    complaint_ids = list((await session.scalars(
        select(Complaint.id).where(Complaint.customer_id == customer_id))).all())
    return list((await session.scalars(customer_rows(customer_id, complaint_ids)[table])).all())


def _attachment_out(settings: Any, attachment: Attachment) -> dict[str, Any]:
    path = blob_path(settings, attachment.sha256)
    content = path.read_bytes() if attachment.sha256 and path.exists() else None
    return {"id": attachment.id, "filename": attachment.filename,
            "content_type": attachment.content_type, "size": attachment.size,
            "content_base64": base64.b64encode(content).decode() if content is not None
            else None}


async def export_customer(services: Services, actor_id: int | None,
                          customer_id: int) -> dict[str, Any]:
    async with services.transaction() as session:
        customer = await session.get(Customer, customer_id,
                                     options=[selectinload(Customer.identities)])
        if customer is None:
            raise NotFound("customer not found")
        conversations = (await session.scalars(
            select(Conversation).where(Conversation.customer_id == customer_id)
            .order_by(Conversation.id))).all()
        messages = (await session.scalars(
            select(Message).where(Message.id.in_(await _ids(session, customer_id, "messages")))
            .order_by(Message.conversation_id, Message.seq))).all()
        attachments = (await session.scalars(
            select(Attachment).where(Attachment.id.in_(
                await _ids(session, customer_id, "attachments"))).order_by(Attachment.id))).all()
        turns = (await session.scalars(
            select(BotTurn).where(BotTurn.id.in_(await _ids(session, customer_id, "bot_turns")))
            .order_by(BotTurn.id))).all()
        surveys = (await session.scalars(select(Survey).where(
            Survey.customer_id == customer_id).order_by(Survey.id))).all()
        complaints = (await session.scalars(select(Complaint).where(
            Complaint.customer_id == customer_id).order_by(Complaint.id))).all()
        events = (await session.scalars(select(ComplaintEvent).where(
            ComplaintEvent.id.in_(await _ids(session, customer_id, "complaint_events")))
            .order_by(ComplaintEvent.id))).all()
        followups = (await session.scalars(select(FollowUp).where(
            FollowUp.customer_id == customer_id).order_by(FollowUp.id))).all()
        codes = (await session.scalars(select(EmailCode).where(
            EmailCode.customer_id == customer_id).order_by(EmailCode.id))).all()
        devices = (await session.scalars(select(DeviceContext).where(DeviceContext.id.in_(
            await _ids(session, customer_id, "conversation_device_contexts")))
            .order_by(DeviceContext.id))).all()
        lookups = (await session.scalars(select(ChainLookup).where(ChainLookup.id.in_(
            await _ids(session, customer_id, "chain_lookups"))).order_by(ChainLookup.id))).all()
        audit = (await session.scalars(select(AuditEvent).where(
            AuditEvent.id.in_(await _ids(session, customer_id, "audit_events")))
            .order_by(AuditEvent.id))).all()
        record_audit(session, actor_agent_id=actor_id, action="customer.export",
                     target_type="customer", target_id=customer_id)
        files: dict[int, list[dict[str, Any]]] = {}
        for a in attachments:
            files.setdefault(a.message_id, []).append(_attachment_out(services.settings, a))
        by_conversation: dict[int, list[dict[str, Any]]] = {}
        for m in messages:
            by_conversation.setdefault(m.conversation_id, []).append({
                "seq": m.seq, "from": m.sender_kind, "name": m.sender_name, "text": m.text,
                "meta": m.meta, "attachments": files.get(m.id, []),
                "at": m.created_at.isoformat()})
        history: dict[int, list[dict[str, Any]]] = {}
        for e in events:
            history.setdefault(e.complaint_id, []).append(
                {"stage": e.stage, "at": _iso(e.at), "detail": e.detail})
        return {
            "customer": {
                "id": customer.id, "name": customer.display_name, "email": customer.email,
                "language": customer.language, "verified_user_id": customer.verified_user_id,
                "phone": customer.phone, "note": customer.note, "points": customer.points,
                "email_verified_at": _iso(customer.email_verified_at),
                "followup_opt_out_at": _iso(customer.followup_opt_out_at),
                "privacy_notice_ack_at": _iso(customer.privacy_notice_ack_at),
                "created_at": customer.created_at.isoformat(),
                "last_seen_at": customer.last_seen_at.isoformat(),
                "identities": [{"channel": i.channel, "id": i.external_id}
                               for i in customer.identities],
            },
            "conversations": [{
                "id": c.id, "channel": c.channel, "status": c.status, "subject": c.subject,
                "preview": c.last_message_preview, "created_at": c.created_at.isoformat(),
                "messages": by_conversation.get(c.id, []),
            } for c in conversations],
            "bot_turns": [{"conversation_id": t.conversation_id, "question": t.query,
                           "outcome": t.outcome, "helpful": t.helpful,
                           "at": t.created_at.isoformat()} for t in turns],
            "surveys": [{"conversation_id": s.conversation_id, "rating": s.rating,
                         "comment": s.comment, "points": s.points, "asked_at": _iso(s.asked_at),
                         "answered_at": _iso(s.answered_at)} for s in surveys],
            "complaints": [{
                "id": c.id, "conversation_id": c.conversation_id, "stage": c.stage,
                "category": c.category, "summary": c.summary, "notes": c.notes,
                "resolution": c.resolution_kind,
                "amount": str(c.amount) if c.amount is not None else None, "asset": c.asset,
                "opened_at": _iso(c.opened_at), "closed_at": _iso(c.closed_at),
                "close_reason": c.close_reason, "history": history.get(c.id, []),
            } for c in complaints],
            "followups": [{
                "id": f.id, "about": f.source_ref, "reason": f.reason, "status": f.status,
                "slot_at": _iso(f.slot_at), "outcome": f.outcome,
                "satisfaction": f.satisfaction, "notes": f.notes,
                "created_at": _iso(f.created_at), "closed_at": _iso(f.closed_at),
            } for f in followups],
            "email_codes": [{"email": c.email, "created_at": _iso(c.created_at),
                             "used_at": _iso(c.used_at)} for c in codes],
            # what their widget reported about the device and app (walletdesk.customer_context)
            "device_contexts": [{
                "conversation_id": d.conversation_id, "app_version": d.app_version, "os": d.os,
                "platform": d.platform, "language": d.language,
                "wallet_addresses": (d.wallet_addresses or "").splitlines(),
                "reported_at": _iso(d.reported_at)} for d in devices],
            # the transfers they named, looked up on chain (walletdesk.chains)
            "chain_lookups": [{
                "conversation_id": lookup.conversation_id, "tx": lookup.tx,
                "chain": lookup.chain, "status": lookup.status, "result": lookup.result,
                "at": _iso(lookup.created_at)} for lookup in lookups],
            "audit": [{"action": a.action, "at": _iso(a.created_at), "detail": a.detail}
                      for a in audit],
        }


async def erase_customer(services: Services, actor_id: int | None, customer_id: int) -> None:
    async with services.transaction() as session:
        if not await erase_in(session, customer_id, actor_id=actor_id, reason="request",
                              data_dir=services.settings.data_dir):
            raise NotFound("customer not found")


def _scrubbed(detail: Any) -> Any:
    """A JSON detail with every text anyone wrote replaced; kinds, stages and ids kept."""
    if isinstance(detail, dict):
        return {key: value if key in KEPT_DETAIL_KEYS and not isinstance(value, dict | list)
                else _scrubbed(value) for key, value in detail.items()}
    if isinstance(detail, list):
        return [_scrubbed(value) for value in detail]
    return ERASED if isinstance(detail, str) and detail else detail


async def erase_in(session: AsyncSession, customer_id: int, *, actor_id: int | None,
                   reason: str, data_dir: str) -> bool:
    """Erase one customer's personal data inside the caller's transaction; audited. False if
    there is no such customer."""
    customer = await session.get(Customer, customer_id,
                                 options=[selectinload(Customer.identities)])
    if customer is None:
        return False
    # the ORM keeps the keyed hashes in step (bulk UPDATEs would bypass the validators)
    customer.display_name = ""
    customer.email = None
    customer.phone = None
    customer.verified_user_id = None
    customer.note = None
    customer.erased_at = utcnow()
    for identity in customer.identities:
        # keep the row (so the channel cannot re-attach the old history), not the id
        identity.external_id = f"erased:{uuid.uuid4().hex}"
    ids = list((await session.scalars(
        select(Conversation.id).where(Conversation.customer_id == customer_id))).all())
    blobs: set[str] = set()
    if ids:
        in_conversations = Message.conversation_id.in_(ids)
        attachment_ids = select(Attachment.id).join(
            Message, Message.id == Attachment.message_id).where(in_conversations)
        blobs = set((await session.scalars(select(Attachment.sha256).where(
            Attachment.id.in_(attachment_ids)))).all())
        await session.execute(update(Attachment).where(Attachment.id.in_(attachment_ids))
                              .values(filename=ERASED, sha256=""))
        await session.execute(update(Message).where(in_conversations)
                              .values(text=ERASED, sender_name="", meta=None))
        await session.execute(update(BotTurn).where(BotTurn.conversation_id.in_(ids))
                              .values(query=ERASED))
        await session.execute(update(Conversation).where(Conversation.id.in_(ids))
                              .values(subject=ERASED, last_message_preview=ERASED))
        await session.execute(update(ChainLookup).where(ChainLookup.conversation_id.in_(ids))
                              .values(tx=ERASED, result={}))
        await session.execute(update(DeviceContext).where(
            DeviceContext.conversation_id.in_(ids)).values(
                app_version=None, os=None, platform=None, wallet_addresses=None))
    # after the conversations' rows (locked by their updates above): a code request locks its
    # conversation before the quota rows, so erasing in the other order could deadlock it
    codes = (await session.scalars(select(EmailCode).where(
        EmailCode.customer_id == customer_id))).all()
    await code_quotas.forget(session, codes)  # the keyed hashes of their addresses
    for code in codes:
        code.email = ERASED
    await session.execute(update(Survey).where(Survey.customer_id == customer_id)
                          .values(comment=""))
    await session.execute(update(FollowUp).where(FollowUp.customer_id == customer_id)
                          .values(reason=ERASED, notes="",
                                  source_ref=literal("erased:") + cast(FollowUp.id, String)))
    await session.execute(update(Complaint).where(Complaint.customer_id == customer_id)
                          .values(summary=ERASED, notes="", close_reason=None))
    for table, model in (("complaint_events", ComplaintEvent), ("audit_events", AuditEvent)):
        for row in (await session.scalars(select(model).where(
                model.id.in_(await _ids(session, customer_id, table))))).all():
            row.detail = _scrubbed(row.detail)
    record_audit(session, actor_agent_id=actor_id, action="customer.erase",
                 target_type="customer", target_id=customer_id,
                 detail={"conversations": len(ids), "reason": reason})
    await session.flush()
    await _remove_unused_blobs(session, data_dir, blobs)
    return True


async def _remove_unused_blobs(session: AsyncSession, data_dir: str, digests: set[str]) -> None:
    """Delete the files no attachment names any more. Files are stored once per content, so
    one another customer also sent stays. Done inside the transaction, after the rows no
    longer name them: a rollback after this point leaves erased-to-be attachments without
    their file, never a file of an erased customer behind."""
    for digest in sorted(d for d in digests if d):
        still_used = await session.scalar(
            select(func.count()).select_from(Attachment).where(Attachment.sha256 == digest))
        if not still_used:
            path = Path(data_dir, "blobs", digest[:2], digest)
            await asyncio.to_thread(path.unlink, missing_ok=True)
