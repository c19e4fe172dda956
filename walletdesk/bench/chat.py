"""End-to-end chat benchmark: customers and agents over real WebSockets on loopback.

It makes a fresh database (SQLite file, or a new database on the PostgreSQL server given),
seeds one always-open team with enough online agents, starts ``walletdesk serve`` as
separate process(es), signs the agents in all at once (a shift start), connects N widget
customers, and for S seconds has every customer send messages at a steady rate. Latency is
customer send → agent receive. With several processes customers and agents sit on different
processes (Redis fan-out).

``--ramp`` repeats the measurement at rising rates on the same connections and reports the
highest delivered rate whose p99 stays under the bound. ``bench signin`` only signs agents in.
The client shares the machine with the servers: its own CPU time is reported beside theirs.

The client behaves as the widget does: a frame answered ``busy`` (or ``unavailable``) with
``retry`` is resent with the same ``client_id`` after ``retry_after`` seconds plus jitter, and
an HTTP 503 is retried after its ``Retry-After``.
"""

import asyncio
import contextlib
import json
import math
import os
import random
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import orjson
import websockets

BENCH_PASSWORD = "bench-password-123"  # noqa: S105 - a throwaway local account
AGENT_CAPACITY = 10
GRACE_S = 5.0
MAX_DRAIN_S = 300.0
SIGNIN_TIMEOUT_S = 600.0
DEFAULT_RETRY_AFTER_S = 0.5
ASSIGN_WAIT_S = 90
WARM_UP_S = 3.0
# a loaded machine (other work on the same cores) starts a server and answers the agents'
# subscriptions slowly: these bound waiting without progress, not the normal case
START_WAIT_S = 300.0
SUBSCRIBE_WAIT_S = 600.0


@dataclass
class BenchConfig:
    conversations: int = 100
    seconds: float = 10.0
    rate: float = 2.0  # messages per second per conversation
    database_url: str | None = None
    redis_url: str | None = None
    processes: int = 1
    # --ramp: total offered rates from ramp_start, times ramp_factor per step, up to ramp_max
    ramp: bool = False
    p99_ms: float = 50.0
    ramp_start: float = 100.0
    ramp_factor: float = 1.5
    ramp_max: float = 10_000.0
    # customers write support prose (100–300 characters of the shared data's English
    # texts) instead of "bench message N from I": the protect step reads real sentences
    prose: bool = False


@dataclass
class Tally:
    sent: dict[str, float] = field(default_factory=dict)
    received: dict[str, float] = field(default_factory=dict)
    texts: dict[str, str] = field(default_factory=dict)
    duplicated: int = 0
    errors: int = 0
    busy: int = 0
    retries: int = 0


