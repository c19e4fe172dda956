"""Server processes the live tests start die with the test process (no import of walletdesk
here: a test starts a bare parent process with it)."""

import ctypes
import signal

PR_SET_PDEATHSIG = 1  # <linux/prctl.h>


def die_with_parent() -> None:
    """In a server process before it runs (Linux): SIGTERM when the test process that started
    it dies, so a run stopped hard (a killed pytest, a CI timeout) leaves no server behind."""
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(PR_SET_PDEATHSIG, signal.SIGTERM) != 0:
        raise OSError(ctypes.get_errno(), "prctl(PR_SET_PDEATHSIG) failed")
