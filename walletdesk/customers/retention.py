"""The retention policy: personal data of customers whose conversations are all closed and
quiet for ``WALLETDESK_RETENTION_DAYS`` days is erased, as an erase request would (message
texts and personal fields go; rows, times and statuses stay for the figures).

The ``privacy.retention`` job runs daily (the worker schedules the first run) and handles at
most ``BATCH`` customers a run, coming back at once while there are more. It also removes the
counts of one-time codes mailed that are older than their window (customers.code_quotas) and
the failed sign-ins that count nothing any more (accounts.login_throttle).
"""

from datetime import datetime, timedelta

from sqlalchemy import and_, exists, select
from sqlalchemy.ext.asyncio import AsyncSession

from walletdesk.accounts.login_throttle import prune_login_throttles
from walletdesk.conversations.models import Conversation, Status
from walletdesk.customers import code_quotas
from walletdesk.customers.email_code import CODE_WINDOW
from walletdesk.customers.models import Customer
from walletdesk.customers.privacy import erase_in
from walletdesk.db.base import utcnow
from walletdesk.followups.models import OPEN_FOLLOWUP_STATUSES, FollowUp
from walletdesk.jobs.actions import schedule_job
from walletdesk.jobs.runner import JobContext, job_handler

RETENTION_JOB = "privacy.retention"
BATCH = 200


async def schedule_retention(session: AsyncSession, when: datetime) -> None:
    await schedule_job(session, RETENTION_JOB, {}, due_at=when,
                       dedupe_key=f"retention:{when.date().isoformat()}:{when.hour}")


async def due_for_erasure(session: AsyncSession, days: int, now: datetime,
                          limit: int = BATCH) -> list[int]:
    cutoff = now - timedelta(days=days)
    still_active = exists().where(Conversation.customer_id == Customer.id,
                                  Conversation.status != Status.closed)
    recent = exists().where(Conversation.customer_id == Customer.id,
                            Conversation.updated_at >= cutoff)
    callback = exists().where(FollowUp.customer_id == Customer.id,
                              FollowUp.status.in_(OPEN_FOLLOWUP_STATUSES))
    has_any = exists().where(Conversation.customer_id == Customer.id)
    return list((await session.scalars(
        select(Customer.id).where(and_(Customer.erased_at.is_(None), has_any, ~still_active,
                                       ~recent, ~callback))
        .order_by(Customer.id).limit(limit))).all())


@job_handler(RETENTION_JOB)
async def apply_retention(ctx: JobContext) -> None:
    days_settings = ctx.services.settings
    days = days_settings.retention_days
    now = utcnow()
    erased = 0
    if days is not None:
        for customer_id in await due_for_erasure(ctx.session, days, now):
            await erase_in(ctx.session, customer_id, actor_id=None, reason="retention",
                           data_dir=days_settings.data_dir)
            erased += 1
    # the counts of codes mailed that count nothing any more (customers.code_quotas)
    quotas = await code_quotas.prune(ctx.session, now - CODE_WINDOW)
    # failed sign-ins that count nothing any more (walletdesk.accounts.login_throttle)
    throttles = await prune_login_throttles(ctx.session, days_settings)
    # more waiting: again in a minute; else tomorrow
    await schedule_retention(ctx.session, now + (timedelta(minutes=1) if erased == BATCH
                                                 else timedelta(days=1)))
    ctx.job.payload = {"erased": erased, "code_quotas_removed": quotas,  # for operators
                       "login_throttles_removed": throttles}
