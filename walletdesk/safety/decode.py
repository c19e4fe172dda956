"""Reading a text file in whatever encoding a customer's editor saved it, before the protect
step looks at it: a recovery phrase in a UTF-16 or GBK ``.txt`` must be seen as text.

Order: a byte-order mark (UTF-8, UTF-16, UTF-32); UTF-16 without one (every other byte
zero, as ASCII text saved by Windows Notepad); the charset the sender declared; UTF-8; then
the common legacy encodings of the desk's customers (GB18030 — a superset of GBK and
GB2312 —, Big5, Shift-JIS, EUC-KR), each only if the bytes are valid in it and read as
mostly letters of that script; else Windows-1252, which reads any byte.
"""

import codecs
import unicodedata

_BOMS = ((codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"),
         (codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"),
         (codecs.BOM_UTF16_BE, "utf-16"))
_LEGACY = ("gb18030", "big5", "shift_jis", "euc_kr")


def _plausible(text: str) -> bool:
    """Mostly letters, ideographs, digits, punctuation and spaces; no control characters."""
    high = [c for c in text if ord(c) > 0x7F]
    if not high:
        return True
    bad = sum(1 for c in high if unicodedata.category(c)[0] in "CS" or c == "\ufffd")
    return bad <= len(high) // 20


def _utf16_without_bom(data: bytes) -> str | None:
    sample = data[:4096]
    if len(sample) < 4:
        return None
    half = len(sample) // 2
    even_zeros, odd_zeros = sample[0::2].count(0), sample[1::2].count(0)
    if odd_zeros > half * 0.4 and even_zeros < half * 0.05:
        return "utf-16-le"
    if even_zeros > half * 0.4 and odd_zeros < half * 0.05:
        return "utf-16-be"
    return None


def decode_text(data: bytes, declared: str | None = None) -> str:
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            return data.decode(encoding, errors="replace")
    utf16 = _utf16_without_bom(data)
    if utf16 is not None:
        return data.decode(utf16, errors="replace")
    candidates = ([declared] if declared else []) + ["utf-8", *_LEGACY]
    for encoding in candidates:
        try:
            text = data.decode(encoding)
        except (UnicodeDecodeError, LookupError):
            continue
        if encoding in ("utf-8", declared) or _plausible(text):
            return text
    return data.decode("cp1252", errors="replace")
