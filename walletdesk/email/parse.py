"""Reading an inbound email: who, which thread, what text, which files, and whether it is a
person writing at all (auto-replies, bounces and our own mail coming back are not).

Uses the standard library's parser, which never gives up on bad MIME; what it cannot read
(no usable From address) is refused as malformed. HTML is reduced to text with nh3 (script
and style contents dropped; table cells and spans kept apart by a space, so words in cells
do not run together), then quoted history is cut off. Text parts and text attachments are
read in their declared charset, or a detected one (UTF-16, GBK …), and attachments are kept
as UTF-8, so the protect step sees the words.
"""

import html
import re
from dataclasses import dataclass, field
from email import policy
from email.headerregistry import Address
from email.message import Message as MimeBase
from email.parser import BytesParser
from email.utils import getaddresses, parseaddr

import nh3

from walletdesk.conversations.attachments import AttachmentIn
from walletdesk.safety.decode import decode_text

MAX_RECEIVED_HOPS = 30
AUTO_SUBJECT = re.compile(
    r"^(auto(matic)?[ -]?reply|out of (the )?office|autoreply|自动回复|自動回覆|respuesta automática)",
    re.IGNORECASE)
QUOTE_START = re.compile(
    r"^(on .{1,200} wrote:|-{2,} ?original message ?-{2,}|在.{1,120}写道[:：]|於.{1,120}寫道[:：]|"
    r"el .{1,200} escribió:|from: .+)$", re.IGNORECASE)
MESSAGE_ID = re.compile(r"<([^<>\s]{1,250})>")
BLOCK_TAGS = re.compile(r"<\s*(br|/p|/div|/li|/tr|/h[1-6])\b[^>]*>", re.IGNORECASE)
# table cells and inline boxes: their words must not run together ("abandon</td><td>ability")
CELL_TAGS = re.compile(r"<\s*/?\s*(td|th|span|dt|dd|label|button|font)\b[^>]*>", re.IGNORECASE)


class MalformedMail(ValueError):
    """The mail cannot be read as a customer's message (the SMTP server answers 550)."""


@dataclass
class ParsedMail:
    message_id: str | None
    from_address: str
    from_name: str
    to_addresses: list[str]
    subject: str
    text: str
    in_reply_to: list[str] = field(default_factory=list)  # In-Reply-To, then References
    attachments: list[AttachmentIn] = field(default_factory=list)
    auto_reply: bool = False
    bounce: bool = False
    bounced_message_ids: list[str] = field(default_factory=list)  # ours, for a bounce
    bounce_status: str = ""
    loop: bool = False
    language_hint: str | None = None


def _ids(value: str | None) -> list[str]:
    return MESSAGE_ID.findall(value or "")


def html_to_text(markup: str) -> str:
    markup = BLOCK_TAGS.sub("\n", markup)
    markup = CELL_TAGS.sub(" ", markup)
    text = nh3.clean(markup, tags=set(), clean_content_tags={"script", "style", "head", "title"})
    return html.unescape(text)


def strip_quoted(text: str) -> str:
    """The new part of a reply: up to "On … wrote:" or the trailing "> " lines."""
    lines = text.replace("\r\n", "\n").split("\n")
    for index, line in enumerate(lines):
        if index and QUOTE_START.match(line.strip()):
            lines = lines[:index]
            break
    while lines and (lines[-1].startswith(">") or not lines[-1].strip()):
        lines.pop()
    return "\n".join(lines).strip() or text.strip()


def _decoded_text(part: MimeBase) -> str:
    try:
        content = part.get_content()  # type: ignore[attr-defined]
        if isinstance(content, str):
            return content
    except (LookupError, ValueError, AssertionError, KeyError):
        pass
    payload = part.get_payload(decode=True)
    if not isinstance(payload, bytes):
        return ""
    return decode_text(payload, part.get_content_charset())


def _as_utf8(part: MimeBase, kind: str, data: bytes) -> bytes:
    """A text attachment in its declared charset (or a detected one: UTF-16, GBK …) as
    UTF-8, so the protect step reads what the customer wrote."""
    if not kind.startswith("text/"):
        return data
    return decode_text(data, part.get_content_charset()).encode("utf-8")


def _is_auto(mail: MimeBase, subject: str) -> bool:
    auto_submitted = str(mail.get("Auto-Submitted", "no")).strip().lower()
    precedence = str(mail.get("Precedence", "")).strip().lower()
    return (auto_submitted != "no"
            or precedence in ("bulk", "junk", "list", "auto_reply")
            or any(mail.get(h) is not None for h in ("X-Autoreply", "X-Autorespond",
                                                      "X-Auto-Response-Suppress"))
            or bool(AUTO_SUBJECT.match(subject)))


