"""Reading announcements and alerts (nothing here writes)."""

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from walletdesk.conversations.models import Message
from walletdesk.db.base import utcnow
from walletdesk.errors import NotFound
from walletdesk.incidents.models import (
    AlertStatus,
    Announcement,
    AnnouncementConversation,
    AnnouncementText,
    AnnouncementUpdate,
    IncidentStatus,
    SpikeAlert,
)
from walletdesk.incidents.texts import severity_name, status_name
from walletdesk.incidents.vocabulary import label
from walletdesk.kb.text import CHINESE, convert_chinese

HISTORY_LIMIT = 50
SAMPLE_CHARS = 300


@dataclass
class StatusStep:
    status: str
    status_name: str
    note: str
    at: datetime


@dataclass
class ShownAnnouncement:
    """An announcement in one reader's language."""

    id: int
    locale: str
    title: str
    body: str
    severity: str
    severity_name: str
    status: str
    status_name: str
    affected: list[str]  # labels of the affected chains/assets/features
    starts_at: datetime
    ends_at: datetime | None
    updated_at: datetime
    resolved_at: datetime | None
    steps: list[StatusStep] = field(default_factory=list)

    def as_json(self) -> dict[str, object]:
        return {"id": self.id, "locale": self.locale, "title": self.title, "body": self.body,
                "severity": self.severity, "severity_name": self.severity_name,
                "status": self.status, "status_name": self.status_name,
                "affected": self.affected, "starts_at": self.starts_at.isoformat(),
                "updated_at": self.updated_at.isoformat()}


def _pick(texts: dict[str, AnnouncementText], locale: str,
          default: str) -> tuple[str, str, str] | None:
    """(title, body, locale) in ``locale``; the other Chinese script converted; else the
    default language, English or any."""
    if locale in texts:
        return texts[locale].title, texts[locale].body, locale
    if locale in CHINESE:
        other = CHINESE[1 - CHINESE.index(locale)]
        if other in texts:
            return (convert_chinese(texts[other].title, locale),
                    convert_chinese(texts[other].body, locale), locale)
    for fallback in (default, "en", *sorted(texts)):
        if fallback in texts:
            return texts[fallback].title, texts[fallback].body, fallback
    return None


async def _texts(session: AsyncSession, ids: list[int]) -> dict[int, dict[str, AnnouncementText]]:
    out: dict[int, dict[str, AnnouncementText]] = {i: {} for i in ids}
    if ids:
        for row in await session.scalars(select(AnnouncementText)
                                         .where(AnnouncementText.announcement_id.in_(ids))):
            out[row.announcement_id][row.locale] = row
    return out


async def shown(session: AsyncSession, announcements: list[Announcement], locale: str,
                default: str = "en", with_steps: bool = False) -> list[ShownAnnouncement]:
    texts = await _texts(session, [a.id for a in announcements])
    steps: dict[int, list[AnnouncementUpdate]] = {a.id: [] for a in announcements}
    if with_steps and announcements:
        for step in await session.scalars(
                select(AnnouncementUpdate)
                .where(AnnouncementUpdate.announcement_id.in_([a.id for a in announcements]))
                .order_by(AnnouncementUpdate.created_at, AnnouncementUpdate.id)):
            steps[step.announcement_id].append(step)
    out = []
    for a in announcements:
        picked = _pick(texts[a.id], locale, default)
        if picked is None:
            continue
        title, body, used = picked
        out.append(ShownAnnouncement(
            id=a.id, locale=used, title=title, body=body, severity=a.severity,
            severity_name=severity_name(a.severity, locale), status=a.status,
            status_name=status_name(a.status, locale), affected=[label(k) for k in a.affected],
            starts_at=a.starts_at, ends_at=a.ends_at, updated_at=a.updated_at,
            resolved_at=a.resolved_at,
            steps=[StatusStep(s.status, status_name(s.status, locale),
                              localized_note(s.notes, locale, default), s.created_at)
                   for s in steps[a.id]]))
    return out


def localized_note(notes: dict[str, str], locale: str, default: str) -> str:
    if locale in notes:
        return notes[locale]
    if locale in CHINESE and CHINESE[1 - CHINESE.index(locale)] in notes:
        return convert_chinese(notes[CHINESE[1 - CHINESE.index(locale)]], locale)
    for fallback in (default, "en", *sorted(notes)):
        if fallback in notes:
            return notes[fallback]
    return ""


def _active(now: datetime):  # type: ignore[no-untyped-def]
    return (Announcement.published.is_(True), Announcement.status != IncidentStatus.resolved,
            Announcement.starts_at <= now,
            or_(Announcement.ends_at.is_(None), Announcement.ends_at > now))


async def active_announcement_rows(session: AsyncSession,
                                   now: datetime | None = None) -> list[Announcement]:
    """Published, not resolved, within their window; the most severe and newest first."""
    rows = (await session.scalars(select(Announcement).where(*_active(now or utcnow()))
                                  .order_by(Announcement.starts_at.desc(),
                                            Announcement.id.desc()))).all()
    order = ["critical", "major", "minor", "maintenance"]
    return sorted(rows, key=lambda a: order.index(a.severity) if a.severity in order else 9)


