"""web3.py, imported without its side effect on the interpreter.

Importing web3 imports py_ecc (through eth_account), which raises the interpreter's recursion
limit to 100,000 for the whole process. With that limit a deeply nested JSON frame no longer
stops at a RecursionError (the chat sockets answer "nested too deeply"), and recursion that
deep in C code can overflow the thread's stack: a crash instead of an error. The limit the
process had is put back as soon as web3 is imported; walletdesk's EVM calls need no deep
recursion.

Once imported, everything the process holds is frozen out of the garbage collector's scans
(``gc.freeze``), web3's objects among them.
"""

import gc
import sys

_LIMIT = sys.getrecursionlimit()

from web3 import AsyncWeb3  # noqa: E402
from web3._utils.caching import async_handle_request_caching  # noqa: E402
from web3._utils.method_formatters import (  # noqa: E402
    get_error_formatters,
    get_null_result_formatters,
)
from web3._utils.rpc_abi import RPC  # noqa: E402
from web3.exceptions import TransactionNotFound, Web3Exception  # noqa: E402
from web3.providers import AsyncHTTPProvider  # noqa: E402

sys.setrecursionlimit(_LIMIT)

# web3 and what it imports are some 70,000 objects the garbage collector would scan at every
# full collection from now on: 60–100 ms in which the event loop stands still (measured: the
# first burst of lookups after the import waited 100–200 ms for one, decision 0035). They
# live as long as the process does: frozen, the collector leaves them (and whatever else the
# process holds at this moment) out of its scans.
gc.freeze()

__all__ = ["RPC", "AsyncHTTPProvider", "AsyncWeb3", "TransactionNotFound", "Web3Exception",
           "async_handle_request_caching", "get_error_formatters", "get_null_result_formatters"]
