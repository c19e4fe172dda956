"""What a new password must be, wherever one is set (an admin creating an agent or setting
a new password, the CLI's first admin): long enough, not built on the account's own e-mail or
name, not one of the most common passwords, not one character repeated or a run of the
keyboard.

Length over composition rules (NIST SP 800-63B): at least 12 characters, spaces welcome, so
a few words ("harbour lantern violet") are the easy way there; a Chinese, Japanese or Korean
character counts as two, so an 8-character Chinese phrase passes as a 16-letter one would.
"""

import functools
import re
import unicodedata
from importlib import resources

from walletdesk.errors import Invalid

MIN_PASSWORD_LENGTH = 12
MAX_PASSWORD_LENGTH = 1024  # argon2 takes any length; the forms cap what they read here
MIN_DISTINCT_CHARACTERS = 5
MIN_PERSONAL_PART = 3  # e-mail local parts and name words shorter than this are not looked for
# runs that are no secret: "abcdefghijkl", "123456789012", "qwertyuiopas", and backwards
_SEQUENCES = ("abcdefghijklmnopqrstuvwxyz", "0123456789", "qwertyuiopasdfghjklzxcvbnm",
              "1qaz2wsx3edc4rfv5tgb6yhn7ujm8ik9ol0p")
_EDGES = re.compile(r"^[\W\d_]+|[\W\d_]+$")


def password_length(password: str) -> int:
    """Characters, a wide (CJK) character counting as two."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in password)


@functools.cache
def common_passwords() -> frozenset[str]:
    text = resources.files("walletdesk.accounts").joinpath("common_passwords.txt").read_text(
        encoding="utf-8")
    return frozenset(line.strip().lower() for line in text.splitlines()
                     if line.strip() and not line.startswith("#"))


def _repeats_a_chunk(password: str) -> bool:
    """One piece over and over: "abc123abc123", "passwordpassword"."""
    size = len(password)
    return any(size % period == 0 and password == password[:period] * (size // period)
               for period in range(1, size // 2 + 1))


def _is_a_run(password: str) -> bool:
    """Each character the next of one sequence (or the one before), wrapping round."""
    lowered = password.lower()
    for sequence in _SEQUENCES:
        for step in (1, -1):
            looped = sequence * 2 if step == 1 else sequence[::-1] * 2
            if lowered in looped:
                return True
    return False


def _personal_parts(email: str, display_name: str) -> list[str]:
    local = email.strip().lower().partition("@")[0]
    parts = [local, *re.split(r"[._+-]+", local), display_name.strip().lower(),
             re.sub(r"\s+", "", display_name.lower()), *display_name.lower().split()]
    # a Chinese name is short ("陈静"): two characters are enough to be it
    return sorted({part for part in parts
                   if password_length(part) >= MIN_PERSONAL_PART and not part.isdigit()},
                  key=len, reverse=True)


def check_new_password(password: str, *, email: str, display_name: str) -> None:
    """Raise Invalid (with a reason the person setting it can act on) for a weak password."""
    if password_length(password) < MIN_PASSWORD_LENGTH:
        raise Invalid("a password needs at least {min} characters (a Chinese character counts "
                      "as two); a few words with spaces between them are easy to remember",
                      min=MIN_PASSWORD_LENGTH)
    if len(password) > MAX_PASSWORD_LENGTH:
        raise Invalid("a password may have at most {max} characters", max=MAX_PASSWORD_LENGTH)
    lowered = password.lower()
    if len(set(lowered)) < MIN_DISTINCT_CHARACTERS or _repeats_a_chunk(lowered) \
            or _is_a_run(lowered):
        raise Invalid("this password is a repeated character, a repeated piece or a run such "
                      "as abcdef or 123456; choose one that is hard to guess")
    if any(part in lowered for part in _personal_parts(email, display_name)):
        raise Invalid("the password must not contain the account's e-mail address or name")
    common = common_passwords()
    compact = re.sub(r"\s+", "", lowered)
    if lowered in common or compact in common or _EDGES.sub("", lowered) in common:
        raise Invalid("this password is one of the most common ones (or one with digits added); "
                      "choose one that is hard to guess")
