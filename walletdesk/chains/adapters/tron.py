"""TRON through the TronGrid HTTP API: ``/wallet/gettransactioninfobyid`` (its outcome: empty
when not in a block yet or unknown; ``receipt.result`` says OUT_OF_ENERGY, REVERT …; the
event logs), ``/wallet/gettransactionbyid`` (the transaction itself: empty when not found) and
``/wallet/getnowblock`` for the confirmations (shared by the lookups).

One request for a token transfer (decision 0052): a TRC-20 transfer in a block — by far what
TRON customers ask about (USDT) — is read from its outcome alone, from the ``Transfer`` event
the token emitted (sender, recipient, amount, token). That halves the TronGrid requests of the
common lookup (and so its share of the provider's rate limit), and its client CPU, connects
and writes. The cost: a second request, sent after the first one's answer, whenever the
outcome does not tell the whole story: not in a block (pending or not found: the transaction
says which), native TRX (TransferContract: no event), a failed call (no event: its amount
and recipient are in the call data), any other contract or event shape, and a transfer to a
deposit address that needs a memo (the memo is in the transaction only, so a token transfer
read from its outcome shows none: the warning for a missing memo stays exact, the memo of a
transfer to any other address is not shown). Those are read from the transaction as before:
TRC-20 from the ``transfer(address,uint256)`` call, TRX from TransferContract.

Both at once when the customer's words name TRX (decision 0053): ``look_up(tx, native=True)``
(``walletdesk.chains.detection.asset_hint``: "100 TRX", 波场币, and no token named) sends the
transaction's request beside the outcome's, as before 0052, so a TRX transfer takes one round
trip, not two. The answers are read exactly as the two-step path reads them (a token transfer
the outcome tells whole is still read from it), so a wrong hint costs a request, never a
different answer; without the hint the outcome goes first.
"""

import asyncio
import re
from collections.abc import Mapping
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
from walletdesk.chains.tokens import KnownToken, known_tokens

