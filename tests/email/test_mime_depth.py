"""A poison mail (thousands of nested parts) is refused by its depth, not by the interpreter's
recursion limit, which a library may raise for the whole process (py_ecc sets 100,000)."""

import sys

import pytest

from tests.web.test_bad_inputs import _nested_mail
from walletdesk.email.parse import MAX_MIME_DEPTH, MalformedMail, parse_mail


@pytest.mark.parametrize("limit", [1000, 100_000])
def test_nested_parts_are_refused_whatever_the_recursion_limit(limit):
    before = sys.getrecursionlimit()
    sys.setrecursionlimit(limit)
    try:
        with pytest.raises((MalformedMail, RecursionError)):
            parse_mail(_nested_mail(2000))
        if limit > 1000:  # parsed without recursion errors: refused by depth
            with pytest.raises(MalformedMail, match="nested too deeply"):
                parse_mail(_nested_mail(MAX_MIME_DEPTH + 5))
        parse_mail(_nested_mail(MAX_MIME_DEPTH - 5))  # deep but ordinary enough: read
    finally:
        sys.setrecursionlimit(before)
