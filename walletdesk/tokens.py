"""Signed tokens in addresses and links: a reply address that names its conversation, a
survey link that names its survey, a follow-up link that names its task. Each is
``<letter><id>-<HMAC of the id>`` under the secret key, so a changed id or token is simply
not recognised."""

import hashlib
import hmac
import re

from walletdesk.config import Settings

# purpose: (letter, length of the MAC in hex)
KINDS = {"reply": ("c", 12), "survey": ("s", 24), "followup": ("f", 24)}


def _mac(settings: Settings, purpose: str, value: int, length: int) -> str:
    key = settings.secret_key.encode()
    return hmac.new(key, f"{purpose}:{value}".encode(), hashlib.sha256).hexdigest()[:length]


def sign(settings: Settings, purpose: str, value: int) -> str:
    letter, length = KINDS[purpose]
    return f"{letter}{value}-{_mac(settings, purpose, value, length)}"


def verify(settings: Settings, purpose: str, token: str) -> int | None:
    """The id a token names, or None if it is not one of ours for this purpose."""
    letter, length = KINDS[purpose]
    found = re.fullmatch(rf"{letter}(\d{{1,12}})-([0-9a-f]{{{length}}})", token)
    if found is None:
        return None
    value = int(found.group(1))
    expected = _mac(settings, purpose, value, length)
    return value if hmac.compare_digest(found.group(2), expected) else None


def support_domain(settings: Settings) -> str:
    return settings.support_email.rsplit("@", 1)[1].lower()


def reply_address(settings: Settings, conversation_id: int) -> str:
    """support+c42-<mac>@domain: replies to it land in conversation 42."""
    mailbox, domain = settings.support_email.rsplit("@", 1)
    return f"{mailbox}+{sign(settings, 'reply', conversation_id)}@{domain}"


def conversation_from_address(settings: Settings, address: str) -> int | None:
    local, _, domain = address.lower().rpartition("@")
    if domain != support_domain(settings) or "+" not in local:
        return None
    return verify(settings, "reply", local.split("+", 1)[1])


def survey_token(settings: Settings, survey_id: int) -> str:
    return sign(settings, "survey", survey_id)


def survey_from_token(settings: Settings, token: str) -> int | None:
    return verify(settings, "survey", token)


def followup_token(settings: Settings, followup_id: int) -> str:
    return sign(settings, "followup", followup_id)


def followup_from_token(settings: Settings, token: str) -> int | None:
    return verify(settings, "followup", token)