async def active_announcements(session: AsyncSession, locale: str, *, default: str = "en",
                               now: datetime | None = None) -> list[ShownAnnouncement]:
    """What the widget, the help centre and the status page show now, in ``locale``."""
    return await shown(session, list(await active_announcement_rows(session, now)), locale,
                       default)


async def announcement_history(session: AsyncSession, locale: str, *, default: str = "en",
                               limit: int = HISTORY_LIMIT) -> list[ShownAnnouncement]:
    """Every published announcement, newest first, with its status steps (the status page)."""
    rows = (await session.scalars(select(Announcement).where(Announcement.published.is_(True))
                                  .order_by(Announcement.starts_at.desc(),
                                            Announcement.id.desc()).limit(limit))).all()
    return await shown(session, list(rows), locale, default, with_steps=True)


async def get_announcement(session: AsyncSession, announcement_id: int) -> Announcement:
    announcement = await session.get(Announcement, announcement_id)
    if announcement is None:
        raise NotFound("announcement not found")
    return announcement


async def announcement_texts(session: AsyncSession,
                             announcement_id: int) -> dict[str, AnnouncementText]:
    return (await _texts(session, [announcement_id]))[announcement_id]


async def announcement_steps(session: AsyncSession,
                             announcement_id: int) -> list[AnnouncementUpdate]:
    return list((await session.scalars(
        select(AnnouncementUpdate).where(AnnouncementUpdate.announcement_id == announcement_id)
        .order_by(AnnouncementUpdate.created_at, AnnouncementUpdate.id))).all())


async def list_announcements(session: AsyncSession, limit: int = 100) -> list[Announcement]:
    return list((await session.scalars(select(Announcement)
                                       .order_by(Announcement.created_at.desc(),
                                                 Announcement.id.desc()).limit(limit))).all())


async def linked_counts(session: AsyncSession, ids: list[int]) -> dict[int, tuple[int, int]]:
    """Per announcement: (conversations linked, of which told of the resolution)."""
    if not ids:
        return {}
    rows = await session.execute(
        select(AnnouncementConversation.announcement_id, func.count(),
               func.count(AnnouncementConversation.notified_at))
        .where(AnnouncementConversation.announcement_id.in_(ids))
        .group_by(AnnouncementConversation.announcement_id))
    return {aid: (int(total), int(told)) for aid, total, told in rows}


async def list_alerts(session: AsyncSession, *, status: str | None = None,
                      limit: int = 50) -> list[SpikeAlert]:
    query = select(SpikeAlert).order_by(SpikeAlert.created_at.desc(), SpikeAlert.id.desc())
    if status:
        query = query.where(SpikeAlert.status == status)
    return list((await session.scalars(query.limit(limit))).all())


async def open_alert_count(session: AsyncSession) -> int:
    return int(await session.scalar(select(func.count()).select_from(SpikeAlert)
                                    .where(SpikeAlert.status == AlertStatus.open)) or 0)


async def sample_texts(session: AsyncSession, message_ids: list[int]) -> dict[int, str]:
    """The sample messages as stored (protected on the way in), cut short; erased ones are
    simply missing."""
    if not message_ids:
        return {}
    rows = await session.execute(select(Message.id, Message.text)
                                 .where(Message.id.in_(message_ids)))
    return {mid: (text or "")[:SAMPLE_CHARS] for mid, text in rows}


async def announcement_payload(session: AsyncSession,
                               announcement: Announcement) -> dict[str, object]:
    """An announcement as the API and the admin page show it: every locale, its history."""
    texts = await announcement_texts(session, announcement.id)
    total, told = (await linked_counts(session, [announcement.id])).get(announcement.id, (0, 0))
    return {
        "id": announcement.id, "severity": announcement.severity,
        "status": announcement.status, "published": announcement.published,
        "affected": list(announcement.affected),
        "contact_reasons": list(announcement.contact_reasons),
        "starts_at": announcement.starts_at, "ends_at": announcement.ends_at,
        "created_at": announcement.created_at, "updated_at": announcement.updated_at,
        "published_at": announcement.published_at, "resolved_at": announcement.resolved_at,
        "texts": {locale: {"title": row.title, "body": row.body}
                  for locale, row in sorted(texts.items())},
        "history": [{"status": step.status, "notes": dict(step.notes), "at": step.created_at}
                    for step in await announcement_steps(session, announcement.id)],
        "conversations": total, "told": told,
    }


async def alert_payloads(session: AsyncSession,
                         alerts: list[SpikeAlert]) -> list[dict[str, object]]:
    """Alerts with their sample messages' texts (as stored: protected)."""
    ids = [mid for alert in alerts for mid in alert.sample_message_ids]
    found = await sample_texts(session, ids)
    conversations = dict((await session.execute(
        select(Message.id, Message.conversation_id).where(Message.id.in_(list(found)))
    )).all()) if found else {}
    return [{"id": a.id, "interval_start": a.interval_start, "interval_end": a.interval_end,
             "signals": [{**s, "label": label(str(s["key"])) if s["kind"] == "term"
                          else str(s["key"])} for s in a.signals],
             "samples": [{"message_id": mid, "conversation_id": conversations.get(mid),
                          "text": found[mid]} for mid in a.sample_message_ids if mid in found],
             "status": a.status, "announcement_id": a.announcement_id,
             "intervals": a.intervals, "created_at": a.created_at, "updated_at": a.updated_at}
            for a in alerts]
