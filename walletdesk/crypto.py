"""Personal data at rest: AES-GCM field encryption with rotating keys, and keyed hashes for
the lookups that need equality (an email address, a channel id).

A value is stored as ``enc1:<key id>:<base64(nonce ‖ ciphertext ‖ tag)>``. Encryption uses the
first (primary) key; decryption uses whichever key the value names, so keys can be rotated:
add a new key in front, run ``walletdesk keys rotate`` (which re-encrypts every value with
it), then drop the old one. A value without the prefix (written before encryption was
introduced) is read as it is and encrypted by the next rotation.

The keyed hash is HMAC-SHA256 of the normalised value (trimmed, lower-cased) under a key of
its own; it does not rotate: lookups compare one hash, so changing the key means every value
re-hashed with the desk stopped (``keys rotate --new-hash-key``, which refuses while it sees
the desk running: walletdesk.customers.keys, docs/operate.md).

Keys come from ``WALLETDESK_ENCRYPTION_KEYS`` (``id:base64-of-32-bytes``, comma separated,
primary first) and ``WALLETDESK_HASH_KEY``; without them both are derived from the secret key,
which is right for the embedded mode and refused in production.
"""

import base64
import hashlib
import hmac
import os
from dataclasses import dataclass

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from sqlalchemy import Text, TypeDecorator
from sqlalchemy.engine import Dialect

PREFIX = "enc1"
NONCE_BYTES = 12


class KeyError_(ValueError):
    """A value names a key that is not configured, or the key configuration is unusable."""


@dataclass(frozen=True)
class Keyring:
    keys: dict[str, AESGCM]
    primary: str
    hash_key: bytes

    def encrypt(self, value: str) -> str:
        nonce = os.urandom(NONCE_BYTES)
        sealed = self.keys[self.primary].encrypt(nonce, value.encode(), self.primary.encode())
        return f"{PREFIX}:{self.primary}:{base64.b64encode(nonce + sealed).decode()}"

    def decrypt(self, stored: str) -> str:
        if not stored.startswith(PREFIX + ":"):
            return stored  # written before encryption; `walletdesk keys rotate` encrypts it
        _, key_id, payload = stored.split(":", 2)
        key = self.keys.get(key_id)
        if key is None:
            raise KeyError_(f"personal data is encrypted with key {key_id!r}, which is not in "
                            "WALLETDESK_ENCRYPTION_KEYS")
        raw = base64.b64decode(payload)
        try:
            return key.decrypt(raw[:NONCE_BYTES], raw[NONCE_BYTES:], key_id.encode()).decode()
        except InvalidTag:
            raise KeyError_(f"personal data cannot be decrypted with the configured key "
                            f"{key_id!r}: it was written with another key of that id (check "
                            "WALLETDESK_ENCRYPTION_KEYS, or WALLETDESK_SECRET_KEY if keys are "
                            "derived from it)") from None

    def is_current(self, stored: str | None) -> bool:
        return stored is None or stored.startswith(f"{PREFIX}:{self.primary}:")

    def hash(self, value: str | None) -> str | None:
        if value is None:
            return None
        normalised = value.strip().lower().encode()
        return hmac.new(self.hash_key, normalised, hashlib.sha256).hexdigest()


def parse_keys(spec: str | None, secret_key: str) -> tuple[dict[str, AESGCM], str]:
    if not spec:
        derived = hashlib.sha256(f"walletdesk-pii-key:{secret_key}".encode()).digest()
        return {"k0": AESGCM(derived)}, "k0"
    keys: dict[str, AESGCM] = {}
    primary = ""
    for item in spec.split(","):
        key_id, _, encoded = item.strip().partition(":")
        try:
            material = base64.b64decode(encoded, validate=True)
        except ValueError as exc:
            raise KeyError_(f"encryption key {key_id!r} is not valid base64") from exc
        if not key_id or not key_id.isalnum() or len(material) != 32:
            raise KeyError_("each encryption key is id:base64 of 32 random bytes, e.g. "
                            "k1:" + base64.b64encode(b"\0" * 32).decode())
        keys[key_id] = AESGCM(material)
        primary = primary or key_id
    return keys, primary


_keyring: Keyring | None = None


def configure(encryption_keys: str | None, hash_key: str | None, secret_key: str) -> Keyring:
    """Set the process's keyring (done by Services; the CLI's key commands do it too)."""
    global _keyring
    keys, primary = parse_keys(encryption_keys, secret_key)
    hashing = (hash_key or f"walletdesk-pii-hash:{secret_key}").encode()
    _keyring = Keyring(keys, primary, hashlib.sha256(hashing).digest())
    return _keyring


def keyring() -> Keyring:
    if _keyring is None:
        raise KeyError_("encryption keys are not configured (walletdesk.crypto.configure)")
    return _keyring


def keyed_hash(value: str | None) -> str | None:
    return keyring().hash(value)


class EncryptedText(TypeDecorator[str]):
    """A text column stored encrypted; reads give the plain value back."""

    impl = Text
    cache_ok = True

    def process_bind_param(self, value: str | None, dialect: Dialect) -> str | None:
        return None if value is None else keyring().encrypt(value)

    def process_result_value(self, value: str | None, dialect: Dialect) -> str | None:
        return None if value is None else keyring().decrypt(value)
