"""Announcements: create, edit, publish, advance their status, link the conversations that
asked about them. Each function acts inside the caller's transaction (``session``); the
texts are checked and protected (walletdesk.safety) before they are stored.

Resolving an announcement schedules one ``incidents.resolved_notice`` job per linked
conversation (walletdesk.incidents.notify): the customers who asked are told once, in their
conversation's channel and language.
"""

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from walletdesk.accounts.models import Agent
from walletdesk.audit.actions import record_audit
from walletdesk.db.base import utcnow
from walletdesk.errors import Invalid, NotFound
from walletdesk.i18n import Phrase, kb_locale
from walletdesk.incidents.models import (
    STATUS_ORDER,
    Announcement,
    AnnouncementConversation,
    AnnouncementText,
    AnnouncementUpdate,
    IncidentStatus,
    LinkSource,
    Severity,
)
from walletdesk.incidents.texts import STATUS_NAMES
from walletdesk.incidents.vocabulary import BY_KEY
from walletdesk.jobs.actions import schedule_job
from walletdesk.safety.protect import protect_text

MAX_TITLE_CHARS = 200
MAX_BODY_CHARS = 4000
MAX_NOTE_CHARS = 2000
MAX_REASONS = 20
MAX_REASON_CHARS = 80
RESOLVED_NOTICE_JOB = "incidents.resolved_notice"


@dataclass
class AnnouncementFields:
    """What an editor sets: texts per locale {locale: (title, body)} and the rest."""

    texts: dict[str, tuple[str, str]]
    severity: str = Severity.minor
    affected: list[str] = field(default_factory=list)
    contact_reasons: list[str] = field(default_factory=list)
    starts_at: datetime | None = None
    ends_at: datetime | None = None
    published: bool = False


def _clean_texts(texts: dict[str, tuple[str, str]]) -> dict[str, tuple[str, str]]:
    cleaned: dict[str, tuple[str, str]] = {}
    for tag, (title, body) in texts.items():
        title, body = (title or "").strip(), (body or "").strip()
        if not title and not body:
            continue  # an empty locale is no translation
        try:
            locale = kb_locale(tag)
        except ValueError as exc:
            raise Invalid("locale: {reason}; use a language tag such as en, zh-Hans",
                          reason=str(exc)) from None
        if not title:
            raise Invalid("{locale}: a title is required", locale=locale)
        if len(title) > MAX_TITLE_CHARS or len(body) > MAX_BODY_CHARS:
            raise Invalid("{locale}: title ≤ {title_max} and body ≤ {body_max} characters",
                          locale=locale, title_max=MAX_TITLE_CHARS, body_max=MAX_BODY_CHARS)
        cleaned[locale] = (protect_text(title).text[:MAX_TITLE_CHARS],
                           protect_text(body).text[:MAX_BODY_CHARS])
    if not cleaned:
        raise Invalid("an announcement needs a title in at least one language")
    return cleaned


def _clean_fields(fields: AnnouncementFields) -> AnnouncementFields:
    if fields.severity not in Severity.__members__:
        raise Invalid("severity must be one of {choices}", choices=", ".join(Severity))
    unknown = [key for key in fields.affected if key.strip().lower() not in BY_KEY]
    if unknown:
        raise Invalid("unknown affected chain/asset/feature: {unknown} (known: {known})",
                      unknown=", ".join(unknown[:5]), known=", ".join(BY_KEY))
    reasons = list(dict.fromkeys(r.strip() for r in fields.contact_reasons if r.strip()))
    if len(reasons) > MAX_REASONS or any(len(r) > MAX_REASON_CHARS for r in reasons):
        raise Invalid("at most {max} contact reasons of ≤ {max_chars} characters", max=MAX_REASONS,
                      max_chars=MAX_REASON_CHARS)
    if fields.starts_at and fields.ends_at and fields.ends_at <= fields.starts_at:
        raise Invalid("the active window must end after it starts")
    return AnnouncementFields(
        texts=_clean_texts(fields.texts), severity=fields.severity,
        affected=list(dict.fromkeys(k.strip().lower() for k in fields.affected)),
        contact_reasons=reasons, starts_at=fields.starts_at, ends_at=fields.ends_at,
        published=fields.published)


async def _set_texts(session: AsyncSession, announcement: Announcement,
                     texts: dict[str, tuple[str, str]]) -> None:
    rows = {row.locale: row for row in await session.scalars(
        select(AnnouncementText).where(AnnouncementText.announcement_id == announcement.id))}
    for locale, (title, body) in texts.items():
        row = rows.pop(locale, None)
        if row is None:
            session.add(AnnouncementText(announcement_id=announcement.id, locale=locale,
                                         title=title, body=body))
        else:
            row.title, row.body = title, body
    for row in rows.values():
        await session.delete(row)


