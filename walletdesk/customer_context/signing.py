"""How the desk signs its requests to the operator's context endpoint (docs/decisions/
0028-signed-context-requests.md), in the shape of Stripe's and Slack's webhook signatures:

    X-Walletdesk-Timestamp: <unix seconds>
    X-Walletdesk-Signature: v1=<hex(HMAC-SHA256(key=secret, msg=f"{timestamp}.".encode() + body))>

The operator recomputes the HMAC over the raw body bytes it received, compares in constant
time, and refuses a timestamp more than ``TOLERANCE_S`` away from its clock (a replay).
"""

import hashlib
import hmac

VERSION = "v1"
TIMESTAMP_HEADER = "X-Walletdesk-Timestamp"
SIGNATURE_HEADER = "X-Walletdesk-Signature"
TOLERANCE_S = 300


def signature(secret: str, timestamp: int, body: bytes) -> str:
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return f"{VERSION}={mac.hexdigest()}"


def signed_headers(secret: str, timestamp: int, body: bytes) -> dict[str, str]:
    return {TIMESTAMP_HEADER: str(timestamp), SIGNATURE_HEADER: signature(secret, timestamp, body)}


def signature_valid(secret: str, timestamp: str | None, signature_header: str | None,
                    body: bytes, now: float) -> bool:
    """The operator's check, as documented (the tests' operator server uses its own copy)."""
    if not timestamp or not signature_header or not timestamp.isdigit():
        return False
    if abs(now - int(timestamp)) > TOLERANCE_S:
        return False
    return hmac.compare_digest(signature(secret, int(timestamp), body), signature_header)
