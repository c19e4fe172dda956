"""EVM chains (Ethereum, BSC, Polygon, Arbitrum, Base …) over JSON-RPC, through web3.py's
AsyncWeb3 and AsyncHTTPProvider.

The transfer: ``eth_getTransactionByHash`` (none: not found; no block: pending, with its fee
cap against the latest block's base fee), then the receipt (status 0: failed — out of gas
when it used all its gas, else reverted) and the ERC-20 ``Transfer`` log it emitted (or, for
a failed token transfer, the ``transfer(address,uint256)`` call it made).

A token is named by its contract (decision 0054): a contract the desk knows
(``walletdesk.chains.tokens``) by the list, without a call; any other is an unverified token,
its amount read with its ``decimals()``, the symbol it declares kept apart (``claimed_token``).
"""

from collections.abc import Mapping
from typing import Any

from walletdesk.chains.adapters.web3_client import (
    RPC,
    AsyncHTTPProvider,
    AsyncWeb3,
    TransactionNotFound,
    Web3Exception,
    async_handle_request_caching,
    get_error_formatters,
    get_null_result_formatters,
)
from walletdesk.chains.endpoints import Endpoint, SharedHead, beside, json_body
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
from walletdesk.chains.tokens import KnownToken, imitated, known_tokens

TRANSFER_TOPIC = "ddf252ad1be2c89b69c2b068fc378daa952ba7f163c4a11628f55a4df523b3ef"
TRANSFER_SELECTOR = "a9059cbb"  # transfer(address,uint256)
SYMBOL_CALL, DECIMALS_CALL = "0x95d89b41", "0x313ce567"
GWEI = 10 ** 9


class EndpointProvider(AsyncHTTPProvider):
    """web3's AsyncHTTPProvider posting through the endpoint's own keep-alive connections
    (walletdesk.chains.http), in JSON-RPC batches when several requests go out in the same
    turn of the event loop.

    web3's provider takes a ``threading.Lock`` through a thread pool (``run_in_executor``) on
    every request to find its cached session: a hop to a worker thread and back, and a queue
    behind one lock, for each of the lookups' requests (measured: a quarter of a lookup's
    CPU, 1.48 → 1.07 ms). The desk has its connections per endpoint already, made in the
    event loop: the request is web3's (its id, encoding, error answers, not-found results), the
    post the endpoint's (its timeout, 429 and 5xx handling, turns, batches: Batches)."""

    def __init__(self, endpoint: Endpoint) -> None:
        super().__init__(endpoint.url, exception_retry_configuration=None)  # the Endpoint's
        self.endpoint = endpoint
        endpoint.rpc_headers = self.get_request_headers()

    @async_handle_request_caching
    async def make_request(self, method: Any, params: Any) -> Any:
        request = self.form_request(method, params)
        try:  # web3's own encoder (a JSONEncoder subclass) takes 5–10 times longer
            body = json_body(request)
        except TypeError:  # bytes, HexBytes …: what only web3's encoder writes
            body = self.encode_rpc_dict(request)
        return await self.endpoint.batches.request(request["id"], body)

    async def disconnect(self) -> None:
        await self.endpoint.close()


