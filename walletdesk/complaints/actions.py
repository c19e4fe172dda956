"""Complaints (投诉): open one on a conversation, move it through its stages, close it.

Stages, in order, one step at a time::

    received → investigating → resolution_proposed → approved → customer_notified
             → followed_up → closed

A complaint may be closed early from any stage, with a reason (e.g. "withdrawn by
customer"). What each stage needs:

- ``investigating``: an owner (``owner_agent_id``, default the actor; an active agent who can
  see the conversation) and ``summary``, the issue as the investigator understands it;
- ``resolution_proposed``: ``kind`` (refund, compensation or explanation); a refund or a
  compensation also a positive ``amount`` (at most 8 decimal places) and an ``asset``
  ("USDT", "BTC": up to 20 letters or digits, stored upper-case);
- ``approved``: an amount above ``settings.complaint_approval_threshold`` is approved only by
  a supervisor or an admin who did not propose it (four-eyes); the threshold is compared
  with the amount in the complaint's own asset, as it is: no exchange rates;
- ``customer_notified``: nothing; the customer is told the outcome;
- ``followed_up``: ``note``, what the follow-up found;
- ``closed``: nothing (early: ``reason``).

Every stage may carry a ``note`` (added to the complaint's notes). Each change is one
transaction: the complaint, a ``ComplaintEvent``, an audit entry (``complaint.<stage>``) and
a message in the conversation: the customer is told, in the conversation's language, when
the complaint is received, investigated, decided (customer_notified) and closed; the other
stages leave an internal note for agents.
"""

import re
from decimal import Decimal, InvalidOperation
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from walletdesk.accounts.access import can_view_conversation, is_manager
from walletdesk.accounts.models import Agent
from walletdesk.accounts.queries import load_agent
from walletdesk.audit.actions import record_audit
from walletdesk.cases.sla import policy_for, start_sla
from walletdesk.complaints import texts
from walletdesk.complaints.models import Complaint, ComplaintEvent
from walletdesk.conversations.messages import (
    append_message,
    emit_conversation_changed,
    lock_conversation,
)
from walletdesk.conversations.models import Conversation, SenderKind, Status
from walletdesk.db.base import utcnow
from walletdesk.errors import Conflict, Forbidden, Invalid, NotFound
from walletdesk.followups.actions import followup_after_complaint
from walletdesk.i18n import N_, Phrase
from walletdesk.safety.protect import protect_text
from walletdesk.services import Services, emit

STAGES = ("received", "investigating", "resolution_proposed", "approved", "customer_notified",
          "followed_up", "closed")
RESOLUTION_KINDS = ("refund", "compensation", "explanation")
# stage changes the customer is told about; the others leave an internal note
COMPLAINT_CATEGORY = "complaint"  # the conversation's category: SLA policies can match it
MIN_PRIORITY = 1
# the fields advance_complaint accepts for each stage ("note" is accepted everywhere)
STAGE_FIELDS: dict[str, frozenset[str]] = {
    "investigating": frozenset({"owner_agent_id", "summary"}),
    "resolution_proposed": frozenset({"kind", "amount", "asset"}),
    "approved": frozenset(),
    "customer_notified": frozenset(),
    "followed_up": frozenset(),
    "closed": frozenset({"reason"}),
}
CATEGORY_MAX = 40
TEXT_MAX = 5000
REASON_MAX = 500
AMOUNT_PLACES = 8
AMOUNT_LIMIT = Decimal(10) ** 12  # Numeric(20, 8): 12 digits before the point
_ASSET = re.compile(r"[A-Z0-9]{1,20}")


# validation -----------------------------------------------------------------------------------

def _text(value: object, what: str, max_chars: int = TEXT_MAX, *, required: bool = True) -> str:
    """Free text from an agent: trimmed, bounded, secrets removed (like every note). ``what``
    names it in a refusal (a msgid marked ``N_``: translated with the refusal)."""
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise Invalid("{what} must be text", what=Phrase(what))
    value = value.strip()
    if not value:
        if required:
            raise Invalid("{what} is required", what=Phrase(what))
        return ""
    if len(value) > max_chars:
        raise Invalid("{what} is too long (at most {max} characters)", what=Phrase(what),
                      max=max_chars)
    return protect_text(value).text


