"""Text handling for matching: normalisation, Chinese folding and tokens, language detection."""

import re
import unicodedata
from functools import lru_cache

from walletdesk.bot.glossary import concepts, fold_cantonese
from walletdesk.safety.protect import placeholders_removed

SUPPORTED_LANGUAGES = ("zh-Hans", "zh-Hant", "en", "es")
MAX_QUERY_CHARS = 1000
USE_GLOSSARY = True  # concept tokens of walletdesk.bot.glossary among a text's words
FOLD_CANTONESE = True  # Cantonese written forms in their Mandarin form before matching
# wallet words jieba would otherwise split (助记 / 词 …)
WALLET_TERMS = (
    "助记词", "私钥", "公钥", "矿工费", "手续费", "转账", "提币", "充值", "钱包", "冷钱包", "热钱包",
    "地址", "授权", "取消授权", "空投", "跨链", "波场", "以太坊", "比特币", "币安链", "交易哈希",
    "区块浏览器", "合约地址", "能量", "带宽", "质押", "闪兑", "兑换", "滑点", "主网", "测试网",
    "多签", "硬件钱包", "导入钱包", "创建钱包", "备份", "到账", "未到账", "被盗", "诈骗", "客服",
    "人工客服", "转人工", "真人客服", "应用密码", "支付密码", "二维码", "代币", "稳定币",
)
_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
_WORD = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]+|[^\W_\u3400-\u9fff\uf900-\ufaff]+", re.UNICODE)
_HAS_CONTENT = re.compile(r"[^\W_]", re.UNICODE)
# a run of 20 letters and digits is a hash, an address or a key, not a word of any language
_NOT_A_WORD = re.compile(r"[0-9A-Za-z]{20,}")
_CODE = re.compile(r"(?<![0-9A-Za-z])(?=[A-Za-z]*[0-9])[0-9A-Za-z]{20,}")  # "internationalization": a word
# the wallet's words, the same in every language: no evidence of the customer's language
# ("TRON txid" read as Spanish, 0.81 sure, and switched an English chat for good)
_JARGON = re.compile(
    r"(?<![0-9A-Za-z])(?:usdt|usdc|busd|dai|btc|eth|bnb|trx|sol|matic|pol|tron|bsc|solana|"
    r"ethereum|bitcoin|polygon|arbitrum|optimism|[te]rc-?20|bep-?2|bep-?20|spl|txid|txids|"
    r"txn|tx|txhash|hash|hashes|gas|gwei|nft|nfts|dapp|dapps|defi|kyc|otp|2fa|id|app|ok|"
    r"metamask|binance|okx|coinbase|walletconnect|tronscan|etherscan|bscscan)(?![0-9A-Za-z])",
    re.IGNORECASE)


@lru_cache(maxsize=1)
def _t2s():  # type: ignore[no-untyped-def]
    import opencc

    return opencc.OpenCC("t2s")


@lru_cache(maxsize=1)
def _jieba():  # type: ignore[no-untyped-def]
    import tempfile

    import jieba

    jieba.dt.tmp_dir = tempfile.gettempdir()  # its cache must be writable
    jieba.setLogLevel(60)
    for term in WALLET_TERMS:
        jieba.add_word(term, freq=200000)
    return jieba


@lru_cache(maxsize=1)
def _detector():  # type: ignore[no-untyped-def]
    from lingua import Language, LanguageDetectorBuilder

    return LanguageDetectorBuilder.from_languages(
        Language.CHINESE, Language.ENGLISH, Language.SPANISH).build()


def has_content(text: str) -> bool:
    """False for empty, emoji-only, punctuation-only or control-character input."""
    return bool(_HAS_CONTENT.search(text))


def without_codes(text: str) -> str:
    """``text`` without its hashes, addresses and keys (runs of 20 letters and digits with a
    digit among them): the words a question is matched on. 64 hex digits outweighed "Envié
    100 USDT por TRC20 y sigue pendiente, el hash es …" and the bot handed it off as out of
    scope. The text as it was when nothing else is left (a hash alone)."""
    words = _CODE.sub(" ", text[:MAX_QUERY_CHARS])
    return " ".join(words.split()) if has_content(words) else text


def normalise(text: str) -> str:
    """One form for matching: NFKC, lower case, Simplified Chinese, one spelling of 账."""
    text = unicodedata.normalize("NFKC", text[:MAX_QUERY_CHARS]).lower()
    if _CJK.search(text):
        if FOLD_CANTONESE:
            text = fold_cantonese(text)
        text = _t2s().convert(text).replace("帐", "账")
    return " ".join(text.split())


def tokens(normalised: str) -> list[str]:
    """Words: jieba for Chinese runs, letters/digits runs otherwise; plus bigrams."""
    words: list[str] = []
    for run in _WORD.findall(normalised):
        if _CJK.match(run):
            words.extend(w for w in _jieba().lcut(run) if w.strip())
        else:
            words.append(run)
    bigrams = [f"{a} {b}" for a, b in zip(words, words[1:], strict=False)]
    return words + bigrams + (concepts(normalised) if USE_GLOSSARY else [])


