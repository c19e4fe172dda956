"""SMS providers. TwilioSms talks to a real HTTP server on loopback that speaks Twilio's wire format."""

import base64
import json
import logging
import socket
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs

import pytest
import structlog
from structlog.testing import capture_logs

from walletdesk.config import Settings
from walletdesk.notify.sms import (
    ConsoleSms,
    SmsError,
    SmsSent,
    TwilioSms,
    make_sms_provider,
    normalise_phone,
)

ACCOUNT_SID = "AC" + "0123456789abcdef" * 2
AUTH_TOKEN = "secret-auth-token-1234"
FROM_NUMBER = "+15005550006"
TO_NUMBER = "+85291234567"
TWILIO_INVALID_NUMBER = "+15005550001"  # Twilio's magic test number: "invalid 'To' number"
BODY = "Your case WD-1042 has an answer: please open the help centre."


@dataclass
class Reply:
    status: int
    payload: dict[str, Any]


@dataclass
class FakeTwilio:
    """What a loopback Twilio server received, and what it should answer next."""

    url: str = ""
    requests: list[dict[str, Any]] = field(default_factory=list)
    override: Reply | None = None
    hang: bool = False
    release: threading.Event = field(default_factory=threading.Event)


def twilio_error(status: int, code: int, message: str) -> Reply:
    return Reply(status, {"code": code, "message": message,
                          "more_info": f"https://www.twilio.com/docs/errors/{code}", "status": status})


