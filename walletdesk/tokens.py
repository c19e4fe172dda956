"""Signed tokens in addresses and links: a reply address that names its conversation, a
survey link that names its survey, a follow-up link that names its task. Each is an HMAC
of the id under the secret key, so a changed id or token is simply not recognised."""

import hashlib
import hmac
import re

from walletdesk.config import Settings

REPLY_TOKEN = re.compile(r"^c(\d{1,12})-([0-9a-f]{12})$")
SURVEY_TOKEN = re.compile(r"^s(\d{1,12})-([0-9a-f]{24})$")
FOLLOWUP_TOKEN = re.compile(r"^f(\d{1,12})-([0-9a-f]{24})$")


def _mac(settings: Settings, purpose: str, value: int, length: int) -> str:
    key = settings.secret_key.encode()
    return hmac.new(key, f"{purpose}:{value}".encode(), hashlib.sha256).hexdigest()[:length]


def support_domain(settings: Settings) -> str:
    return settings.support_email.rsplit("@", 1)[1].lower()


def reply_address(settings: Settings, conversation_id: int) -> str:
    """support+c42-<mac>@domain: replies to it land in conversation 42."""
    mailbox, domain = settings.support_email.rsplit("@", 1)
    return f"{mailbox}+c{conversation_id}-{_mac(settings, 'reply', conversation_id, 12)}@{domain}"


def conversation_from_address(settings: Settings, address: str) -> int | None:
    local, _, domain = address.lower().rpartition("@")
    if domain != support_domain(settings) or "+" not in local:
        return None
    found = REPLY_TOKEN.match(local.split("+", 1)[1])
    if found is None:
        return None
    conversation_id = int(found.group(1))
    expected = _mac(settings, "reply", conversation_id, 12)
    return conversation_id if hmac.compare_digest(found.group(2), expected) else None


def survey_token(settings: Settings, survey_id: int) -> str:
    return f"s{survey_id}-{_mac(settings, 'survey', survey_id, 24)}"


def survey_from_token(settings: Settings, token: str) -> int | None:
    found = SURVEY_TOKEN.match(token)
    if found is None:
        return None
    survey_id = int(found.group(1))
    expected = _mac(settings, "survey", survey_id, 24)
    return survey_id if hmac.compare_digest(found.group(2), expected) else None


def followup_token(settings: Settings, followup_id: int) -> str:
    return f"f{followup_id}-{_mac(settings, 'followup', followup_id, 24)}"


def followup_from_token(settings: Settings, token: str) -> int | None:
    found = FOLLOWUP_TOKEN.match(token)
    if found is None:
        return None
    followup_id = int(found.group(1))
    expected = _mac(settings, "followup", followup_id, 24)
    return followup_id if hmac.compare_digest(found.group(2), expected) else None
