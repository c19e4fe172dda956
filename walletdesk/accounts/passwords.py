"""Password hashing with argon2id, off the event loop.

An argon2 check costs ~0.2 s of CPU by design. Run on the event loop it stalls every socket
of the process; run in an unbounded pool, a shift start (a hundred agents signing in at once)
takes every core. So the async helpers run it in a worker thread behind one limiter per
process (``WALLETDESK_PASSWORD_HASH_THREADS``), and callers hold no database connection
meanwhile: load the agent, release the connection, check, then write.
"""

import os

import anyio
import anyio.to_thread
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

# argon2id's own defaults (RFC 9106's second recommendation): 3 passes over 64 MiB
DEFAULT_TIME_COST = 3
DEFAULT_MEMORY_KIB = 65536
_hasher = PasswordHasher(time_cost=DEFAULT_TIME_COST, memory_cost=DEFAULT_MEMORY_KIB)
# verified against for unknown e-mail addresses so that timing does not reveal which exist
_DUMMY_HASH = _hasher.hash("walletdesk-dummy-password")
_limiter: anyio.CapacityLimiter | None = None


def default_hash_threads() -> int:
    """Half the cores (at least one): the other half keeps serving the sockets."""
    return max(1, (os.cpu_count() or 2) // 2)


def configure_hashing(threads: int | None, *, time_cost: int | None = None,
                      memory_kib: int | None = None) -> None:
    """Set the number of concurrent hashes of this process (None: half the cores) and the
    cost of new hashes (None: unchanged). Existing hashes are checked with the cost written
    in them, so a change of cost applies to passwords set from then on."""
    global _limiter, _hasher, _DUMMY_HASH
    _limiter = anyio.CapacityLimiter(threads or default_hash_threads())
    time_cost = time_cost or _hasher.time_cost
    memory_kib = memory_kib or _hasher.memory_cost
    if (time_cost, memory_kib) != (_hasher.time_cost, _hasher.memory_cost):
        _hasher = PasswordHasher(time_cost=time_cost, memory_cost=memory_kib)
        _DUMMY_HASH = _hasher.hash("walletdesk-dummy-password")


def _hash_limiter() -> anyio.CapacityLimiter:
    if _limiter is None:
        configure_hashing(None)
    assert _limiter is not None
    return _limiter


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    try:
        return _hasher.verify(password_hash or _DUMMY_HASH, password) and password_hash is not None
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


async def hash_password_off_loop(password: str) -> str:
    """``hash_password`` in a bounded worker thread; call it outside any transaction."""
    return await anyio.to_thread.run_sync(hash_password, password, limiter=_hash_limiter())


async def verify_password_off_loop(password_hash: str | None, password: str) -> bool:
    """``verify_password`` in a bounded worker thread; call it outside any transaction."""
    return await anyio.to_thread.run_sync(verify_password, password_hash, password,
                                          limiter=_hash_limiter())
