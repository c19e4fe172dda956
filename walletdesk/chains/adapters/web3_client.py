"""web3.py, imported without its side effect on the interpreter.

Importing web3 imports py_ecc (through eth_account), which raises the interpreter's recursion
limit to 100,000 for the whole process. With that limit a deeply nested JSON frame no longer
stops at a RecursionError (the chat sockets answer "nested too deeply"), and recursion that
deep in C code can overflow the thread's stack: a crash instead of an error. The limit the
process had is put back as soon as web3 is imported; walletdesk's EVM calls need no deep
recursion.
"""

import sys

_LIMIT = sys.getrecursionlimit()

from web3 import AsyncWeb3  # noqa: E402
from web3._utils.method_formatters import get_null_result_formatters  # noqa: E402
from web3._utils.rpc_abi import RPC  # noqa: E402
from web3.exceptions import TransactionNotFound, Web3Exception  # noqa: E402
from web3.method import Method  # noqa: E402
from web3.providers import AsyncHTTPProvider  # noqa: E402

sys.setrecursionlimit(_LIMIT)

__all__ = ["RPC", "AsyncHTTPProvider", "AsyncWeb3", "Method", "TransactionNotFound",
           "Web3Exception", "get_null_result_formatters"]
