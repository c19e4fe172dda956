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
A subdomain of an official domain (``help.demowallet.com``) is official: only the operator
can make one.

In the chat (``claims_to_check``) the check answers a message that asks about a channel ("is
@x official?") and one that is nothing but what a customer pasted: one or more links,
domains or handles, defanged (``hxxp``, ``[.]``) or not, maybe with a filler word around it
("this", "это", "这个", "mira"). Most people forward what contacted them that way; such a
message got no answer from the knowledge base and went to a person without a warning. A link
told of in a sentence that asks nothing about it ("they sent me this link <link> and said I
must sync my wallet there") is checked too (``Claims.told``), and answered only when it
imitates one of ours: any other link in a sentence is the customer's business.
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
    text = _trimmed(refang(value[:500]))
    kind = kind if kind in KINDS else guess_kind(text)
    normalised = normalise(kind, text)
    if not normalised:
        return Verdict("invalid", kind, "", reasons=[Phrase(N_(
            "this does not look like a link, handle, e-mail address or phone number"))])
    for channel in official:
        same_family = (channel.kind == kind or {channel.kind, kind} <= set(HANDLE_KINDS))
        if same_family and normalise(channel.kind, channel.value) == normalised:
            return Verdict("official", kind, normalised, channel)
        if kind == "domain" and channel.kind == "domain" and \
                normalised.endswith("." + normalise("domain", channel.value)):
            return Verdict("official", kind, normalised, channel)  # our own subdomain
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


# "real" as a word: "I really can't withdraw from binance.com" asks nothing of the link
_ASKS_OFFICIAL = re.compile(
    r"official|legit|\breal\b|fake|scam|genuine|verify|is (?:this|that|it) (?:really )?you|"
    r"(?:is|are) (?:this|that|it|they|he|she) (?:really )?(?:from )?(?:you|your)\b|"
    r"(?:claim|say|said|pretend)(?:s|ed|ing)? (?:to be|(?:they|he|she|it) (?:are|is|was|were)|"
    r"(?:they're|he's|she's|it's))|impersonat|"
    r"官方|真的|假的|骗|騙|核实|核實|冒充|自称|自稱|"
    r"是不是你们|是你们|是你們|是不是你們|係咪你哋|係唔係你哋|係你哋|是你哋|你们的人|你們的人|"
    r"oficial|falso|estafa|leg[ií]timo|(?:son|es) (?:ustedes|de ustedes|usted)\b|"
    r"dicen? (?:ser|que (?:son|es))|se hac(?:e|en) pasar", re.IGNORECASE)
# a number with no "+" is a phone number when a messenger, a call or a text names it (the
# /verify/check page reads any number as one; in a chat "order 12345678" is no phone)
_PHONE_CONTEXT = re.compile(
    r"(?:whats\s?app|telegram|wechat|signal|viber|\bline\b|\bcall(?:ed|ing|s)?\b|\bsms\b|"
    r"\btext(?:ed|s)?\b|\bphone\b|\btel\b|\bnumber\b|\bmobile\b|\bcell\b|"
    r"微信|电报|電報|电话|電話|短信|短訊|手机|手機|号码|號碼|打给|打給|致电|致電|"
    r"llam\w*|tel[eé]fono|n[uú]mero|m[oó]vil|celular|mensaje)"
    r"[^\d+\n]{0,30}(?<![\w.+])(\(?\d[\d ()-]{6,}\d)(?![\w.])", re.IGNORECASE)
_CLAIM = re.compile(
    r"(?:https?://\S+|t\.me/\S+|\b[\w.+-]+@[\w-]+(?:\.[\w-]+)+\b|(?<![\w.])@\w{3,}|"
    r"\+\d[\d ()-]{6,}\d|\b[\w-]+(?:\.[\w-]+)*\.[a-z]{2,24}\b\S*)", re.IGNORECASE)
MAX_CLAIMS = 3  # the claims of one message the bot checks (one reply each)
# what a pasted link ends with that is not part of it: the sentence's punctuation, brackets
_TRAILING = ".,;:!?)]}>\"'，。？！；：）】」』》"
# defanged links as security advice and scam warnings write them: hxxp://, demowallet[.]com
_HXXP = re.compile(r"\bh(?:xx|XX|\*\*)p(s?)(?=\[?:)", re.IGNORECASE)
_DEFANGED_DOT = re.compile(r"\[\s*(?:\.|dot)\s*\]|\(\s*(?:\.|dot)\s*\)|\{\s*\.\s*\}",
                           re.IGNORECASE)
# Chinese and its punctuation (not the full-width letters impersonators use: "ｄｅｍｏ")
_CJK = "\u2e80-\u9fff\uf900-\ufaff\uff01-\uff0f\uff1a-\uff20\uff3b-\uff40\uff5b-\uff65"
_CJK_BEFORE = re.compile(f"([{_CJK}])(?=[A-Za-z0-9@])")  # "请看@x", "这个链接demowallet.com"
_CJK_ONLY = re.compile(f"[{_CJK}]+")
# a bare "name.ext" that is a file, not a site (a link with a scheme or "www." is always read)
_FILE_SUFFIXES = frozenset((
    "png", "jpg", "jpeg", "gif", "webp", "heic", "bmp", "svg", "pdf", "txt", "log", "csv", "json",
    "doc", "docx", "xls", "xlsx", "ppt", "pptx", "mp3", "mp4", "m4a", "wav", "avi", "mkv", "webm",
    "jsx", "py", "js", "html", "htm", "md", "exe", "dmg", "apk", "ipa", "rar", "7z", "gz", "tar"))
# the top-level domains a bare domain (no scheme, no "www.", no path) must end with to be read
# as one when pasted alone: every two-letter country code, the generic ones scams use most, and
# the reserved ones demos use ("demowallet.example"); "hello.how are you" is no link
_BARE_TLDS = frozenset((
    "com", "net", "org", "info", "biz", "app", "io", "xyz", "top", "online", "site", "website",
    "help", "support", "live", "link", "click", "club", "vip", "pro", "shop", "store", "tech",
    "cloud", "services", "finance", "financial", "exchange", "network", "digital", "money",
    "cash", "claims", "claim", "gift", "bet", "asia", "icu", "buzz", "fun", "space", "today",
    "world", "dev", "page", "ltd", "group", "global", "security", "wallet", "crypto", "bond",
    "cfd", "sbs", "lol", "mobi", "name", "tel", "email", "chat", "social", "systems", "solutions",
    "center", "trade", "market", "markets", "bank", "exposed", "zone", "work", "kim", "red",
    "example", "test", "invalid", "localhost", "onion", "gov", "edu", "int", "mil"))
# the words a customer puts around what they paste ("this", "look", "это", "这个", "mira"):
# nothing else in the message makes it a question for the knowledge base
_FILLER = frozenset((
    "this", "that", "these", "those", "it", "here", "there", "is", "isnt", "what", "whats",
    "about", "and", "or", "also", "the", "a", "an", "link", "links", "at", "to", "in", "on",
    "of", "for", "with", "by", "from", "i", "my", "you", "your", "we", "our", "they", "them",
    "he", "she", "his", "her", "got", "get", "site", "website", "page", "url", "address",
    "account", "channel", "group", "handle", "bot", "number", "check", "look", "see", "pls",
    "please", "plz", "sir", "hi", "hello", "hey", "ok", "received", "sent", "me", "someone",
    "guy", "msg", "message", "dm", "contacted", "это", "этот", "эта", "эти", "вот", "тут",
    "здесь", "что", "как", "насчёт", "насчет", "а", "и", "или", "ссылка", "ссылки", "ссылку",
    "сайт", "сайта", "страница", "аккаунт", "канал", "группа", "бот", "номер", "проверьте",
    "проверь", "посмотрите", "посмотри", "гляньте", "пожалуйста", "привет", "здравствуйте",
    "мне", "написали", "пишут", "прислали", "пришло", "от", "esto", "este", "esta", "estos",
    "estas", "eso", "ese", "esa", "aquí", "aqui", "qué", "que", "es", "y", "o", "el", "la",
    "un", "una", "enlace", "enlaces", "sitio", "web", "página", "pagina", "cuenta", "canal",
    "grupo", "número", "numero", "mira", "mire", "revisa", "revise", "ver", "por", "favor",
    "hola", "escribió", "escribio", "escribieron", "mandaron", "llegó", "llego", "de"))
_FILLER_CJK = frozenset((
    "这", "这个", "這", "這個", "那", "那个", "那個", "这些", "這些", "是", "的",
    "吗", "嗎", "呢", "啊", "吧", "什么", "什麼", "啥", "还有", "還有", "和",
    "跟", "或", "或者", "链接", "鏈接", "连结", "連結", "网址", "網址", "网站",
    "網站", "网页", "網頁", "地址", "账号", "帳號", "賬號", "频道", "頻道", "群",
    "群组", "群組", "机器人", "機器人", "号码", "號碼", "电报", "電報", "客服",
    "看看", "看一下", "看下", "帮我", "幫我", "帮忙", "幫忙", "请", "請", "请看",
    "請看", "你好", "您好", "收到", "有人", "发", "發", "发来", "發來", "给我",
    "給我", "我", "这是", "這是", "这个是", "這個是", "一个", "一個", "个", "個"))
_FILLER_CJK_LONGEST = max(len(word) for word in _FILLER_CJK)
# what a claim pasted alone counts for only when it is one of ours or an imitation: an e-mail
# address or number on its own is as likely the customer's own
_OWN_CONTACT_KINDS = ("email", "phone")


@dataclass(frozen=True)
class Claims:
    """The links, handles, e-mails or numbers to check in a message (at most MAX_CLAIMS),
    whether the message asks about them (``asked``) or is nothing but them, and its words
    around them (``rest``: their language is the customer's, not the links' words)."""

    values: list[str]
    asked: bool
    rest: str = ""
    # in a sentence that asks nothing about them: only an imitation of ours is answered
    told: bool = False


def refang(text: str) -> str:
    """``hxxps://demowallet[.]com`` as the link it stands for."""
    return _DEFANGED_DOT.sub(".", _HXXP.sub(r"http\1", text)).replace("[:]", ":")


def defang(value: str) -> str:
    """A link as a reply may name it without making it one a mail client would open."""
    return re.sub(r"^http", "hxxp", value, flags=re.IGNORECASE).replace(".", "[.]")


def _trimmed(value: str) -> str:
    return value.strip().lstrip("<([{\"'「『【《").rstrip(_TRAILING)


def _found(text: str) -> list[tuple[int, int, str]]:
    """Each link, handle, e-mail or number in ``text`` (refanged): its span and value."""
    found = []
    for match in _CLAIM.finditer(text):
        value = _trimmed(match.group())
        if value:
            found.append((match.start(), match.end(), value))
    for match in _PHONE_CONTEXT.finditer(text):  # "WhatsApp 07700 900123": a local number
        start, end = match.span(1)
        if not any(start < e and s < end for s, e, _ in found):
            found.append((start, end, match.group(1).strip()))
    return sorted(found)


def _bare_file_or_word(value: str) -> bool:
    """"screenshot.png", "hello.how": a dotted word that is no site when it stands alone."""
    if _URL.match(value) or value.lower().startswith("www.") or "/" in value or \
            value.startswith(("@", "+")) or "@" in value:
        return False
    suffix = value.rsplit(".", 1)[-1].lower()
    return suffix in _FILE_SUFFIXES or not (len(suffix) == 2 or suffix in _BARE_TLDS
                                            or suffix.startswith("xn--"))


def _filler_only(rest: str) -> bool:
    """Whether what is left of a message around its claims is no more than filler words."""
    for word in re.split(r"[\W_]+", rest.lower()):
        if not word or word in _FILLER:
            continue
        if not _CJK_ONLY.fullmatch(word) or not _cjk_filler(word):
            return False
    return True


def _cjk_filler(word: str) -> bool:
    """"这个链接", "帮我看看这个": Chinese made only of filler words (longest first)."""
    ends = {0}
    for start in range(len(word)):
        if start not in ends:
            continue
        for size in range(1, min(_FILLER_CJK_LONGEST, len(word) - start) + 1):
            if word[start:start + size] in _FILLER_CJK:
                ends.add(start + size)
    return len(word) in ends


def claims_to_check(text: str) -> Claims:
    """The links, handles, e-mails or numbers a customer asks about ("is @x official?"), or
    pasted with nothing else (``asked`` False): a message of only claims and filler words."""
    prepared = _CJK_BEFORE.sub(r"\1 ", refang(text[:2000]))
    found = _found(prepared)
    rest = _claims_removed(prepared, found)
    asked = bool(_ASKS_OFFICIAL.search(rest))
    if not found:
        return Claims([], False)
    told = not asked and (not _filler_only(rest) or any(
        _bare_file_or_word(value) for _, _, value in found))
    values: list[str] = []
    for _, _, value in found:
        if value.lower() not in (v.lower() for v in values) \
                and not (told and _bare_file_or_word(value)):
            values.append(value)
    return Claims(values[:MAX_CLAIMS], asked, " ".join(rest.split()), told=told)


def _claims_removed(text: str, found: list[tuple[int, int, str]]) -> str:
    parts, at = [], 0
    for start, end, _ in found:
        parts.append(text[at:start])
        at = end
    parts.append(text[at:])
    return " ".join(parts)


def answered_alone(verdict: Verdict) -> bool:
    """Whether a claim pasted with nothing else gets the check's answer: always, except an
    e-mail address or number that is neither ours nor an imitation (likely the customer's)."""
    return verdict.kind not in _OWN_CONTACT_KINDS or verdict.status in ("official", "lookalike")
