"""Polling a mailbox over IMAP, for operators who keep their mail provider.

With ``WALLETDESK_IMAP_URL`` (``imaps://user:password@imap.example.com/INBOX``; ``imap://``
for plain IMAP on a trusted network) the ``email.imap_poll`` job fetches the unseen messages
every ``WALLETDESK_IMAP_POLL_S`` seconds and hands each to ``receive_email`` — the same path
as mail arriving by SMTP. A message is marked \\Seen only once it is stored (or recognised as
an auto-reply, bounce, loop or repeat); mail that cannot be read is marked \\Seen and
\\Flagged so it is not fetched forever and a person can look at it in the mailbox. While the
database is unavailable nothing is marked and the next poll tries again; a crash between
storing and marking is harmless, as the Message-ID makes the second delivery a repeat.
"""

import asyncio
import contextlib
import imaplib
from dataclasses import dataclass
from datetime import timedelta
from typing import Any
from urllib.parse import unquote, urlsplit

import structlog
from sqlalchemy.ext.asyncio import AsyncSession

from walletdesk.config import Settings
from walletdesk.db.base import utcnow
from walletdesk.db.engine import DatabaseUnavailable
from walletdesk.email.inbound import receive_email
from walletdesk.email.parse import MalformedMail
from walletdesk.errors import DomainError
from walletdesk.jobs.actions import schedule_job
from walletdesk.jobs.models import Job
from walletdesk.jobs.runner import JobContext, PermanentJobError, job_handler
from walletdesk.services import Services

log = structlog.get_logger(__name__)
POLL_JOB = "email.imap_poll"
MAX_PER_POLL = 200


@dataclass(frozen=True)
class Mailbox:
    host: str
    port: int
    user: str
    password: str
    folder: str
    tls: bool


def parse_imap_url(url: str) -> Mailbox:
    parts = urlsplit(url)
    if parts.scheme not in ("imap", "imaps") or not parts.hostname or not parts.username:
        raise ValueError("WALLETDESK_IMAP_URL looks like imaps://user:password@host/INBOX")
    tls = parts.scheme == "imaps"
    return Mailbox(parts.hostname, parts.port or (993 if tls else 143), unquote(parts.username),
                   unquote(parts.password or ""), unquote(parts.path.lstrip("/")) or "INBOX",
                   tls)


class _Session:
    """The blocking imaplib conversation, run in a thread."""

    def __init__(self, mailbox: Mailbox, timeout_s: float) -> None:
        cls = imaplib.IMAP4_SSL if mailbox.tls else imaplib.IMAP4
        self.imap = cls(mailbox.host, mailbox.port, timeout=timeout_s)
        try:
            self.imap.login(mailbox.user, mailbox.password)
            status, _ = self.imap.select(_quote(mailbox.folder))
            if status != "OK":
                raise imaplib.IMAP4.error(f"cannot open folder {mailbox.folder!r}")
        except BaseException:
            self.imap.shutdown()
            raise

    def unseen(self) -> list[bytes]:
        status, data = self.imap.uid("SEARCH", None, "UNSEEN")
        return (data[0] or b"").split()[:MAX_PER_POLL] if status == "OK" else []

    def fetch(self, uid: bytes) -> bytes | None:
        status, data = self.imap.uid("FETCH", uid, "(BODY.PEEK[])")
        for part in data if status == "OK" else []:
            if isinstance(part, tuple):
                return bytes(part[1])
        return None

    def mark(self, uid: bytes, flags: str) -> None:
        self.imap.uid("STORE", uid, "+FLAGS", f"({flags})")

    def close(self) -> None:
        with contextlib.suppress(imaplib.IMAP4.error, OSError):
            self.imap.logout()


def _quote(folder: str) -> str:
    return '"' + folder.replace("\\", "\\\\").replace('"', '\\"') + '"'


async def poll_mailbox(services: Services) -> dict[str, int]:
    """Fetch and store the unseen mail once; counts by outcome."""
    settings = services.settings
    if not settings.imap_url:
        return {}
    mailbox = parse_imap_url(settings.imap_url)
    counts: dict[str, int] = {}
    try:
        session = await asyncio.to_thread(_Session, mailbox, settings.smtp_timeout_s)
    except imaplib.IMAP4.error as exc:  # refused login or folder: retrying will not help
        raise PermanentJobError(f"the mailbox refused us: {exc}") from None
    except OSError as exc:
        raise ConnectionError(f"cannot reach the IMAP server: {type(exc).__name__}") from None
    try:
        for uid in await asyncio.to_thread(session.unseen):
            raw = await asyncio.to_thread(session.fetch, uid)
            if raw is None:
                continue
            try:
                result = await receive_email(services, raw)
                outcome = result.outcome
                await asyncio.to_thread(session.mark, uid, "\\Seen")
            except (MalformedMail, DomainError):
                outcome = "refused"
                await asyncio.to_thread(session.mark, uid, "\\Seen \\Flagged")
            except DatabaseUnavailable:
                break  # leave the rest unseen: the next poll takes them
            counts[outcome] = counts.get(outcome, 0) + 1
    finally:
        await asyncio.to_thread(session.close)
    if counts:
        log.info("email.imap_polled", **counts)
    return counts


async def schedule_poll(session: AsyncSession, settings: Settings, after_s: float = 0) -> None:
    if not settings.imap_url:
        return
    when = utcnow() + timedelta(seconds=after_s)
    bucket = int(when.timestamp()) // max(1, settings.imap_poll_s)
    await schedule_job(session, POLL_JOB, {}, due_at=when, dedupe_key=f"imap:{bucket}")


async def _poll(services: Services, job: Job) -> dict[str, Any]:
    return {"counts": await poll_mailbox(services)}


async def _poll_failed(ctx: JobContext, error: str) -> None:
    await schedule_poll(ctx.session, ctx.services.settings, ctx.services.settings.imap_poll_s)


@job_handler(POLL_JOB, deliver=_poll, on_failure=_poll_failed)
async def polled(ctx: JobContext) -> None:
    ctx.job.payload = ctx.delivered or {}
    await schedule_poll(ctx.session, ctx.services.settings, ctx.services.settings.imap_poll_s)