def make_handler(state: FakeTwilio) -> type[BaseHTTPRequestHandler]:
    expected_path = f"/2010-04-01/Accounts/{ACCOUNT_SID}/Messages.json"
    expected_auth = "Basic " + base64.b64encode(f"{ACCOUNT_SID}:{AUTH_TOKEN}".encode()).decode()

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:  # keep test output quiet
            pass

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length", "0"))
            raw = self.rfile.read(length).decode()
            form = {key: values[0] for key, values in parse_qs(raw, keep_blank_values=True).items()}
            state.requests.append({"path": self.path, "authorization": self.headers.get("Authorization"),
                                   "content_type": self.headers.get("Content-Type"), "form": form})
            if state.hang:
                state.release.wait(5)
                return  # close without answering
            self.answer(self.decide(form))

        def decide(self, form: dict[str, str]) -> Reply:
            if self.path != expected_path:
                return twilio_error(404, 20404, "The requested resource was not found")
            if self.headers.get("Authorization") != expected_auth:
                return twilio_error(401, 20003, "Authenticate")
            if self.headers.get("Content-Type") != "application/x-www-form-urlencoded":
                return twilio_error(400, 21620, "Invalid content type")
            if not form.get("To") or not form.get("From") or not form.get("Body"):
                return twilio_error(400, 21604, "A 'To', 'From' and 'Body' parameter is required")
            if form["To"] == TWILIO_INVALID_NUMBER:
                return twilio_error(400, 21211, f"The 'To' number {form['To']} is not a valid phone number.")
            if state.override is not None:
                return state.override
            sid = f"SM{len(state.requests):032x}"
            return Reply(201, {"sid": sid, "status": "queued", "to": form["To"], "from": form["From"],
                               "body": form["Body"], "account_sid": ACCOUNT_SID})

        def answer(self, reply: Reply) -> None:
            data = json.dumps(reply.payload).encode()
            self.send_response(reply.status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

    return Handler


@pytest.fixture
def twilio() -> Iterator[FakeTwilio]:
    state = FakeTwilio()
    server = ThreadingHTTPServer(("127.0.0.1", 0), make_handler(state))
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    state.url = f"http://127.0.0.1:{server.server_address[1]}"
    yield state
    state.release.set()
    server.shutdown()
    server.server_close()
    thread.join(5)


def provider(twilio: FakeTwilio, *, auth_token: str = AUTH_TOKEN, timeout_s: float = 10.0) -> TwilioSms:
    return TwilioSms(ACCOUNT_SID, auth_token, FROM_NUMBER, base_url=twilio.url, timeout_s=timeout_s)


def assert_no_personal_data(error: SmsError, number: str, body: str) -> None:
    text = str(error)
    assert number not in text
    assert number.removeprefix("+") not in text
    assert body not in text


# TwilioSms ----------------------------------------------------------------------------------------

async def test_twilio_sends_the_documented_request(twilio: FakeTwilio) -> None:
    sent = await provider(twilio).send("+852 9123-4567", BODY)

    assert sent == SmsSent(provider_id=f"SM{1:032x}")
    assert len(twilio.requests) == 1
    request = twilio.requests[0]
    assert request["path"] == f"/2010-04-01/Accounts/{ACCOUNT_SID}/Messages.json"
    expected_auth = base64.b64encode(f"{ACCOUNT_SID}:{AUTH_TOKEN}".encode()).decode()
    assert request["authorization"] == f"Basic {expected_auth}"
    assert request["content_type"] == "application/x-www-form-urlencoded"
    assert request["form"] == {"To": TO_NUMBER, "From": FROM_NUMBER, "Body": BODY}


async def test_twilio_form_encodes_non_ascii_and_reserved_characters(twilio: FakeTwilio) -> None:
    body = "您的工单已更新 & amount=100% + fees?"
    await provider(twilio).send(TO_NUMBER, body)
    assert twilio.requests[0]["form"]["Body"] == body


async def test_twilio_base_url_with_trailing_slash(twilio: FakeTwilio) -> None:
    sms = TwilioSms(ACCOUNT_SID, AUTH_TOKEN, FROM_NUMBER, base_url=twilio.url + "/")
    sent = await sms.send(TO_NUMBER, BODY)
    assert sent.provider_id.startswith("SM")
    assert twilio.requests[0]["path"] == f"/2010-04-01/Accounts/{ACCOUNT_SID}/Messages.json"


async def test_twilio_wrong_credentials_are_not_retryable(twilio: FakeTwilio) -> None:
    with pytest.raises(SmsError) as caught:
        await provider(twilio, auth_token="wrong-token").send(TO_NUMBER, BODY)

    assert caught.value.retryable is False
    assert "20003" in str(caught.value)
    assert "401" in str(caught.value)
    assert_no_personal_data(caught.value, TO_NUMBER, BODY)
    assert "wrong-token" not in str(caught.value)
    assert len(twilio.requests) == 1


async def test_twilio_refused_number_is_not_retryable_and_not_echoed(twilio: FakeTwilio) -> None:
    with pytest.raises(SmsError) as caught:
        await provider(twilio).send(TWILIO_INVALID_NUMBER, BODY)

    assert caught.value.retryable is False
    assert "21211" in str(caught.value)
    # Twilio's own message repeats the number: it must not be passed on
    assert_no_personal_data(caught.value, TWILIO_INVALID_NUMBER, BODY)


@pytest.mark.parametrize(("status", "code"), [(500, 20500), (503, 20503), (429, 20429)])
async def test_twilio_outage_and_rate_limit_are_retryable(twilio: FakeTwilio, status: int, code: int) -> None:
    twilio.override = twilio_error(status, code, f"trouble sending to {TO_NUMBER}")
    with pytest.raises(SmsError) as caught:
        await provider(twilio).send(TO_NUMBER, BODY)

    assert caught.value.retryable is True
    assert str(status) in str(caught.value)
    assert_no_personal_data(caught.value, TO_NUMBER, BODY)


async def test_twilio_other_client_errors_are_not_retryable(twilio: FakeTwilio) -> None:
    twilio.override = twilio_error(400, 21610, f"Attempt to send to unsubscribed recipient {TO_NUMBER}")
    with pytest.raises(SmsError) as caught:
        await provider(twilio).send(TO_NUMBER, BODY)
    assert caught.value.retryable is False
    assert "21610" in str(caught.value)
    assert_no_personal_data(caught.value, TO_NUMBER, BODY)


async def test_twilio_success_without_sid_is_retryable(twilio: FakeTwilio) -> None:
    twilio.override = Reply(201, {"status": "queued", "to": TO_NUMBER})
    with pytest.raises(SmsError) as caught:
        await provider(twilio).send(TO_NUMBER, BODY)
    assert caught.value.retryable is True
    assert str(caught.value) == "provider answered without a message id"


async def test_twilio_server_not_listening_is_retryable() -> None:
    with socket.socket() as probe:  # a port that was free a moment ago and has nobody listening
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    sms = TwilioSms(ACCOUNT_SID, AUTH_TOKEN, FROM_NUMBER, base_url=f"http://127.0.0.1:{port}", timeout_s=2)

    with pytest.raises(SmsError) as caught:
        await sms.send(TO_NUMBER, BODY)
    assert caught.value.retryable is True
    assert_no_personal_data(caught.value, TO_NUMBER, BODY)


async def test_twilio_timeout_is_retryable(twilio: FakeTwilio) -> None:
    twilio.hang = True
    with pytest.raises(SmsError) as caught:
        await provider(twilio, timeout_s=0.3).send(TO_NUMBER, BODY)
    assert caught.value.retryable is True
    assert "did not answer" in str(caught.value)
    assert len(twilio.requests) == 1


async def test_twilio_refuses_long_body_before_sending(twilio: FakeTwilio) -> None:
    with pytest.raises(ValueError, match="1600"):
        await provider(twilio).send(TO_NUMBER, "x" * 1601)
    assert twilio.requests == []


async def test_twilio_accepts_body_of_exactly_1600_characters(twilio: FakeTwilio) -> None:
    await provider(twilio).send(TO_NUMBER, "x" * 1600)
    assert len(twilio.requests[0]["form"]["Body"]) == 1600


async def test_twilio_refuses_bad_number_before_sending(twilio: FakeTwilio) -> None:
    with pytest.raises(ValueError, match="international format"):
        await provider(twilio).send("91234567", BODY)
    assert twilio.requests == []


# normalise_phone ----------------------------------------------------------------------------------

@pytest.mark.parametrize(("raw", "expected"), [
    ("+85291234567", "+85291234567"),
    ("+852 9123-4567", "+85291234567"),
    ("+1 (415) 555-0100", "+14155550100"),
    ("+44.20.7946.0958", "+442079460958"),
    (" +8613812345678 ", "+8613812345678"),
    ("+1234567", "+1234567"),  # shortest: 7 digits
    ("+123456789012345", "+123456789012345"),  # longest: 15 digits
])
def test_normalise_phone_accepts_international_numbers(raw: str, expected: str) -> None:
    assert normalise_phone(raw) == expected


@pytest.mark.parametrize("raw", [
    "",
    "+",
    "91234567",  # no country code
    "0085291234567",  # international prefix instead of "+"
    "+0852912345",  # country codes never start with 0
    "+123456",  # too short
    "+1234567890123456",  # too long
    "+852 9123 456a",
    "+852/91234567",
    "++85291234567",
    "+852９１２３４５６７",  # full-width digits
    "+٨٥٢٩١٢٣٤٥٦٧",  # Arabic-Indic digits
])
def test_normalise_phone_rejects_other_input(raw: str) -> None:
    with pytest.raises(ValueError) as caught:
        normalise_phone(raw)
    assert str(caught.value) == "phone number must be in international format, e.g. +85291234567"


# ConsoleSms ---------------------------------------------------------------------------------------

@pytest.fixture
def info_logs_on() -> Iterator[None]:
    """Other tests configure WARNING-level logging; this one must see the INFO event."""
    saved = structlog.get_config()
    structlog.configure(wrapper_class=structlog.make_filtering_bound_logger(logging.DEBUG))
    yield
    structlog.configure(**saved)


async def test_console_logs_neither_body_nor_full_number(info_logs_on: None) -> None:
    sms = ConsoleSms()
    with capture_logs() as logs:
        sent = await sms.send("+852 9123-4567", BODY)

    assert sent.provider_id.startswith("console-")
    assert len(sent.provider_id) == len("console-") + 32
    assert len(logs) == 1
    entry = logs[0]
    assert entry["event"] == "sms.console"
    assert entry["to"] == "+*********67"
    assert entry["body_chars"] == len(BODY)
    logged = repr(logs)
    assert BODY not in logged
    assert "91234567" not in logged
    assert sms.sent == [(TO_NUMBER, BODY)]


async def test_console_keeps_only_the_latest_messages() -> None:
    sms = ConsoleSms(max_kept=3)
    with capture_logs():
        ids = {(await sms.send(TO_NUMBER, f"message {n}")).provider_id for n in range(5)}
    assert len(ids) == 5
    assert sms.sent == [(TO_NUMBER, "message 2"), (TO_NUMBER, "message 3"), (TO_NUMBER, "message 4")]


async def test_console_refuses_bad_number() -> None:
    sms = ConsoleSms()
    with pytest.raises(ValueError):
        await sms.send("91234567", BODY)
    assert sms.sent == []


# make_sms_provider --------------------------------------------------------------------------------

@pytest.fixture
def clean_sms_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for variable in ("WALLETDESK_SMS_PROVIDER", "WALLETDESK_TWILIO_ACCOUNT_SID",
                     "WALLETDESK_TWILIO_AUTH_TOKEN", "WALLETDESK_TWILIO_FROM_NUMBER",
                     "WALLETDESK_TWILIO_BASE_URL"):
        monkeypatch.delenv(variable, raising=False)


def test_make_sms_provider_defaults_to_console(clean_sms_env: None) -> None:
    sms = make_sms_provider(Settings(environment="test"))
    assert isinstance(sms, ConsoleSms)
    assert sms.name == "console"


async def test_make_sms_provider_builds_twilio(clean_sms_env: None, twilio: FakeTwilio) -> None:
    settings = Settings(environment="test", sms_provider="twilio", twilio_account_sid=ACCOUNT_SID,
                        twilio_auth_token=AUTH_TOKEN, twilio_from_number=FROM_NUMBER,
                        twilio_base_url=twilio.url)
    sms = make_sms_provider(settings)
    assert isinstance(sms, TwilioSms)
    assert sms.name == "twilio"
    await sms.send(TO_NUMBER, BODY)
    assert twilio.requests[0]["form"] == {"To": TO_NUMBER, "From": FROM_NUMBER, "Body": BODY}


def test_make_sms_provider_twilio_defaults_to_the_real_api(clean_sms_env: None) -> None:
    settings = Settings(environment="test", sms_provider="twilio", twilio_account_sid=ACCOUNT_SID,
                        twilio_auth_token=AUTH_TOKEN, twilio_from_number=FROM_NUMBER)
    sms = make_sms_provider(settings)
    assert isinstance(sms, TwilioSms)
    assert sms.url == f"https://api.twilio.com/2010-04-01/Accounts/{ACCOUNT_SID}/Messages.json"


def test_make_sms_provider_refuses_incomplete_twilio(clean_sms_env: None) -> None:
    with pytest.raises(ValueError) as caught:
        make_sms_provider(Settings(environment="test", sms_provider="twilio", twilio_account_sid=ACCOUNT_SID))
    message = str(caught.value)
    assert "WALLETDESK_TWILIO_AUTH_TOKEN" in message
    assert "WALLETDESK_TWILIO_FROM_NUMBER" in message
    assert "WALLETDESK_TWILIO_ACCOUNT_SID" not in message


def test_make_sms_provider_treats_empty_values_as_missing(clean_sms_env: None) -> None:
    settings = Settings(environment="test", sms_provider="twilio", twilio_account_sid="",
                        twilio_auth_token=AUTH_TOKEN, twilio_from_number=FROM_NUMBER)
    with pytest.raises(ValueError, match="WALLETDESK_TWILIO_ACCOUNT_SID"):
        make_sms_provider(settings)
