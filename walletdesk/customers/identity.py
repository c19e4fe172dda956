"""Identity verification for the widget, as in Intercom's: the operator's backend signs the
signed-in user's id with a secret it shares with walletdesk, and the page passes both to the
widget. A valid signature makes the visitor that user — on every device — and marks them
verified; without it a visitor is anonymous whatever id they claim.

    user_hash = hex(HMAC-SHA256(key=WALLETDESK_IDENTITY_SECRET, message=user_id))
"""

import hashlib
import hmac

MAX_USER_ID = 120


def sign_user_id(secret: str, user_id: str) -> str:
    return hmac.new(secret.encode(), user_id.encode(), hashlib.sha256).hexdigest()


def verified_user_id(secret: str | None, user_id: object, user_hash: object) -> str | None:
    """The user id if its signature is valid, else None."""
    if not secret or not isinstance(user_id, str) or not isinstance(user_hash, str):
        return None
    user_id = user_id.strip()
    if not 0 < len(user_id) <= MAX_USER_ID:
        return None
    return user_id if hmac.compare_digest(sign_user_id(secret, user_id), user_hash.lower()) \
        else None