def mostly_chinese(text: str) -> bool:
    """At least a third of the letters are Chinese characters (English words mixed in)."""
    cjk = len(_CJK.findall(text))
    return cjk > 0 and cjk * 3 >= sum(1 for ch in text if ch.isalpha())


SWITCH_CONFIDENCE = 0.8  # how sure the detector must be for a message to change the language
# Words only one of the two Latin-script languages writes: the evidence in a short message the
# detector is unsure of ("mi USDT no llega": Spanish, 0.67 sure). Words both write ("no",
# "me", "a", "red") are in neither list.
_SPANISH_MARKERS = """
    el la los las un una unos unas mi mis tu tus su sus de del al que qué por para con sin y
    pero como cómo donde dónde cuando cuándo cuanto cuánto es está esta estoy están son hay
    tengo tiene puedo puede llega llegó llegan envié envíe mandé recibí hola gracias ayuda
    porfa favor ya muy nada todo toda otra otro yo ayer hoy aún todavía mío mía dinero cuenta
    saldo retiro"""
_ENGLISH_MARKERS = """
    the my is are was were to of and not where what how why when please help hello hi hey
    thanks thank i it you your can cannot can't don't doesn't didn't did have has still since
    sent received arrived with from this that there money account withdrawal"""
_MARKER_WORDS = {"es": frozenset(_SPANISH_MARKERS.split()),
                 "en": frozenset(_ENGLISH_MARKERS.split())}
_SPANISH_LETTERS = re.compile(r"[áéíóúñ¿¡]", re.IGNORECASE)
_LATIN_WORD = re.compile(r"[^\W\d_]+(?:'[^\W\d_]+)?")


def _marked_language(sample: str, detected: str | None) -> str | None:
    """The language a short message's own words mark (see ``_MARKER_WORDS``): two marked words
    of one language and none of the other, or one that the detector's best guess agrees
    with ("hello" alone, read as Spanish, marks nothing)."""
    words = _LATIN_WORD.findall(sample.lower())
    counts = {language: sum(word in marked for word in words)
              for language, marked in _MARKER_WORDS.items()}
    counts["es"] += bool(_SPANISH_LETTERS.search(sample))
    for language, other in (("es", "en"), ("en", "es")):
        if counts[other] == 0 and (counts[language] >= 2
                                   or counts[language] == 1 and detected == language):
            return language
    return None


def message_language(text: str, current: str | None) -> str | None:
    """The conversation's language after a customer's message in it (``current``: its
    language so far, e.g. the widget's). A message moves it only when its language is clear:
    "hello", "gas" or "usdt problem" read as Spanish to the detector (0.55–0.65 sure), and a
    customer of an English widget was answered in Spanish from then on. So:

    - Chinese (a third of the letters or more) is Chinese: Simplified or Traditional by its
      characters, except that a Traditional conversation stays so when none of the message's
      characters is Traditional-only (你好 is both);
    - English words around Chinese ones ("… only supports ERC20 怎么办") keep a Chinese
      conversation Chinese;
    - a conversation in a language the detector was not built for (a catalog added later, e.g.
      French) keeps it, unless the message is Chinese;
    - otherwise the detector's language when it is at least ``SWITCH_CONFIDENCE`` sure, or
      the one the message's own words mark (``_marked_language``: "mi USDT no llega" in an
      English widget is Spanish); else the conversation's (None when it has none yet: the
      answers' default, English)."""
    if not has_content(text):
        return current
    # hashes, addresses, the wallet's words and what the protect step put in place of a secret
    # ("mi frase es [seed phrase removed] ayuda" switched a Spanish conversation to English):
    # not words of the customer's language
    sample = _JARGON.sub(" ", _NOT_A_WORD.sub(" ", placeholders_removed(text[:MAX_QUERY_CHARS])))
    if mostly_chinese(sample):
        detected = detect_language(sample)
        return current if current == "zh-Hant" and detected == "zh-Hans" else detected
    if current and (current.startswith("zh") and _CJK.search(sample)
                    or current not in SUPPORTED_LANGUAGES):
        return current
    if not has_content(sample):
        return current or detect_language(sample)
    from lingua import Language

    values = _detector().compute_language_confidence_values(sample)
    best = max(values, key=lambda value: value.value) if values else None
    language = {Language.SPANISH: "es", Language.ENGLISH: "en"}.get(best.language) \
        if best is not None else None
    if language is None:
        return current or detect_language(sample)
    if best.value >= SWITCH_CONFIDENCE:
        return language
    return _marked_language(sample, language) or current


def detect_language(text: str, default: str = "en") -> str:
    """zh-Hans, zh-Hant, en or es for a customer message. Hashes and addresses are left
    out: 64 hex digits outweighed "我的USDT转账还没到" and a Chinese customer was answered in
    English (or "轉帳未到 txid …" in Spanish)."""
    sample = _NOT_A_WORD.sub(" ", text[:MAX_QUERY_CHARS])
    if mostly_chinese(sample):
        return "zh-Hant" if _t2s().convert(sample) != sample else "zh-Hans"
    if not has_content(sample):
        return default
    from lingua import Language

    found = _detector().detect_language_of(sample)
    return {Language.SPANISH: "es", Language.ENGLISH: "en"}.get(found, default) \
        if found != Language.CHINESE else "zh-Hans"