_BASE58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
# two base58 digits at a time: half the big-integer divisions of a digit at a time
_BASE58_PAIRS = [high + low for high in _BASE58 for low in _BASE58]
# keccak256("Transfer(address,address,uint256)"): the TRC-20 (ERC-20) transfer event
TRANSFER_TOPIC = "ddf252ad1be2c89b69c2b068fc378daa952ba7f163c4a11628f55a4df523b3ef"
_WORD = re.compile(r"[0-9a-fA-F]{64}")  # an event's topic or data word: 32 bytes in hex
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
    def __init__(self, chain: str, endpoint: Endpoint,
                 memo_addresses: frozenset[str] = frozenset(),
                 known: Mapping[str, KnownToken] | None = None) -> None:
        self.chain = chain
        self.endpoint = endpoint
        # the TRC-20 tokens named (and their decimals) without asking the chain: the desk's
        # list and the operator's additions (walletdesk.chains.tokens, decision 0054); any
        # other contract is an unverified token, its amount in base units
        self.known = known if known is not None else known_tokens(chain)
        # the deposit addresses (T…) on this chain that need a memo: a token transfer to one
        # of them is read from the transaction too, for its memo (the desk warns without one)
        self.memo_addresses = memo_addresses
        self.head: SharedHead[Any] = SharedHead(
            lambda: self.endpoint.post_json("/wallet/getnowblock", {}))

    async def close(self) -> None:
        await self.head.close()
        await self.endpoint.close()

    async def look_up(self, tx: str, *, native: bool = False) -> TransferStatus:
        """``native``: the customer's words name TRX (decision 0053): the transaction is asked
        beside the outcome, not after it (one round trip); read the same either way."""
        self.head.prefetch()  # beside the outcome, not after it
        # the hinted TRX transfer's transaction, now; else left to finish (its error unlogged)
        transaction = beside(self._transaction(tx)) if native else None
        if transaction is not None:
            # its request starts in the next turn of the event loop: the outcome's goes right
            # behind it, so a burst's lookups send their pairs one lookup after another (each
            # done when its own two are out), not every outcome first and every transaction
            # after them (each lookup done only near the burst's end: decision 0055)
            await asyncio.sleep(0)
        info: Any = await self.endpoint.post_json("/wallet/gettransactioninfobyid",
                                                  {"value": tx})
        if info:
            transfer = self._token_transfer(tx, info)
            if transfer is not None:  # the common case: one request
                return await self._in_block(transfer, info, "SUCCESS")
        # the outcome does not tell the whole story: the transaction (a round trip later
        # unless it was asked beside the outcome)
        data: Any = await (transaction if transaction is not None else self._transaction(tx))
        if not data:
            return TransferStatus(self.chain, tx, NOT_FOUND)
        result = self._from_transaction(tx, data)
        declared = (data.get("ret") or [{}])[0].get("contractRet", "SUCCESS")
        if not info:
            if declared != "SUCCESS":
                result.status, result.failure = FAILED, _failure(declared)
            return result
        return await self._in_block(result, info, declared)

    async def _transaction(self, tx: str) -> Any:
        return await self.endpoint.post_json("/wallet/gettransactionbyid", {"value": tx})

    def _token_transfer(self, tx: str, info: dict[str, Any]) -> TransferStatus | None:
        """A successful TRC-20 transfer read from its outcome alone, or None when the outcome
        does not say all the transaction would: the call succeeded and emitted exactly one
        event, a ``Transfer`` of the contract it called, neither minted nor burnt (a direct
        ``transfer`` of the token: the event's sender, recipient and amount are the call's),
        to an address that needs no memo. A failed call emits none; a swap, a batch payout or
        a wallet contract emit others or more, or are not the token's.

        What the outcome cannot say (decision 0052): the memo (``raw_data.data``) of a
        transfer to an address that needs none is not read, and a ``transferFrom`` made
        directly on the token reads as the transfer it moved (its owner as the sender)."""
        if info.get("result") == "FAILED" or \
                (info.get("receipt") or {}).get("result") != "SUCCESS":
            return None
        logs = info.get("log") or []
        if len(logs) != 1:
            return None
        event = logs[0]
        topics, amount = event.get("topics") or [], str(event.get("data", ""))
        emitter, called = str(event.get("address", "")), str(info.get("contract_address", ""))
        if len(topics) != 3 or str(topics[0]).lower() != TRANSFER_TOPIC or \
                not all(_WORD.fullmatch(str(word)) for word in (*topics, amount)) or \
                len(emitter) < 40 or emitter[-40:].lower() != called[-40:].lower():
            return None
        if int(topics[1], 16) == 0 or int(topics[2], 16) == 0:
            return None  # a mint (a deployment's too) or a burn: not a transfer call's event
        recipient = tron_address(topics[2])
        if recipient is None or recipient in self.memo_addresses:
            return None
        value = int(amount, 16)
        result = TransferStatus(self.chain, tx, PENDING)
        result.token_contract = tron_address(called)
        result.sender, result.recipient = tron_address(topics[1]), recipient
        self._name_token(result, value)
        return result

    def _from_transaction(self, tx: str, data: dict[str, Any]) -> TransferStatus:
        """What the transaction itself says: its memo, sender, and for TRX and a TRC-20
        ``transfer`` call the recipient, amount and token."""
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
                self._name_token(result, int(call[8 + 64:8 + 128], 16))
        return result

    def _name_token(self, result: TransferStatus, value: int) -> None:
        """A TRC-20 amount named by its contract: a known token's symbol and decimals, else
        unverified, in base units (the contract's own name is not asked)."""
        known = self.known.get(result.token_contract or "")
        if known is not None:
            result.token, result.amount = known.symbol, units(value, known.decimals)
        else:
            result.unverified_token, result.amount = True, units(value, 0)

    async def _in_block(self, result: TransferStatus, info: dict[str, Any],
                        declared: str) -> TransferStatus:
        """In a block: its confirmations against the shared head, and its outcome."""
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
