"""walletdesk's inbound SMTP server (aiosmtpd), run by ``walletdesk worker`` (or the server in
embedded mode) when ``WALLETDESK_SMTP_INBOUND_PORT`` is set.

It accepts mail for the support domain only (it is not a relay), hands each mail to
``receive_email`` and answers for it: 250 once stored (or recognised as an auto-reply,
a bounce, a loop or a repeat), 550 for mail that cannot be read (thousands of nested parts
too), 552 for mail over the size limit (aiosmtpd), and 451 "try again later" when the
database or the disk is unavailable, so the sending server keeps the mail and retries:
nothing is lost. Any other failure would repeat on every retry: 554, refused for good, so
a poison mail is not retried for days and its sender hears of it.
"""

import asyncio
from typing import Any

import structlog
from aiosmtpd.smtp import SMTP, Envelope, Session

from walletdesk.db.engine import DatabaseUnavailable
from walletdesk.email.inbound import receive_email
from walletdesk.email.parse import MalformedMail
from walletdesk.errors import DomainError
from walletdesk.services import Services
from walletdesk.tokens import support_domain

log = structlog.get_logger(__name__)


class InboundMail:
    """aiosmtpd handler: the hooks it calls for RCPT TO and DATA."""

    def __init__(self, services: Services) -> None:
        self.services = services
        self.domain = support_domain(services.settings)

    async def handle_RCPT(self, server: SMTP, session: Session, envelope: Envelope,
                          address: str, rcpt_options: list[str]) -> str:
        if address.rsplit("@", 1)[-1].lower() != self.domain:
            return "550 5.1.1 no such mailbox here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        raw = envelope.original_content or b""
        try:
            result = await receive_email(self.services, raw, envelope_from=envelope.mail_from,
                                         recipients=list(envelope.rcpt_tos))
        except (MalformedMail, DomainError) as exc:
            log.info("email.refused", reason=str(exc)[:80])
            return f"550 5.6.0 {str(exc)[:200]}"
        except DatabaseUnavailable:
            log.warning("email.deferred_database_unavailable")
            return "451 4.3.0 temporarily unable to store the message; try again later"
        except OSError:  # a full disk (attachments), a lost connection: worth a retry
            log.exception("email.deferred")
            return "451 4.3.0 temporary failure; try again later"
        except Exception:
            # anything else fails the same way on every retry: a 4xx would have the sender
            # retry this mail for days; refuse it for good so the sender is told now
            log.exception("email.failed")
            return "554 5.6.0 this message cannot be processed"
        log.info("email.received", outcome=result.outcome, conversation_id=result.conversation_id)
        return "250 2.0.0 OK"


async def start_smtp_server(services: Services, port: int | None = None) -> asyncio.Server:
    settings = services.settings
    handler = InboundMail(services)

    def protocol() -> Any:
        return SMTP(handler, data_size_limit=settings.mail_max_bytes, enable_SMTPUTF8=True,
                    hostname=support_domain(settings), ident="walletdesk")

    server = await asyncio.get_running_loop().create_server(
        protocol, settings.smtp_inbound_host, port if port is not None else settings.smtp_inbound_port)
    log.info("smtp.listening", port=server.sockets[0].getsockname()[1])
    return server
