"""EVM chains (Ethereum, BSC, Polygon, Arbitrum, Base …) over JSON-RPC, through web3.py's
AsyncWeb3 and AsyncHTTPProvider.

The transfer: ``eth_getTransactionByHash`` (none: not found; no block: pending, with its fee
cap against the latest block's base fee), then the receipt (status 0: failed — out of gas
when it used all its gas, else reverted) and the ERC-20 ``Transfer`` log it emitted (or, for
a failed token transfer, the ``transfer(address,uint256)`` call it made).
"""

from typing import Any

import aiohttp

from walletdesk.chains.adapters.web3_client import (
    AsyncHTTPProvider,
    AsyncWeb3,
    TransactionNotFound,
    Web3Exception,
)
from walletdesk.chains.endpoints import Endpoint, RateLimited, ServerError, SharedHead
from walletdesk.chains.networks import NETWORKS
from walletdesk.chains.results import (
    CONFIRMED,
    FAILED,
    NOT_FOUND,
    OUT_OF_GAS,
    PENDING,
    REVERTED,
    ChainUnavailable,
    TransferStatus,
    units,
)

TRANSFER_TOPIC = "ddf252ad1be2c89b69c2b068fc378daa952ba7f163c4a11628f55a4df523b3ef"
TRANSFER_SELECTOR = "a9059cbb"  # transfer(address,uint256)
SYMBOL_CALL, DECIMALS_CALL = "0x95d89b41", "0x313ce567"
GWEI = 10 ** 9