def _amount(value: object) -> Decimal:
    if value is None or (isinstance(value, str) and not value.strip()):
        raise Invalid("a refund or compensation needs an amount")
    if isinstance(value, bool) or not isinstance(value, Decimal | int | float | str):
        raise Invalid("amount must be a number, e.g. 25.5")
    try:
        amount = Decimal(str(value).strip())
    except InvalidOperation:
        raise Invalid("amount must be a number, e.g. 25.5") from None
    if not amount.is_finite() or amount <= 0:
        raise Invalid("amount must be a positive number")
    exponent = amount.as_tuple().exponent
    if isinstance(exponent, int) and exponent < -AMOUNT_PLACES:
        raise Invalid("amount has at most {places} decimal places", places=AMOUNT_PLACES)
    if amount >= AMOUNT_LIMIT:
        raise Invalid("amount is too large")
    return amount


def _asset(value: object) -> str:
    if value is None or (isinstance(value, str) and not value.strip()):
        raise Invalid("a refund or compensation needs an asset, e.g. USDT or BTC")
    asset = value.strip().upper() if isinstance(value, str) else ""
    if not _ASSET.fullmatch(asset):
        raise Invalid("asset must be 1 to 20 letters or digits, e.g. USDT or BTC")
    return asset


def _stage(value: object) -> str:
    if not isinstance(value, str) or value not in STAGES:
        raise Invalid("unknown complaint stage {stage}; the stages are: {stages}",
                      stage=repr(value), stages=", ".join(STAGES))
    return value


def _stage_name(stage: str) -> Phrase:
    """A stage as a refusal names it (its words, translated with the refusal)."""
    return Phrase(texts.STAGE_NAMES.get(stage, stage))


def format_amount(amount: Decimal) -> str:
    """10.50000000 → "10.5" (never in exponent notation)."""
    text = f"{amount:f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


# shared steps -----------------------------------------------------------------------------------

async def _viewable_conversation(session: AsyncSession, actor: Agent, conversation_id: int,
                                 what: str = N_("conversation")) -> Conversation:
    conversation = await lock_conversation(session, conversation_id)
    if conversation is None or not can_view_conversation(actor, conversation):
        raise NotFound("{what} not found", what=Phrase(what))
    return conversation


async def _locked_complaint(session: AsyncSession, actor: Agent,
                            complaint_id: int) -> tuple[Complaint, Conversation]:
    """The complaint and its conversation, locked (conversation first, as every writer does);
    NotFound when the actor cannot see the conversation."""
    conversation_id = await session.scalar(
        select(Complaint.conversation_id).where(Complaint.id == complaint_id))
    if conversation_id is None:
        raise NotFound("complaint not found")
    conversation = await _viewable_conversation(session, actor, conversation_id,
                                          N_("complaint"))
    complaint = await session.scalar(
        select(Complaint).where(Complaint.id == complaint_id).with_for_update()
        .execution_options(populate_existing=True))
    if complaint is None:
        raise NotFound("complaint not found")
    return complaint, conversation


def _add_note(complaint: Complaint, actor: Agent, stage: str, note: str) -> None:
    if not note:
        return
    line = f"[{utcnow():%Y-%m-%d %H:%M} UTC] {stage}, {actor.display_name}: {note}"
    complaint.notes = f"{complaint.notes}\n{line}" if complaint.notes else line


def _jsonable(detail: dict[str, Any]) -> dict[str, Any]:
    return {key: format_amount(value) if isinstance(value, Decimal) else value
            for key, value in detail.items()}


async def _record(session: AsyncSession, actor: Agent, complaint: Complaint,
                  conversation: Conversation, stage: str, detail: dict[str, Any], *,
                  customer_text: str | None = None,
                  internal_note: tuple[str, dict[str, object]] | None = None) -> None:
    """The parts every change shares: the event, the audit entry, the conversation's
    messages (``internal_note``: texts.note's text and meta) and the live event."""
    now = utcnow()
    complaint.stage = stage
    complaint.stage_changed_at = now
    detail = _jsonable(detail)
    session.add(ComplaintEvent(complaint_id=complaint.id, stage=stage, actor_agent_id=actor.id,
                               at=now, detail=detail))
    record_audit(session, actor_agent_id=actor.id, action=f"complaint.{stage}",
                 target_type="complaint", target_id=complaint.id,
                 detail={"conversation_id": conversation.id, **detail})
    meta = {"kind": "complaint", "complaint_id": complaint.id, "stage": stage}
    if customer_text is not None:
        await append_message(session, conversation, sender_kind=SenderKind.system,
                             text=customer_text, meta=meta)
    if internal_note is not None:
        internal_text, note_meta = internal_note
        await append_message(session, conversation, sender_kind=SenderKind.system,
                             text=internal_text, internal=True, meta={**meta, **note_meta})
    emit(session, {"type": "complaint", "complaint_id": complaint.id,
                   "conversation_id": conversation.id, "stage": stage,
                   "team_id": conversation.team_id, "assignee_id": conversation.assignee_id})


