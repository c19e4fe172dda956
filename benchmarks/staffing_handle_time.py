"""The staffing page's handling time at scale: how long it takes and how long it holds the
event loop.

    python benchmarks/staffing_handle_time.py [--conversations 2000] [--messages 80000]
                                              [--agents 20] [--rounds 5]
                                              [--database-url URL] [--json]

Writes a history into a fresh database (a temporary SQLite file unless ``--database-url``
names an empty PostgreSQL database, which is migrated first): ``--conversations`` resolved
conversations of one team, all in the handling time's sample (HANDLE_SAMPLE), with
``--messages`` messages between them — a customer and ``--agents`` agents taking turns, gaps of
10 s to 20 min, some internal notes, some agents' conversations overlapping. Then measures
``walletdesk.staffing.queries.handle_time`` ``--rounds`` times:

- ``handle_ms``: its time, median and max of the rounds; ``cpu_ms``: this process's CPU
  meanwhile (every thread: the database driver's too), median (steadier on a busy machine);
- ``loop_stall_ms``: the longest time a 1 ms ticker on the same event loop was late while it
  ran (a loop held by Python work shows here), max of the rounds; ``idle_stall_ms``: the
  ticker with nothing else running (the machine's own noise);
- the figures themselves (``active_s``, ``concurrency``, ``conversations``), to compare runs.

One JSON object on the last line.
"""

import argparse
import asyncio
import json
import random
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import insert  # noqa: E402

from walletdesk.accounts.models import Agent, Team  # noqa: E402
from walletdesk.config import Settings  # noqa: E402
from walletdesk.conversations.models import Conversation, Message, SenderKind  # noqa: E402
from walletdesk.customers.models import Customer  # noqa: E402
from walletdesk.db.migrate import upgrade_database  # noqa: E402
from walletdesk.services import Services  # noqa: E402
from walletdesk.staffing.queries import handle_time  # noqa: E402

NOW = datetime(2026, 12, 7, 12, 0, tzinfo=UTC)
CHUNK = 5000


async def write_history(services: Services, conversations: int, messages: int,
                        agents: int, seed: int = 7) -> int:
    """The team's id; conversations spread over the last four weeks."""
    rng = random.Random(seed)
    async with services.transaction() as session:
        team = Team(name="Support", languages=["en"])
        session.add(team)
        person = Customer(display_name="Bench", language="en")
        session.add(person)
        people = [Agent(email=f"a{n}@bench.invalid", display_name=f"Agent {n}",
                        password_hash="!") for n in range(agents)]
        session.add_all(people)
        await session.flush()
        team_id, customer_id = team.id, person.id
        agent_ids = [a.id for a in people]
    per = [messages // conversations + (1 if n < messages % conversations else 0)
           for n in range(conversations)]
    chats: list[dict[str, Any]] = []
    rows: list[dict[str, Any]] = []
    start = NOW - timedelta(weeks=4)
    for conversation_id, count in enumerate(per, start=1):  # a fresh database: ids from 1
        opened = start + timedelta(seconds=rng.uniform(0, 4 * 7 * 86400 - 86400))
        agent_id = rng.choice(agent_ids)
        at = opened
        for seq in range(1, count + 1):
            by_agent = seq % 2 == 0
            rows.append({"conversation_id": conversation_id, "seq": seq,
                         "sender_kind": SenderKind.agent if by_agent else SenderKind.customer,
                         "sender_agent_id": agent_id if by_agent else None,
                         "is_internal": by_agent and rng.random() < 0.1, "text": "…",
                         "sender_name": "", "created_at": at})
            at += timedelta(seconds=rng.uniform(10, 1200))
        chats.append({"id": conversation_id, "customer_id": customer_id, "channel": "web",
                      "status": "resolved", "language": "en", "team_id": team_id,
                      "assignee_id": agent_id, "created_at": opened, "queued_at": opened,
                      "assigned_at": opened + timedelta(seconds=rng.uniform(0, 300)),
                      "resolved_at": at, "updated_at": at, "last_message_at": at,
                      "last_seq": count})
    async with services.transaction() as session:
        await session.execute(insert(Conversation.__table__), chats)
        for first in range(0, len(rows), CHUNK):
            await session.execute(insert(Message.__table__), rows[first:first + CHUNK])
    return team_id


async def _stalls(stop: asyncio.Event) -> float:
    """The longest a 1 ms ticker woke late, in ms, until ``stop``."""
    worst = 0.0
    while not stop.is_set():
        before = time.perf_counter()
        await asyncio.sleep(0.001)
        worst = max(worst, (time.perf_counter() - before - 0.001) * 1000)
    return worst


async def measure(services: Services, team_id: int, rounds: int) -> dict[str, Any]:
    since = NOW - timedelta(weeks=8)
    stop = asyncio.Event()
    idle = asyncio.create_task(_stalls(stop))
    await asyncio.sleep(0.5)
    stop.set()
    idle_stall = await idle
    times, cpu, stalls, figures = [], [], [], None
    for _ in range(rounds):
        stop = asyncio.Event()
        ticker = asyncio.create_task(_stalls(stop))
        await asyncio.sleep(0.01)
        started, cpu_started = time.perf_counter(), time.process_time()
        async with services.read() as session:
            figures = await handle_time(session, services.settings, since, team_id)
        times.append((time.perf_counter() - started) * 1000)
        cpu.append((time.process_time() - cpu_started) * 1000)
        stop.set()
        stalls.append(await ticker)
    assert figures is not None
    return {"handle_ms": {"median": round(statistics.median(times), 1),
                          "max": round(max(times), 1)},
            "cpu_ms": round(statistics.median(cpu), 1),
            "loop_stall_ms": round(max(stalls), 1), "idle_stall_ms": round(idle_stall, 1),
            "active_s": round(figures.active_s, 3), "concurrency": round(figures.concurrency, 4),
            "conversations": figures.conversations, "from_history": figures.from_history}


async def main(args: argparse.Namespace) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as scratch:
        url = args.database_url or f"sqlite+aiosqlite:///{Path(scratch) / 'bench.db'}"
        settings = Settings(environment="test", database_url=url, redis_url=None,
                            secret_key="bench-secret-key-" + "x" * 32, embedded_worker=False,
                            log_level="WARNING")
        services = Services(settings)
        await upgrade_database(services.db.engine)
        await services.start()
        try:
            written = time.perf_counter()
            team_id = await write_history(services, args.conversations, args.messages,
                                          args.agents)
            written_s = time.perf_counter() - written
            result = await measure(services, team_id, args.rounds)
        finally:
            await services.stop()
    engine = url.split(":", 1)[0]
    return {"engine": engine, "conversations": args.conversations, "messages": args.messages,
            "agents": args.agents, "rounds": args.rounds, "write_s": round(written_s, 1),
            **result}


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--conversations", type=int, default=2000)
    parser.add_argument("--messages", type=int, default=80_000)
    parser.add_argument("--agents", type=int, default=20)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--database-url", default=None,
                        help="an empty PostgreSQL database (default: a temporary SQLite file)")
    parser.add_argument("--json", action="store_true", help="only the JSON object")
    arguments = parser.parse_args()
    outcome = asyncio.run(main(arguments))
    if not arguments.json:
        for key, value in outcome.items():
            print(f"{key}: {value}")
    print(json.dumps(outcome))