class _Read:
    """One of the lookup's reads: web3's request (its provider's id, encoding and post) and
    web3's reading of the answer (error answers, and a null result as ``TransactionNotFound``
    where web3 says so), without web3's ``Method`` nor its request manager around them.

    No request formatting: the hash is sent as the desk has it (detection checked it is 0x and
    64 hex digits; web3's ABI normaliser for one bytes32 costs a third of a call). No result
    formatting: the desk reads the few fields it needs from the JSON-RPC answer (``_int``,
    ``_hex``; web3's formatters checksum every address with keccak and convert every field:
    another third). And not the ``Method`` call itself (decision 0040): its parameter munging,
    its formatter look-ups and its provider type check (an ABC ``isinstance``) at every call
    were a tenth of an EVM lookup's CPU in a burst, for formatters that are all off.

    The request goes to the provider's ``make_request`` as the request manager's would (the
    adapter's web3 has no middleware; with middleware, through the manager). An answer with a
    result (not null, not "0x") to an integer id, and nothing else web3 would read (no error,
    no notification's method), is the result: what web3's ``formatted_response`` returns for
    it, without its field-by-field validation. Every other answer (an error, a null result,
    an id that is a string …) goes through ``formatted_response``: web3's exceptions, as
    before. Measured (issue 16): a fifth to a quarter less CPU a lookup after a burst's
    answers (0.04–0.06 → 0.03–0.04 ms), and less before them (the manager's steps)."""

    __slots__ = ("errors", "manager", "method", "null", "send")

    def __init__(self, w3: Any, rpc_method: str, *, null_means_not_found: bool = False) -> None:
        self.manager = w3.manager
        self.method = rpc_method
        self.errors = get_error_formatters(rpc_method)
        self.null = get_null_result_formatters(rpc_method) if null_means_not_found else None
        if w3.middleware_onion.as_tuple_of_middleware():  # the manager's way, through them
            self.send = None
        else:
            self.send = w3.provider.make_request

    async def __call__(self, *params: Any) -> Any:
        if self.send is None:
            return await self.manager.coro_request(self.method, list(params), self.errors,
                                                   self.null)
        request_params = list(params)
        answer = await self.send(self.method, request_params)
        if type(answer) is dict and answer.get("jsonrpc") == "2.0" and \
                type(answer.get("id")) is int and "error" not in answer and \
                "method" not in answer:  # a notification's shape: web3's reading
            result = answer.get("result")
            if result is not None and result != "0x":
                return result
        return self.manager.formatted_response(answer, request_params, self.errors, self.null)


def _int(value: Any) -> int:
    """A JSON-RPC quantity ("0x1a"); ValueError for anything else (a malformed answer)."""
    if isinstance(value, str) and value[:2] in ("0x", "0X"):
        return int(value, 16)
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    raise ValueError(f"not a quantity: {value!r}")


def _hex(value: Any) -> str:
    """JSON-RPC data ("0xa9059cbb…") as hex digits without the prefix."""
    if value is None:
        return ""
    if not isinstance(value, str) or value[:2] not in ("0x", "0X"):
        raise ValueError(f"not data: {value!r}")
    return value[2:].lower()


