"""web3 (through py_ecc) raises the interpreter's recursion limit to 100,000 when imported;
the desk's server process keeps its own (walletdesk.chains.adapters.web3_client)."""

import subprocess
import sys


def test_the_server_keeps_the_interpreters_recursion_limit():
    script = ("import sys; before = sys.getrecursionlimit(); import walletdesk.web.app; "
              "import walletdesk.chains.adapters.evm; print(before, sys.getrecursionlimit())")
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                         check=True).stdout.split()
    assert out[0] == out[1], out
