"""The operator's context endpoint, against a local server that checks each request's
signature as the docs tell operators to: the documented schema, unknown fields, the short
cache, one request per customer at a time, and every failure degrading to "unavailable"
(timeouts, errors, bad JSON, oversize answers) without holding the event loop."""

import asyncio
import time

import pytest

from tests.conftest import make_settings
from tests.customer_context.operator_server import SECRET, Operator, operator_endpoint
from walletdesk import crypto
from walletdesk.customer_context import operator as context_module
from walletdesk.customer_context.operator import Subject, operator_context, subject_of
from walletdesk.customer_context.signing import signature, signature_valid
from walletdesk.customers.models import Customer
from walletdesk.db.base import utcnow

USER = Subject("user-42", None)


@pytest.fixture
async def operator():  # type: ignore[no-untyped-def]
    context_module.clear_cache()
    async with operator_endpoint() as state:
        yield state
    context_module.clear_cache()


def settings_for(operator: Operator, **overrides: object):  # type: ignore[no-untyped-def]
    # a loaded test machine may take a while to answer even on loopback: only the test of
    # the timeout itself uses a short one
    values: dict[str, object] = {"customer_context_url": operator.url,
                                 "customer_context_secret": SECRET,
                                 "customer_context_timeout_s": 20.0, **overrides}
    return make_settings("sqlite+aiosqlite:///:memory:", **values)


async def test_a_signed_request_gets_the_documented_fields(operator):
    context = await operator_context(settings_for(operator), USER)
    assert operator.refused == 0
    assert operator.requests == [{"user_id": "user-42", "email": None,
                                  "verified_by": "identity"}]
    assert context.state == "ok" and not context.cached
    assert (context.account_level, context.points, context.app_version) == ("Gold", 1200, "3.2.1")
    assert context.transactions is not None
    assert [t.values["type"] for t in context.transactions] == ["withdrawal", "deposit"]
    assert context.transactions[0].values["hash"].startswith("0x9fd2")
    # fields the schema does not name are kept as text, to be shown escaped
    assert dict(context.extra) == {"kyc_status": "passed",
                                   "note_html": '<img src=x onerror="window.__xss=1">'}


async def test_a_wrong_secret_is_refused_by_the_operator_and_shows_unavailable(operator):
    settings = settings_for(operator, customer_context_secret="not-the-operators-secret")
    context = await operator_context(settings, USER)
    assert operator.refused == 1 and operator.requests == []
    assert (context.state, context.reason) == ("unavailable", "http_401")


def test_the_documented_signature_scheme():
    body = b'{"user_id":"u-1","email":null,"verified_by":"identity"}'
    sig = signature("s3cret", 1764480000, body)
    assert sig == "v1=" + __import__("hmac").new(
        b"s3cret", b"1764480000." + body, "sha256").hexdigest()
    assert signature_valid("s3cret", "1764480000", sig, body, now=1764480100)
    assert not signature_valid("s3cret", "1764480000", sig, body + b" ", now=1764480100)
    assert not signature_valid("s3cret", "1764480000", sig, body, now=1764480000 + 301)  # replay
    assert not signature_valid("other", "1764480000", sig, body, now=1764480100)


async def test_answers_are_cached_briefly_and_refresh_asks_again(operator):
    settings = settings_for(operator)
    first = await operator_context(settings, USER)
    operator.answer = {**operator.answer, "points": 1300}
    again = await operator_context(settings, USER)
    assert len(operator.requests) == 1 and again.cached and again.points == first.points
    context_module._cache.entries[(settings.customer_context_url, USER.key)] = (
        time.monotonic() + 60, time.monotonic() - 10, first)  # asked 10 s ago
    fresh = await operator_context(settings, USER, refresh=True)
    assert len(operator.requests) == 2 and fresh.points == 1300 and not fresh.cached
    other = await operator_context(settings, Subject(None, "li@example.com"))
    assert operator.requests[-1] == {"user_id": None, "email": "li@example.com",
                                     "verified_by": "email"}
    assert other.state == "ok"
    # no cache at all when the operator sets it to 0
    uncached = settings_for(operator, customer_context_cache_s=0)
    context_module.clear_cache()
    await operator_context(uncached, USER)
    await operator_context(uncached, USER)
    assert len(operator.requests) == 5


async def test_many_panels_at_once_make_one_request(operator):
    operator.mode = "hold"
    settings = settings_for(operator)
    asks = [asyncio.create_task(operator_context(settings, USER)) for _ in range(50)]
    await operator.arrived.wait()
    operator.release.set()
    results = await asyncio.gather(*asks)
    assert len(operator.requests) == 1
    assert {r.points for r in results} == {1200}