class EvmAdapter:
    def __init__(self, chain: str, endpoint: Endpoint) -> None:
        self.chain = chain
        self.endpoint = endpoint
        self.native = NETWORKS[chain].native
        self.provider = AsyncHTTPProvider(
            endpoint.url, exception_retry_configuration=None,  # retries are the Endpoint's
            request_kwargs={"timeout": aiohttp.ClientTimeout(total=endpoint.timeout_s)})
        # no middleware: a lookup only reads (the defaults resolve ENS names, fill gas for
        # sending, validate chain ids — about a third of its CPU)
        self.w3 = AsyncWeb3(self.provider, middleware=[])
        self._session: aiohttp.ClientSession | None = None
        self._tokens: dict[str, tuple[str | None, int | None]] = {}
        self.latest: SharedHead[Any] = SharedHead()  # the latest block (base fee)
        self.height: SharedHead[Any] = SharedHead()

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None

    async def _rpc(self, make: Any) -> Any:
        """One web3 call through the endpoint's rate limit, timeout and retries."""
        if self._session is None:  # keep-alive connections (web3's own session closes each)
            self._session = aiohttp.ClientSession(
                connector=aiohttp.TCPConnector(limit=256), raise_for_status=True)
            await self.provider.cache_async_session(self._session)

        async def attempt() -> Any:
            try:
                return await make()
            except aiohttp.ClientResponseError as exc:
                if exc.status == 429:
                    retry_after = (exc.headers or {}).get("Retry-After")
                    raise RateLimited(float(retry_after) if retry_after and
                                      retry_after.isdigit() else None) from exc
                if exc.status >= 500:
                    raise ServerError(str(exc.status)) from exc
                raise ValueError(f"HTTP {exc.status}") from exc
            except aiohttp.ClientPayloadError as exc:
                raise ValueError("payload") from exc
            except TransactionNotFound:
                raise
            except Web3Exception as exc:  # an answer web3 could not read
                raise ValueError(type(exc).__name__) from exc

        return await self.endpoint.call(attempt)

    async def look_up(self, tx: str) -> TransferStatus:
        try:
            transaction = await self._rpc(lambda: self.w3.eth.get_transaction(tx))
        except TransactionNotFound:
            return TransferStatus(self.chain, tx, NOT_FOUND)
        result = TransferStatus(self.chain, tx, PENDING, sender=_address(transaction["from"]),
                                recipient=_address(transaction.get("to")))
        if transaction["value"]:
            result.amount, result.token = units(int(transaction["value"]), 18), self.native
        self._intended_token_transfer(transaction, result)
        if transaction.get("blockNumber") is None:
            offered = transaction.get("maxFeePerGas") or transaction.get("gasPrice")
            latest = await self.latest.get(
                lambda: self._rpc(lambda: self.w3.eth.get_block("latest")))
            base_fee = latest.get("baseFeePerGas")
            result.fee_offered_gwei = units(int(offered), 9) if offered is not None else None
            result.base_fee_gwei = units(int(base_fee), 9) if base_fee is not None else None
            await self._name_token(result)
            return result
        try:
            receipt = await self._rpc(lambda: self.w3.eth.get_transaction_receipt(tx))
        except TransactionNotFound:  # mined a moment ago, not indexed yet
            return result
        head = await self.height.get(lambda: self._rpc(lambda: self.w3.eth.block_number))
        result.block = int(receipt["blockNumber"])
        result.confirmations = max(0, int(head) - result.block + 1)
        if int(receipt["status"]) == 1:
            result.status = CONFIRMED
            self._token_transfer_log(receipt, result)
        else:
            result.status = FAILED
            result.failure = OUT_OF_GAS if int(receipt["gasUsed"]) >= int(transaction["gas"]) \
                else REVERTED
        await self._name_token(result)
        return result

    def _intended_token_transfer(self, transaction: Any, result: TransferStatus) -> None:
        data = bytes(transaction.get("input") or b"").hex()
        if data.startswith(TRANSFER_SELECTOR) and len(data) >= 8 + 128:
            result.token_contract = _address(transaction.get("to"))
            result.recipient = "0x" + data[8 + 24:8 + 64]
            result.amount = str(int(data[8 + 64:8 + 128], 16))  # base units until named
            result.token = None

    def _token_transfer_log(self, receipt: Any, result: TransferStatus) -> None:
        for log in receipt["logs"]:
            topics = [bytes(t).hex() for t in log["topics"]]
            if len(topics) == 3 and topics[0].removeprefix("0x") == TRANSFER_TOPIC:
                result.token_contract = _address(log["address"])
                result.sender = "0x" + topics[1].removeprefix("0x")[24:]
                result.recipient = "0x" + topics[2].removeprefix("0x")[24:]
                result.amount = str(int(bytes(log["data"]).hex() or "0", 16))
                result.token = None
                return

    async def _name_token(self, result: TransferStatus) -> None:
        """The token's symbol and the amount in its units (``symbol()``, ``decimals()``)."""
        contract = result.token_contract
        if contract is None or result.token is not None:
            return
        if contract not in self._tokens:
            symbol = await self._call_text(contract, SYMBOL_CALL)
            decimals_raw = await self._call_int(contract, DECIMALS_CALL)
            decimals = decimals_raw if decimals_raw is not None and decimals_raw <= 36 else None
            self._tokens[contract] = (symbol, decimals)
        symbol, decimals = self._tokens[contract]
        result.token = symbol
        if decimals is not None and result.amount is not None:
            result.amount = units(int(result.amount), decimals)

    async def _call(self, contract: str, data: str) -> bytes | None:
        try:
            return bytes(await self._rpc(lambda: self.w3.eth.call(
                {"to": AsyncWeb3.to_checksum_address(contract), "data": data})))
        except ChainUnavailable as exc:
            if exc.reason != "malformed":
                raise
            return None  # not a token contract (or it reverted): no name

    async def _call_int(self, contract: str, data: str) -> int | None:
        raw = await self._call(contract, data)
        return int.from_bytes(raw[:32], "big") if raw and len(raw) >= 32 else None

    async def _call_text(self, contract: str, data: str) -> str | None:
        raw = await self._call(contract, data)
        if not raw:
            return None
        try:
            if len(raw) >= 96:  # ABI string: offset, length, bytes
                length = int.from_bytes(raw[32:64], "big")
                text = raw[64:64 + length].decode("utf-8")
            else:  # bytes32 (old tokens)
                text = raw[:32].rstrip(b"\0").decode("utf-8")
        except (UnicodeDecodeError, ValueError):
            return None
        return "".join(c for c in text if c.isprintable())[:20] or None


def _address(value: Any) -> str | None:
    return str(value).lower() if value else None
