"""A poison mail (thousands of nested parts) is refused by its depth, not by the interpreter's
recursion limit, which a library may raise for the whole process (py_ecc sets 100,000), and
one that declares more multipart containers than any real mail is refused before it is parsed
(the standard parser's time grows with the square of the nesting)."""

import sys

import pytest

from tests.web.test_bad_inputs import _nested_mail
from walletdesk.email import parse
from walletdesk.email.parse import MAX_MIME_DEPTH, MAX_MULTIPARTS, MalformedMail, parse_mail


def _side_by_side_mail(containers: int) -> bytes:
    """One multipart/mixed holding ``containers - 1`` shallow multipart/alternative parts."""
    inner = "".join("--outer\r\nContent-Type: multipart/alternative; boundary=\"in\"\r\n\r\n"
                    "--in\r\nContent-Type: text/plain\r\n\r\nhello\r\n--in--\r\n"
                    for _ in range(containers - 1))
    return ("From: Many <many@example.com>\r\nTo: support@walletdesk.localhost\r\n"
            "Subject: many\r\nMIME-Version: 1.0\r\n"
            'Content-Type: multipart/mixed; boundary="outer"\r\n\r\n'
            + inner + "--outer--\r\n").encode()


@pytest.mark.parametrize("limit", [1000, 100_000])
def test_nested_parts_are_refused_whatever_the_recursion_limit(limit):
    before = sys.getrecursionlimit()
    sys.setrecursionlimit(limit)
    try:
        with pytest.raises(MalformedMail, match="too many MIME parts"):
            parse_mail(_nested_mail(2000))
        with pytest.raises(MalformedMail, match="nested too deeply"):
            parse_mail(_nested_mail(MAX_MIME_DEPTH + 5))
        parse_mail(_nested_mail(MAX_MIME_DEPTH - 5))  # deep but ordinary enough: read
    finally:
        sys.setrecursionlimit(before)


def test_too_many_containers_are_refused_unread(monkeypatch):
    parse_mail(_side_by_side_mail(MAX_MULTIPARTS))  # many, shallow: read

    def unread(*args: object, **kwargs: object) -> None:
        raise AssertionError("the mail was handed to the parser")

    monkeypatch.setattr(parse.BytesParser, "parsebytes", unread)
    for poison in (_side_by_side_mail(MAX_MULTIPARTS + 1), _nested_mail(5000),
                   _nested_mail(5000).replace(b"Content-Type: multipart", b"CONTENT-TYPE:\r\n multipart")):
        with pytest.raises(MalformedMail, match="too many MIME parts"):
            parse_mail(poison)
