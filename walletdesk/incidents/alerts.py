"""Spike alerts: record what the detector found, propose an announcement, and tell the
supervisors — in the workspace (the alert row), by e-mail and by webhook, each a durable job
with retries (walletdesk.jobs).

The alert keeps sample message *ids*; the mail and the webhook read the texts when they are
sent (protected on the way in; a customer erased meanwhile is simply missing). A key that
already alerted within ``spike_cooldown_minutes`` adds to that alert instead of a new one.
The webhook body is signed: ``X-Walletdesk-Signature: sha256=<hex HMAC-SHA256 of
"<timestamp>.<body>" with spike_webhook_secret>`` and ``X-Walletdesk-Timestamp``.
"""

import hashlib
import hmac
import json
import time
from datetime import timedelta
from typing import Any

import httpx
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from walletdesk import i18n
from walletdesk.accounts.models import Agent, Role
from walletdesk.audit.actions import record_audit
from walletdesk.config import Settings
from walletdesk.conversations.models import Message
from walletdesk.conversations.reasons import merged_reasons, shares_reason
from walletdesk.db.base import utcnow
from walletdesk.errors import Invalid, NotFound
from walletdesk.incidents import texts
from walletdesk.incidents.actions import AnnouncementFields, create_announcement
from walletdesk.incidents.models import AlertStatus, Announcement, IncidentStatus, SpikeAlert
from walletdesk.incidents.queries import active_announcement_rows, sample_texts
from walletdesk.incidents.spikes import Detection
from walletdesk.incidents.vocabulary import label
from walletdesk.jobs.actions import schedule_job
from walletdesk.jobs.models import Job
from walletdesk.jobs.registry import JobContext, PermanentJobError, job_handler
from walletdesk.services import Services

ALERT_MAIL_JOB = "incidents.alert_mail"
ALERT_WEBHOOK_JOB = "incidents.alert_webhook"
WEBHOOK_TIMEOUT_S = 10.0
MAX_SAMPLES = 6


def signal_subject(signal: dict[str, Any], language: str | None) -> str:
    """What a signal is about, for people: a chain/asset/feature name or a contact reason."""
    if signal["kind"] == "term":
        return label(str(signal["key"]))
    return i18n.category_name(str(signal["key"]), language)


def _subject(signals: list[dict[str, Any]], language: str | None) -> str:
    return ", ".join(dict.fromkeys(signal_subject(s, language) for s in signals))


def _covered(signal: dict[str, Any], alert: SpikeAlert) -> bool:
    return any(s["kind"] == signal["kind"] and s["key"] == signal["key"] for s in alert.signals)


async def _proposal(session: AsyncSession, signals: list[dict[str, Any]]) -> Announcement:
    """The announcement an alert proposes: a published, unresolved one that already names
    what rose, else a new draft in every customer language for a supervisor to edit."""
    terms = [str(s["key"]) for s in signals if s["kind"] == "term"]
    reasons = [str(s["key"]) for s in signals if s["kind"] == "reason"]
    for existing in await active_announcement_rows(session):
        if set(terms) & set(existing.affected) \
                or shares_reason(reasons, existing.contact_reasons):  # any code of a reason
            return existing
    drafts = {locale: (texts.text("draft_title", locale, subject=_subject(signals, locale)),
                       texts.text("draft_body", locale, subject=_subject(signals, locale)))
              for locale in i18n.SUPPORTED}
    return await create_announcement(session, None, AnnouncementFields(
        texts=drafts, severity="minor", affected=terms, contact_reasons=reasons,
        published=False), status=IncidentStatus.investigating)


async def alert_recipients(session: AsyncSession,
                           settings: Settings) -> list[tuple[str, str | None]]:
    """(address, language): the configured addresses, else every active supervisor/admin;
    none without outgoing mail (WALLETDESK_SMTP_HOST): the alert is on the incidents page and
    in the workspaces, and a mail job could only fail (the demo's did, every spike)."""
    if not settings.smtp_host:
        return []
    if settings.spike_alert_emails:
        return [(address, None) for address in settings.spike_alert_emails]
    rows = await session.execute(select(Agent.email, Agent.interface_locale).where(
        Agent.is_active.is_(True), Agent.role.in_((Role.admin, Role.supervisor)))
        .order_by(Agent.id))
    return [(email, locale) for email, locale in rows]


def _still_high(alert: SpikeAlert, detection: Detection, now: Any) -> None:
    alert.intervals += 1
    alert.interval_end = detection.interval_end
    alert.updated_at = now


