"""End-to-end chat benchmark: customers and agents over real WebSockets on loopback.

It makes a fresh database (SQLite file, or a new database on the PostgreSQL server given),
seeds one always-open team with enough online agents, starts ``walletdesk serve`` as
separate process(es), connects N widget customers and the agents, and for S seconds has
every customer send messages at a steady rate. Latency is customer send → agent receive.
With several processes customers and agents sit on different processes (Redis fan-out).
"""

import asyncio
import contextlib
import json
import math
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import websockets

BENCH_PASSWORD = "bench-password-123"  # noqa: S105 - a throwaway local account
AGENT_CAPACITY = 10
GRACE_S = 5.0
MAX_DRAIN_S = 300.0


@dataclass
class BenchConfig:
    conversations: int = 100
    seconds: float = 10.0
    rate: float = 2.0  # messages per second per conversation
    database_url: str | None = None
    redis_url: str | None = None
    processes: int = 1


@dataclass
class Tally:
    sent: dict[str, float] = field(default_factory=dict)
    received: dict[str, float] = field(default_factory=dict)
    texts: dict[str, str] = field(default_factory=dict)
    duplicated: int = 0
    errors: int = 0
    retries: int = 0


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def _make_database(config: BenchConfig, workdir: Path) -> tuple[str, str | None]:
    """A fresh database URL, and the PostgreSQL database name to drop afterwards."""
    if not config.database_url or config.database_url.startswith("sqlite"):
        return f"sqlite+aiosqlite:///{workdir / 'bench.db'}", None
    from sqlalchemy.engine import make_url

    url = make_url(config.database_url)
    name = f"wd_bench_{uuid.uuid4().hex[:10]}"
    await _on_server(config, f'CREATE DATABASE "{name}"')
    return url.set(drivername="postgresql+asyncpg", database=name).render_as_string(
        hide_password=False), name


