"""The ``incidents.detect`` job: after every interval, look for spikes and raise an alert.

It reschedules itself for the next interval's end (plus a little, so the bot has answered
the interval's last messages); ``walletdesk.jobs.kinds.seed_recurring`` starts the chain.
A worker that was down picks up at the interval that ended last.
"""

from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from walletdesk.config import Settings
from walletdesk.db.base import utcnow
from walletdesk.incidents.alerts import raise_spike_alert
from walletdesk.incidents.models import SpikeAlert
from walletdesk.incidents.spikes import detect_spikes, interval_floor, interval_of
from walletdesk.jobs.actions import schedule_job
from walletdesk.jobs.registry import JobContext, job_handler

DETECT_JOB = "incidents.detect"
DETECT_LAG = timedelta(seconds=20)


async def schedule_detection(session: AsyncSession, settings: Settings, now: datetime) -> None:
    interval = interval_of(settings)
    due = interval_floor(now, interval) + interval + DETECT_LAG
    await schedule_job(session, DETECT_JOB, {}, due_at=due,
                       dedupe_key=f"incidents-detect:{due.isoformat(timespec='seconds')}")


async def run_spike_detection(session: AsyncSession, settings: Settings,
                              now: datetime) -> SpikeAlert | None:
    """Detect the spikes of the interval that ended last before ``now`` and alert."""
    return await raise_spike_alert(session, settings,
                                   await detect_spikes(session, settings, now))


@job_handler(DETECT_JOB)
async def run_detector(ctx: JobContext) -> None:
    settings = ctx.services.settings
    now = utcnow()
    alert = await run_spike_detection(ctx.session, settings, now)
    await schedule_detection(ctx.session, settings, now)
    ctx.job.payload = {"alert_id": alert.id if alert else None}
