"""Every way text comes in goes through the protect step: HTML-only mail whose words sit in
table cells, text attachments in UTF-16 or GBK, follow-up call notes, complaint fields and
survey comments (SQLite and PostgreSQL, real SMTP on loopback)."""

import random
from email.message import EmailMessage

from mnemonic import Mnemonic
from sqlalchemy import select

from tests.cases.test_surveys import resolved
from tests.email.conftest import MailDesk, customer_mail, mail_desk  # noqa: F401
from tests.followups.test_followups import _notified, awake_now  # noqa: F401
from walletdesk.cases.models import Survey
from walletdesk.cases.surveys import submit_rating
from walletdesk.complaints.actions import open_complaint
from walletdesk.complaints.models import Complaint
from walletdesk.conversations.actions import InboundMessage, receive_message
from walletdesk.conversations.attachments import AttachmentIn, blob_path, protect_text_file
from walletdesk.conversations.models import Attachment, Message, SenderKind
from walletdesk.email.parse import html_to_text
from walletdesk.followups.actions import record_call
from walletdesk.followups.models import FollowUp
from walletdesk.safety.protect import SEED_PLACEHOLDER

ZERO_WIDTH_JOINED = "\u200b"


def phrase(language: str = "english", strength: int = 128) -> list[str]:
    """A fixed phrase per language (the tests do not depend on luck)."""
    return Mnemonic(language).to_mnemonic(random.Random(language).randbytes(strength // 8)).split()


def no_word_left(text: str, words: list[str]) -> bool:
    return not any(word in text for word in words if len(word) > 3)


def test_html_cells_are_kept_apart():
    words = phrase()
    cells = "".join(f"<td><span>{w}</span></td>" for w in words)
    text = html_to_text(f"<html><body><p>my words</p><table><tr>{cells}</tr></table></body>"
                        "</html>")
    assert " ".join(words) in " ".join(text.split())


async def test_html_only_mail_with_words_in_cells_is_stored_without_them(mail_desk: MailDesk):  # noqa: F811
    words = phrase("spanish")
    mail = EmailMessage()
    mail["From"] = "alice@example.com"
    mail["To"] = "support@walletdesk.localhost"
    mail["Subject"] = "backup"
    mail["Message-ID"] = "<cells@example.com>"
    cells = "".join(f"<tr><td>{i}</td><td><span>{w}</span></td></tr>"
                    for i, w in enumerate(words, 1))
    mail.set_content(f"<html><body><p>Mis palabras:</p><table>{cells}</table></body></html>",
                     subtype="html")
    assert (await mail_desk.send(mail))[0] == 250
    async with mail_desk.services.read() as session:
        texts = list(await session.scalars(select(Message.text).where(
            Message.sender_kind == SenderKind.customer)))
    assert len(texts) == 1 and SEED_PLACEHOLDER in texts[0]
    assert no_word_left(texts[0], words)


async def test_utf16_and_gbk_text_attachments_are_protected(mail_desk: MailDesk):  # noqa: F811
    english, chinese = phrase(), phrase("chinese_simplified")
    mail = customer_mail("two backups attached")
    mail.add_attachment(("backup\r\n" + " ".join(english)).encode("utf-16"), maintype="text",
                        subtype="plain", filename="backup-utf16.txt")
    mail.add_attachment(("备份：" + " ".join(chinese) + "\n").encode("gbk"), maintype="text",
                        subtype="plain", filename="backup-gbk.txt")
    assert (await mail_desk.send(mail))[0] == 250
    async with mail_desk.services.read() as session:
        stored = list((await session.scalars(select(Attachment).order_by(Attachment.id))).all())
    assert len(stored) == 2
    utf16, gbk = (blob_path(mail_desk.services.settings, row.sha256).read_bytes().decode()
                  for row in stored)
    assert SEED_PLACEHOLDER in utf16 and no_word_left(utf16, english) and "backup" in utf16
    assert SEED_PLACEHOLDER in gbk and "".join(chinese) not in gbk.replace(" ", "")
    assert "备份" in gbk


def test_a_chat_upload_in_utf16_without_bom_is_protected():
    words = phrase("italian")
    data = ("my words " + " ".join(words)).encode("utf-16-le")
    protected = protect_text_file(AttachmentIn("notes.txt", "text/plain", data))
    assert SEED_PLACEHOLDER in protected.data.decode() and \
        no_word_left(protected.data.decode(), words)


async def test_follow_up_call_notes_are_protected(services, make_agent, awake_now):  # noqa: F811
    task = await _notified(services, make_agent)
    agent = await make_agent("Mei")
    words = phrase()[:11]  # one word short: still a phrase to a thief
    await record_call(services, agent, task.id, outcome="reached", satisfaction=4,
                      notes="customer read out: " + ZERO_WIDTH_JOINED.join(words))
    async with services.read() as session:
        stored = await session.get(FollowUp, task.id)
    assert stored is not None and SEED_PLACEHOLDER in stored.notes
    assert no_word_left(stored.notes, words)


async def test_complaint_fields_are_protected(services, make_team, make_agent):
    team = await make_team("Support")
    mei = await make_agent("Mei", teams=[team])
    delivered = await receive_message(services, InboundMessage(
        channel="web", external_id="c-1", text="my refund is late", language="en"))
    words = phrase("french")
    fullwidth = "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in " ".join(words))
    complaint = await open_complaint(services, mei, delivered.conversation.id,
                                     category="refund", summary="he pasted " + fullwidth)
    async with services.read() as session:
        stored = await session.get(Complaint, complaint.id)
    assert stored is not None and SEED_PLACEHOLDER in stored.summary
    assert fullwidth[:20] not in stored.summary


async def test_survey_comments_are_protected(services, make_team, make_agent):
    _, conversation, survey = await resolved(services, make_team, make_agent)
    words = phrase("czech")
    await submit_rating(services, customer_id=conversation.customer_id, survey_id=survey.id,
                        rating=2, comment="x" * 1990 + " " + "_".join(words))
    async with services.read() as session:
        stored = await session.get(Survey, survey.id)
    assert stored is not None and no_word_left(stored.comment, words)