async def _drop_database(config: BenchConfig, name: str) -> None:
    await _on_server(config, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


async def _on_server(config: BenchConfig, statement: str) -> None:
    """Run one statement on the PostgreSQL server of --database-url (create/drop database)."""
    import asyncpg
    from sqlalchemy.engine import make_url

    url = make_url(config.database_url or "")
    admin = await asyncpg.connect(host=url.host or "127.0.0.1", port=url.port or 5432,
                                  user=url.username or "postgres", password=url.password,
                                  database=url.database or "postgres")
    try:
        await admin.execute(statement)
    finally:
        await admin.close()


async def _seed(database_url: str, agents: int) -> list[str]:
    from walletdesk.accounts.actions import create_agent, create_team, set_presence
    from walletdesk.accounts.models import Presence
    from walletdesk.config import Settings
    from walletdesk.db.migrate import upgrade_database
    from walletdesk.services import Services

    services = Services(Settings(database_url=database_url, log_level="WARNING"))
    try:
        await upgrade_database(services.db.engine)
        async with services.transaction() as session:
            team = await create_team(session, None, name="Bench", is_default=True)
            created = [await create_agent(session, email=f"bench{i}@example.com",
                                          display_name=f"Bench {i}", password=BENCH_PASSWORD,
                                          capacity=AGENT_CAPACITY, team_ids=[team.id])
                       for i in range(agents)]
        for agent in created:
            await set_presence(services, agent.id, Presence.online)
        return [a.email for a in created]
    finally:
        await services.stop()


def _start_servers(config: BenchConfig, database_url: str) -> tuple[list[str], list[Any]]:
    urls, processes = [], []
    for _ in range(config.processes):
        port = _free_port()
        env = {**os.environ, "WALLETDESK_DATABASE_URL": database_url,
               "WALLETDESK_PORT": str(port), "WALLETDESK_LOG_LEVEL": "WARNING",
               # every bench agent signs in from 127.0.0.1
               "WALLETDESK_LOGIN_IP_MAX_ATTEMPTS_PER_MIN": "100000",
               # every simulated customer comes from 127.0.0.1, at load-test rates
               "WALLETDESK_WIDGET_MESSAGES_PER_MIN": "1000000",
               "WALLETDESK_WIDGET_MESSAGES_PER_MIN_PER_ADDRESS": "1000000",
               "WALLETDESK_SECRET_KEY": "bench-secret-" + uuid.uuid4().hex}
        if config.redis_url:
            env["WALLETDESK_REDIS_URL"] = config.redis_url
        processes.append(subprocess.Popen(  # noqa: S603 - our own CLI
            [sys.executable, "-m", "walletdesk.cli", "serve"], env=env,
            stdout=subprocess.DEVNULL))
        urls.append(f"http://127.0.0.1:{port}")
    return urls, processes


async def _wait_healthy(urls: list[str], processes: list[Any]) -> None:
    async with httpx.AsyncClient() as http:
        for url, process in zip(urls, processes, strict=True):
            for _ in range(300):
                if process.poll() is not None:
                    raise RuntimeError(f"server {url} exited with {process.returncode}")
                with contextlib.suppress(httpx.HTTPError):
                    if (await http.get(f"{url}/healthz")).status_code == 200:
                        break
                await asyncio.sleep(0.1)
            else:
                raise RuntimeError(f"server {url} did not start")


async def _agent_socket(url: str, email: str) -> tuple[int, Any]:
    async with httpx.AsyncClient(base_url=url, timeout=120) as http:
        response = await http.post("/login", data={"email": email, "password": BENCH_PASSWORD})
        cookie = response.cookies.get("wd_session")
    if not cookie:
        raise RuntimeError(f"could not sign in {email}")
    ws = await websockets.connect(url.replace("http", "ws") + "/ws/app",
                                  additional_headers={"Cookie": f"wd_session={cookie}"},
                                  max_queue=None)
    welcome = json.loads(await ws.recv())
    return int(welcome["agent_id"]), ws


async def _agent_reader(ws: Any, tally: Tally, subscribed: asyncio.Queue[int]) -> None:
    with contextlib.suppress(websockets.ConnectionClosed):
        async for raw in ws:
            now = time.perf_counter()
            frame = json.loads(raw)
            kind = frame.get("type")
            if kind == "message":
                client_id = frame["message"].get("client_id")
                if client_id in tally.sent:
                    if client_id in tally.received:
                        tally.duplicated += 1
                    else:
                        tally.received[client_id] = now
            elif kind == "subscribed":
                subscribed.put_nowait(frame["conversation"]["id"])
            elif kind == "error":
                tally.errors += 1


async def _customer(url: str, index: int) -> tuple[Any, int]:
    ws = await websockets.connect(url.replace("http", "ws") + "/ws/widget", max_queue=None)
    await ws.send(json.dumps({"type": "hello", "visitor_token": None, "language": "en"}))
    await ws.recv()  # welcome
    await ws.send(json.dumps({"type": "message", "client_id": f"hello-{index}",
                              "text": f"hello from bench customer {index}"}))
    while True:
        frame = json.loads(await ws.recv())
        if frame.get("type") == "ack":
            return ws, int(frame["conversation_id"])
        if frame.get("type") == "error":
            raise RuntimeError(f"customer {index}: {frame}")


async def _drain(ws: Any, tally: Tally) -> None:
    """Read the customer's socket; re-send what the server asked to retry, as the widget does."""
    with contextlib.suppress(websockets.ConnectionClosed):
        async for raw in ws:
            if '"error"' not in raw:
                continue
            frame = json.loads(raw)
            if frame.get("type") != "error":
                continue
            tally.errors += 1
            client_id = frame.get("client_id")
            if frame.get("retry") and client_id in tally.texts:
                await asyncio.sleep(0.5)
                tally.retries += 1
                await ws.send(json.dumps({"type": "message", "client_id": client_id,
                                          "text": tally.texts[client_id]}))


async def _send_loop(ws: Any, index: int, config: BenchConfig, tally: Tally,
                     stop_at: float) -> None:
    interval = 1.0 / config.rate
    next_at = time.perf_counter() + (index % 100) / 100 * interval  # spread the starts
    number = 0
    while True:
        delay = next_at - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        if time.perf_counter() >= stop_at:
            return
        client_id = f"b{index}-{number}"
        text = f"bench message {number} from {index}"
        tally.sent[client_id] = time.perf_counter()
        tally.texts[client_id] = text
        try:
            await ws.send(json.dumps({"type": "message", "client_id": client_id,
                                      "text": text}))
        except websockets.ConnectionClosed:
            tally.errors += 1
            return
        number += 1
        next_at += interval


async def _assignments(database_url: str, conversation_ids: list[int]) -> dict[int, int]:
    from sqlalchemy import select

    from walletdesk.conversations.models import Conversation
    from walletdesk.db.engine import Database

    database = Database(database_url)
    try:
        async with database.session() as session:
            rows = await session.execute(select(Conversation.id, Conversation.assignee_id)
                                         .where(Conversation.id.in_(conversation_ids)))
            return {cid: aid for cid, aid in rows.all() if aid is not None}
    finally:
        await database.dispose()


async def run_chat_benchmark(config: BenchConfig, console: Any = None) -> dict[str, Any]:
    def say(text: str) -> None:
        if console is not None:
            console.print(text)

    workdir = Path(tempfile.mkdtemp(prefix="walletdesk-bench-"))
    database_url, pg_name = await _make_database(config, workdir)
    processes: list[Any] = []
    sockets: list[Any] = []
    tasks: list[asyncio.Task[None]] = []
    try:
        agents_needed = math.ceil(config.conversations / AGENT_CAPACITY)
        say(f"seeding {agents_needed} agents on {database_url.split(':')[0]}…")
        emails = await _seed(database_url, agents_needed)
        urls, processes = _start_servers(config, database_url)
        await _wait_healthy(urls, processes)
        say(f"{len(urls)} server process(es) up; connecting…")

        agent_ids = dict(await asyncio.gather(*[_agent_socket(urls[i % len(urls)], email)
                                                for i, email in enumerate(emails)]))
        agent_ws = list(agent_ids.values())
        sockets += agent_ws
        tally = Tally()
        subscribed: asyncio.Queue[int] = asyncio.Queue()
        tasks += [asyncio.create_task(_agent_reader(ws, tally, subscribed)) for ws in agent_ws]

        customers = []
        for start in range(0, config.conversations, 50):  # don't stampede the accept queue
            customers += await asyncio.gather(*[
                _customer(urls[(i + 1) % len(urls)], i)
                for i in range(start, min(start + 50, config.conversations))])
        sockets += [ws for ws, _ in customers]
        assignment = await _assignments(database_url, [cid for _, cid in customers])
        if len(assignment) != len(customers):
            raise RuntimeError(f"only {len(assignment)} of {len(customers)} were assigned")
        for conversation_id, agent_id in assignment.items():
            await agent_ids[agent_id].send(json.dumps(
                {"type": "subscribe", "conversation_id": conversation_id, "last_seq": 0}))
        for _ in assignment:
            await asyncio.wait_for(subscribed.get(), 60)
        tasks += [asyncio.create_task(_drain(ws, tally)) for ws, _ in customers]

        say(f"{len(customers)} conversations live; sending for {config.seconds:g} s…")
        started = time.perf_counter()
        stop_at = started + config.seconds
        await asyncio.gather(*[_send_loop(ws, i, config, tally, stop_at)
                               for i, (ws, _) in enumerate(customers)])
        # wait for the backlog: a message is lost only if it never arrives (no progress
        # for GRACE_S seconds); late messages count in the latency, not as lost
        last_count, last_progress = -1, time.perf_counter()
        give_up = time.perf_counter() + MAX_DRAIN_S
        while len(tally.received) < len(tally.sent) and time.perf_counter() < give_up:
            if len(tally.received) != last_count:
                last_count, last_progress = len(tally.received), time.perf_counter()
            elif time.perf_counter() - last_progress > GRACE_S:
                break
            await asyncio.sleep(0.1)
        window = config.seconds
        delivery_s = max(max(tally.received.values(), default=started) - started, window)
        latencies = sorted((tally.received[k] - tally.sent[k]) * 1000 for k in tally.received)
        delivered_in_window = sum(1 for k in tally.received if tally.received[k] <= stop_at)

        def pct(p: float) -> float | None:
            if not latencies:
                return None
            return round(latencies[min(len(latencies) - 1, int(p / 100 * len(latencies)))], 2)

        return {
            "conversations": len(customers),
            "seconds": config.seconds,
            "processes": config.processes,
            "database": database_url.split("+")[0].split(":")[0],
            "redis": bool(config.redis_url),
            "offered_msgs_per_s": round(config.conversations * config.rate, 1),
            "sent": len(tally.sent),
            "received": len(tally.received),
            # delivered messages over the time it took to deliver them (≥ the send window)
            "msgs_per_s": round(len(tally.received) / delivery_s, 1),
            "msgs_per_s_in_window": round(delivered_in_window / window, 1),
            "p50_ms": pct(50),
            "p99_ms": pct(99),
            "mean_ms": round(statistics.fmean(latencies), 2) if latencies else None,
            "lost": len(tally.sent) - len(tally.received),
            "duplicated": tally.duplicated,
            "errors": tally.errors,
            "retries": tally.retries,
        }
    finally:
        for task in tasks:
            task.cancel()
        for ws in sockets:
            with contextlib.suppress(Exception):
                await ws.close()
        for process in processes:
            process.terminate()
        for process in processes:
            with contextlib.suppress(subprocess.TimeoutExpired):
                process.wait(15)
        if pg_name is not None:
            with contextlib.suppress(Exception):
                await _drop_database(config, pg_name)
