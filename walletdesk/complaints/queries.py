"""Read-only selectors for complaints: lists, one complaint's history, time in each stage."""

import statistics
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Select, select
from sqlalchemy.ext.asyncio import AsyncSession

from walletdesk.accounts.access import can_view_conversation, visible_conversations
from walletdesk.accounts.models import Agent
from walletdesk.complaints.actions import STAGES
from walletdesk.complaints.models import Complaint, ComplaintEvent
from walletdesk.conversations.models import Conversation
from walletdesk.db.base import utcnow
from walletdesk.errors import Invalid, NotFound

LIST_LIMIT = 200
# the stages a complaint spends time in ("closed" is where it ends)
TIMED_STAGES = STAGES[:-1]


async def list_complaints(session: AsyncSession, agent: Agent, stage: str | None = None, *,
                          limit: int = LIST_LIMIT) -> list[Complaint]:
    """The complaints on conversations the agent can see, newest first; optionally those at
    one stage."""
    query = (select(Complaint).join(Conversation, Conversation.id == Complaint.conversation_id)
             .where(visible_conversations(agent)))
    if stage is not None:
        if stage not in STAGES:
            raise Invalid("unknown complaint stage {stage}; the stages are: {stages}",
                          stage=repr(stage), stages=", ".join(STAGES))
        query = query.where(Complaint.stage == stage)
    query = query.order_by(Complaint.opened_at.desc(), Complaint.id.desc())
    return list((await session.scalars(query.limit(min(max(limit, 1), LIST_LIMIT)))).all())


async def get_complaint(session: AsyncSession, agent: Agent, complaint_id: int) -> Complaint:
    """NotFound when it does not exist or the agent cannot see its conversation."""
    complaint = await session.get(Complaint, complaint_id)
    conversation = (await session.get(Conversation, complaint.conversation_id)
                    if complaint is not None else None)
    if complaint is None or conversation is None or not can_view_conversation(agent,
                                                                              conversation):
        raise NotFound("complaint not found")
    return complaint


async def complaint_history(session: AsyncSession, complaint_id: int) -> list[ComplaintEvent]:
    """The complaint's stage changes, oldest first (check access with get_complaint)."""
    return list((await session.scalars(
        select(ComplaintEvent).where(ComplaintEvent.complaint_id == complaint_id)
        .order_by(ComplaintEvent.at, ComplaintEvent.id))).all())


@dataclass(frozen=True)
class StageDuration:
    count: int  # stays in the stage (a complaint enters each stage at most once)
    average_s: float | None
    median_s: float | None
    max_s: float | None


async def stage_events(session: AsyncSession, complaint_ids: Select[tuple[int]]
                       ) -> dict[int, list[tuple[str, datetime]]]:
    """The stages each of these complaints entered, with when, in order."""
    rows = await session.execute(
        select(ComplaintEvent.complaint_id, ComplaintEvent.stage, ComplaintEvent.at)
        .where(ComplaintEvent.complaint_id.in_(complaint_ids))
        .order_by(ComplaintEvent.complaint_id, ComplaintEvent.at, ComplaintEvent.id))
    by_complaint: dict[int, list[tuple[str, datetime]]] = defaultdict(list)
    for complaint_id, stage, at in rows:
        by_complaint[complaint_id].append((stage, at))
    return by_complaint


async def stage_durations(session: AsyncSession, since: datetime, *,
                          now: datetime | None = None) -> dict[str, StageDuration]:
    """Seconds spent in each stage, for the stays that began at or after ``since``.

    A stay begins with the ComplaintEvent that entered the stage and ends with the
    complaint's next event; a complaint still in the stage counts up to ``now``. Every stage
    but "closed" is in the result, in order (count 0 and no figures when none).
    """
    now = now or utcnow()
    recent = select(ComplaintEvent.complaint_id).where(ComplaintEvent.at >= since)
    spent: dict[str, list[float]] = defaultdict(list)
    for events in (await stage_events(session, recent)).values():
        for index, (stage, began) in enumerate(events):
            if stage not in TIMED_STAGES or began < since:
                continue
            ended = events[index + 1][1] if index + 1 < len(events) else now
            spent[stage].append(max(0.0, (ended - began).total_seconds()))
    return {stage: _summary(spent.get(stage, [])) for stage in TIMED_STAGES}


def _summary(seconds: list[float]) -> StageDuration:
    if not seconds:
        return StageDuration(0, None, None, None)
    return StageDuration(count=len(seconds), average_s=round(statistics.fmean(seconds), 1),
                         median_s=round(statistics.median(seconds), 1), max_s=round(max(seconds), 1))