async def _join(session: AsyncSession, alert: SpikeAlert,
                fresh: list[tuple[dict[str, Any], list[int]]], detection: Detection,
                now: Any) -> None:
    """More keys rising right after an open alert: the same incident. The alert and, while
    it is still the detector's draft, its proposed announcement name them too."""
    if alert.interval_end < detection.interval_end:
        _still_high(alert, detection, now)
    alert.signals = [*alert.signals, *(data for data, _ in fresh)]
    samples = list(alert.sample_message_ids)
    for _, ids in fresh:
        samples += [i for i in ids if i not in samples]
    alert.sample_message_ids = samples[:MAX_SAMPLES]
    draft = await session.get(Announcement, alert.announcement_id) \
        if alert.announcement_id else None
    if draft is not None and not draft.published and draft.created_by_id is None:
        draft.affected = list(dict.fromkeys([*draft.affected, *(
            str(d["key"]) for d, _ in fresh if d["kind"] == "term")]))
        draft.contact_reasons = merged_reasons([*draft.contact_reasons, *(  # each reason once
            str(d["key"]) for d, _ in fresh if d["kind"] == "reason")])
        draft.updated_at = now


async def raise_spike_alert(session: AsyncSession, settings: Settings,
                            detection: Detection) -> SpikeAlert | None:
    """Record the detection's spikes and return the alert holding them (None: no spike).

    A key that alerted within the cool-down is counted on that alert (``intervals``); rises
    of other keys in the interval right after an open alert join it (one incident, one
    alert); otherwise a new alert proposes an announcement, and the mail and the webhook are
    scheduled — only for a new alert, so nobody is told twice."""
    if not detection.signals:
        return None
    now = utcnow()
    recent = (await session.scalars(
        select(SpikeAlert).where(
            SpikeAlert.status.in_((AlertStatus.open, AlertStatus.acknowledged)),
            SpikeAlert.updated_at >= now - timedelta(minutes=settings.spike_cooldown_minutes))
        .order_by(SpikeAlert.id.desc()).with_for_update())).all()
    fresh: list[tuple[dict[str, Any], list[int]]] = []
    holder: SpikeAlert | None = None
    for signal in detection.signals:
        data = signal.as_json()
        earlier = next((alert for alert in recent if _covered(data, alert)), None)
        if earlier is None:
            fresh.append((data, detection.sample_message_ids.get((signal.kind, signal.key), [])))
            continue
        holder = holder or earlier
        if earlier.interval_end < detection.interval_end:
            _still_high(earlier, detection, now)
        earlier.signals = [
            {**s, "observed": max(int(s["observed"]), int(data["observed"]))}
            if (s["kind"], s["key"]) == (data["kind"], data["key"]) else s
            for s in earlier.signals]
    if not fresh:
        return holder
    ongoing = holder or next((a for a in recent if a.status == AlertStatus.open
                              and a.interval_end >= detection.interval_start), None)
    if ongoing is not None:
        await _join(session, ongoing, fresh, detection, now)
        return ongoing
    samples: list[int] = []
    for _, ids in fresh:
        samples += [i for i in ids if i not in samples]
    signals = [data for data, _ in fresh]
    proposal = await _proposal(session, signals)
    alert = SpikeAlert(interval_start=detection.interval_start,
                       interval_end=detection.interval_end, signals=signals,
                       sample_message_ids=samples[:MAX_SAMPLES], status=AlertStatus.open,
                       announcement_id=proposal.id, intervals=1, created_at=now,
                       updated_at=now)
    session.add(alert)
    await session.flush()
    for address, language in await alert_recipients(session, settings):
        digest = hashlib.sha256(address.lower().encode()).hexdigest()[:16]
        await schedule_job(session, ALERT_MAIL_JOB,
                           {"alert_id": alert.id, "to": address, "language": language},
                           dedupe_key=f"spike-mail:{alert.id}:{digest}")
    if settings.spike_webhook_url:
        await schedule_job(session, ALERT_WEBHOOK_JOB, {"alert_id": alert.id},
                           dedupe_key=f"spike-webhook:{alert.id}", max_attempts=10)
    record_audit(session, actor_agent_id=None, action="spike_alert.raise",
                 target_type="spike_alert", target_id=alert.id,
                 detail={"keys": [f"{s['kind']}:{s['key']}" for s in signals]})
    return alert


async def handle_alert(session: AsyncSession, actor: Agent, alert_id: int,
                       status: str) -> SpikeAlert:
    """A supervisor acknowledges (taking care of it) or dismisses (a false alarm) an alert."""
    if status not in (AlertStatus.acknowledged, AlertStatus.dismissed):
        raise Invalid("status must be acknowledged or dismissed")
    alert = await session.scalar(select(SpikeAlert).where(SpikeAlert.id == alert_id)
                                 .with_for_update())
    if alert is None:
        raise NotFound("alert not found")
    alert.status = AlertStatus(status)
    alert.handled_by_id = actor.id
    alert.handled_at = alert.updated_at = utcnow()
    record_audit(session, actor_agent_id=actor.id, action=f"spike_alert.{status}",
                 target_type="spike_alert", target_id=alert.id)
    return alert


# --- delivery -------------------------------------------------------------------------------

async def _alert_and_samples(services: Services,
                             alert_id: int) -> tuple[SpikeAlert, list[dict[str, Any]]]:
    async with services.read() as session:
        alert = await session.get(SpikeAlert, alert_id)
        if alert is None:
            raise PermanentJobError("the alert was deleted")
        found = await sample_texts(session, list(alert.sample_message_ids))
        conversations = dict((await session.execute(
            select(Message.id, Message.conversation_id)
            .where(Message.id.in_(list(found))))).all()) if found else {}
    samples = [{"message_id": mid, "conversation_id": conversations.get(mid), "text": found[mid]}
               for mid in alert.sample_message_ids if mid in found]
    return alert, samples