async def create_announcement(session: AsyncSession, actor: Agent | None,
                              fields: AnnouncementFields, *,
                              status: IncidentStatus = IncidentStatus.investigating
                              ) -> Announcement:
    """A new announcement (a draft unless ``fields.published``); ``actor`` None: the detector."""
    fields = _clean_fields(fields)
    now = utcnow()
    announcement = Announcement(
        severity=fields.severity, status=status, published=fields.published,
        affected=fields.affected, contact_reasons=fields.contact_reasons,
        starts_at=fields.starts_at or now, ends_at=fields.ends_at,
        created_by_id=actor.id if actor else None, created_at=now, updated_at=now,
        published_at=now if fields.published else None)
    session.add(announcement)
    await session.flush()
    await _set_texts(session, announcement, fields.texts)
    session.add(AnnouncementUpdate(announcement_id=announcement.id, status=status, notes={},
                                   agent_id=actor.id if actor else None, created_at=now))
    record_audit(session, actor_agent_id=actor.id if actor else None,
                 action="announcement.create", target_type="announcement",
                 target_id=announcement.id, detail={"published": fields.published})
    return announcement


async def locked_announcement(session: AsyncSession, announcement_id: int) -> Announcement:
    announcement = await session.scalar(select(Announcement)
                                        .where(Announcement.id == announcement_id)
                                        .with_for_update())
    if announcement is None:
        raise NotFound("announcement not found")
    return announcement


async def update_announcement(session: AsyncSession, actor: Agent, announcement_id: int,
                              fields: AnnouncementFields) -> Announcement:
    """Edit texts, severity, what it affects, the window; publish (or take it back)."""
    fields = _clean_fields(fields)
    announcement = await locked_announcement(session, announcement_id)
    now = utcnow()
    announcement.severity = Severity(fields.severity)
    announcement.affected = fields.affected
    announcement.contact_reasons = fields.contact_reasons
    announcement.starts_at = fields.starts_at or announcement.starts_at
    announcement.ends_at = fields.ends_at
    if fields.published and not announcement.published:
        announcement.published_at = now
    announcement.published = fields.published
    announcement.updated_at = now
    await _set_texts(session, announcement, fields.texts)
    record_audit(session, actor_agent_id=actor.id, action="announcement.update",
                 target_type="announcement", target_id=announcement.id,
                 detail={"published": fields.published})
    return announcement


async def advance_announcement(session: AsyncSession, actor: Agent, announcement_id: int,
                               status: str, notes: dict[str, str] | None = None
                               ) -> Announcement:
    """The next status (forward only; a step may be skipped), with an optional note per
    locale for the public history. Resolving tells the customers who asked about it."""
    if status not in IncidentStatus.__members__:
        raise Invalid("status must be one of {choices}", choices=", ".join(IncidentStatus))
    target = IncidentStatus(status)
    announcement = await locked_announcement(session, announcement_id)
    if STATUS_ORDER.index(target) <= STATUS_ORDER.index(announcement.status):
        raise Invalid("the status can only move forward from {status}",
                      status=Phrase(STATUS_NAMES[announcement.status]))
    cleaned: dict[str, str] = {}
    for tag, note in (notes or {}).items():
        note = (note or "").strip()
        if not note:
            continue
        try:
            locale = kb_locale(tag)
        except ValueError:
            raise Invalid("note: unknown language {tag}", tag=repr(tag[:20])) from None
        cleaned[locale] = protect_text(note).text[:MAX_NOTE_CHARS]
    now = utcnow()
    announcement.status = target
    announcement.updated_at = now
    session.add(AnnouncementUpdate(announcement_id=announcement.id, status=target,
                                   notes=cleaned, agent_id=actor.id, created_at=now))
    if target == IncidentStatus.resolved:
        announcement.resolved_at = now
        if announcement.ends_at is None or announcement.ends_at > now:
            announcement.ends_at = now
        if announcement.published:
            await schedule_resolved_notices(session, announcement.id)
    record_audit(session, actor_agent_id=actor.id, action="announcement.status",
                 target_type="announcement", target_id=announcement.id,
                 detail={"status": str(target)})
    return announcement


async def schedule_resolved_notices(session: AsyncSession, announcement_id: int) -> int:
    """One job per linked conversation not told yet; the dedupe key makes it once each."""
    links = (await session.scalars(select(AnnouncementConversation.id).where(
        AnnouncementConversation.announcement_id == announcement_id,
        AnnouncementConversation.notified_at.is_(None)))).all()
    for link_id in links:
        await schedule_job(session, RESOLVED_NOTICE_JOB, {"link_id": link_id},
                           dedupe_key=f"incident-resolved:{link_id}")
    return len(links)


async def link_conversation(session: AsyncSession, announcement_id: int, conversation_id: int,
                            source: LinkSource, language: str | None = None) -> bool:
    """Remember that this conversation asked about the announcement (``language``: the one
    they asked in); False if it already was (also when two processes link it at once)."""
    values = {"announcement_id": announcement_id, "conversation_id": conversation_id,
              "source": source, "language": language, "created_at": utcnow()}
    if session.bind.dialect.name == "postgresql":
        statement: Any = postgresql_insert(AnnouncementConversation).values(**values)
    else:
        statement = sqlite_insert(AnnouncementConversation).values(**values)
    result = await session.execute(statement.on_conflict_do_nothing(
        index_elements=["announcement_id", "conversation_id"]))
    return bool(result.rowcount)  # type: ignore[attr-defined]