@dataclass
class Rig:
    """What one benchmark run set up: servers, database, signed-in agents, customers."""
    config: BenchConfig
    database_url: str
    urls: list[str]
    processes: list[Any]
    agent_ws: dict[int, Any] = field(default_factory=dict)
    customers: list[tuple[Any, int]] = field(default_factory=list)
    tally: Tally = field(default_factory=Tally)
    tasks: list[asyncio.Task[None]] = field(default_factory=list)
    signin: dict[str, Any] = field(default_factory=dict)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _pct(values: list[float], p: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    return round(ordered[min(len(ordered) - 1, int(p / 100 * len(ordered)))], 2)


def _jittered(seconds: Any) -> float:
    base = seconds if isinstance(seconds, int | float) and seconds > 0 else DEFAULT_RETRY_AFTER_S
    return float(base) * (1 + random.random() * 0.5)  # noqa: S311 - spreading retries only


def _process_cpu_s(pids: list[int]) -> float | None:
    """User + system CPU seconds of the given processes (Linux /proc), None elsewhere."""
    total = 0.0
    ticks = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            return None
        total += (int(fields[11]) + int(fields[12])) / ticks
    return total


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
    from walletdesk.accounts.actions import create_team, set_presence
    from walletdesk.accounts.models import Agent, Presence
    from walletdesk.accounts.passwords import hash_password_off_loop
    from walletdesk.config import Settings
    from walletdesk.db.migrate import upgrade_database
    from walletdesk.services import Services

    services = Services(Settings(database_url=database_url, log_level="WARNING"))
    try:
        await upgrade_database(services.db.engine)
        password_hash = await hash_password_off_loop(BENCH_PASSWORD)  # one hash, not hundreds
        async with services.transaction() as session:
            team = await create_team(session, None, name="Bench", is_default=True)
            created = [Agent(email=f"bench{i}@example.com", display_name=f"Bench {i}",
                             password_hash=password_hash, capacity=AGENT_CAPACITY, teams=[team])
                       for i in range(agents)]
            session.add_all(created)
        for agent in created:
            await set_presence(services, agent.id, Presence.online)
        return [a.email for a in created]
    finally:
        await services.stop()


def _start_servers(config: BenchConfig, database_url: str) -> tuple[list[str], list[Any]]:
    urls, processes = [], []
    # one secret for all: sessions, visitor tokens and the personal-data keys derived from it
    # must be the same on every process, as in a real deployment
    secret = "bench-secret-" + uuid.uuid4().hex
    for _ in range(config.processes):
        port = _free_port()
        env = {**os.environ, "WALLETDESK_DATABASE_URL": database_url,
               "WALLETDESK_PORT": str(port), "WALLETDESK_LOG_LEVEL": "WARNING",
               # every bench agent signs in from 127.0.0.1
               "WALLETDESK_LOGIN_IP_MAX_ATTEMPTS_PER_MIN": "100000",
               # every simulated customer comes from 127.0.0.1, at load-test rates
               "WALLETDESK_WIDGET_MESSAGES_PER_MIN": "1000000",
               "WALLETDESK_WIDGET_MESSAGES_PER_MIN_PER_ADDRESS": "1000000",
               "WALLETDESK_SECRET_KEY": secret}
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
            for _ in range(int(START_WAIT_S * 10)):
                if process.poll() is not None:
                    raise RuntimeError(f"server {url} exited with {process.returncode}")
                with contextlib.suppress(httpx.HTTPError):
                    if (await http.get(f"{url}/healthz")).status_code == 200:
                        break
                await asyncio.sleep(0.1)
            else:
                raise RuntimeError(f"server {url} did not start")


async def _sign_in(http: httpx.AsyncClient, email: str) -> tuple[str | None, float, int, str]:
    """POST /login as a browser would, retrying a 503 after its Retry-After: the session
    cookie (None: refused), the seconds it took, the retries and the last answer."""
    began, retries = time.perf_counter(), 0
    while True:
        try:
            response = await http.post("/login", data={"email": email,
                                                       "password": BENCH_PASSWORD})
        except httpx.HTTPError as exc:
            return None, time.perf_counter() - began, retries, type(exc).__name__
        if response.status_code == 503 and time.perf_counter() - began < SIGNIN_TIMEOUT_S:
            retries += 1
            await asyncio.sleep(_jittered(float(response.headers.get("retry-after", 1))))
            continue
        answer = str(response.status_code) + (" locked" if "locked" in response.text else "")
        return response.cookies.get("wd_session"), time.perf_counter() - began, retries, answer


async def _sign_in_all(urls: list[str], emails: list[str]) -> tuple[list[str | None],
                                                                    dict[str, Any]]:
    """Every agent at once (a shift start): cookies in order, and the figures."""
    clients = [httpx.AsyncClient(base_url=url, timeout=SIGNIN_TIMEOUT_S,
                                 limits=httpx.Limits(max_connections=len(emails)))
               for url in urls]
    try:
        began = time.perf_counter()
        results = await asyncio.gather(*[_sign_in(clients[i % len(urls)], email)
                                         for i, email in enumerate(emails)])
        elapsed = time.perf_counter() - began
    finally:
        for client in clients:
            await client.aclose()
    cookies = [cookie for cookie, _, _, _ in results]
    seconds = [s * 1000 for cookie, s, _, _ in results if cookie]
    failures: dict[str, int] = {}
    for cookie, _, _, answer in results:
        if not cookie:
            failures[answer] = failures.get(answer, 0) + 1
    return cookies, {
        "agents": len(emails),
        "signed_in": len(seconds),
        "failed": len(emails) - len(seconds),
        "failures": failures,
        "retries": sum(r for _, _, r, _ in results),
        "seconds": round(elapsed, 2),
        "per_s": round(len(seconds) / elapsed, 1) if elapsed else None,
        "p50_ms": _pct(seconds, 50),
        "p99_ms": _pct(seconds, 99),
        "max_ms": round(max(seconds), 1) if seconds else None,
    }


async def _agent_socket(url: str, cookie: str) -> tuple[int, Any]:
    for _ in range(60):
        try:
            ws = await websockets.connect(url.replace("http", "ws") + "/ws/app",
                                          additional_headers={"Cookie": f"wd_session={cookie}"},
                                          max_queue=None, open_timeout=60)
            welcome = json.loads(await ws.recv())
            return int(welcome["agent_id"]), ws
        except (websockets.InvalidStatus, websockets.ConnectionClosed):
            # refused before the upgrade (the database was busy: 1013): reconnect, as the
            # workspace does
            await asyncio.sleep(_jittered(1.0))
    raise RuntimeError("an agent socket could not connect")


def _resend_later(ws: Any, frame: dict[str, Any], after: Any) -> None:
    async def resend() -> None:
        await asyncio.sleep(_jittered(after))
        with contextlib.suppress(websockets.ConnectionClosed):
            await ws.send(json.dumps(frame))
    asyncio.get_running_loop().create_task(resend())


async def _agent_reader(ws: Any, rig: Rig, answers: asyncio.Queue[int | dict[str, Any] | str]
                        ) -> None:
    """Count the messages an agent receives; hand the answers to its subscriptions (the
    conversation id, or the error frame) to ``_subscribe``. A socket that closes says so, so
    that nothing waits for answers that cannot come."""
    try:
        with contextlib.suppress(websockets.ConnectionClosed):
            async for raw in ws:
                now = time.perf_counter()
                frame = orjson.loads(raw)
                kind = frame.get("type")
                tally = rig.tally
                if kind == "message":
                    client_id = frame["message"].get("client_id")
                    if client_id in tally.sent:
                        if client_id in tally.received:
                            tally.duplicated += 1
                        else:
                            tally.received[client_id] = now
                elif kind == "subscribed":
                    answers.put_nowait(int(frame["conversation"]["id"]))
                elif kind == "error":
                    if str(frame.get("client_id", "")).startswith("sub-"):
                        answers.put_nowait(frame)
                    else:
                        tally.errors += 1
    finally:
        answers.put_nowait(f"agent socket closed: {ws.close_code} {ws.close_reason!r} "
                           f"(received {ws.protocol.close_rcvd}, sent {ws.protocol.close_sent})")


async def _subscribe(ws: Any, conversation_ids: list[int],
                     answers: asyncio.Queue[int | dict[str, Any] | str]) -> None:
    """One agent opens its conversations one after the other, as the workspace does when the
    agent clicks through them: the next subscribe goes once the last one is answered.

    Not all at once: the server handles a socket's frames in order and reads no more from
    it while frames it has received wait (uvicorn's flow control), so neither side's
    keepalive pings are answered meanwhile; ten subscribes that take more than the 20 s ping
    timeout to work through on a loaded machine got the socket closed (1011) mid-set-up."""
    for conversation_id in conversation_ids:
        client_id = f"sub-{conversation_id}"
        while True:
            try:
                await ws.send(json.dumps({"type": "subscribe", "client_id": client_id,
                                          "conversation_id": conversation_id, "last_seq": 0}))
            except websockets.ConnectionClosed as exc:
                raise RuntimeError(f"agent socket closed before subscribing to "
                                   f"{conversation_id}: {exc}") from None
            try:
                answer = await asyncio.wait_for(answers.get(), SUBSCRIBE_WAIT_S)
            except TimeoutError:
                raise RuntimeError(f"subscription to {conversation_id} not answered in "
                                   f"{SUBSCRIBE_WAIT_S:g} s") from None
            if answer == conversation_id:
                break
            if isinstance(answer, dict) and answer.get("client_id") == client_id \
                    and answer.get("retry"):  # shed under load: subscribe again later
                await asyncio.sleep(_jittered(answer.get("retry_after")))
                continue
            raise RuntimeError(f"subscription to {conversation_id} refused: {answer}")


async def _customer(url: str, index: int) -> tuple[Any, int]:
    for _ in range(60):
        ws = await websockets.connect(url.replace("http", "ws") + "/ws/widget", max_queue=None,
                                      open_timeout=60)
        await ws.send(json.dumps({"type": "hello", "visitor_token": None, "language": "en"}))
        with contextlib.suppress(websockets.ConnectionClosed):
            if json.loads(await ws.recv()).get("type") == "welcome":
                break
        # "unavailable, reconnect" (close 1013) while the server is loaded: as the widget does
        await ws.close()
        await asyncio.sleep(_jittered(1.0))
    else:
        raise RuntimeError(f"customer {index}: no welcome")
    hello = {"type": "message", "client_id": f"hello-{index}",
             "text": f"hello from bench customer {index}"}
    await ws.send(json.dumps(hello))
    while True:
        frame = json.loads(await ws.recv())
        if frame.get("type") == "ack":
            return ws, int(frame["conversation_id"])
        if frame.get("type") == "error":
            if not frame.get("retry"):
                raise RuntimeError(f"customer {index}: {frame}")
            await asyncio.sleep(_jittered(frame.get("retry_after")))
            await ws.send(json.dumps(hello))


async def _drain(ws: Any, rig: Rig) -> None:
    """Read the customer's socket; resend what the server asked to retry, as the widget does:
    that message alone, same client_id, after retry_after seconds plus jitter."""
    with contextlib.suppress(websockets.ConnectionClosed):
        async for raw in ws:
            if '"error"' not in raw:
                continue
            frame = json.loads(raw)
            if frame.get("type") != "error":
                continue
            tally = rig.tally
            client_id = frame.get("client_id")
            if frame.get("code") == "busy":
                tally.busy += 1
            else:
                tally.errors += 1
            if frame.get("retry") and client_id in tally.texts:
                tally.retries += 1
                _resend_later(ws, {"type": "message", "client_id": client_id,
                                   "text": tally.texts[client_id]}, frame.get("retry_after"))


def _prose_texts() -> list[str]:
    """English support texts of 100–300 characters, none holding a secret."""
    from walletdesk.shared_data import support_texts

    texts = [t for t in support_texts() if 100 <= len(t) <= 300 and t.isascii()]
    if not texts:
        raise RuntimeError("--prose needs the shared support texts (../shared/data)")
    return texts


async def _send_all(sockets: list[Any], rate: float, tally: Tally, stop_at: float,
                    prefix: str, prose: list[str] | None = None) -> None:
    """Every customer sends at ``rate`` a second, their starts spread evenly over the
    interval: one task sends for all of them in turn (the k-th message is customer k mod N's,
    due k/N intervals after the start), not a task and a timer per customer — the client
    shares the cores with the servers, and that was most of its own CPU."""
    count = len(sockets)
    step = 1.0 / rate / count
    started = time.perf_counter()
    closed: set[int] = set()
    sent = 0
    while True:
        now = time.perf_counter()
        if now >= stop_at:
            return
        due_at = started + sent * step
        if due_at > now + SEND_AHEAD_S:
            await asyncio.sleep(due_at - now)
            continue
        index, number = sent % count, sent // count
        sent += 1
        if sent % 64 == 0:  # behind (a burst due): let the readers run meanwhile
            await asyncio.sleep(0)
        if index in closed:
            continue
        client_id = f"{prefix}{index}-{number}"
        text = prose[(index * 31 + number) % len(prose)] if prose \
            else f"bench message {number} from {index}"
        tally.sent[client_id] = time.perf_counter()
        tally.texts[client_id] = text
        try:
            await sockets[index].send(_text(
                {"type": "message", "client_id": client_id, "text": text}))
        except websockets.ConnectionClosed:
            tally.errors += 1
            closed.add(index)


# sent up to this early: a loop's timers have millisecond resolution, and sleeping for less
# (uvloop) returns at once — the sender would spin instead of sending the millisecond's batch
SEND_AHEAD_S = 0.001


def _text(frame: dict[str, Any]) -> str:
    """A frame as JSON text (orjson: the client's CPU is shared with the servers)."""
    return orjson.dumps(frame).decode()


def run_fast(coroutine: Any) -> Any:
    """Run the benchmark on uvloop where it is installed (the client's own CPU)."""
    try:
        import uvloop
    except ImportError:
        return asyncio.run(coroutine)
    return uvloop.run(coroutine)


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


async def _start(config: BenchConfig, database_url: str, agents: int,
                 say: Callable[[str], None]) -> tuple[Rig, list[str]]:
    say(f"seeding {agents} agents on {database_url.split(':')[0]}…")
    emails = await _seed(database_url, agents)
    urls, processes = _start_servers(config, database_url)
    rig = Rig(config, database_url, urls, processes)
    try:
        await _wait_healthy(urls, processes)
    except BaseException:  # no server left behind, on a database about to be dropped
        await _stop(rig, config, None)
        raise
    say(f"{len(urls)} server process(es) up")
    return rig, emails


async def _connect(rig: Rig, emails: list[str], say: Callable[[str], None]) -> None:
    config, urls = rig.config, rig.urls
    say(f"signing {len(emails)} agents in at once…")
    cookies, rig.signin = await _sign_in_all(urls, emails)
    if rig.signin["failed"]:
        raise RuntimeError(f"{rig.signin['failed']} of {len(emails)} agents could not sign in: "
                           f"{json.dumps(rig.signin)}")
    say(f"signed in: {json.dumps(rig.signin)}")
    opened = await asyncio.gather(*[_agent_socket(urls[i % len(urls)], cookie or "")
                                    for i, cookie in enumerate(cookies)])
    rig.agent_ws = dict(opened)
    answers: dict[int, asyncio.Queue[int | dict[str, Any] | str]] = {
        agent_id: asyncio.Queue() for agent_id in rig.agent_ws}
    rig.tasks += [asyncio.create_task(_agent_reader(ws, rig, answers[agent_id]))
                  for agent_id, ws in rig.agent_ws.items()]

    for start in range(0, config.conversations, 50):  # don't stampede the accept queue
        rig.customers += await asyncio.gather(*[
            _customer(urls[(i + 1) % len(urls)], i)
            for i in range(start, min(start + 50, config.conversations))])
    ids = [cid for _, cid in rig.customers]
    assignment = await _assignments(rig.database_url, ids)
    for _ in range(ASSIGN_WAIT_S):  # routing runs after the commit; the sweeper catches up
        if len(assignment) == len(rig.customers):
            break
        await asyncio.sleep(1)
        assignment = await _assignments(rig.database_url, ids)
    if len(assignment) != len(rig.customers):
        raise RuntimeError(f"only {len(assignment)} of {len(rig.customers)} were assigned")
    by_agent: dict[int, list[int]] = {}
    for conversation_id, agent_id in sorted(assignment.items()):
        by_agent.setdefault(agent_id, []).append(conversation_id)
    await asyncio.gather(*[_subscribe(rig.agent_ws[agent_id], wanted, answers[agent_id])
                           for agent_id, wanted in by_agent.items()])
    rig.tasks += [asyncio.create_task(_drain(ws, rig)) for ws, _ in rig.customers]
    say(f"{len(rig.customers)} conversations live")


async def _measure(rig: Rig, rate: float, seconds: float, prefix: str) -> dict[str, Any]:
    """One measurement: every customer sends at ``rate`` a second for ``seconds``."""
    rig.tally = tally = Tally()
    pids = [p.pid for p in rig.processes]
    client_cpu, server_cpu = time.process_time(), _process_cpu_s(pids)
    started = time.perf_counter()
    stop_at = started + seconds
    prose = _prose_texts() if rig.config.prose else None
    await _send_all([ws for ws, _ in rig.customers], rate, tally, stop_at, prefix, prose)
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
    finished = time.perf_counter()
    client_cpu = time.process_time() - client_cpu
    server_after = _process_cpu_s(pids)
    delivery_s = max(max(tally.received.values(), default=started) - started, seconds)
    latencies = [(tally.received[k] - tally.sent[k]) * 1000 for k in tally.received]
    delivered_in_window = sum(1 for k in tally.received if tally.received[k] <= stop_at)
    wall = finished - started
    return {
        "offered_msgs_per_s": round(len(rig.customers) * rate, 1),
        "sent": len(tally.sent),
        "received": len(tally.received),
        # delivered messages over the time it took to deliver them (≥ the send window)
        "msgs_per_s": round(len(tally.received) / delivery_s, 1),
        "msgs_per_s_in_window": round(delivered_in_window / seconds, 1),
        "p50_ms": _pct(latencies, 50),
        "p99_ms": _pct(latencies, 99),
        "mean_ms": round(statistics.fmean(latencies), 2) if latencies else None,
        "lost": len(tally.sent) - len(tally.received),
        "duplicated": tally.duplicated,
        "errors": tally.errors,
        "busy": tally.busy,
        "retries": tally.retries,
        # the client shares the cores with the servers: its share is not the servers'
        "client_cpu_s": round(client_cpu, 2),
        "client_cpu_pct": round(100 * client_cpu / wall, 1) if wall else None,
        "server_cpu_s": round(server_after - server_cpu, 2)
        if server_cpu is not None and server_after is not None else None,
        # the comparable figure on a shared machine: CPU time, not throughput
        "server_cpu_ms_per_msg": round((server_after - server_cpu) * 1000 / len(tally.received), 3)
        if server_cpu is not None and server_after is not None and tally.received else None,
    }


async def _stop(rig: Rig | None, config: BenchConfig, pg_name: str | None) -> None:
    if rig is not None:
        for task in rig.tasks:
            task.cancel()
        for ws in [*rig.agent_ws.values(), *(ws for ws, _ in rig.customers)]:
            with contextlib.suppress(Exception):
                await ws.close()
        for process in rig.processes:
            process.terminate()
        for process in rig.processes:
            try:
                process.wait(15)
            except subprocess.TimeoutExpired:  # never leave a server behind
                process.kill()
                process.wait(5)
    if pg_name is not None:
        with contextlib.suppress(Exception):
            await _drop_database(config, pg_name)


def _describe(rig: Rig) -> dict[str, Any]:
    config = rig.config
    return {
        "conversations": len(rig.customers),
        "processes": config.processes,
        "database": rig.database_url.split("+")[0].split(":")[0],
        "redis": bool(config.redis_url),
    }


async def run_chat_benchmark(config: BenchConfig, console: Any = None,
                             on_step: Callable[[dict[str, Any]], None] | None = None
                             ) -> dict[str, Any]:
    """The steady-rate measurement, or with ``config.ramp`` the ramp (``on_step`` gets each
    step's figures as it finishes)."""
    def say(text: str) -> None:  # progress: stderr when stdout is for --json
        if console is not None:
            console.print(text, markup=False, highlight=False)
        else:
            print(text, file=sys.stderr, flush=True)

    workdir = Path(tempfile.mkdtemp(prefix="walletdesk-bench-"))
    database_url, pg_name = await _make_database(config, workdir)
    rig: Rig | None = None
    try:
        rig, emails = await _start(config, database_url,
                                   math.ceil(config.conversations / AGENT_CAPACITY), say)
        await _connect(rig, emails, say)
        if not config.ramp:
            say(f"sending for {config.seconds:g} s…")
            figures = await _measure(rig, config.rate, config.seconds, "b")
            return {**_describe(rig), "seconds": config.seconds, **figures,
                    "signin": rig.signin}
        return {**_describe(rig), **await _ramp(rig, say, on_step), "signin": rig.signin}
    finally:
        await _stop(rig, config, pg_name)
        shutil.rmtree(workdir, ignore_errors=True)


async def _ramp(rig: Rig, say: Callable[[str], None],
                on_step: Callable[[dict[str, Any]], None] | None) -> dict[str, Any]:
    """Rising total rates until p99 passes the bound (or a message is lost): the highest
    rate that stayed under it is the result."""
    config = rig.config
    conversations = len(rig.customers)
    steps: list[dict[str, Any]] = []
    best: dict[str, Any] | None = None
    total = config.ramp_start
    number = 0
    say(f"warming up: {total:g} msgs/s for {WARM_UP_S:g} s (not counted)…")
    await _measure(rig, total / conversations, WARM_UP_S, "w-")  # routing, caches, pool
    while total <= config.ramp_max:
        say(f"step {number}: {total:g} msgs/s offered for {config.seconds:g} s…")
        figures = await _measure(rig, total / conversations, config.seconds, f"r{number}-")
        p99 = figures["p99_ms"]
        passed = (p99 is not None and p99 <= config.p99_ms and figures["lost"] == 0
                  and figures["duplicated"] == 0)
        step = {"step": number, "passed": passed, **figures}
        steps.append(step)
        if on_step is not None:
            on_step(step)
        if not passed:
            break
        best = step
        number += 1
        total = round(total * config.ramp_factor, 1)
    return {
        "mode": "ramp",
        "p99_bound_ms": config.p99_ms,
        "step_seconds": config.seconds,
        "best_msgs_per_s": best["msgs_per_s"] if best else None,
        "best_offered_msgs_per_s": best["offered_msgs_per_s"] if best else None,
        "best_p99_ms": best["p99_ms"] if best else None,
        "best_client_cpu_pct": best["client_cpu_pct"] if best else None,
        "steps": steps,
    }


async def run_signin_benchmark(agents: int, database_url: str | None = None,
                               console: Any = None) -> dict[str, Any]:
    """A shift start alone: ``agents`` sign in at the same moment against a fresh server."""
    def say(text: str) -> None:  # progress: stderr when stdout is for --json
        if console is not None:
            console.print(text, markup=False, highlight=False)
        else:
            print(text, file=sys.stderr, flush=True)

    config = BenchConfig(database_url=database_url)
    workdir = Path(tempfile.mkdtemp(prefix="walletdesk-bench-"))
    url, pg_name = await _make_database(config, workdir)
    rig: Rig | None = None
    try:
        rig, emails = await _start(config, url, agents, say)
        say(f"signing {agents} agents in at once…")
        client_cpu = time.process_time()
        _, figures = await _sign_in_all(rig.urls, emails)
        return {"mode": "signin", "database": url.split("+")[0].split(":")[0], **figures,
                "client_cpu_s": round(time.process_time() - client_cpu, 2)}
    finally:
        await _stop(rig, config, pg_name)
        shutil.rmtree(workdir, ignore_errors=True)
