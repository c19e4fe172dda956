"""TRON through the TronGrid HTTP API: ``/wallet/gettransactionbyid`` (empty: not found),
``/wallet/gettransactioninfobyid`` (empty: not in a block yet; ``receipt.result`` says
OUT_OF_ENERGY, REVERT …) and ``/wallet/getnowblock`` for the confirmations. TRC-20
transfers are read from the ``transfer(address,uint256)`` call; TRX from TransferContract."""

from functools import lru_cache
from hashlib import sha256
from typing import Any

from walletdesk.chains.endpoints import Endpoint, SharedHead, beside
from walletdesk.chains.results import (
    CONFIRMED,
    FAILED,
    NOT_FOUND,
    OUT_OF_BANDWIDTH,
    OUT_OF_ENERGY,
    PENDING,
    REVERTED,
    TransferStatus,
    units,
)

_BASE58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
# two base58 digits at a time: half the big-integer divisions of a digit at a time
_BASE58_PAIRS = [high + low for high in _BASE58 for low in _BASE58]
# the TRC-20 tokens whose decimals the desk knows without asking the chain
TRC20_TOKENS = {
    "TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t": ("USDT", 6),
    "TEkxiTehnzSmSe2XqrBj4w32RUN966rdz8": ("USDC", 6),
}
_FAILURES = {"OUT_OF_ENERGY": OUT_OF_ENERGY, "REVERT": REVERTED, "OUT_OF_TIME": "out_of_time",
             "BANDWITH_ERROR": OUT_OF_BANDWIDTH, "BANDWIDTH_ERROR": OUT_OF_BANDWIDTH}


@lru_cache(maxsize=4096)
def tron_address(hex_address: str | None) -> str | None:
    """41… hex (as the API answers) → the T… base58check form customers know. Cached: a
    token's contract and an exchange's deposit addresses come back in lookup after lookup."""
    if not hex_address:
        return None
    try:
        raw = bytes.fromhex(hex_address if len(hex_address) == 42 else "41" + hex_address[-40:])
    except ValueError:
        return None
    payload = raw + sha256(sha256(raw).digest()).digest()[:4]
    number, pairs = int.from_bytes(payload, "big"), []
    while number:
        number, pair = divmod(number, 58 * 58)
        pairs.append(_BASE58_PAIRS[pair])
    # the number's digits ("1" is 0: a zero the last pair began with is not one of them),
    # after a "1" per leading zero byte
    digits = "".join(reversed(pairs)).lstrip("1")
    return "1" * (len(payload) - len(payload.lstrip(b"\0"))) + digits


class TronAdapter:
    def __init__(self, chain: str, endpoint: Endpoint) -> None:
        self.chain = chain
        self.endpoint = endpoint
        self.head: SharedHead[Any] = SharedHead(
            lambda: self.endpoint.post_json("/wallet/getnowblock", {}))

    async def close(self) -> None:
        await self.head.close()
        await self.endpoint.close()

    async def look_up(self, tx: str) -> TransferStatus:
        self.head.prefetch()  # beside the transaction, not after it
        # its outcome (in a block: energy, receipt) asked together: one round trip
        info_request = beside(self.endpoint.post_json("/wallet/gettransactioninfobyid",
                                                      {"value": tx}))
        data: Any = await self.endpoint.post_json("/wallet/gettransactionbyid", {"value": tx})
        if not data:
            return TransferStatus(self.chain, tx, NOT_FOUND)
        result = TransferStatus(self.chain, tx, PENDING)
        raw = data["raw_data"]
        if raw.get("data"):
            result.memo = bytes.fromhex(raw["data"]).decode("utf-8", "replace")
        contract = raw["contract"][0]
        value = contract["parameter"]["value"]
        result.sender = tron_address(value.get("owner_address"))
        if contract["type"] == "TransferContract":
            result.recipient = tron_address(value.get("to_address"))
            result.amount, result.token = units(int(value.get("amount", 0)), 6), "TRX"
        elif contract["type"] == "TriggerSmartContract":
            token = tron_address(value.get("contract_address"))
            result.token_contract = token
            call = str(value.get("data", ""))
            if call.startswith("a9059cbb") and len(call) >= 8 + 128:
                result.recipient = tron_address("41" + call[8 + 24:8 + 64])
                symbol, decimals = TRC20_TOKENS.get(token or "", (None, 0))
                result.token = symbol
                result.amount = units(int(call[8 + 64:8 + 128], 16), decimals)
        info: Any = await info_request
        declared = (data.get("ret") or [{}])[0].get("contractRet", "SUCCESS")
        if not info:
            if declared != "SUCCESS":
                result.status, result.failure = FAILED, _failure(declared)
            return result
        now: Any = await self.head.get()
        result.block = int(info["blockNumber"])
        head = int(now["block_header"]["raw_data"]["number"])
        result.confirmations = max(0, head - result.block + 1)
        outcome = (info.get("receipt") or {}).get("result") or declared
        if info.get("result") == "FAILED" or outcome not in ("SUCCESS", "DEFAULT"):
            result.status, result.failure = FAILED, _failure(outcome)
        else:
            result.status = CONFIRMED
        return result


def _failure(code: str) -> str:
    return _FAILURES.get(code, code.lower())