async def _apply_complaint_sla(session: AsyncSession, conversation: Conversation) -> None:
    """Now that the conversation is a complaint, the policy that matches it (e.g. one for
    the "complaint" category) runs its clocks, counted from now. A conversation that does
    not need a person yet (bot) or any more (resolved, closed) gets its clocks when routed."""
    if conversation.status not in (Status.queued, Status.assigned, Status.waiting_customer):
        return
    policy = await policy_for(session, conversation)
    if policy is None or policy.id == conversation.sla_policy_id:
        return
    paused = conversation.sla_paused_at is not None
    conversation.sla_policy_id = None
    conversation.first_response_breached = False
    conversation.resolution_breached = False
    await start_sla(session, conversation)
    # waiting on the customer: the new resolution clock stands still until they write
    conversation.sla_paused_at = utcnow() if paused else None


# actions ----------------------------------------------------------------------------------------

async def open_complaint(services: Services, actor: Agent, conversation_id: int, *,
                         category: str, summary: str) -> Complaint:
    """Register the customer's complaint about a conversation (stage ``received``).

    One open complaint per conversation (Conflict otherwise). The conversation becomes
    category "complaint" (so an SLA policy for complaints applies) with priority at least 1,
    and the customer is told the complaint's reference number.
    """
    category = _text(category, N_("a category"), CATEGORY_MAX)
    summary = _text(summary, N_("a summary of the complaint"))
    async with services.transaction() as session:
        conversation = await _viewable_conversation(session, actor, conversation_id)
        existing = await session.scalar(select(Complaint.id).where(
            Complaint.conversation_id == conversation.id, Complaint.closed_at.is_(None)))
        if existing is not None:
            raise Conflict("this conversation already has an open complaint (#{complaint})",
                           complaint=existing)
        now = utcnow()
        complaint = Complaint(conversation_id=conversation.id,
                              customer_id=conversation.customer_id, stage="received",
                              category=category, summary=summary, notes="", opened_at=now,
                              stage_changed_at=now)
        session.add(complaint)
        await session.flush()
        conversation.category = COMPLAINT_CATEGORY
        conversation.priority = max(conversation.priority, MIN_PRIORITY)
        await _apply_complaint_sla(session, conversation)
        await _record(session, actor, complaint, conversation, "received",
                      {"category": category, "summary": summary},
                      customer_text=texts.text("complaint_received", conversation.language,
                                               ref=str(complaint.id)))
        emit_conversation_changed(session, conversation)
        return complaint


