"""Is this handle, link, e-mail or number really the operator's? Pure functions.

A customer pastes what contacted them. It is *official* when it is one of the registered
channels (after normalising: scheme, ``www.``, letter case, a trailing path, ``@``, ``t.me/``
links, phone punctuation). It *looks like* an official channel when, after undoing the
tricks impersonators use, it comes close to one:

- homoglyphs (Cyrillic ``а`` for Latin ``a``, full-width letters, punycode ``xn--`` domains),
- digit–letter swaps (``0``/``o``, ``1``/``l``/``i``, ``rn``/``m`` …),
- added words (``support``, ``help``, ``official``, ``_service``, ``team``, ``care`` …) and
  separators (``demo_wallet``, ``demo-wallet``),
- another top-level domain (``demowallet.io`` for ``demowallet.com``), or a subdomain
  of someone else's domain (``demowallet.com.secure-login.net``),
- a small edit distance (``demowalet``, ``dernowallet``).

Anything else is *not official*: not one of ours, though not a known imitation either.
"""

import re
import unicodedata
from dataclasses import dataclass, field
from typing import Literal

from confusable_homoglyphs import confusables
from rapidfuzz.distance import Levenshtein

from walletdesk.i18n import N_, Phrase

ChannelKind = Literal["domain", "email", "phone", "telegram", "x", "discord", "wechat",
                      "app_store"]
Status = Literal["official", "lookalike", "not_official", "invalid"]
HANDLE_KINDS = ("telegram", "x", "discord", "wechat")
KINDS: tuple[str, ...] = ("domain", "email", "phone", *HANDLE_KINDS, "app_store")

DECOY_WORDS = ("support", "supports", "help", "helpdesk", "desk", "official", "offical",
               "service", "services", "team", "care", "customer", "cs", "admin", "live",
               "real", "verify", "verification", "secure", "security", "login", "app",
               "bot", "kefu", "contact", "hq", "global", "online", "info", "refund", "recovery")
DIGIT_SWAPS = {"0": "o", "1": "l", "3": "e", "4": "a", "5": "s", "7": "t", "8": "b", "9": "g",
               "$": "s", "@": "a", "|": "l"}
LETTER_SWAPS = (("rn", "m"), ("vv", "w"), ("cl", "d"), ("i", "l"))
_URL = re.compile(r"^[a-z][a-z0-9+.-]*://", re.IGNORECASE)
_HANDLE_LINK = re.compile(
    r"^(?:https?://)?(?:www\.)?(?:t\.me|telegram\.me|twitter\.com|x\.com|discord\.gg|"
    r"discord\.com/invite)/@?([^/?#\s]+)", re.IGNORECASE)


@dataclass(frozen=True)
class Channel:
    kind: str
    value: str
    label: str = ""


@dataclass
class Verdict:
    status: Status
    kind: str
    normalised: str
    channel: Channel | None = None  # the official channel it is, or looks like
    reasons: list[str] = field(default_factory=list)


def _fold(text: str) -> str:
    """Lower case, full-width to ASCII, homoglyphs to the Latin letters they imitate."""
    text = unicodedata.normalize("NFKC", text).lower()
    out = []
    for char in text:
        if char.isascii():
            out.append(char)
            continue
        found = confusables.is_confusable(char, preferred_aliases=["latin"])
        if found and found[0]["homoglyphs"]:
            latin = [h["c"] for h in found[0]["homoglyphs"] if h["c"].isascii()]
            out.append(latin[0].lower() if latin else char)
        else:
            decomposed = unicodedata.normalize("NFKD", char)
            out.append("".join(c for c in decomposed if not unicodedata.combining(c)) or char)
    return "".join(out)


def _has_homoglyph(text: str) -> bool:
    return any(not ch.isascii() for ch in unicodedata.normalize("NFKC", text)) or "xn--" in text


def _decode_punycode(host: str) -> str:
    try:
        return host.encode("ascii").decode("idna") if "xn--" in host else host
    except UnicodeError:
        return host


def guess_kind(value: str) -> str:
    text = value.strip()
    if _HANDLE_LINK.match(text):
        host = text.lower()
        if "t.me" in host or "telegram" in host:
            return "telegram"
        return "discord" if "discord" in host else "x"
    if "@" in text and not text.startswith("@") and "." in text.split("@")[-1]:
        return "email"
    if re.fullmatch(r"[+\d][\d\s().-]{6,}", text):
        return "phone"
    if text.startswith("@"):
        return "telegram"
    if _URL.match(text) or re.search(r"\.[a-z\u00a1-\uffff]{2,}(?:/|$)", text, re.IGNORECASE):
        return "domain"
    return "telegram"


def normalise(kind: str, value: str) -> str:
    """The comparable form of a channel value (empty if it cannot be one)."""
    text = value.strip()
    if kind == "domain" or kind == "app_store":
        if kind == "app_store":
            return text.lower().split("?")[0].rstrip("/")
        host = _URL.sub("", text).split("/")[0].split("?")[0].split("#")[0]
        host = host.split("@")[-1].split(":")[0].strip(".").lower()
        host = _decode_punycode(host)
        return host[4:] if host.startswith("www.") else host
    if kind == "email":
        return text.lower()
    if kind == "phone":
        digits = re.sub(r"[^\d+]", "", text)
        return digits if len(re.sub(r"\D", "", digits)) >= 7 else ""
    link = _HANDLE_LINK.match(text)
    handle = link.group(1) if link else text
    return handle.lstrip("@").strip().lower()


