"""SMS for follow-up notifications: one small interface, one adapter per provider.

The rest of the desk depends only on ``SmsProvider``: ``await provider.send(to, body)`` either
returns an ``SmsSent`` with the provider's message id or raises ``SmsError``. ``SmsError.retryable``
tells the caller whether trying again later can help (network trouble, rate limits, provider
outages) or not (bad credentials, a number the provider refuses): the caller owns the retry
policy, the adapters never retry on their own.

Adapters:

* ``ConsoleSms`` (development, the default): sends nothing, logs a masked number and the body
  length, and keeps the messages in memory (``.sent``) for a developer or the demo to look at.
* ``TwilioSms``: Twilio's Programmable Messaging REST API over ``httpx``.

Phone numbers and message texts are personal data: they never appear in logs or in error
messages. Errors carry only the provider's error code and the HTTP status. Twilio's own error
text is deliberately dropped, because it often repeats the number ("The 'To' number +1… is not
a valid phone number").
"""

import re
import uuid
from dataclasses import dataclass
from typing import Any, Protocol

import httpx
import structlog

from walletdesk.config import Settings

TWILIO_MAX_BODY_CHARS = 1600
E164 = re.compile(r"\+[1-9][0-9]{6,14}")  # ASCII digits only: \d would accept other scripts' digits
PHONE_SEPARATORS = re.compile(r"[\s\-.()]")


class SmsError(Exception):
    """A message could not be sent. The text never contains the number or the body."""

    def __init__(self, message: str, *, retryable: bool) -> None:
        super().__init__(message)
        self.retryable = retryable


@dataclass(frozen=True)
class SmsSent:
    provider_id: str


class SmsProvider(Protocol):
    name: str

    async def send(self, to: str, body: str) -> SmsSent: ...


def normalise_phone(number: str) -> str:
    """Return the number in E.164 form ("+85291234567"), accepting common separators."""
    compact = PHONE_SEPARATORS.sub("", number)
    if not E164.fullmatch(compact):
        raise ValueError("phone number must be in international format, e.g. +85291234567")
    return compact


def mask_phone(number: str) -> str:
    """Keep the "+" and the last two digits: "+85291234567" -> "+*********67"."""
    digits = number.removeprefix("+")
    return "+" + "*" * (len(digits) - 2) + digits[-2:]


class ConsoleSms:
    """Development provider: logs that a message would be sent, and keeps it in memory."""

    name = "console"

    def __init__(self, max_kept: int = 100) -> None:
        self.max_kept = max_kept
        self.sent: list[tuple[str, str]] = []  # (number, body), newest last; memory only, never logged

    async def send(self, to: str, body: str) -> SmsSent:
        number = normalise_phone(to)
        provider_id = f"console-{uuid.uuid4().hex}"
        self.sent.append((number, body))
        del self.sent[:-self.max_kept]
        structlog.get_logger(__name__).info(
            "sms.console", to=mask_phone(number), body_chars=len(body), provider_id=provider_id)
        return SmsSent(provider_id=provider_id)


class TwilioSms:
    """Twilio Programmable Messaging: ``POST /2010-04-01/Accounts/{sid}/Messages.json``."""

    name = "twilio"

    def __init__(self, account_sid: str, auth_token: str, from_number: str,
                 base_url: str = "https://api.twilio.com", timeout_s: float = 10.0,
                 transport: httpx.AsyncBaseTransport | None = None) -> None:
        self.account_sid = account_sid
        self._auth_token = auth_token
        self.from_number = from_number  # a number, or an alphanumeric sender id: passed as given
        self.url = f"{base_url.rstrip('/')}/2010-04-01/Accounts/{account_sid}/Messages.json"
        self.timeout_s = timeout_s
        self._transport = transport

    async def send(self, to: str, body: str) -> SmsSent:
        number = normalise_phone(to)
        if not body:
            raise ValueError("SMS body must not be empty")
        if len(body) > TWILIO_MAX_BODY_CHARS:
            raise ValueError(f"SMS body must be at most {TWILIO_MAX_BODY_CHARS} characters")
        form = {"To": number, "From": self.from_number, "Body": body}
        try:
            async with httpx.AsyncClient(auth=(self.account_sid, self._auth_token),
                                         timeout=self.timeout_s, transport=self._transport) as client:
                response = await client.post(self.url, data=form)
        except httpx.TimeoutException as exc:
            raise SmsError(f"Twilio did not answer within {self.timeout_s:g} s", retryable=True) from exc
        except httpx.TransportError as exc:
            raise SmsError(f"could not reach Twilio ({type(exc).__name__})", retryable=True) from exc
        return self._result(response)

    @staticmethod
    def _result(response: httpx.Response) -> SmsSent:
        status = response.status_code
        payload = _json_object(response)
        if 200 <= status < 300:
            sid = payload.get("sid")
            if not isinstance(sid, str) or not sid:
                raise SmsError("provider answered without a message id", retryable=True)
            return SmsSent(provider_id=sid)
        code = payload.get("code")
        # only a numeric code is echoed: free text from the provider may repeat the number
        detail = f"HTTP {status}" + (f", Twilio error {code}" if type(code) is int else "")
        if status == 429 or status >= 500:
            raise SmsError(f"Twilio is unavailable or rate limiting ({detail})", retryable=True)
        raise SmsError(f"Twilio refused the message ({detail})", retryable=False)


def _json_object(response: httpx.Response) -> dict[str, Any]:
    """The response body as a JSON object, or {} if it is anything else."""
    try:
        payload = response.json()
    except ValueError:  # not JSON (e.g. a proxy's HTML error page)
        return {}
    return payload if isinstance(payload, dict) else {}


def make_sms_provider(settings: Settings) -> SmsProvider:
    """The provider chosen by ``WALLETDESK_SMS_PROVIDER``; refuses an incomplete Twilio set-up."""
    if settings.sms_provider == "console":
        return ConsoleSms()
    required = {
        "WALLETDESK_TWILIO_ACCOUNT_SID": settings.twilio_account_sid,
        "WALLETDESK_TWILIO_AUTH_TOKEN": settings.twilio_auth_token,
        "WALLETDESK_TWILIO_FROM_NUMBER": settings.twilio_from_number,
    }
    missing = [variable for variable, value in required.items() if not value]
    if missing:
        raise ValueError(f"WALLETDESK_SMS_PROVIDER=twilio needs {', '.join(missing)}")
    assert settings.twilio_account_sid and settings.twilio_auth_token and settings.twilio_from_number
    return TwilioSms(settings.twilio_account_sid, settings.twilio_auth_token, settings.twilio_from_number,
                     base_url=settings.twilio_base_url)