async def advance_complaint(services: Services, actor: Agent, complaint_id: int, stage: str,
                            **fields: Any) -> Complaint:
    """Move the complaint to the next stage, with the fields that stage needs (module doc).

    ``stage="closed"`` with a ``reason`` closes early from any stage (see close_complaint).
    """
    stage = _stage(stage)
    unexpected = sorted(set(fields) - STAGE_FIELDS.get(stage, frozenset()) - {"note"})
    if unexpected:
        raise Invalid("the stage {stage} takes no {fields}", stage=_stage_name(stage),
                      fields=", ".join(unexpected))
    follow_up = stage == "followed_up"  # the one stage whose note is required
    note = _text(fields.get("note"), N_("a note of the follow-up") if follow_up
                 else N_("a note"), required=follow_up)
    async with services.transaction() as session:
        complaint, conversation = await _locked_complaint(session, actor, complaint_id)
        if not complaint.is_open:
            raise Invalid("complaint #{complaint} is closed", complaint=complaint.id)
        current = STAGES.index(complaint.stage)
        wanted = STAGES.index(stage)
        if stage == "closed" and wanted != current + 1:
            if fields.get("reason") is None:
                raise Invalid("complaint #{complaint} is at stage {stage}; to close it before it "
                              "is followed up, give a reason", complaint=complaint.id,
                              stage=_stage_name(complaint.stage))
            await _close(session, actor, complaint, conversation,
                         _text(fields["reason"], N_("a reason for closing early"), REASON_MAX), note)
            return complaint
        if wanted <= current:
            raise Invalid("complaint #{complaint} is at stage {stage} already; stages only move "
                          "forward", complaint=complaint.id,
                          stage=_stage_name(complaint.stage))
        if wanted != current + 1:
            raise Invalid("complaint #{complaint} is at stage {stage}; the next stage is "
                          "{next_stage} (stages cannot be skipped)", complaint=complaint.id,
                          stage=_stage_name(complaint.stage),
                          next_stage=_stage_name(STAGES[current + 1]))
        step = _STEPS[stage]
        await step(services, session, actor, complaint, conversation, fields, note)
        return complaint


async def close_complaint(services: Services, actor: Agent, complaint_id: int, *,
                          reason: str) -> Complaint:
    """Close the complaint from any stage, e.g. "withdrawn by customer"; the reason is kept
    (close_reason, the event, the audit entry and an internal note). The customer is told
    that the complaint is closed, not why."""
    reason = _text(reason, N_("a reason for closing"), REASON_MAX)
    async with services.transaction() as session:
        complaint, conversation = await _locked_complaint(session, actor, complaint_id)
        if not complaint.is_open:
            raise Invalid("complaint #{complaint} is closed already", complaint=complaint.id)
        await _close(session, actor, complaint, conversation, reason, "")
        return complaint


# the stages -------------------------------------------------------------------------------------

async def _investigating(services: Services, session: AsyncSession, actor: Agent,
                         complaint: Complaint, conversation: Conversation, fields: dict[str, Any],
                         note: str) -> None:
    summary = _text(fields.get("summary"), N_("a summary of the issue"))
    owner_id = fields.get("owner_agent_id")
    if owner_id is None:
        owner_id = actor.id
    if isinstance(owner_id, bool) or not isinstance(owner_id, int):
        raise Invalid("owner_agent_id must be an agent's id")
    owner = await load_agent(session, owner_id)
    if owner is None or not owner.is_active:
        raise Invalid("the owner must be an active agent")
    if not can_view_conversation(owner, conversation):
        raise Invalid("the owner {name} cannot see this conversation", name=owner.display_name)
    complaint.owner_agent_id = owner.id
    complaint.summary = summary
    _add_note(complaint, actor, "investigating", note)
    await _record(session, actor, complaint, conversation, "investigating",
                  {"owner_agent_id": owner.id, "summary": summary, "note": note},
                  customer_text=texts.text("complaint_investigating", conversation.language,
                                           ref=str(complaint.id)))


async def _resolution_proposed(services: Services, session: AsyncSession, actor: Agent,
                               complaint: Complaint, conversation: Conversation,
                               fields: dict[str, Any], note: str) -> None:
    kind = fields.get("kind")
    if kind not in RESOLUTION_KINDS:
        raise Invalid("a proposed resolution needs a kind: {kinds}",
                      kinds=", ".join(RESOLUTION_KINDS))
    amount: Decimal | None = None
    asset: str | None = None
    if kind == "explanation":
        given = [name for name in ("amount", "asset")
                 if fields.get(name) not in (None, "")]
        if given:
            raise Invalid("an explanation takes no {fields}; propose a refund or a compensation "
                          "to pay something", fields=" or ".join(given))
    else:
        amount, asset = _amount(fields.get("amount")), _asset(fields.get("asset"))
    complaint.resolution_kind = kind
    complaint.amount = amount
    complaint.asset = asset
    complaint.proposed_by_agent_id = actor.id
    complaint.approved_by_agent_id = None
    _add_note(complaint, actor, "resolution_proposed", note)
    money = {} if amount is None else {"amount": format_amount(amount), "asset": asset}
    await _record(session, actor, complaint, conversation, "resolution_proposed",
                  {"kind": kind, "amount": amount, "asset": asset, "note": note},
                  internal_note=texts.note(f"proposed_{kind}", ref=str(complaint.id),
                                           name=actor.display_name, **money),
                  customer_text=texts.text("complaint_resolution_proposed",
                                           conversation.language, ref=str(complaint.id)))