def _bounce_details(mail: MimeBase, envelope_from: str | None) -> tuple[bool, list[str], str]:
    content_type = mail.get_content_type()
    report = content_type == "multipart/report" and \
        mail.get_param("report-type", "").lower() == "delivery-status"  # type: ignore[union-attr]
    sender = parseaddr(str(mail.get("From", "")))[1].lower()
    daemon = sender.split("@")[0] in ("mailer-daemon", "postmaster")
    if not (report or daemon or envelope_from == ""):
        return False, [], ""
    ids: list[str] = []
    status = ""
    for part in mail.walk():
        kind = part.get_content_type()
        if kind == "message/delivery-status":
            found = re.search(r"^Status:\s*([245]\.\d{1,3}\.\d{1,3})", part.as_string(), re.M)
            status = found.group(1) if found else status
        elif kind in ("message/rfc822", "text/rfc822-headers"):
            found = re.search(r"^Message-ID:\s*(.+)$", part.as_string(), re.M | re.I)
            ids += _ids(found.group(1)) if found else []
    return True, ids, status


MAX_MIME_DEPTH = 50  # multipart levels; real mail nests a handful
# multipart containers a mail may declare, counted in the raw bytes before it is parsed: the
# standard parser's time grows with the square of the nesting (1,000 levels, 70 KB: 1.5 s;
# a 40 MB mail of them would hold a worker for hours), so a poison mail is refused unread
MAX_MULTIPARTS = 10 * MAX_MIME_DEPTH
_MULTIPART_HEADER = re.compile(rb"^content-type:\s*multipart/", re.IGNORECASE | re.MULTILINE)


def _depth(mail: MimeBase) -> int:
    """How deeply the mail's parts nest, counted without recursion."""
    deepest, stack = 0, [(mail, 1)]
    while stack:
        part, level = stack.pop()
        deepest = max(deepest, level)
        if deepest > MAX_MIME_DEPTH:
            break
        if part.is_multipart():
            stack.extend((child, level + 1) for child in part.get_payload())
    return deepest


def parse_mail(raw: bytes, *, envelope_from: str | None = None,
               our_domain: str = "") -> ParsedMail:
    if not raw.strip():
        raise MalformedMail("empty message")
    declared = _MULTIPART_HEADER.finditer(raw)
    if any(count >= MAX_MULTIPARTS for count, _ in enumerate(declared)):
        raise MalformedMail("too many MIME parts")
    mail = BytesParser(policy=policy.default).parsebytes(raw)
    if _depth(mail) > MAX_MIME_DEPTH:  # not left to the interpreter's recursion limit, which
        # a library may raise (py_ecc sets 100,000)
        raise MalformedMail("MIME parts nested too deeply")
    try:
        from_header = str(mail.get("From", ""))
    except (ValueError, IndexError, TypeError) as exc:
        raise MalformedMail("unreadable From header") from exc
    name, address = parseaddr(from_header)
    if not address or "@" not in address or address.count("@") != 1:
        raise MalformedMail("no valid From address")
    try:
        subject = str(mail.get("Subject", "") or "").strip()
    except (ValueError, IndexError, TypeError):
        subject = ""
    subject = " ".join(subject.split())[:200]
    to_addresses = [a.lower() for _, a in getaddresses(
        [str(mail.get(h, "")) for h in ("To", "Cc", "Delivered-To")]) if a]
    message_ids = _ids(str(mail.get("Message-ID", "")))
    references = _ids(str(mail.get("In-Reply-To", ""))) + _ids(str(mail.get("References", "")))

    text_plain: str | None = None
    text_html: str | None = None
    attachments: list[AttachmentIn] = []
    for part in mail.walk():
        if part.is_multipart():
            continue
        disposition = part.get_content_disposition()
        kind = part.get_content_type()
        filename = part.get_filename()
        if disposition == "attachment" or (filename and kind not in ("text/plain", "text/html")):
            data = part.get_payload(decode=True)
            if isinstance(data, bytes):
                attachments.append(AttachmentIn(filename or "attachment", kind,
                                                _as_utf8(part, kind, data)))
        elif kind == "text/plain" and text_plain is None:
            text_plain = _decoded_text(part)
        elif kind == "text/html" and text_html is None:
            text_html = _decoded_text(part)
    body = text_plain if text_plain and text_plain.strip() else html_to_text(text_html or "")

    bounce, bounced_ids, status = _bounce_details(mail, envelope_from)
    loop = (mail.get("X-Walletdesk-Loop") is not None
            or (bool(our_domain) and address.lower().endswith("@" + our_domain.lower()))
            or len(mail.get_all("Received") or []) > MAX_RECEIVED_HOPS)
    return ParsedMail(
        message_id=message_ids[0] if message_ids else None,
        from_address=address.lower(),
        from_name=name.strip()[:120],
        to_addresses=to_addresses,
        subject=subject,
        text=strip_quoted(body),
        in_reply_to=references,
        attachments=attachments,
        auto_reply=not bounce and _is_auto(mail, subject),
        bounce=bounce,
        bounced_message_ids=bounced_ids,
        bounce_status=status,
        loop=loop,
        language_hint=str(mail.get("Content-Language", "")).split(",")[0].strip() or None,
    )


def address_parts(address: str) -> tuple[str, str]:
    """("support+token", "example.com") → (local part, domain)."""
    parsed = Address(addr_spec=address)
    return parsed.username, parsed.domain

