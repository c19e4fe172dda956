"""The email channel end to end over real SMTP: in, threaded, replied to, bounced, refused."""

from email.message import EmailMessage

from sqlalchemy import func, select

from tests.email.conftest import MailDesk, customer_mail
from walletdesk.conversations.actions import resolve_conversation, send_message
from walletdesk.conversations.attachments import blob_path
from walletdesk.conversations.models import Attachment, Conversation, Message, SenderKind
from walletdesk.jobs.models import Job, JobStatus
from walletdesk.services import Services
from walletdesk.tokens import reply_address

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


async def _conversations(services: Services) -> list[Conversation]:
    async with services.read() as session:
        return list((await session.scalars(select(Conversation).order_by(Conversation.id))).all())


async def _messages(services: Services, conversation_id: int) -> list[Message]:
    async with services.read() as session:
        return list((await session.scalars(select(Message).where(
            Message.conversation_id == conversation_id).order_by(Message.seq))).all())


async def _customer_messages(services: Services, conversation_id: int) -> list[Message]:
    return [m for m in await _messages(services, conversation_id)
            if m.sender_kind == SenderKind.customer]


async def test_an_email_becomes_a_conversation_and_the_reply_thread_continues_it(
        mail_desk: MailDesk, make_agent):
    services = mail_desk.services
    assert (await mail_desk.send(customer_mail()))[0] == 250
    [conversation] = await _conversations(services)
    assert (conversation.channel, conversation.subject) == ("email", "Withdrawal")
    [first] = await _customer_messages(services, conversation.id)
    assert first.text == "My withdrawal has not arrived" and first.sender_name == "Alice Chan"

    agent = await make_agent("Mei")
    await send_message(services, agent, conversation.id, "Could you send the transaction hash?")
    assert await mail_desk.run_jobs() == 1
    [reply] = mail_desk.relay.received
    assert reply["To"] == "alice@example.com"
    assert reply["Reply-To"] == reply_address(services.settings, conversation.id)
    assert reply["In-Reply-To"] == "<m1@example.com>" and reply["Subject"] == "Re: Withdrawal"
    assert reply["Auto-Submitted"] is None  # a person wrote it
    body = reply.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    assert "Could you send the transaction hash?" in body and "recovery phrase" in body

    # the customer answers: to the reply address, quoting our mail
    answer = customer_mail("Here it is: 0xabc123\n\nOn Mon, Mei wrote:\n> Could you send",
                           subject="Re: Withdrawal", message_id="<m2@example.com>",
                           to=str(reply["Reply-To"]), In_Reply_To=str(reply["Message-ID"]))
    assert (await mail_desk.send(answer, to=str(reply["Reply-To"])))[0] == 250
    # and again in a mail client that only keeps the thread headers
    third = customer_mail("Any news?", subject="Re: Withdrawal", message_id="<m3@example.com>",
                          References=f"<m1@example.com> {reply['Message-ID']}")
    assert (await mail_desk.send(third))[0] == 250
    assert len(await _conversations(services)) == 1
    texts = [m.text for m in await _messages(services, conversation.id)
             if m.sender_kind == SenderKind.customer]
    assert texts == ["My withdrawal has not arrived", "Here it is: 0xabc123", "Any news?"]


async def test_the_same_mail_delivered_twice_is_stored_once(mail_desk: MailDesk):
    mail = customer_mail()
    assert (await mail_desk.send(mail))[0] == 250
    assert (await mail_desk.send(mail))[0] == 250
    [conversation] = await _conversations(mail_desk.services)
    assert len(await _customer_messages(mail_desk.services, conversation.id)) == 1


async def test_auto_replies_and_loops_are_not_cases(mail_desk: MailDesk):
    out_of_office = customer_mail("I am away until Monday", subject="Automatic reply: Withdrawal",
                                  message_id="<ooo@example.com>", Auto_Submitted="auto-replied")
    vacation = customer_mail("Away", subject="Out of Office", message_id="<ooo2@example.com>")
    our_own = customer_mail("echo", sender="support@walletdesk.localhost",
                            message_id="<own@example.com>")
    looped = customer_mail("loop", message_id="<loop@example.com>",
                           X_Walletdesk_Loop="walletdesk.localhost")
    for mail in (out_of_office, vacation, our_own, looped):
        assert (await mail_desk.send(mail))[0] == 250  # accepted, so nobody retries it
    assert await _conversations(mail_desk.services) == []