async def _approved(services: Services, session: AsyncSession, actor: Agent,
                    complaint: Complaint, conversation: Conversation, fields: dict[str, Any],
                    note: str) -> None:
    threshold: Decimal = services.settings.complaint_approval_threshold
    amount = complaint.amount
    if amount is not None and amount > threshold:
        limit = f"{format_amount(threshold)} {complaint.asset}"
        if not is_manager(actor):
            raise Forbidden("a resolution above {limit} must be approved by a supervisor or an "
                            "admin", limit=limit)
        if actor.id == complaint.proposed_by_agent_id:
            raise Forbidden("a resolution above {limit} must be approved by someone other than "
                            "the agent who proposed it (four-eyes rule)", limit=limit)
    complaint.approved_by_agent_id = actor.id
    _add_note(complaint, actor, "approved", note)
    await _record(session, actor, complaint, conversation, "approved",
                  {"kind": complaint.resolution_kind, "amount": amount, "asset": complaint.asset,
                   "threshold": threshold, "note": note},
                  internal_note=texts.note("approved", ref=str(complaint.id),
                                           name=actor.display_name),
                  customer_text=texts.text("complaint_approved", conversation.language,
                                           ref=str(complaint.id)))


async def _customer_notified(services: Services, session: AsyncSession, actor: Agent,
                             complaint: Complaint, conversation: Conversation,
                             fields: dict[str, Any], note: str) -> None:
    kind = complaint.resolution_kind or "explanation"
    values = {"ref": str(complaint.id)}
    if complaint.amount is not None:
        values |= {"amount": format_amount(complaint.amount), "asset": complaint.asset or ""}
    _add_note(complaint, actor, "customer_notified", note)
    await _record(session, actor, complaint, conversation, "customer_notified",
                  {"kind": kind, "language": conversation.language, "note": note},
                  customer_text=texts.text(f"complaint_outcome_{kind}", conversation.language,
                                           **values))
    # the outcome is out: follow-up programmes for resolved complaints may call back
    await followup_after_complaint(session, services.settings, complaint_id=complaint.id,
                                   customer_id=complaint.customer_id)


async def _followed_up(services: Services, session: AsyncSession, actor: Agent,
                       complaint: Complaint, conversation: Conversation, fields: dict[str, Any],
                       note: str) -> None:
    _add_note(complaint, actor, "followed_up", note)
    await _record(session, actor, complaint, conversation, "followed_up", {"note": note},
                  internal_note=texts.note("followed_up", note, ref=str(complaint.id),
                                           name=actor.display_name),
                  customer_text=texts.text("complaint_followed_up", conversation.language,
                                           ref=str(complaint.id)))


async def _closed(services: Services, session: AsyncSession, actor: Agent,
                  complaint: Complaint, conversation: Conversation, fields: dict[str, Any],
                  note: str) -> None:
    reason = _text(fields.get("reason"), N_("a reason"), REASON_MAX, required=False)
    await _close(session, actor, complaint, conversation, reason or None, note)


async def _close(session: AsyncSession, actor: Agent, complaint: Complaint,
                 conversation: Conversation, reason: str | None, note: str) -> None:
    early = complaint.stage != "followed_up"
    complaint.closed_at = utcnow()
    complaint.close_reason = reason
    _add_note(complaint, actor, "closed", note)
    internal = None
    if reason:
        internal = texts.note("closed_early", reason, ref=str(complaint.id),
                              name=actor.display_name, stage=complaint.stage) if early \
            else texts.note("closed", reason, ref=str(complaint.id), name=actor.display_name)
    await _record(session, actor, complaint, conversation, "closed",
                  {"reason": reason, "early": early, "from_stage": complaint.stage,
                   "note": note},
                  customer_text=texts.text("complaint_closed", conversation.language,
                                           ref=str(complaint.id)),
                  internal_note=internal)


_STEPS = {
    "investigating": _investigating,
    "resolution_proposed": _resolution_proposed,
    "approved": _approved,
    "customer_notified": _customer_notified,
    "followed_up": _followed_up,
    "closed": _closed,
}
