"""Every job kind's handler, imported so the worker knows them all, and the recurring jobs
a worker makes sure exist when it starts."""

from walletdesk.cases import sla
from walletdesk.conversations import closing
from walletdesk.customers import email_code, retention
from walletdesk.db.base import utcnow
from walletdesk.email import imap, outbound
from walletdesk.followups import notify
from walletdesk.services import Services

KIND_MODULES = (closing, email_code, imap, notify, outbound, retention, sla)


async def seed_recurring(services: Services) -> None:
    """Daily jobs reschedule themselves; this plants today's run (once: dedupe keys)."""
    async with services.transaction() as session:
        await retention.schedule_retention(session, utcnow().replace(minute=0, second=0,
                                                                     microsecond=0))
        await imap.schedule_poll(session, services.settings)
