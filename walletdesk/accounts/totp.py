"""Time-based one-time passwords (RFC 6238, HMAC-SHA1, 6 digits, 30 s steps) and recovery codes.

Pure functions: the actions in walletdesk.accounts.two_factor store secrets and accepted steps.
Authenticator apps (Google Authenticator, Aegis, 1Password, ...) read the otpauth:// URI.
"""

import base64
import hashlib
import hmac
import secrets
import struct
import time
from urllib.parse import quote, urlencode

DIGITS = 6
STEP_S = 30
# accept the previous and next step too: phone clocks drift and people type slowly
DRIFT_STEPS = 1
RECOVERY_CODE_COUNT = 10
_RECOVERY_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # no 0/o, 1/l/i: read off paper


def new_secret() -> str:
    """160 random bits, base32 without padding (what authenticator apps expect)."""
    return base64.b32encode(secrets.token_bytes(20)).decode().rstrip("=")


def _key(secret: str) -> bytes:
    padded = secret.upper() + "=" * (-len(secret) % 8)
    return base64.b32decode(padded)


def hotp(secret: str, counter: int) -> str:
    """RFC 4226: the code for one counter value."""
    digest = hmac.new(_key(secret), struct.pack(">Q", counter), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    value = struct.unpack(">I", digest[offset:offset + 4])[0] & 0x7FFFFFFF
    return str(value % 10**DIGITS).zfill(DIGITS)


def current_step(now: float | None = None) -> int:
    return int((time.time() if now is None else now) // STEP_S)


def code_at(secret: str, now: float | None = None) -> str:
    return hotp(secret, current_step(now))


def matching_step(secret: str, code: str, now: float | None = None) -> int | None:
    """The time step whose code this is (within the allowed drift), or None."""
    code = "".join(code.split())
    if len(code) != DIGITS or not code.isdigit():
        return None
    step = current_step(now)
    for candidate in range(step - DRIFT_STEPS, step + DRIFT_STEPS + 1):
        if hmac.compare_digest(hotp(secret, candidate), code):
            return candidate
    return None


def provisioning_uri(secret: str, account: str, issuer: str) -> str:
    """The otpauth:// URI an authenticator app imports (typed in, or as a QR code)."""
    label = quote(f"{issuer}:{account}", safe="@:")
    query = urlencode({"secret": secret, "issuer": issuer, "algorithm": "SHA1",
                       "digits": DIGITS, "period": STEP_S})
    return f"otpauth://totp/{label}?{query}"


def new_recovery_codes(count: int = RECOVERY_CODE_COUNT) -> list[str]:
    """Codes like ``k7fq-29mx-hd4p`` (about 59 random bits each): shown once, stored hashed."""
    codes = []
    for _ in range(count):
        raw = "".join(secrets.choice(_RECOVERY_ALPHABET) for _ in range(12))
        codes.append(f"{raw[:4]}-{raw[4:8]}-{raw[8:]}")
    return codes


def recovery_code_hash(code: str) -> str:
    """Codes are long random strings: a fast hash is enough (no dictionary to try)."""
    normal = "".join(ch for ch in code.lower() if ch.isalnum())
    return hashlib.sha256(f"walletdesk-recovery:{normal}".encode()).hexdigest()


def looks_like_recovery_code(code: str) -> bool:
    normal = "".join(ch for ch in code.lower() if ch.isalnum())
    return len(normal) == 12 and all(ch in _RECOVERY_ALPHABET for ch in normal)
