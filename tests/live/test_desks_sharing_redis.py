"""Two desks (two databases) on one Redis never hear each other's events; the processes of one
desk all do. Before, every desk published on the one channel "walletdesk:events", so a role
change on one desk closed the sockets of the agent with the same id on the other."""

import asyncio
import os
import uuid

from walletdesk.events.bus import Event, make_bus

REDIS_URL = os.environ.get("WALLETDESK_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")


async def test_events_stay_within_their_database() -> None:
    tag = uuid.uuid4().hex
    desk_a = f"postgresql+psycopg://127.0.0.1/wd_a_{tag}"
    desk_b = f"postgresql+psycopg://127.0.0.1/wd_b_{tag}"
    a_one, a_two, b = make_bus(REDIS_URL, desk_a), make_bus(REDIS_URL, desk_a), \
        make_bus(REDIS_URL, desk_b)
    heard: dict[str, list[Event]] = {"a_two": [], "b": []}

    async def on_a_two(event: Event) -> None:
        heard["a_two"].append(event)

    async def on_b(event: Event) -> None:
        heard["b"].append(event)

    a_two.subscribe(on_a_two)
    b.subscribe(on_b)
    for bus in (a_one, a_two, b):
        await bus.start()
    try:
        await a_one.publish({"type": "agent_access", "agent_id": 2, "code": 4403})
        for _ in range(200):
            if heard["a_two"]:
                break
            await asyncio.sleep(0.02)
        await asyncio.sleep(0.2)  # time enough for a stray delivery to reach desk B
        assert heard["a_two"] == [{"type": "agent_access", "agent_id": 2, "code": 4403}]
        assert heard["b"] == []
    finally:
        for bus in (a_one, a_two, b):
            await bus.stop()