async def test_a_bounce_of_our_reply_is_shown_to_the_agent(mail_desk: MailDesk, make_agent):
    services = mail_desk.services
    await mail_desk.send(customer_mail())
    [conversation] = await _conversations(services)
    agent = await make_agent("Mei")
    await send_message(services, agent, conversation.id, "Hello")
    await mail_desk.run_jobs()
    sent_id = mail_desk.relay.received[0]["Message-ID"]
    bounce = (
        "From: MAILER-DAEMON@mx.example.com\r\nTo: support@walletdesk.localhost\r\n"
        "Subject: Undelivered Mail Returned to Sender\r\nMessage-ID: <b1@mx.example.com>\r\n"
        "MIME-Version: 1.0\r\nContent-Type: multipart/report; report-type=delivery-status; "
        "boundary=XX\r\n\r\n--XX\r\nContent-Type: text/plain\r\n\r\nDelivery failed.\r\n"
        "--XX\r\nContent-Type: message/delivery-status\r\n\r\nReporting-MTA: dns; mx\r\n\r\n"
        "Final-Recipient: rfc822; alice@example.com\r\nAction: failed\r\nStatus: 5.1.1\r\n"
        f"\r\n--XX\r\nContent-Type: text/rfc822-headers\r\n\r\nMessage-ID: {sent_id}\r\n"
        "Subject: Re: Withdrawal\r\n\r\n--XX--\r\n").encode()
    assert (await mail_desk.send(bounce, sender=""))[0] == 250
    assert len(await _conversations(services)) == 1  # not a new case
    note = (await _messages(services, conversation.id))[-1]
    assert note.is_internal and "returned" in note.text and "5.1.1" in note.text


async def test_unknown_or_tampered_threads_start_a_new_conversation_for_the_sender(
        mail_desk: MailDesk):
    services = mail_desk.services
    await mail_desk.send(customer_mail())
    [alice_case] = await _conversations(services)
    token_address = reply_address(services.settings, alice_case.id)
    tampered = token_address.replace(f"+c{alice_case.id}-", f"+c{alice_case.id + 1}-")
    cases = [
        (customer_mail("unknown thread", message_id="<u1@example.com>",
                       In_Reply_To="<never-seen@example.com>"), None),
        (customer_mail("tampered", message_id="<u2@example.com>"), tampered),
        # Bob got hold of Alice's reply address: he does not get into her conversation
        (customer_mail("I am Bob", sender="bob@example.com", message_id="<u3@example.com>"),
         token_address),
    ]
    for mail, to in cases:
        assert (await mail_desk.send(mail, to=to))[0] == 250
    conversations = await _conversations(services)
    assert len(conversations) == 4
    assert len(await _customer_messages(services, alice_case.id)) == 1


async def test_html_mail_is_reduced_to_safe_text(mail_desk: MailDesk):
    mail = EmailMessage()
    mail["From"] = "alice@example.com"
    mail["To"] = "support@walletdesk.localhost"
    mail["Subject"] = "html"
    mail["Message-ID"] = "<h1@example.com>"
    mail.set_content("<html><head><style>p{}</style></head><body><p>Hello <b>desk</b></p>"
                     "<script>alert('x')</script><p>Second &amp; last</p></body></html>",
                     subtype="html")
    assert (await mail_desk.send(mail))[0] == 250
    [conversation] = await _conversations(mail_desk.services)
    [message] = await _customer_messages(mail_desk.services, conversation.id)
    assert message.text == "Hello desk\nSecond & last"


