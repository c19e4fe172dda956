"""Spike detection: new conversations per contact reason and per chain/asset/feature word,
per interval (5 minutes by default), against the same time of week of the last weeks.

``detect_spikes(session, settings, now)`` reads (it writes nothing): it counts the interval
that ended last before ``now`` and, for every key seen at least ``spike_min_count`` times,
the same slot (± ``spike_neighbour_intervals``) of each of the last ``spike_baseline_weeks``
weeks since the desk's first conversation, and returns the keys whose count is a spike
(walletdesk.incidents.baseline). ``raise_spike_alert`` records them (walletdesk.incidents.alerts)
and the ``incidents.detect`` job runs both after every interval.

The unit is a conversation started in the interval. Its reason is the one known in its first
minutes, the same for the interval and its history: the conversation's category (chosen in
the widget or set by an agent), else the category of the article the bot first answered or
suggested, else its first label (the contact reason an agent picks at the end comes later,
so it is not used here). Its words are those of its customer messages written in the
interval.
"""

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import and_, func, literal, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from walletdesk.config import Settings
from walletdesk.conversations.models import Conversation, Message, SenderKind
from walletdesk.conversations.reasons import reason_key
from walletdesk.incidents.baseline import Assessment, assess
from walletdesk.incidents.vocabulary import terms_in
from walletdesk.reports.filters import bot_category_and_first_label

SAMPLES_PER_SIGNAL = 3
EPOCH = datetime(2000, 1, 3, tzinfo=UTC)  # a Monday: intervals are counted from here


@dataclass
class WindowCounts:
    """One interval's conversations per key, and (for the interval itself) sample messages."""

    counts: Counter[tuple[str, str]] = field(default_factory=Counter)
    samples: dict[tuple[str, str], list[int]] = field(default_factory=lambda: defaultdict(list))


@dataclass(frozen=True)
class Signal:
    kind: str  # "reason" or "term"
    key: str
    assessment: Assessment

    def as_json(self) -> dict[str, Any]:
        a = self.assessment
        return {"kind": self.kind, "key": self.key, "observed": a.observed,
                "expected": a.expected, "threshold": a.threshold, "score": a.score}


@dataclass
class Detection:
    interval_start: datetime
    interval_end: datetime
    signals: list[Signal]
    sample_message_ids: dict[tuple[str, str], list[int]]
    history_weeks: int


def interval_of(settings: Settings) -> timedelta:
    return timedelta(minutes=settings.spike_interval_minutes)


def interval_floor(moment: datetime, interval: timedelta) -> datetime:
    """The start of the interval ``moment`` falls in (aligned on Monday 00:00 UTC)."""
    steps = (moment - EPOCH) // interval
    return EPOCH + steps * interval


def _early_reason() -> Any:
    bot_category, first_label = bot_category_and_first_label()
    return func.coalesce(func.nullif(Conversation.category, ""), func.nullif(bot_category, ""),
                         first_label, literal(""))


async def count_windows(session: AsyncSession, windows: list[tuple[datetime, datetime]],
                        with_samples: bool = False) -> list[WindowCounts]:
    """Per window [start, end): the conversations started in it, per reason and per word."""
    out = [WindowCounts() for _ in windows]
    if not windows:
        return out
    started = or_(*[and_(Conversation.created_at >= s, Conversation.created_at < e)
                    for s, e in windows])

    def window_index(at: datetime) -> int | None:
        for n, (s, e) in enumerate(windows):
            if s <= at < e:
                return n
        return None

    where: dict[int, int] = {}
    for cid, created_at, reason in await session.execute(
            select(Conversation.id, Conversation.created_at, _early_reason()).where(started)):
        n = window_index(created_at)
        if n is None:
            continue
        where[cid] = n
        if reason:  # a category and a label named as it are one reason, one baseline
            out[n].counts[("reason", reason_key(reason))] += 1
    if not where:
        return out
    words: dict[int, set[str]] = defaultdict(set)
    rows = await session.execute(
        select(Message.id, Message.conversation_id, Message.created_at, Message.text)
        .join(Conversation, Conversation.id == Message.conversation_id)
        .where(started, Message.sender_kind == SenderKind.customer,
               Message.is_internal.is_(False))
        .order_by(Message.conversation_id, Message.seq))
    for message_id, cid, created_at, text in rows:
        n = where.get(cid)
        if n is None or created_at >= windows[n][1]:
            continue
        for key in terms_in(text or ""):
            if key not in words[cid] and with_samples and \
                    len(out[n].samples[("term", key)]) < SAMPLES_PER_SIGNAL:
                out[n].samples[("term", key)].append(message_id)
            words[cid].add(key)
    for cid, keys in words.items():
        for key in keys:
            out[where[cid]].counts[("term", key)] += 1
    return out


async def detect_spikes(session: AsyncSession, settings: Settings,
                        now: datetime) -> Detection:
    """The spikes of the interval that ended last before ``now`` (nothing written)."""
    interval = interval_of(settings)
    end = interval_floor(now, interval)
    start = end - interval
    detection = Detection(start, end, [], {}, 0)
    first = await session.scalar(select(func.min(Conversation.created_at)))
    if first is None:
        return detection
    history: list[tuple[datetime, datetime]] = []
    weeks = 0
    for week in range(1, settings.spike_baseline_weeks + 1):
        slot = start - timedelta(weeks=week)
        if slot < first:
            break  # the desk did not exist yet: no data is not "zero contacts"
        weeks += 1
        for shift in range(-settings.spike_neighbour_intervals,
                           settings.spike_neighbour_intervals + 1):
            history.append((slot + shift * interval, slot + (shift + 1) * interval))
    detection.history_weeks = weeks
    if weeks < settings.spike_min_history_weeks:
        return detection
    current = await _count_with_reason_samples(session, start, end)
    candidates = [key for key, count in current.counts.items()
                  if count >= settings.spike_min_count]
    if not candidates:
        return detection
    past = await count_windows(session, history)
    for kind, key in sorted(candidates):
        result = assess(current.counts[(kind, key)],
                        [window.counts[(kind, key)] for window in past],
                        min_count=settings.spike_min_count, threshold=settings.spike_threshold,
                        min_ratio=settings.spike_min_ratio)
        if result.is_spike:
            detection.signals.append(Signal(kind, key, result))
            detection.sample_message_ids[(kind, key)] = \
                current.samples[(kind, key)][:SAMPLES_PER_SIGNAL]
    return detection


async def _count_with_reason_samples(session: AsyncSession, start: datetime,
                                     end: datetime) -> WindowCounts:
    """The interval's counts, with sample messages per word and per reason."""
    counts = (await count_windows(session, [(start, end)], with_samples=True))[0]
    reasons = dict((await session.execute(
        select(Conversation.id, _early_reason())
        .where(Conversation.created_at >= start, Conversation.created_at < end))).all())
    firsts = await session.execute(
        select(Message.conversation_id, func.min(Message.id))
        .join(Conversation, Conversation.id == Message.conversation_id)
        .where(Conversation.created_at >= start, Conversation.created_at < end,
               Message.sender_kind == SenderKind.customer, Message.is_internal.is_(False),
               Message.created_at < end)
        .group_by(Message.conversation_id).order_by(func.min(Message.id).desc()))
    for cid, message_id in firsts:
        reason = reason_key(reasons[cid]) if reasons.get(cid) else None
        if reason and len(counts.samples[("reason", reason)]) < SAMPLES_PER_SIGNAL:
            counts.samples[("reason", reason)].append(message_id)
    return counts
