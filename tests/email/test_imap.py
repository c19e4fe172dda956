"""Polling a mailbox over IMAP (a real IMAP conversation with a loopback server)."""

from sqlalchemy import func, select

from tests.email.conftest import customer_mail
from tests.email.imap_server import ImapServer, Mailbox
from walletdesk.conversations.models import Conversation, Message
from walletdesk.email.imap import parse_imap_url, poll_mailbox
from walletdesk.jobs.kinds import seed_recurring
from walletdesk.jobs.models import Job, JobStatus
from walletdesk.jobs.runner import claim_due, run_job


def _configure(services, port: int, password: str = "imap-secret") -> None:  # type: ignore[no-untyped-def]
    services.settings = services.settings.model_copy(update={
        "imap_url": f"imap://support%40wallet.example:{password}@127.0.0.1:{port}/INBOX",
        "imap_poll_s": 30})


async def test_unseen_mail_is_stored_once_and_marked_seen(services, tmp_path):
    services.settings = services.settings.model_copy(update={"data_dir": str(tmp_path)})
    box = Mailbox()
    box.add(customer_mail("Deposit missing", message_id="<i1@example.com>").as_bytes())
    box.add(customer_mail("Away", subject="Out of Office", message_id="<i2@example.com>")
            .as_bytes())
    box.add(b"To: support@wallet.example\r\nSubject: no sender\r\n\r\nbody\r\n")
    with ImapServer(box) as server:
        _configure(services, server.port)
        counts = await poll_mailbox(services)
        assert counts == {"stored": 1, "auto_reply": 1, "refused": 1}
        assert [sorted(m.flags) for m in box.mails] == [["\\Seen"], ["\\Seen"],
                                                        ["\\Flagged", "\\Seen"]]
        box.mails[0].flags.clear()  # somebody marked it unread in their mail client
        assert await poll_mailbox(services) == {"duplicate": 1}
    async with services.read() as session:
        assert await session.scalar(select(func.count()).select_from(Conversation)) == 1
        assert await session.scalar(select(func.count()).select_from(Message).where(
            Message.sender_kind == "customer")) == 1
    assert "UID FETCH" in box.commands and "UID STORE" in box.commands


async def test_the_poll_job_reschedules_itself_and_wrong_credentials_are_visible(services):
    box = Mailbox()
    with ImapServer(box) as server:
        _configure(services, server.port, password="wrong")
        await seed_recurring(services)
        for job_id, token in await claim_due(services, 10, 60):
            await run_job(services, job_id, token, "test")
    async with services.read() as session:
        polls = (await session.scalars(select(Job).where(Job.kind == "email.imap_poll")
                                       .order_by(Job.id))).all()
    assert polls[0].status == JobStatus.failed and "refused" in polls[0].last_error
    assert "wrong" not in polls[0].last_error  # no password in the error
    assert polls[1].status == JobStatus.pending  # polling goes on


def test_imap_urls_are_read_or_refused_clearly():
    box = parse_imap_url("imaps://support%40x.com:p%40ss@imap.x.com/Support%20Mail")
    assert (box.host, box.port, box.user, box.password, box.folder, box.tls) == (
        "imap.x.com", 993, "support@x.com", "p@ss", "Support Mail", True)
    for bad in ("http://x", "imap://imap.x.com/INBOX", "nonsense"):
        try:
            parse_imap_url(bad)
        except ValueError as exc:
            assert "imaps://user:password@host" in str(exc)
        else:
            raise AssertionError(bad)
