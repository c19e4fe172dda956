"""The token contracts the desk names, per chain (decision 0054).

A token's ``symbol()`` is whatever its deployer wrote: anyone can deploy a contract that calls
itself "USDT" and send it to a customer. So a token is named only by its contract address:
the main stablecoins and wrapped coins below (addresses from the issuers' own pages and the
chains' explorers) and the operator's additions (``WALLETDESK_CHAIN_KNOWN_TOKENS``, entries
``chain:contract:symbol:decimals``). Any other contract is an *unverified* token: the lookup
keeps the symbol it declares apart (``claimed_token``), never as the token's name, and notes
the known token it imitates when the symbol is one of theirs (``imitated_token``).
"""

import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache

from walletdesk.chains.networks import EVM, NETWORKS, SOLANA, TRON
from walletdesk.safety.protect import base58_decode, base58check_payload


@dataclass(frozen=True)
class KnownToken:
    symbol: str
    decimals: int


def _t(symbol: str, decimals: int) -> KnownToken:
    return KnownToken(symbol, decimals)


# EVM addresses in their EIP-55 checksummed form (a test checks every checksum: a mistyped
# digit fails it); compared in lower case
KNOWN_TOKENS: dict[str, dict[str, KnownToken]] = {
    "ethereum": {
        "0xdAC17F958D2ee523a2206206994597C13D831ec7": _t("USDT", 6),
        "0xA0b86991c6218b36c1d19D4a2e9Eb0cE3606eB48": _t("USDC", 6),
        "0x6B175474E89094C44Da98b954EedeAC495271d0F": _t("DAI", 18),
        "0xC02aaA39b223FE8D0A0e5C4F27eAD9083C756Cc2": _t("WETH", 18),
    },
    "bsc": {  # Binance-Peg tokens: 18 decimals, USDT and USDC included
        "0x55d398326f99059fF775485246999027B3197955": _t("USDT", 18),
        "0x8AC76a51cc950d9822D68b83fE1Ad97B32Cd580d": _t("USDC", 18),
        "0x1AF3F329e8BE154074D8769D1FFa4eE058B1DBc3": _t("DAI", 18),
        "0xe9e7CEA3DedcA5984780Bafc599bD69ADd087D56": _t("BUSD", 18),
        "0xbb4CdB9CBd36B01bD1cBaEBF2De08d9173bc095c": _t("WBNB", 18),
    },
    "polygon": {
        "0xc2132D05D31c914a87C6611C10748AEb04B58e8F": _t("USDT", 6),
        "0x3c499c542cEF5E3811e1192ce70d8cC03d5c3359": _t("USDC", 6),
        "0x2791Bca1f2de4661ED88A30C99A7a9449Aa84174": _t("USDC.e", 6),  # bridged
        "0x8f3Cf7ad23Cd3CaDbD9735AFf958023239c6A063": _t("DAI", 18),
        "0x7ceB23fD6bC0adD59E62ac25578270cFf1b9f619": _t("WETH", 18),
    },
    "arbitrum": {
        "0xFd086bC7CD5C481DCC9C85ebE478A1C0b69FCbb9": _t("USDT", 6),
        "0xaf88d065e77c8cC2239327C5EDb3A432268e5831": _t("USDC", 6),
        "0xFF970A61A04b1cA14834A43f5dE4533eBDDB5CC8": _t("USDC.e", 6),  # bridged
        "0xDA10009cBd5D07dd0CeCc66161FC93D7c9000da1": _t("DAI", 18),
        "0x82aF49447D8a07e3bd95BD0d56f35241523fBab1": _t("WETH", 18),
    },
    "base": {
        "0x833589fCD6eDb6E08f4c7C32D4f71b54bdA02913": _t("USDC", 6),
        "0xfde4C96c8593536E31F229EA8f37b2ADa2699bb2": _t("USDT", 6),  # bridged
        "0x50c5725949A6F0c72E6C4a641F24049A917DB0Cb": _t("DAI", 18),
        "0x4200000000000000000000000000000000000006": _t("WETH", 18),
    },
    "optimism": {
        "0x94b008aA00579c1307B0EF2c499aD98a8ce58e58": _t("USDT", 6),
        "0x0b2C639c533813f4Aa9D7837CAf62653d097Ff85": _t("USDC", 6),
        "0x7F5c764cBc14f9669B88837ca1490cCa17c31607": _t("USDC.e", 6),  # bridged
        "0xDA10009cBd5D07dd0CeCc66161FC93D7c9000da1": _t("DAI", 18),
        "0x4200000000000000000000000000000000000006": _t("WETH", 18),
    },
    "tron": {  # TRC-20
        "TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t": _t("USDT", 6),
        "TEkxiTehnzSmSe2XqrBj4w32RUN966rdz8": _t("USDC", 6),
    },
    "solana": {  # SPL mints
        "EPjFWdd5AufqSSqeM2qN1xzybapC8G4wEGGkZwyTDt1v": _t("USDC", 6),
        "Es9vMFrzaCERmJfrF4H2FYD4KCoNkY11McCe8BenwNYB": _t("USDT", 6),
    },
}
TOKEN_FAMILIES = (EVM, TRON, SOLANA)  # Bitcoin has no token contracts
SETTING = "WALLETDESK_CHAIN_KNOWN_TOKENS"
_EVM_ADDRESS = re.compile(r"0x[0-9a-fA-F]{40}")
_SYMBOL = re.compile(r"[A-Za-z0-9][A-Za-z0-9._\-]{0,19}")


