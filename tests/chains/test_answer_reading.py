"""Reading answers after the request (decision 0040's follow-up, issue 16): an EVM read's
answer taken as its result without web3's validation only where web3 would return it as it
is, web3's own reading (and exceptions) for every other answer; and TRON's base58check
addresses, two digits at a time, the same as one digit at a time."""

import os
from hashlib import sha256
from typing import Any

import pytest

from walletdesk.chains.adapters.evm import EvmAdapter
from walletdesk.chains.adapters.tron import tron_address
from walletdesk.chains.adapters.web3_client import RPC, TransactionNotFound, Web3Exception
from walletdesk.chains.endpoints import Endpoint

TX = "0x" + "ab" * 32
RESULT = {"hash": TX, "blockNumber": "0x10", "from": "0x" + "22" * 20, "value": "0x0"}


def evm_reading(answer: Any) -> EvmAdapter:
    """An adapter whose every JSON-RPC request is answered with ``answer``."""
    endpoint = Endpoint("http://127.0.0.1:9", timeout_s=2.0, retries=0, requests_per_s=100.0)
    adapter = EvmAdapter("ethereum", endpoint)

    async def answered(request_id: Any, body: bytes) -> Any:
        return answer

    endpoint.batches.request = answered  # type: ignore[method-assign]
    return adapter


def web3_reading(adapter: EvmAdapter, answer: Any) -> Any:
    """What web3's request manager makes of the answer (the reference)."""
    read = adapter._transaction
    return adapter.w3.manager.formatted_response(answer, [TX], read.errors, read.null)


@pytest.mark.parametrize("answer", [
    {"jsonrpc": "2.0", "id": 7, "result": RESULT},
    {"jsonrpc": "2.0", "id": "7", "result": RESULT},  # a string id: web3 reads it
    {"jsonrpc": "2.0", "id": 7, "result": "0x20"},
    {"jsonrpc": "2.0", "id": 7, "result": False},
    {"jsonrpc": "2.0", "id": 7, "result": RESULT, "method": "eth_subscription",
     "params": {"subscription": "0x1", "result": "0x2"}},
])
async def test_an_answer_with_a_result_is_what_web3_returns(answer: dict[str, Any]) -> None:
    adapter = evm_reading(answer)
    try:
        assert await adapter._transaction(TX) == web3_reading(adapter, answer)
    finally:
        await adapter.close()


@pytest.mark.parametrize("answer", [
    {"jsonrpc": "2.0", "id": 7, "result": None},
    {"jsonrpc": "2.0", "id": 7, "result": "0x"},
    {"jsonrpc": "2.0", "id": 7, "error": {"code": -32000, "message": "transaction not found"}},
])
async def test_an_answer_without_a_transaction_is_not_found(answer: dict[str, Any]) -> None:
    adapter = evm_reading(answer)
    try:
        with pytest.raises(TransactionNotFound):
            await adapter._transaction(TX)
        assert (await adapter.look_up(TX)).status == "not_found"
    finally:
        await adapter.close()


@pytest.mark.parametrize("answer", [
    {"jsonrpc": "2.0", "id": 7, "error": {"code": -32603, "message": "internal error"}},
    {"jsonrpc": "2.0", "id": 7, "result": RESULT, "error": {"code": 1, "message": "both"}},
    {"jsonrpc": "1.0", "id": 7, "result": RESULT},
    {"id": 7, "result": RESULT},
    {"jsonrpc": "2.0", "id": [7], "result": RESULT},
    {"jsonrpc": "2.0", "result": RESULT},
    {"jsonrpc": "2.0", "id": 7},
])
async def test_other_answers_raise_what_web3_raises(answer: dict[str, Any]) -> None:
    adapter = evm_reading(answer)
    try:
        with pytest.raises(Web3Exception) as expected:
            web3_reading(adapter, answer)
        with pytest.raises(type(expected.value)):
            await adapter._transaction(TX)
    finally:
        await adapter.close()


async def test_a_read_through_middleware_goes_through_the_request_manager() -> None:
    adapter = evm_reading({"jsonrpc": "2.0", "id": 7, "result": "0x20"})
    from web3.middleware import Web3Middleware  # web3 imported by web3_client: as the desk does

    seen: list[str] = []

    class Seen(Web3Middleware):
        async def async_request_processor(self, method: Any, params: Any) -> Any:
            seen.append(method)
            return method, params

    try:
        adapter.w3.middleware_onion.add(Seen)
        read = type(adapter._block_number)(adapter.w3, RPC.eth_blockNumber)
        assert await read() == "0x20"
        assert seen == [RPC.eth_blockNumber]
    finally:
        await adapter.close()


def base58check_digit_by_digit(raw: bytes) -> str:
    alphabet = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
    payload = raw + sha256(sha256(raw).digest()).digest()[:4]
    number, out = int.from_bytes(payload, "big"), ""
    while number:
        number, digit = divmod(number, 58)
        out = alphabet[digit] + out
    return "1" * (len(payload) - len(payload.lstrip(b"\0"))) + out


def test_tron_addresses_are_base58check() -> None:
    assert tron_address("41a614f803b6fd780986a42c78ec9c7f77e6ded13c") == \
        "TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t"  # USDT's contract, as TronScan shows it
    cases = ["41" + os.urandom(20).hex() for _ in range(500)]
    cases += ["00" * zeros + os.urandom(21 - zeros).hex() for zeros in range(22)]
    cases += ["41" + "00" * 20, "00" * 21]
    for hex_address in cases:
        assert tron_address.__wrapped__(hex_address) == \
            base58check_digit_by_digit(bytes.fromhex(hex_address)), hex_address
