"""Solana over JSON-RPC: ``getSignatureStatuses`` (null: not found; ``err``: failed;
``confirmationStatus`` processed: pending) and ``getTransaction`` (jsonParsed) for the
transfer: a system ``transfer`` of SOL or an SPL token ``transfer``/``transferChecked``,
and a memo instruction.

An SPL token is named by its mint (decision 0054): a mint the desk knows
(``walletdesk.chains.tokens``) by the list; any other is an unverified token. The parsed
transfer carries no symbol, so nothing a token says of itself is read; the amount is the
node's reading with the mint's decimals."""

import itertools
from collections.abc import Mapping
from typing import Any

from walletdesk.chains.endpoints import Endpoint, beside
from walletdesk.chains.results import (
    CONFIRMED,
    FAILED,
    NOT_FOUND,
    PENDING,
    REVERTED,
    TransferStatus,
    units,
)
from walletdesk.chains.tokens import KnownToken, known_tokens

_ids = itertools.count(1)


class SolanaAdapter:
    def __init__(self, chain: str, endpoint: Endpoint,
                 known: Mapping[str, KnownToken] | None = None) -> None:
        self.chain = chain
        self.endpoint = endpoint
        # the SPL mints named: the desk's list and the operator's additions
        self.known = known if known is not None else known_tokens(chain)

    async def close(self) -> None:
        await self.endpoint.close()

    async def _rpc(self, method: str, params: list[Any]) -> Any:
        # the status and the transfer of a lookup (and of the lookups made at the same
        # time) go out as one JSON-RPC batch where the endpoint takes batches
        answer = await self.endpoint.rpc(
            {"jsonrpc": "2.0", "id": next(_ids), "method": method, "params": params})
        if not isinstance(answer, dict) or "error" in answer:
            raise ValueError(str(answer.get("error") if isinstance(answer, dict) else answer))
        return answer["result"]

    async def look_up(self, tx: str, *, native: bool = False) -> TransferStatus:
        # native: TRON's hint (decision 0053); both requests go together here anyway
        # the transfer itself asked together with its status: one round trip
        transaction_request = beside(self._rpc("getTransaction", [tx, {
            "encoding": "jsonParsed", "maxSupportedTransactionVersion": 0,
            "commitment": "confirmed"}]))
        statuses = await self._rpc("getSignatureStatuses",
                                   [[tx], {"searchTransactionHistory": True}])
        status = statuses["value"][0]
        if status is None:
            return TransferStatus(self.chain, tx, NOT_FOUND)
        if not isinstance(status, dict) or "err" not in status or "slot" not in status:
            raise ValueError("not a signature status")
        result = TransferStatus(self.chain, tx, PENDING, block=int(status["slot"]))
        if status.get("err") is not None:
            result.status, result.failure = FAILED, _failure(status["err"])
        elif status.get("confirmationStatus") in ("confirmed", "finalized"):
            result.status = CONFIRMED
            result.confirmations = status.get("confirmations")
            if result.confirmations is None:  # finalized: past the deepest fork choice
                result.confirmations = 32
        transaction = await transaction_request
        if transaction:
            _read_transfer(transaction, result, self.known)
        return result


def _read_transfer(transaction: dict[str, Any], result: TransferStatus,
                   known: Mapping[str, KnownToken]) -> None:
    for instruction in transaction["transaction"]["message"]["instructions"]:
        program, parsed = instruction.get("program"), instruction.get("parsed")
        if program == "spl-memo" and isinstance(parsed, str):
            result.memo = parsed
        elif not isinstance(parsed, dict) or result.amount is not None:
            continue
        elif program == "system" and parsed.get("type") == "transfer":
            info = parsed["info"]
            result.sender, result.recipient = info.get("source"), info.get("destination")
            result.amount, result.token = units(int(info["lamports"]), 9), "SOL"
        elif program == "spl-token" and parsed.get("type") in ("transfer", "transferChecked"):
            info = parsed["info"]
            result.sender = info.get("authority") or info.get("source")
            result.recipient = info.get("destination")
            mint = info.get("mint")
            result.token_contract = mint
            token = known.get(mint or "")
            result.token = token.symbol if token is not None else None
            result.unverified_token = bool(mint) and token is None  # (a plain ``transfer``
            # names no mint: nothing to name it by)
            amount = info.get("tokenAmount", {}).get("uiAmountString") or info.get("amount")
            result.amount = str(amount) if amount is not None else None


def _failure(err: Any) -> str:
    if isinstance(err, dict) and "InstructionError" in err:
        return REVERTED
    return str(next(iter(err)) if isinstance(err, dict) else err)[:40].lower()