def contract_key(chain: str, contract: str) -> str:
    """A contract address as compared: EVM hex in lower case, base58 (case matters) as is."""
    network = NETWORKS.get(chain)
    return contract.lower() if network is not None and network.family == EVM else contract


def _contract_error(family: str, contract: str) -> str | None:
    """Why ``contract`` is not an address of the family, or None."""
    if family == EVM:
        return None if _EVM_ADDRESS.fullmatch(contract) else "an EVM contract is 0x + 40 hex"
    fits = 25 <= len(contract) <= 44
    if family == TRON:
        payload = base58check_payload(contract) if fits else None
        if payload is None or len(payload) != 21 or payload[0] != 0x41:
            return "a TRON contract is a T… base58check address"
        return None
    raw = base58_decode(contract) if fits else None
    if raw is None or len(raw) != 32:
        return "a Solana mint is a base58 address of 32 bytes"
    return None


def parse_entry(entry: str) -> tuple[str, str, KnownToken]:
    """One operator entry ``chain:contract:symbol:decimals`` → (chain, contract key, token);
    ValueError saying what is wrong with it (the setting's name and the entry included)."""

    def refuse(why: str) -> ValueError:
        return ValueError(f"{SETTING}: {entry!r} is not chain:contract:symbol:decimals "
                          f"({why}), e.g. \"bsc:0x…40 hex…:ABC:18\"")

    parts = [part.strip() for part in str(entry).split(":")]
    if len(parts) != 4:
        raise refuse(f"{len(parts)} parts separated by ':', not 4")
    chain, contract, symbol, decimals = parts
    network = NETWORKS.get(chain)
    if network is None or network.family not in TOKEN_FAMILIES:
        names = ", ".join(n.name for n in NETWORKS.values() if n.family in TOKEN_FAMILIES)
        raise refuse(f"the chain is one of {names}")
    why = _contract_error(network.family, contract)
    if why:
        raise refuse(why)
    if not _SYMBOL.fullmatch(symbol):
        raise refuse("the symbol is 1 to 20 letters, digits, '.', '_' or '-'")
    if not (decimals.isascii() and decimals.isdigit() and len(decimals) <= 2
            and int(decimals) <= 36):
        raise refuse("decimals is a whole number from 0 to 36")
    return chain, contract_key(chain, contract), KnownToken(symbol, int(decimals))


def parse_entries(entries: Iterable[str]) -> dict[str, dict[str, KnownToken]]:
    """The operator's entries by chain and contract key; ValueError for a malformed entry or
    a contract listed twice."""
    added: dict[str, dict[str, KnownToken]] = {}
    for entry in entries:
        chain, key, token = parse_entry(entry)
        if key in added.setdefault(chain, {}):
            raise ValueError(f"{SETTING}: {chain} contract {key} is listed twice")
        added[chain][key] = token
    return added


@lru_cache(maxsize=64)
def _known(chain: str, entries: tuple[str, ...]) -> Mapping[str, KnownToken]:
    tokens = {contract_key(chain, contract): token
              for contract, token in KNOWN_TOKENS.get(chain, {}).items()}
    tokens.update(parse_entries(entries).get(chain, {}))  # the operator's word wins
    return tokens


def known_tokens(chain: str, entries: Iterable[str] = ()) -> Mapping[str, KnownToken]:
    """The tokens the desk names on ``chain``, by contract key: the list above and the
    operator's entries (``Settings.chain_known_tokens``), an entry over the list's."""
    return _known(chain, tuple(entries))


def _fold(symbol: str) -> str:
    """A symbol as compared for imitation: compatibility forms, case and everything but
    letters and digits set aside ("usdt", "USDT ", "ＵＳＤＴ" and "U.S.D.T" are "usdt")."""
    text = unicodedata.normalize("NFKC", symbol).casefold()
    return "".join(char for char in text if char.isalnum())


def imitated(claimed: str | None, chain: str,
             known: Mapping[str, KnownToken] | None = None) -> str | None:
    """The known token (or native coin) an unverified contract's symbol claims to be: the
    known symbol ``claimed`` matches on ``chain`` or any other chain, else None."""
    if not claimed or not _fold(claimed):
        return None
    symbols = [token.symbol for token in (known or {}).values()]
    symbols += [token.symbol for tokens in KNOWN_TOKENS.values() for token in tokens.values()]
    symbols += [network.native for network in NETWORKS.values()]
    folded = _fold(claimed)
    return next((symbol for symbol in symbols if _fold(symbol) == folded), None)