def _core(value: str) -> str:
    """Fold tricks away: homoglyphs, digit swaps, separators, decoy words."""
    folded = _fold(value)
    folded = "".join(DIGIT_SWAPS.get(ch, ch) for ch in folded)
    for look, letter in LETTER_SWAPS:
        folded = folded.replace(look, letter)
    words = [w for w in re.split(r"[\W_]+", folded) if w]
    kept = [w for w in words if w not in DECOY_WORDS]
    joined = "".join(kept or words)
    for decoy in sorted(DECOY_WORDS, key=len, reverse=True):  # "demowalletsupport"
        if joined.endswith(decoy) and len(joined) - len(decoy) >= 4:
            joined = joined[: -len(decoy)]
        if joined.startswith(decoy) and len(joined) - len(decoy) >= 4:
            joined = joined[len(decoy):]
    return joined


def _domain_parts(host: str) -> tuple[str, str]:
    """("demowallet", "com") for demowallet.com; the registrable name and its suffix."""
    labels = host.split(".")
    if len(labels) >= 3 and labels[-2] in ("com", "co", "org", "net", "gov") and len(labels[-1]) == 2:
        return labels[-3], ".".join(labels[-2:])
    if len(labels) >= 2:
        return labels[-2], labels[-1]
    return host, ""


def _close(candidate: str, official: str) -> list[str]:
    reasons: list[str] = []
    if not candidate or not official:
        return reasons
    if candidate == official:
        return [Phrase(N_("same name after removing look-alike tricks"))]
    distance = Levenshtein.distance(candidate, official)
    if len(official) >= 5 and distance <= (1 if len(official) < 8 else 2):
        reasons.append(Phrase(N_("{distance} letter(s) away from the official name"),
                              distance=distance))
    elif official in candidate and len(official) >= 5:
        reasons.append(Phrase(N_("contains the official name with extra words")))
    return reasons


def _compare(kind: str, normalised: str, channel: Channel) -> list[str]:
    official = normalise(channel.kind, channel.value)
    if kind in ("domain", "email") and channel.kind in ("domain", "email"):
        host = normalised.split("@")[-1]
        official_host = official.split("@")[-1]
        name, suffix = _domain_parts(host)
        official_name, official_suffix = _domain_parts(official_host)
        reasons = []
        if official_host in host.split(".", 1)[-1:] or host.startswith(official_host + "."):
            reasons.append(Phrase(N_("the official domain is only part of another domain")))
        tricks = _close(_core(name), _core(official_name))
        if tricks:
            reasons += tricks
            if suffix != official_suffix:
                reasons.append(Phrase(N_("another top-level domain (.{suffix})"), suffix=suffix))
        if kind == "email" and not reasons:
            local = normalised.split("@")[0]
            if _close(_core(local), _core(official_name)) or _core(official_name) in _core(local):
                reasons.append(Phrase(N_("uses the official name at another mail provider")))
        if reasons and _has_homoglyph(host):
            reasons.append(Phrase(N_("uses look-alike characters from another alphabet")))
        return reasons
    if kind == "phone" or channel.kind == "phone":
        if kind == channel.kind and normalised[-8:] == official[-8:] and normalised != official:
            return [Phrase(N_("the same number with another country code"))]
        return []
    if kind in HANDLE_KINDS and channel.kind in HANDLE_KINDS:
        reasons = _close(_core(normalised), _core(official))
        if reasons and _has_homoglyph(normalised):
            reasons.append(Phrase(N_("uses look-alike characters from another alphabet")))
        return reasons
    return []


def verify_channel(value: str, official: list[Channel], kind: str | None = None) -> Verdict:
    """Official, looks like an official channel, or not official."""
    text = value.strip()[:500]
    kind = kind if kind in KINDS else guess_kind(text)
    normalised = normalise(kind, text)
    if not normalised:
        return Verdict("invalid", kind, "", reasons=[Phrase(N_(
            "this does not look like a link, handle, e-mail address or phone number"))])
    for channel in official:
        same_family = (channel.kind == kind or {channel.kind, kind} <= set(HANDLE_KINDS))
        if same_family and normalise(channel.kind, channel.value) == normalised:
            return Verdict("official", kind, normalised, channel)
        if kind == "email" and channel.kind == "domain" and \
                normalised.endswith("@" + normalise("domain", channel.value)):
            return Verdict("official", kind, normalised, channel)
    best: tuple[Channel, list[str]] | None = None
    for channel in official:
        reasons = _compare(kind, normalised, channel)
        if reasons and (best is None or len(reasons) > len(best[1])):
            best = (channel, reasons)
    if best is not None:
        return Verdict("lookalike", kind, normalised, best[0], best[1])
    return Verdict("not_official", kind, normalised)


_ASKS_OFFICIAL = re.compile(
    r"official|legit|real|fake|scam|genuine|verify|is (?:this|it) you|官方|真的|假的|骗|騙|核实|核實|"
    r"是不是你们|是你们|是你們|oficial|falso|estafa|leg[ií]timo", re.IGNORECASE)
_CLAIM = re.compile(
    r"(?:https?://\S+|t\.me/\S+|\b[\w.+-]+@[\w-]+(?:\.[\w-]+)+\b|(?<![\w.])@\w{3,}|"
    r"\+\d[\d ()-]{6,}\d|\b[\w-]+(?:\.[\w-]+)*\.[a-z]{2,24}\b\S*)", re.IGNORECASE)


def claim_to_check(text: str) -> str | None:
    """The link, handle, e-mail or number a customer asks about ("is @x official?"), if any."""
    if not _ASKS_OFFICIAL.search(text):
        return None
    found = _CLAIM.search(text)
    return found.group().rstrip(".,;:!?)，。？！") if found else None
