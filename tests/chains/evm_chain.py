"""eth-tester's in-process chain served as a real JSON-RPC endpoint over HTTP (Starlette on
loopback), so the desk's web3 AsyncHTTPProvider path is what the tests run; and a minimal
ERC-20 token deployed on it with real transactions."""

import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from eth_tester import EthereumTester, PyEVMBackend
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from web3 import EthereumTesterProvider, Web3

from tests.conftest import LiveServer, serving

# Compiled once with solcjs 0.8.28 --optimize (cancun); nothing is compiled at run time:
#
#   // SPDX-License-Identifier: MIT
#   pragma solidity 0.8.28;
#   contract Token {
#       string public constant symbol = "USDT";
#       uint8 public constant decimals = 6;
#       mapping(address => uint256) public balanceOf;
#       event Transfer(address indexed from, address indexed to, uint256 value);
#       constructor(uint256 supply) {
#           balanceOf[msg.sender] = supply;
#           emit Transfer(address(0), msg.sender, supply);
#       }
#       function transfer(address to, uint256 value) external returns (bool) {
#           require(balanceOf[msg.sender] >= value, "balance");
#           balanceOf[msg.sender] -= value;
#           balanceOf[to] += value;
#           emit Transfer(msg.sender, to, value);
#           return true;
#       }
#   }
TOKEN_BYTECODE = "0x" + (
    "6080604052348015600e575f5ffd5b5060405161036e38038061036e833981016040819052602b916071565b335f8181"
    "5260208181526040808320859055518481527fddf252ad1be2c89b69c2b068fc378daa952ba7f163c4a11628f55a4df5"
    "23b3ef910160405180910390a3506087565b5f602082840312156080575f5ffd5b5051919050565b6102da806100945f"
    "395ff3fe608060405234801561000f575f5ffd5b506004361061004a575f3560e01c8063313ce5671461004e57806370"
    "a082311461006d57806395d89b411461009a578063a9059cbb146100ca575b5f5ffd5b610056600681565b60405160ff"
    "90911681526020015b60405180910390f35b61008c61007b3660046101ed565b5f602081905290815260409020548156"
    "5b604051908152602001610064565b6100bd604051806040016040528060048152602001631554d11560e21b81525081"
    "565b604051610064919061020d565b6100dd6100d8366004610242565b6100ed565b6040519015158152602001610064"
    "565b335f908152602081905260408120548211156101395760405162461bcd60e51b8152602060048201526007602482"
    "01526662616c616e636560c81b604482015260640160405180910390fd5b335f90815260208190526040812080548492"
    "9061015790849061027e565b90915550506001600160a01b0383165f9081526020819052604081208054849290610183"
    "908490610291565b90915550506040518281526001600160a01b0384169033907fddf252ad1be2c89b69c2b068fc378d"
    "aa952ba7f163c4a11628f55a4df523b3ef9060200160405180910390a35060015b92915050565b80356001600160a01b"
    "03811681146101e8575f5ffd5b919050565b5f602082840312156101fd575f5ffd5b610206826101d2565b9392505050"
    "565b602081525f82518060208401528060208501604085015e5f604082850101526040601f19601f8301168401019150"
    "5092915050565b5f5f60408385031215610253575f5ffd5b61025c836101d2565b946020939093013593505050565b63"
    "4e487b7160e01b5f52601160045260245ffd5b818103818111156101cc576101cc61026a565b808201808211156101cc"
    "576101cc61026a56fea264697066735822122079dffe0e4331bf102228bdce065f441609ce9f24e22fd87c29d0232146"
    "938d9864736f6c634300081c0033"
)
TOKEN_ABI = [
    {"type": "constructor", "inputs": [{"name": "supply", "type": "uint256"}],
     "stateMutability": "nonpayable"},
    {"type": "function", "name": "transfer", "stateMutability": "nonpayable",
     "inputs": [{"name": "to", "type": "address"}, {"name": "value", "type": "uint256"}],
     "outputs": [{"name": "", "type": "bool"}]},
]


def to_wire(value: Any) -> Any:
    """web3's Python values back into JSON-RPC's wire format (hex quantities and data)."""
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return value
    if isinstance(value, int):
        return hex(value)
    if isinstance(value, bytes | bytearray):
        return "0x" + bytes(value).hex()
    if isinstance(value, dict) or hasattr(value, "items"):
        return {k: to_wire(v) for k, v in dict(value).items()}
    if isinstance(value, list | tuple):
        return [to_wire(v) for v in value]
    return value


class Chain:
    def __init__(self) -> None:
        self.tester = EthereumTester(PyEVMBackend())
        self.w3 = Web3(EthereumTesterProvider(self.tester))
        self.accounts = self.w3.eth.accounts
        self.requests = 0  # HTTP requests
        self.calls = 0  # JSON-RPC requests, alone or in batches
        self.batches = 0  # batches answered
        self.refuse_batches = False  # answer a batch with one error, as some providers do
        self.answer_429 = 0  # the next N requests are answered 429

    def deploy_token(self, supply: int = 1_000_000 * 10**6) -> str:
        contract = self.w3.eth.contract(abi=TOKEN_ABI, bytecode=TOKEN_BYTECODE)
        tx = contract.constructor(supply).transact({"from": self.accounts[0], "gas": 1_000_000})
        return str(self.w3.eth.get_transaction_receipt(tx)["contractAddress"])

    def token(self, address: str) -> Any:
        return self.w3.eth.contract(address=address, abi=TOKEN_ABI)

    async def rpc(self, request: Request) -> Response:
        self.requests += 1
        if self.answer_429 > 0:
            self.answer_429 -= 1
            return Response("slow down", status_code=429, headers={"Retry-After": "0"})
        body = json.loads(await request.body())
        if not isinstance(body, list):
            self.calls += 1
            return JSONResponse(self.answer(body))
        if self.refuse_batches:
            return JSONResponse({"jsonrpc": "2.0", "id": None, "error": {
                "code": -32600, "message": "batch requests are not supported"}})
        self.calls += len(body)
        self.batches += 1
        return JSONResponse([self.answer(one) for one in body])  # JSON-RPC 2.0 batch

    def answer(self, body: dict[str, Any]) -> dict[str, Any]:
        try:
            result = self.w3.manager.request_blocking(body["method"], body.get("params", []))
        except Exception as exc:  # a JSON-RPC error, as a node answers
            return {"jsonrpc": "2.0", "id": body.get("id"),
                    "error": {"code": -32000, "message": str(exc)[:200]}}
        return {"jsonrpc": "2.0", "id": body.get("id"), "result": to_wire(result)}


@asynccontextmanager
async def evm_endpoint() -> AsyncIterator[tuple[Chain, LiveServer]]:
    chain = Chain()
    app = Starlette(routes=[Route("/", chain.rpc, methods=["POST"])])
    async with serving(app) as server:
        yield chain, server
