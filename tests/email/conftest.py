"""Real SMTP on loopback both ways: walletdesk's inbound server, and a relay that records
what walletdesk sends (and can be told to refuse it)."""

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any

import aiosmtplib
import pytest
from aiosmtpd.smtp import SMTP, Envelope, Session

from walletdesk.email.smtp_server import start_smtp_server
from walletdesk.jobs.runner import claim_due, run_job
from walletdesk.services import Services


@dataclass
class Relay:
    """Stands in for the operator's mail provider: a real SMTP server that keeps the mail."""

    received: list[EmailMessage] = field(default_factory=list)
    answer: str = "250 OK"

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        if self.answer.startswith("250"):
            mail = message_from_bytes(envelope.original_content or b"", policy=policy.default)
            self.received.append(mail)  # type: ignore[arg-type]
        return self.answer


@dataclass
class MailDesk:
    services: Services
    inbound_port: int
    relay: Relay

    async def send(self, mail: EmailMessage | bytes, *, sender: str = "alice@example.com",
                   to: str | None = None) -> tuple[int, str]:
        """Deliver to walletdesk's SMTP server; the server's (code, message) for DATA."""
        recipients = [to or self.services.settings.support_email]
        client = aiosmtplib.SMTP(hostname="127.0.0.1", port=self.inbound_port, timeout=30)
        await client.connect()
        try:
            await client.mail(sender)
            for rcpt in recipients:
                await client.rcpt(rcpt)
            data = mail if isinstance(mail, bytes) else mail.as_bytes()
            response = await client.data(data)
            return response.code, response.message
        except aiosmtplib.SMTPResponseException as exc:
            return exc.code, exc.message
        finally:
            client.close()

    async def run_jobs(self) -> int:
        ran = 0
        for job_id, token in await claim_due(self.services, 50, 60):
            await run_job(self.services, job_id, token, "test")
            ran += 1
        return ran


def customer_mail(text: str = "My withdrawal has not arrived", *, subject: str = "Withdrawal",
                  sender: str = "Alice Chan <alice@example.com>", to: str = "",
                  message_id: str = "<m1@example.com>", **headers: Any) -> EmailMessage:
    mail = EmailMessage()
    mail["From"] = sender
    mail["To"] = to or "support@walletdesk.localhost"
    mail["Subject"] = subject
    mail["Message-ID"] = message_id
    for name, value in headers.items():
        mail[name.replace("_", "-")] = value
    mail.set_content(text)
    return mail


@pytest.fixture
async def mail_desk(services: Services, tmp_path: Any) -> AsyncIterator[MailDesk]:
    relay = Relay()
    loop = asyncio.get_running_loop()
    relay_server = await loop.create_server(lambda: SMTP(relay, hostname="relay.test"),
                                            "127.0.0.1", 0)
    services.settings = services.settings.model_copy(update={
        "data_dir": str(tmp_path / "data"), "smtp_host": "127.0.0.1",
        "smtp_port": relay_server.sockets[0].getsockname()[1], "smtp_timeout_s": 10.0})
    inbound = await start_smtp_server(services, port=0)
    try:
        yield MailDesk(services, inbound.sockets[0].getsockname()[1], relay)
    finally:
        inbound.close()
        relay_server.close()
        await inbound.wait_closed()
        await relay_server.wait_closed()