async def test_attachments_are_stored_or_refused_with_a_reason(mail_desk: MailDesk):
    services = mail_desk.services
    mail = customer_mail("Screenshots attached")
    mail.add_attachment(PNG, maintype="image", subtype="png", filename="../../etc/screen.png")
    mail.add_attachment(b"MZ\x90\x00", maintype="application", subtype="x-msdownload",
                        filename="tool.exe")
    mail.add_attachment(b"%PDF" + b"0" * (25 * 1024 * 1024), maintype="application",
                        subtype="pdf", filename="statement.pdf")  # 25 MB
    assert (await mail_desk.send(mail))[0] == 250
    [conversation] = await _conversations(services)
    [message] = await _customer_messages(services, conversation.id)
    async with services.read() as session:
        [stored] = (await session.scalars(select(Attachment))).all()
    assert (stored.filename, stored.size) == ("screen.png", len(PNG))
    assert blob_path(services.settings, stored.sha256).read_bytes() == PNG
    assert message.meta is not None
    assert message.meta["attachments"][0]["id"] == stored.id
    refused = {r["filename"]: r["reason"] for r in message.meta["attachments_refused"]}
    assert "not allowed" in refused["tool.exe"]
    assert "larger than the 10 MB limit" in refused["statement.pdf"]


async def test_mail_over_the_size_limit_is_refused_by_smtp(mail_desk: MailDesk):
    mail_desk.services.settings.mail_max_bytes = 100_000
    from walletdesk.email.smtp_server import start_smtp_server

    small = await start_smtp_server(mail_desk.services, port=0)
    mail_desk.inbound_port = small.sockets[0].getsockname()[1]
    try:
        code, _ = await mail_desk.send(customer_mail("x" * 200_000))
    finally:
        small.close()
    assert code == 552
    assert await _conversations(mail_desk.services) == []


async def test_long_mail_is_truncated_and_the_whole_text_kept(mail_desk: MailDesk):
    from mnemonic import Mnemonic

    services = mail_desk.services
    phrase = Mnemonic("english").generate(128)
    text = "Step by step:\n" + "line of the long story\n" * 1000 + f"my words: {phrase}\n"
    assert (await mail_desk.send(customer_mail(text)))[0] == 250
    [conversation] = await _conversations(services)
    [message] = await _customer_messages(services, conversation.id)
    assert len(message.text) <= services.settings.max_message_chars
    assert message.text.endswith("the whole text is attached]")
    assert message.meta is not None
    [whole] = message.meta["attachments"]
    assert (whole["filename"], whole["content_type"]) == ("whole-message.txt", "text/plain")
    async with services.read() as session:
        stored = await session.get(Attachment, whole["id"])
    assert stored is not None
    kept = blob_path(services.settings, stored.sha256).read_text()
    assert "line of the long story" in kept and phrase not in kept


async def test_a_key_cut_by_the_length_limit_is_removed_before_the_cut(mail_desk: MailDesk):
    """The stored text is the protected text cut, not the raw text cut: a key straddling the
    limit would otherwise be stored in part (40 of its 64 digits)."""
    import os

    from walletdesk.email.inbound import TRUNCATED_NOTE

    services = mail_desk.services
    key = os.urandom(32).hex()
    limit = services.settings.max_message_chars
    cut = limit - len(TRUNCATED_NOTE)  # where the raw text would be cut: 40 digits before it
    head = "x" * 70 + "\n" + "here it is:\n" + "z" * (cut - 40 - 70 - 13 - 1)
    text = head + "\n" + key + "\nthanks\n" + "y" * 500
    assert text.index(key) + 40 == cut
    assert (await mail_desk.send(customer_mail(text)))[0] == 250
    [conversation] = await _conversations(services)
    [message] = await _customer_messages(services, conversation.id)
    assert len(message.text) <= limit
    pieces = [key[i:i + 12] for i in range(0, 64, 12)]
    assert not any(piece in message.text for piece in pieces)


