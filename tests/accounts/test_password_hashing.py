"""Argon2 runs in a bounded worker thread, with no database connection held meanwhile: a
shift start (many agents signing in at once) neither stalls the sockets nor empties the pool."""

import asyncio
import threading
from collections.abc import Iterator
from typing import Any

import pytest

from tests.conftest import PASSWORD
from walletdesk.accounts import passwords
from walletdesk.accounts.actions import authenticate, update_agent
from walletdesk.accounts.models import Role
from walletdesk.services import Services


@pytest.fixture
def hashing_watched(services: Services, monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, Any]]:
    """The real argon2 calls, recording the connections checked out and the hashes at once."""
    seen: dict[str, Any] = {"checked_out": [], "running": 0, "most": 0, "threads": set()}
    lock = threading.Lock()

    def watched(real: Any) -> Any:
        def call(*args: Any) -> Any:
            with lock:
                seen["checked_out"].append(services.db.engine.pool.checkedout())
                seen["threads"].add(threading.get_ident())
                seen["running"] += 1
                seen["most"] = max(seen["most"], seen["running"])
            try:
                return real(*args)
            finally:
                with lock:
                    seen["running"] -= 1
        return call

    monkeypatch.setattr(passwords, "verify_password", watched(passwords.verify_password))
    monkeypatch.setattr(passwords, "hash_password", watched(passwords.hash_password))
    passwords.configure_hashing(1)
    yield seen
    passwords.configure_hashing(None)


async def test_sign_in_and_password_change_hash_outside_any_transaction(
        services: Services, make_agent: Any, hashing_watched: dict[str, Any]) -> None:
    admin = await make_agent("Ada", role=Role.admin)
    agents = [await make_agent(f"Agent {i}") for i in range(2)]
    hashing_watched["checked_out"].clear()

    # one at a time: whoever hashes holds no connection (pool.checkedout() counts them all)
    assert (await authenticate(services, agents[0].email, PASSWORD)).agent
    assert (await authenticate(services, agents[0].email, "not-the-password")).error == "invalid"
    assert (await authenticate(services, "nobody@example.com", PASSWORD)).error == "invalid"
    await update_agent(services, admin, agents[1].id, {"password": "a-new-password-123"})
    assert (await authenticate(services, agents[1].email, "a-new-password-123")).agent
    assert hashing_watched["checked_out"] == [0] * 5

    # at once (a shift start): all succeed, one hash at a time here, never on the event loop
    results = await asyncio.gather(*[authenticate(services, a.email, PASSWORD)
                                     for a in (agents[0], admin)])
    assert [r.agent.id for r in results if r.agent] == [agents[0].id, admin.id]
    assert hashing_watched["most"] == 1
    assert threading.get_ident() not in hashing_watched["threads"]