async def test_the_event_loop_runs_while_the_endpoint_thinks(operator):
    """The request is held until this coroutine, on the same loop, lets it go: were the loop
    blocked, the answer could never come."""
    operator.mode = "hold"
    ask = asyncio.create_task(operator_context(settings_for(operator), USER))
    await operator.arrived.wait()
    assert not ask.done()
    operator.release.set()
    assert (await ask).state == "ok"


@pytest.mark.parametrize("mode, status, reason", [
    ("hold", 200, "timeout"),
    ("status", 500, "http_500"),
    ("status", 404, "http_404"),
    ("bad_json", 200, "bad_json"),
    ("not_object", 200, "bad_json"),
    ("oversize", 200, "too_large"),
    ("oversize_chunked", 200, "too_large"),
])
async def test_failures_degrade_to_unavailable(operator, mode, status, reason):
    operator.mode, operator.status = mode, status
    settings = settings_for(operator, customer_context_timeout_s=0.5 if mode == "hold" else 20.0)
    context = await operator_context(settings, USER)
    assert (context.state, context.reason) == ("unavailable", reason)
    assert context.points is None and context.transactions is None
    # a failure is remembered a few seconds only: the panel's refresh asks again after it
    operator.mode = "ok"
    assert (await operator_context(settings, USER)).state == "unavailable"
    context_module.clear_cache()
    operator.release.set()  # the held request (if any) ends
    assert (await operator_context(settings_for(operator), USER)).state == "ok"


async def test_an_unreachable_endpoint_is_unavailable():
    context_module.clear_cache()
    settings = make_settings("sqlite+aiosqlite:///:memory:",
                             customer_context_url="http://127.0.0.1:9/context",
                             customer_context_secret=SECRET)
    context = await operator_context(settings, USER)
    assert (context.state, context.reason) == ("unavailable", "connection")


async def test_nothing_is_asked_without_a_verified_id_or_a_configured_endpoint(operator):
    assert (await operator_context(settings_for(operator), None)).state == "unverified"
    plain = make_settings("sqlite+aiosqlite:///:memory:")
    assert (await operator_context(plain, USER)).state == "not_configured"
    assert operator.requests == []
    crypto.configure(None, None, "test-secret-key-" + "x" * 32)  # the keyed hashes
    anonymous = Customer(display_name="x", email="x@example.com")
    assert subject_of(anonymous) is None  # an e-mail nobody proved is not an identity
    anonymous.email_verified_at = utcnow()
    assert subject_of(anonymous) == Subject(None, "x@example.com")
    signed = Customer(verified_user_id="u-9", email="x@example.com", email_verified_at=utcnow())
    assert subject_of(signed) == Subject("u-9", None)
    signed.erased_at = utcnow()
    assert subject_of(signed) is None


def test_wrong_types_are_ignored_and_values_bounded():
    context = context_module.parse_answer({
        "account_level": {"not": "text"}, "points": "12.5", "app_version": "9" * 100,
        "recent_transactions": [{"type": "swap", "amount": 3}, "junk", {"nothing": None}] * 20,
        **{f"field_{i}": i for i in range(40)}, "nested": {"a": [1, 2]}, "flag": True})
    assert context.account_level is None and context.points is None
    assert context.app_version == "9" * 40
    assert context.transactions is not None and len(context.transactions) == 7
    assert context.transactions[0].values == {"type": "swap", "amount": "3"}
    assert len(context.extra) == context_module.MAX_EXTRA_FIELDS
    assert context_module.parse_answer({"points": 7.0, "x": [1]}).points == 7
    assert dict(context_module.parse_answer({"n": {"a": [1, 2]}, "b": False}).extra) == {
        "n": '{"a":[1,2]}', "b": "false"}


@pytest.mark.parametrize("points", ["--5", "²", "1" * 5000, "-", " 12 3", "１２"])
def test_points_that_are_not_a_whole_number_are_ignored(points):
    # "--5" and "²" passed isdigit() and then int() raised: a 500 in the panel, no bot reply
    context = context_module.parse_answer({"points": points, "account_level": "gold"})
    assert context.state == "ok" and context.points is None and context.account_level == "gold"


@pytest.mark.parametrize(("points", "read"), [(" 42 ", 42), ("-7", -7), (12, 12)])
def test_whole_numbers_as_text_are_points(points, read):
    assert context_module.parse_answer({"points": points}).points == read


def test_settings_refuse_an_endpoint_without_a_secret():
    with pytest.raises(ValueError, match="CUSTOMER_CONTEXT_SECRET"):
        make_settings("sqlite+aiosqlite:///:memory:", customer_context_url="https://x.example/c")
    with pytest.raises(ValueError, match="CUSTOMER_CONTEXT_URL"):
        make_settings("sqlite+aiosqlite:///:memory:", customer_context_url="ftp://x.example/c",
                      customer_context_secret=SECRET)