async def test_malformed_mail_gets_a_clear_refusal_and_odd_mime_is_still_read(
        mail_desk: MailDesk):
    no_from = b"To: support@walletdesk.localhost\r\nSubject: hi\r\n\r\nbody\r\n"
    code, text = await mail_desk.send(no_from)
    assert code == 550 and "From" in text
    assert (await mail_desk.send(b"\x00\xff\xfe garbage \r\n\r\n"))[0] == 550
    broken_multipart = (
        b"From: carol@example.com\r\nTo: support@walletdesk.localhost\r\nSubject: odd\r\n"
        b"Message-ID: <odd@example.com>\r\nMIME-Version: 1.0\r\n"
        b"Content-Type: multipart/mixed; boundary=NEVER-CLOSED\r\n\r\n--NEVER-CLOSED\r\n"
        b"Content-Type: text/plain; charset=no-such-charset\r\n\r\nStill readable\r\n")
    assert (await mail_desk.send(broken_multipart))[0] == 250
    [conversation] = await _conversations(mail_desk.services)
    [message] = await _customer_messages(mail_desk.services, conversation.id)
    assert message.text == "Still readable"


async def test_mail_for_other_domains_is_refused_at_rcpt(mail_desk: MailDesk):
    code, _ = await mail_desk.send(customer_mail(), to="someone@elsewhere.example")
    assert code == 550
    assert await _conversations(mail_desk.services) == []


async def test_a_relay_refusal_is_visible_and_an_outage_is_retried(mail_desk: MailDesk,
                                                                     make_agent):
    services = mail_desk.services
    await mail_desk.send(customer_mail())
    [conversation] = await _conversations(services)
    agent = await make_agent("Mei")
    mail_desk.relay.answer = "451 4.3.0 try later"
    await send_message(services, agent, conversation.id, "First try")
    await mail_desk.run_jobs()
    async with services.read() as session:
        [job] = (await session.scalars(select(Job))).all()
    assert (job.status, job.attempts) == (JobStatus.pending, 1)
    assert "451" in job.last_error

    mail_desk.relay.answer = "550 5.1.1 mailbox unavailable"
    await send_message(services, agent, conversation.id, "Second")
    await mail_desk.run_jobs()
    note = (await _messages(services, conversation.id))[-1]
    assert note.is_internal and note.sender_kind == SenderKind.system
    assert "could not be emailed" in note.text and "550" in note.text
    assert mail_desk.relay.received == []


async def test_resolving_emails_a_rating_request_with_signed_links(mail_desk: MailDesk,
                                                                     make_agent):
    services = mail_desk.services
    await mail_desk.send(customer_mail())
    [conversation] = await _conversations(services)
    agent = await make_agent("Mei")
    await send_message(services, agent, conversation.id, "Done: it arrived.")
    await resolve_conversation(services, agent, conversation.id)
    await mail_desk.run_jobs()
    assert len(mail_desk.relay.received) == 2
    rating = mail_desk.relay.received[1]
    body = rating.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    assert f"{services.settings.public_url}/survey/s" in body and "rating=5" in body
    assert rating["Auto-Submitted"] == "auto-replied"
    async with services.read() as session:
        assert await session.scalar(select(func.count()).select_from(Job).where(
            Job.status == JobStatus.done, Job.kind == "email.send")) == 2


async def test_a_seed_phrase_in_a_text_attachment_is_never_stored(mail_desk: MailDesk):
    from mnemonic import Mnemonic

    phrase = Mnemonic("english").generate(128)
    mail = customer_mail("my backup is attached")
    mail.add_attachment(f"wallet backup\n{phrase}\n".encode(), maintype="text", subtype="plain",
                        filename="backup.txt")
    assert (await mail_desk.send(mail))[0] == 250
    async with mail_desk.services.read() as session:
        [stored] = (await session.scalars(select(Attachment))).all()
    kept = blob_path(mail_desk.services.settings, stored.sha256).read_text()
    assert phrase not in kept and "wallet backup" in kept
    # nothing on disk holds it, in any encoding (the raw mail is not kept)
    import base64
    from pathlib import Path

    encoded = base64.b64encode(f"wallet backup\n{phrase}\n".encode())[:40]
    for blob in Path(mail_desk.services.settings.data_dir).rglob("*"):
        if blob.is_file():
            content = blob.read_bytes()
            assert phrase.encode() not in content and encoded not in content, blob