class EvmAdapter:
    def __init__(self, chain: str, endpoint: Endpoint,
                 known: Mapping[str, KnownToken] | None = None) -> None:
        """``known``: the tokens named on this chain by contract (lower case), the operator's
        additions included (``known_tokens(chain, settings.chain_known_tokens)``); by
        default the desk's own list."""
        self.chain = chain
        self.known = known if known is not None else known_tokens(chain)
        self.endpoint = endpoint
        self.native = NETWORKS[chain].native
        self.provider = EndpointProvider(endpoint)
        # no middleware: a lookup only reads (the defaults resolve ENS names, fill gas for
        # sending, validate chain ids — about a third of its CPU)
        self.w3 = AsyncWeb3(self.provider, middleware=[])
        self._transaction = _Read(self.w3, RPC.eth_getTransactionByHash,
                                  null_means_not_found=True)
        self._receipt = _Read(self.w3, RPC.eth_getTransactionReceipt, null_means_not_found=True)
        self._block_number = _Read(self.w3, RPC.eth_blockNumber)
        self._block = _Read(self.w3, RPC.eth_getBlockByNumber)
        self._tokens: dict[str, tuple[str | None, int | None]] = {}
        # the latest block (its base fee, for a pending transfer) and the height
        self.latest: SharedHead[Any] = SharedHead(
            lambda: self._rpc(lambda: self._block("latest", False)))
        self.height: SharedHead[Any] = SharedHead(
            lambda: self._rpc(lambda: self._block_number()))

    async def close(self) -> None:
        await self.latest.close()
        await self.height.close()
        await self.endpoint.close()

    async def _rpc(self, make: Any) -> Any:
        """One web3 call through the endpoint's rate limit, timeout and retries."""

        async def attempt() -> Any:
            try:
                return await make()
            except TransactionNotFound:
                raise
            except Web3Exception as exc:  # an answer web3 could not read
                raise ValueError(type(exc).__name__) from exc

        return await self.endpoint.call(attempt)

    async def look_up(self, tx: str, *, native: bool = False) -> TransferStatus:
        # native: TRON's hint (decision 0053); both requests go together here anyway
        self.height.prefetch()  # beside the transaction, not two round trips after it
        # a mined transfer needs its receipt too: asked together, one round trip
        receipt_request = beside(self._rpc(lambda: self._receipt(tx)))
        try:
            transaction = await self._rpc(lambda: self._transaction(tx))
        except TransactionNotFound:
            return TransferStatus(self.chain, tx, NOT_FOUND)
        result = TransferStatus(self.chain, tx, PENDING, sender=_address(transaction["from"]),
                                recipient=_address(transaction.get("to")))
        value = _int(transaction["value"])
        if value:
            result.amount, result.token = units(value, 18), self.native
        self._intended_token_transfer(transaction, result)
        if transaction.get("blockNumber") is None:
            offered = transaction.get("maxFeePerGas") or transaction.get("gasPrice")
            latest = await self.latest.get()
            base_fee = latest.get("baseFeePerGas")
            result.fee_offered_gwei = units(_int(offered), 9) if offered is not None else None
            result.base_fee_gwei = units(_int(base_fee), 9) if base_fee is not None else None
            await self._name_token(result)
            return result
        try:
            receipt = await receipt_request
        except TransactionNotFound:  # mined a moment ago, not indexed yet
            return result
        head = await self.height.get()
        result.block = _int(receipt["blockNumber"])
        result.confirmations = max(0, _int(head) - result.block + 1)
        if _int(receipt["status"]) == 1:
            result.status = CONFIRMED
            self._token_transfer_log(receipt, result)
        else:
            result.status = FAILED
            result.failure = OUT_OF_GAS if _int(receipt["gasUsed"]) >= _int(transaction["gas"]) \
                else REVERTED
        await self._name_token(result)
        return result

    def _intended_token_transfer(self, transaction: Any, result: TransferStatus) -> None:
        data = _hex(transaction.get("input"))
        if data.startswith(TRANSFER_SELECTOR) and len(data) >= 8 + 128:
            result.token_contract = _address(transaction.get("to"))
            result.recipient = "0x" + data[8 + 24:8 + 64]
            result.amount = str(int(data[8 + 64:8 + 128], 16))  # base units until named
            result.token = None

    def _token_transfer_log(self, receipt: Any, result: TransferStatus) -> None:
        for log in receipt["logs"]:
            topics = [_hex(t) for t in log["topics"]]
            if len(topics) == 3 and topics[0] == TRANSFER_TOPIC:
                result.token_contract = _address(log["address"])
                result.sender = "0x" + topics[1][24:]
                result.recipient = "0x" + topics[2][24:]
                result.amount = str(int(_hex(log["data"]) or "0", 16))
                result.token = None
                return

    async def _name_token(self, result: TransferStatus) -> None:
        """The token and the amount in its units. A known contract: its symbol and decimals
        from the list. Any other: unverified — the amount with its ``decimals()``, the
        ``symbol()`` it declares only as ``claimed_token`` (anyone can deploy a "USDT"), and
        the known token that symbol imitates."""
        contract = result.token_contract
        if contract is None or result.token is not None:
            return
        known = self.known.get(contract)
        if known is not None:
            result.token = known.symbol
            if result.amount is not None:
                result.amount = units(int(result.amount), known.decimals)
            return
        if contract not in self._tokens:
            symbol = await self._call_text(contract, SYMBOL_CALL)
            decimals_raw = await self._call_int(contract, DECIMALS_CALL)
            decimals = decimals_raw if decimals_raw is not None and decimals_raw <= 36 else None
            self._tokens[contract] = (symbol, decimals)
        symbol, decimals = self._tokens[contract]
        result.unverified_token = True
        result.claimed_token = symbol
        result.imitated_token = imitated(symbol, self.chain, self.known)
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
