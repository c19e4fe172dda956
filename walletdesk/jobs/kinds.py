"""Every job kind's handler, imported so the worker knows them all, and the recurring jobs
a worker makes sure exist when it starts."""

from sqlalchemy import select

from walletdesk.bot import lookup_fallback
from walletdesk.cases import sla
from walletdesk.conversations import closing, snooze
from walletdesk.customers import email_code, retention
from walletdesk.db.base import utcnow
from walletdesk.email import away_replies, imap, outbound
from walletdesk.followups import notify
from walletdesk.incidents import alerts as incident_alerts
from walletdesk.incidents import detector as incident_detector
from walletdesk.incidents import notify as incident_notify
from walletdesk.jobs.models import Job, JobStatus
from walletdesk.outreach import sending as outreach_sending
from walletdesk.reports import rollups
from walletdesk.services import Services

KIND_MODULES = (away_replies, closing, email_code, imap, lookup_fallback, notify, outbound, retention,
                sla, snooze, rollups, outreach_sending, incident_alerts, incident_detector,
                incident_notify)


async def seed_recurring(services: Services) -> None:
    """Recurring jobs reschedule themselves after each run; this starts a chain only where
    none is waiting, so restarts (and several workers) never multiply them."""
    async with services.transaction() as session:
        waiting = set((await session.scalars(select(Job.kind).where(
            Job.kind.in_((retention.RETENTION_JOB, imap.POLL_JOB, rollups.ROLLUP_JOB,
                          incident_detector.DETECT_JOB)),
            Job.status.in_((JobStatus.pending, JobStatus.running))))).all())
        if retention.RETENTION_JOB not in waiting:
            await retention.schedule_retention(session, utcnow().replace(minute=0, second=0,
                                                                         microsecond=0))
        if imap.POLL_JOB not in waiting:
            await imap.schedule_poll(session, services.settings)
        if rollups.ROLLUP_JOB not in waiting:
            await rollups.schedule_rollup(session, utcnow())
        if incident_detector.DETECT_JOB not in waiting:
            await incident_detector.schedule_detection(session, services.settings, utcnow())
