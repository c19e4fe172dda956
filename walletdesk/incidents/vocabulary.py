"""The chain, asset and feature words customers use in every supported language: what the
spike detector counts besides contact reasons, and what an announcement says it affects.

Patterns run on normalised text (walletdesk.bot.text.normalise: lower case, Simplified
Chinese, one spelling of 账): Chinese words as substrings, other words whole (a word next to
Chinese characters counts: "USDT提现"). Pure functions.
"""

import re
from dataclasses import dataclass
from functools import lru_cache

from walletdesk.bot.text import normalise


@dataclass(frozen=True)
class Term:
    key: str
    kind: str  # chain, asset or feature
    label: str  # as shown to staff and customers (a proper name, not translated)
    words: tuple[str, ...]


TERMS: tuple[Term, ...] = (
    Term("tron", "chain", "TRON (TRC20)", ("tron", "trc20", "trc-20", "trx", "波场", "波场链")),
    Term("ethereum", "chain", "Ethereum (ERC20)",
         ("ethereum", "eth", "erc20", "erc-20", "以太坊", "以太币", "以太")),
    Term("bitcoin", "chain", "Bitcoin (BTC)", ("bitcoin", "btc", "比特币")),
    Term("bsc", "chain", "BNB Smart Chain (BEP20)",
         ("bsc", "bep20", "bep-20", "bnb", "binance smart chain", "币安链", "币安智能链")),
    Term("solana", "chain", "Solana", ("solana", "sol", "索拉纳")),
    Term("polygon", "chain", "Polygon", ("polygon", "matic", "马蹄链")),
    Term("usdt", "asset", "USDT", ("usdt", "tether", "泰达币", "泰达")),
    Term("usdc", "asset", "USDC", ("usdc",)),
    Term("withdrawal", "feature", "Withdrawals",
         ("withdraw", "withdrawal", "withdrawals", "withdrawing", "cash out", "提现", "提币",
          "提款", "出金", "retirar", "retiro", "retiros")),
    Term("deposit", "feature", "Deposits",
         ("deposit", "deposits", "top up", "充值", "充币", "入金", "depositar", "deposito",
          "depósito")),
    Term("swap", "feature", "Swaps", ("swap", "swaps", "闪兑", "兑换", "intercambio")),
    Term("login", "feature", "Sign-in",
         ("login", "log in", "sign in", "登录", "登陆", "无法登录", "iniciar sesion",
          "iniciar sesión")),
)
BY_KEY = {term.key: term for term in TERMS}
_CJK = re.compile(r"[\u3400-\u9fff]")


@lru_cache(maxsize=1)
def _patterns() -> tuple[tuple[str, re.Pattern[str]], ...]:
    compiled = []
    for term in TERMS:
        latin = [re.escape(w) for w in term.words if not _CJK.search(w)]
        chinese = [re.escape(w) for w in term.words if _CJK.search(w)]
        parts = []
        if latin:
            parts.append(r"(?<![a-z0-9])(?:" + "|".join(latin) + r")(?![a-z0-9])")
        if chinese:
            parts.append("|".join(chinese))
        compiled.append((term.key, re.compile("|".join(parts))))
    return tuple(compiled)


def terms_in(text: str) -> set[str]:
    """The vocabulary keys a text names."""
    folded = normalise(text)
    return {key for key, pattern in _patterns() if pattern.search(folded)}


def label(key: str) -> str:
    term = BY_KEY.get(key)
    return term.label if term else key


def known_keys(keys: list[str]) -> list[str]:
    """The keys of the vocabulary among ``keys``, in the vocabulary's order."""
    wanted = {k.strip().lower() for k in keys}
    return [term.key for term in TERMS if term.key in wanted]
