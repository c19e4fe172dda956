"""A server process started by the live tests dies with the test process that started it: a
run stopped hard (pytest killed, a CI timeout) left two `walletdesk serve` processes behind."""

import os
import signal
import subprocess
import sys
import time

PARENT = """
import subprocess, sys, time
from tests.live.processes import die_with_parent
child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(120)"],
                         preexec_fn=die_with_parent)
print(child.pid, flush=True)
time.sleep(120)
"""


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().split()[2] != "Z"  # (a zombie has exited)
    except FileNotFoundError:
        return False


def test_a_server_process_dies_when_its_test_process_is_killed() -> None:
    parent = subprocess.Popen([sys.executable, "-c", PARENT], stdout=subprocess.PIPE,
                              cwd=os.path.dirname(os.path.dirname(os.path.dirname(__file__))))
    assert parent.stdout is not None
    with parent.stdout:
        child = int(parent.stdout.readline())
    assert _alive(child)
    parent.send_signal(signal.SIGKILL)
    parent.wait()
    for _ in range(200):  # a wait for the signal to arrive, not a duration under test
        if not _alive(child):
            break
        time.sleep(0.05)
    assert not _alive(child)