def alert_link(settings: Settings, alert: SpikeAlert) -> str:
    return f"{settings.public_url.rstrip('/')}/admin/incidents#alert-{alert.id}"


def alert_mail_body(settings: Settings, alert: SpikeAlert, samples: list[dict[str, Any]],
                    language: str | None) -> str:
    lines = [texts.text("alert_intro", language,
                        start=alert.interval_start.strftime("%Y-%m-%d %H:%M"),
                        end=alert.interval_end.strftime("%H:%M")), ""]
    for signal in alert.signals:
        lines.append("- " + texts.text("alert_line", language,
                                       subject=signal_subject(signal, language),
                                       observed=signal["observed"],
                                       expected=round(float(signal["expected"]), 1),
                                       threshold=signal["threshold"]))
    if samples:
        lines += ["", texts.text("alert_samples", language)]
        lines += [f"  «{' '.join(s['text'].split())}»" for s in samples]
    lines += ["", texts.text("alert_open", language, link=alert_link(settings, alert))]
    return "\n".join(lines)


async def deliver_alert_mail(services: Services, job: Job) -> dict[str, Any]:
    from walletdesk.email.outbound import notice_mail, send_mail

    settings = services.settings
    alert, samples = await _alert_and_samples(services, int(job.payload["alert_id"]))
    language = job.payload.get("language")
    to = str(job.payload["to"])
    mail = notice_mail(settings, to, texts.text("alert_subject", language,
                                                brand=settings.brand_name,
                                                subject=_subject(alert.signals, language)),
                       alert_mail_body(settings, alert, samples, language))
    domain = settings.support_email.split("@", 1)[1]
    digest = hashlib.sha256(to.lower().encode()).hexdigest()[:10]
    mail["Message-ID"] = f"<spike-{alert.id}-{digest}@{domain}>"  # the same mail if repeated
    await send_mail(services, mail, to)
    return {"sent": True}


@job_handler(ALERT_MAIL_JOB, deliver=deliver_alert_mail)
async def alert_mail_sent(ctx: JobContext) -> None:
    ctx.job.payload = {**ctx.job.payload, "delivered": bool((ctx.delivered or {}).get("sent"))}


def sign_webhook(secret: str, timestamp: str, body: bytes) -> str:
    """The signature a receiver recomputes: HMAC-SHA256 of "<timestamp>.<body>"."""
    mac = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256)
    return "sha256=" + mac.hexdigest()


def webhook_body(settings: Settings, alert: SpikeAlert,
                 samples: list[dict[str, Any]]) -> bytes:
    payload = {"type": "spike_alert", "alert": {
        "id": alert.id, "interval_start": alert.interval_start.isoformat(),
        "interval_end": alert.interval_end.isoformat(), "signals": alert.signals,
        "samples": samples, "announcement_id": alert.announcement_id,
        "url": alert_link(settings, alert)}}
    return json.dumps(payload, ensure_ascii=False, sort_keys=True).encode()


async def deliver_alert_webhook(services: Services, job: Job) -> dict[str, Any]:
    settings = services.settings
    if not settings.spike_webhook_url or \
            not settings.spike_webhook_url.startswith(("http://", "https://")):
        raise PermanentJobError("no http(s) webhook configured (WALLETDESK_SPIKE_WEBHOOK_URL)")
    alert, samples = await _alert_and_samples(services, int(job.payload["alert_id"]))
    body = webhook_body(settings, alert, samples)
    timestamp = str(int(time.time()))
    headers = {"Content-Type": "application/json", "X-Walletdesk-Event": "spike_alert",
               "X-Walletdesk-Delivery": f"spike-{alert.id}", "X-Walletdesk-Timestamp": timestamp}
    if settings.spike_webhook_secret:
        headers["X-Walletdesk-Signature"] = sign_webhook(settings.spike_webhook_secret,
                                                         timestamp, body)
    try:
        async with httpx.AsyncClient(timeout=WEBHOOK_TIMEOUT_S) as client:
            response = await client.post(settings.spike_webhook_url, content=body,
                                         headers=headers)
    except httpx.HTTPError as exc:
        raise ConnectionError(f"could not reach the webhook: {type(exc).__name__}") from None
    if response.status_code >= 500 or response.status_code in (408, 429):
        raise ConnectionError(f"the webhook answered HTTP {response.status_code}")
    if response.status_code >= 400:
        raise PermanentJobError(f"the webhook refused the alert: HTTP {response.status_code}")
    return {"status": response.status_code}


@job_handler(ALERT_WEBHOOK_JOB, deliver=deliver_alert_webhook)
async def alert_webhook_sent(ctx: JobContext) -> None:
    ctx.job.payload = {**ctx.job.payload, "http_status": (ctx.delivered or {}).get("status")}
