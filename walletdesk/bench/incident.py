"""Incident load test: a peak of new conversations through real widget sockets.

It makes a fresh database (SQLite file, or a new database on the PostgreSQL server given),
seeds an in-house team and an outsourced team (online agents, an overflow threshold on the
in-house team) and weeks of ordinary history around this time of week (the spike detector's
baseline), starts ``walletdesk serve`` as a separate process, and then for ``--seconds``
opens new widget conversations at ``--multiplier`` times the normal rate, ``--spike-share``
of them about one reason (a TRON withdrawal stuck). Agents resolve their conversations after
``--handle-s`` through the API, so the queues move.

It reports (JSON on the last line with ``--json``):
- spike: whether the incidents detector (walletdesk.incidents, if installed) flags the
  reason in the peak's interval, and the announcement then published reaching new
  customers (the banner's /status/active, which the widget reads when it opens);
- overflow: conversations sent to the outsourced team, offers made;
- queue positions: every customer's positions never go up, and once the arrivals stop the
  waiting customers of each team hold exactly the places 1..n (no duplicate, no gap);
- nothing lost or doubled: one conversation and one first message per customer, each acked.
"""

import asyncio
import contextlib
import json
import random
import shutil
import tempfile
import time
import uuid
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import websockets

from walletdesk.bench.chat import (
    _drop_database,
    _free_port,
    _make_database,
    _pct,
    _process_cpu_s,
)

SPIKE_TEXT = "My USDT withdrawal on TRON has been pending for an hour, where is it?"
NORMAL_TEXTS = ("How do I change my password?", "Where can I see my transaction history?",
                "The app asks me to update, is that safe?", "How long does a deposit take?",
                "Can I add a second wallet to my account?", "What are the fees for a swap?")
SETTLE_S = 3.0
MAX_DRAIN_S = 180.0


class BadConfig(ValueError):
    pass


@dataclass
class IncidentBenchConfig:
    normal_per_min: float = 12.0  # new conversations a minute on an ordinary day
    multiplier: float = 5.0  # the peak's rate, times normal
    seconds: float = 60.0  # how long the peak lasts
    spike_share: float = 0.6  # of the peak's conversations, about the incident
    agents: int = 3
    outsourced_agents: int = 3
    capacity: int = 2
    overflow_wait_s: int = 120
    handle_s: float = 20.0  # an agent resolves a conversation this long after taking it
    history_weeks: int = 3
    after_customers: int = 10  # new customers after the announcement
    database_url: str | None = None

    def check(self) -> None:
        problems = []
        if not 0 < self.normal_per_min <= 6000:
            problems.append("--normal-per-min must be between 0 and 6000")
        if not 1 <= self.multiplier <= 100:
            problems.append("--multiplier must be between 1 and 100")
        if not 1 <= self.seconds <= 3600:
            problems.append("--seconds must be between 1 and 3600")
        if not 0 <= self.spike_share <= 1:
            problems.append("--spike-share must be between 0 and 1")
        if self.agents < 1 or self.outsourced_agents < 0 or not 1 <= self.capacity <= 100:
            problems.append("--agents must be at least 1, --outsourced-agents at least 0, "
                            "--capacity 1 to 100")
        if not 0 <= self.overflow_wait_s <= 86400 or not 0 < self.handle_s <= 3600:
            problems.append("--overflow-wait-s must be 0 to 86400 and --handle-s 0 to 3600")
        if not 2 <= self.history_weeks <= 12 or not 0 <= self.after_customers <= 1000:
            problems.append("--history-weeks must be 2 to 12, --after-customers 0 to 1000")
        if self.database_url and not self.database_url.startswith(("sqlite", "postgresql")):
            problems.append("--database-url must be a sqlite or postgresql URL")
        if problems:
            raise BadConfig("; ".join(problems))


@dataclass
class Customer:
    index: int
    spike: bool
    client_id: str
    opened_at: float = 0.0
    acked: bool = False
    conversation_id: int | None = None
    positions: list[int] = field(default_factory=list)
    latest: int | None = None
    offer: bool = False
    announcement: bool | None = None
    errors: list[str] = field(default_factory=list)
    visitor_token: str | None = None
    reconnects: int = 0
    resumed: int | None = None  # the position in the last resume the bench asked for
    refresh: asyncio.Event = field(default_factory=asyncio.Event)


async def _seed(config: IncidentBenchConfig, database_url: str, secret: str,
                peak_start: datetime) -> dict[int, str]:
    """Teams, agents (with API tokens) and the detector's baseline: ordinary history around
    the same time of week in each of the last weeks. Returns {agent id: token}."""
    from walletdesk.accounts.actions import create_api_token, create_team
    from walletdesk.accounts.models import Agent, Presence, Role
    from walletdesk.accounts.passwords import hash_password_off_loop
    from walletdesk.config import Settings
    from walletdesk.conversations.models import Conversation, Message, SenderKind, Status
    from walletdesk.customers.models import Customer as CustomerRow
    from walletdesk.db.migrate import upgrade_database
    from walletdesk.services import Services
    from walletdesk.staffing.models import TeamOverflow

    services = Services(Settings(database_url=database_url, secret_key=secret,
                                 log_level="WARNING"))
    rng = random.Random(15)  # noqa: S311 - test data
    try:
        await upgrade_database(services.db.engine)
        password_hash = await hash_password_off_loop(uuid.uuid4().hex)
        async with services.transaction() as session:
            own = await create_team(session, None, name="In-house", languages=["en"],
                                    is_default=True)
            partner = await create_team(session, None, name="Partner", languages=["en"],
                                        is_outsourced=True)
            session.add(TeamOverflow(team_id=own.id, wait_threshold_s=config.overflow_wait_s))
            agents = [Agent(email=f"own{i}@bench.example", display_name=f"Own {i}",
                            password_hash=password_hash, capacity=config.capacity,
                            role=Role.agent, teams=[own], presence=Presence.online)
                      for i in range(config.agents)]
            agents += [Agent(email=f"partner{i}@bench.example", display_name=f"Partner {i}",
                             password_hash=password_hash, capacity=config.capacity,
                             role=Role.outsourced, teams=[partner], presence=Presence.online)
                       for i in range(config.outsourced_agents)]
            session.add_all(agents)
            people = [CustomerRow(display_name=f"History {i}", language="en") for i in range(20)]
            session.add_all(people)
            await session.flush()
            per_s = config.normal_per_min / 60
            span = timedelta(seconds=config.seconds) + timedelta(minutes=30)
            for week in range(1, config.history_weeks + 1):
                moment = peak_start - timedelta(weeks=week, minutes=15)
                end = moment + span
                while moment < end:
                    moment += timedelta(seconds=rng.expovariate(per_s))
                    text = SPIKE_TEXT if rng.random() < 0.02 else rng.choice(NORMAL_TEXTS)
                    conversation = Conversation(
                        customer_id=rng.choice(people).id, channel="web",
                        status=Status.resolved, language="en", team_id=own.id, last_seq=1,
                        created_at=moment, updated_at=moment, last_message_at=moment,
                        queued_at=moment, assigned_at=moment,
                        resolved_at=moment + timedelta(minutes=8))
                    session.add(conversation)
                    await session.flush()
                    session.add(Message(conversation_id=conversation.id, seq=1,
                                        sender_kind=SenderKind.customer, text=text,
                                        created_at=moment))
        tokens = {}
        for agent in agents:
            _, tokens[agent.id] = await create_api_token(services, agent, "bench", "write")
        return tokens
    finally:
        await services.stop()


def _start_server(database_url: str, secret: str) -> tuple[str, Any]:
    import os
    import subprocess
    import sys

    port = _free_port()
    env = {**os.environ, "WALLETDESK_DATABASE_URL": database_url,
           "WALLETDESK_PORT": str(port), "WALLETDESK_LOG_LEVEL": "WARNING",
           "WALLETDESK_WIDGET_MESSAGES_PER_MIN": "1000000",
           "WALLETDESK_WIDGET_MESSAGES_PER_MIN_PER_ADDRESS": "1000000",
           "WALLETDESK_SECRET_KEY": secret,
           # the agents work through the API and send no presence heartbeat (decision 0059)
           "WALLETDESK_PRESENCE_GRACE_S": "0",
           # a good neighbour on a shared PostgreSQL server (its connections are limited)
           "WALLETDESK_DATABASE_POOL_SIZE": "8", "WALLETDESK_DATABASE_MAX_OVERFLOW": "4"}
    process = subprocess.Popen(  # noqa: S603 - our own CLI
        [sys.executable, "-m", "walletdesk.cli", "serve"], env=env, stdout=subprocess.DEVNULL)
    return f"http://127.0.0.1:{port}", process


async def _wait_healthy(url: str, process: Any, limit_s: float = 300.0) -> None:
    """The server answers /healthz (a loaded machine can take a minute to start it)."""
    began = time.perf_counter()
    async with httpx.AsyncClient(timeout=10) as http:
        while time.perf_counter() - began < limit_s:
            if process.poll() is not None:
                raise RuntimeError(f"the server exited with {process.returncode}")
            with contextlib.suppress(httpx.HTTPError):
                if (await http.get(f"{url}/healthz")).status_code == 200:
                    return
            await asyncio.sleep(0.5)
    raise RuntimeError(f"the server at {url} did not start within {limit_s:.0f} s")


def _queue_of(frame: dict[str, Any]) -> dict[str, Any] | None:
    if frame.get("type") == "queue":
        return frame
    if frame.get("type") in ("resume", "welcome"):
        return frame.get("queue")
    return None


async def _customer(url: str, customer: Customer, stop: asyncio.Event) -> None:
    """One widget: hello, the first message, then read frames until told to stop. A socket
    the server closes (busy at hello, 1013) is reopened with the same visitor token and the
    message resent with the same client id, as the widget's outbox does."""
    ws_url = url.replace("http", "ws") + "/ws/widget"
    customer.opened_at = time.perf_counter()
    text = SPIKE_TEXT if customer.spike else NORMAL_TEXTS[customer.index % len(NORMAL_TEXTS)]
    token: str | None = None
    attempts = 0
    while not stop.is_set() and attempts < 30:
        attempts += 1
        try:
            async with websockets.connect(ws_url, max_queue=None, open_timeout=60) as ws:
                await ws.send(json.dumps({"type": "hello", "visitor_token": token,
                                          "language": "en"}))
                if not customer.acked:
                    await ws.send(json.dumps({"type": "message", "text": text,
                                              "client_id": customer.client_id}))
                else:
                    await ws.send(json.dumps({"type": "resume", "last_seq": 0}))
                await _read(ws, customer, stop, text)
                return
        except (OSError, websockets.WebSocketException) as exc:
            customer.errors.append(type(exc).__name__)
            customer.reconnects += 1
            await asyncio.sleep(0.5 + random.random())  # noqa: S311 - spreading retries
        token = customer.visitor_token or token


async def _read(ws: Any, customer: Customer, stop: asyncio.Event, text: str) -> None:
    while not stop.is_set():
        if customer.refresh.is_set():  # the bench asks for the server's current state
            customer.refresh.clear()
            await ws.send(json.dumps({"type": "resume", "last_seq": 0}))
        try:
            raw = await asyncio.wait_for(ws.recv(), 0.5)
        except TimeoutError:
            continue
        frame = json.loads(raw)
        kind = frame.get("type")
        if kind == "welcome":
            customer.visitor_token = frame.get("visitor_token")
        queue = _queue_of(frame)
        if queue is not None:
            customer.positions.append(int(queue["position"]))
            customer.latest = int(queue["position"])
            if kind == "resume":
                customer.resumed = int(queue["position"])
        elif kind == "resume" and frame.get("conversation"):
            customer.latest = customer.resumed = None  # not waiting (any more)
        if kind == "ack" and frame.get("client_id") == customer.client_id:
            customer.acked = True
            customer.conversation_id = int(frame["conversation_id"])
        elif kind == "status" and frame.get("status") != "queued":
            customer.latest = None
        if kind in ("message", "ack", "resume", "welcome"):
            for message in frame.get("messages") or [frame.get("message") or {}]:
                if (message.get("meta") or {}).get("kind") == "overflow_offer":
                    customer.offer = True
        elif kind == "error":
            customer.errors.append(str(frame.get("code")))
            if frame.get("retry") and frame.get("client_id") == customer.client_id:
                await asyncio.sleep(float(frame.get("retry_after") or 1) * (1 + random.random()))  # noqa: S311
                await ws.send(json.dumps({"type": "message", "text": text,
                                          "client_id": customer.client_id}))


async def _db_rows(database_url: str, query: Callable[[Any], Any]) -> Any:
    from walletdesk.db.engine import Database

    database = Database(database_url)
    try:
        async with database.session() as session:
            return await query(session)
    finally:
        await database.dispose()


async def _resolver(url: str, database_url: str, tokens: dict[int, str], handle_s: float,
                    paused: asyncio.Event, stop: asyncio.Event, resolved: list[int],
                    failures: dict[int, int]) -> None:
    """Agents resolve what they took ``handle_s`` ago (through the API, as the workspace)."""
    from sqlalchemy import select

    from walletdesk.conversations.models import Conversation, Status
    from walletdesk.db.base import utcnow
    from walletdesk.db.engine import Database

    database = Database(database_url)
    try:
        async with httpx.AsyncClient(base_url=url, timeout=60) as http:
            while not stop.is_set():
                await asyncio.sleep(1.0)
                if paused.is_set():
                    continue
                try:
                    async with database.session() as session:
                        due = (await session.execute(
                            select(Conversation.id, Conversation.assignee_id).where(
                                Conversation.status == Status.assigned,
                                Conversation.assigned_at
                                <= utcnow() - timedelta(seconds=handle_s)))).all()
                except Exception:  # the database is busy: the next round tries again
                    failures[-1] = failures.get(-1, 0) + 1
                    continue
                for conversation_id, agent_id in due:
                    token = tokens.get(agent_id)
                    if token is None:
                        continue
                    try:
                        response = await http.post(
                            f"/api/v1/conversations/{conversation_id}/resolve",
                            headers={"Authorization": f"Bearer {token}"})
                    except httpx.HTTPError:
                        failures[0] = failures.get(0, 0) + 1
                        continue
                    if response.status_code == 200:
                        resolved.append(conversation_id)
                    else:  # counted by answer, e.g. 503: the desk shed it under load
                        failures[response.status_code] = failures.get(response.status_code, 0) + 1
    finally:
        await database.dispose()


async def _detect(database_url: str, secret: str, peak_start: datetime,
                  peak_end: datetime) -> dict[str, Any]:
    """The incidents detector on the peak's intervals, and an announcement if it fires."""
    try:
        from walletdesk.incidents.actions import AnnouncementFields, create_announcement
        from walletdesk.incidents.spikes import detect_spikes, interval_floor, interval_of
    except ImportError as exc:
        return {"available": False, "detail": f"walletdesk.incidents not usable: {exc}"}
    from walletdesk.config import Settings
    from walletdesk.services import Services

    services = Services(Settings(database_url=database_url, secret_key=secret,
                                 log_level="WARNING"))
    try:
        interval = interval_of(services.settings)
        moment = interval_floor(peak_start, interval) + interval
        found: list[dict[str, Any]] = []
        checked = 0
        async with services.read() as session:
            while moment <= interval_floor(peak_end, interval) + interval:
                detection = await detect_spikes(session, services.settings, moment)
                checked += 1
                found += [s.as_json() | {"interval_end": moment.isoformat()}
                          for s in detection.signals]
                moment += interval
        spike = [s for s in found if s["key"] in ("tron", "usdt", "withdrawal")]
        result: dict[str, Any] = {"available": True, "intervals_checked": checked,
                                  "detected": bool(spike), "signals": spike[:3]}
        if spike:
            async with services.transaction() as session:
                announcement = await create_announcement(session, None, AnnouncementFields(
                    texts={"en": ("TRON withdrawals delayed",
                                  "Withdrawals on TRON are delayed; your funds are safe.")},
                    affected=[str(spike[0]["key"])], published=True))
                result["announcement_id"] = announcement.id
        return result
    except Exception as exc:  # the other engineer's code may be mid-change: say so
        return {"available": False, "detail": f"{type(exc).__name__}: {exc}"}
    finally:
        await services.stop()


async def _reach(url: str, announcement_id: int, count: int) -> float:
    """New customers opening the widget after the announcement: the share that sees it in the
    banner (the widget reads /status/active when it opens)."""
    seen = 0
    async with httpx.AsyncClient(base_url=url, timeout=30) as http:
        for _ in range(count):
            for _attempt in range(10):  # busy (503) under load: again after Retry-After
                with contextlib.suppress(httpx.HTTPError):
                    response = await http.get("/status/active", params={"lang": "en"})
                    if response.status_code == 200:
                        found = response.json().get("announcements", [])
                        seen += any(a.get("id") == announcement_id for a in found)
                        break
                    await asyncio.sleep(float(response.headers.get("retry-after", 1)))
    return round(seen / count, 3) if count else 0.0


async def _final_state(database_url: str, customers: list[Customer]) -> dict[str, Any]:
    from sqlalchemy import func, select

    from walletdesk.accounts.models import Team
    from walletdesk.conversations.models import Conversation, Message
    from walletdesk.staffing.models import OverflowOffer

    client_ids = [c.client_id for c in customers]

    async def query(session: Any) -> dict[str, Any]:
        per_client = dict((await session.execute(
            select(Message.client_id, func.count()).where(Message.client_id.in_(client_ids))
            .group_by(Message.client_id))).all())
        ids = [c.conversation_id for c in customers if c.conversation_id is not None]
        teams = dict((await session.execute(select(Team.id, Team.is_outsourced))).all())
        rows = (await session.execute(select(Conversation.id, Conversation.team_id,
                                             Conversation.status)
                                      .where(Conversation.id.in_(ids)))).all()
        offers = int(await session.scalar(select(func.count()).select_from(OverflowOffer)
                                          .where(OverflowOffer.conversation_id.in_(ids))) or 0)
        moved = int(await session.scalar(select(func.count()).select_from(OverflowOffer).where(
            OverflowOffer.conversation_id.in_(ids),
            OverflowOffer.to_team_id != OverflowOffer.from_team_id)) or 0)
        return {"per_client": per_client, "rows": rows, "teams": teams, "offers": offers,
                "moved": moved}

    found = await _db_rows(database_url, query)
    lost = sum(1 for c in customers if found["per_client"].get(c.client_id, 0) == 0)
    doubled = sum(1 for c in customers if found["per_client"].get(c.client_id, 0) > 1)
    conversations = {row[0] for row in found["rows"]}
    shared = len([c for c in customers if c.conversation_id is not None]) - len(conversations)
    return {"lost": lost, "doubled": doubled + max(shared, 0),
            "not_acked": sum(1 for c in customers if not c.acked),
            "in_outsourced_team": sum(1 for _, team_id, _ in found["rows"]
                                      if found["teams"].get(team_id)),
            "overflow_offers": found["offers"], "overflowed": found["moved"],
            "statuses": _count(str(status) for _, _, status in found["rows"])}


def _count(values: Any) -> dict[str, int]:
    counts: dict[str, int] = {}
    for value in values:
        counts[value] = counts.get(value, 0) + 1
    return counts


def _exact(by_team: dict[int, list[int | None]]) -> tuple[bool, int, int]:
    """Whether each team's places are exactly 1..n; duplicates; places unknown."""
    unknown = sum(1 for p in by_team.values() for x in p if x is None)
    duplicates = sum(len([x for x in p if x is not None]) - len({x for x in p if x is not None})
                     for p in by_team.values())
    exact = all(sorted(x for x in p if x is not None) == list(range(1, len(p) + 1))
                for p in by_team.values())
    return exact, duplicates, unknown


async def _places(database_url: str, customers: list[Customer]) -> dict[str, Any]:
    """With arrivals over and no resolving: each team's waiting customers must hold exactly
    the places 1..n, both in the last queue frame pushed to them and in the state they get
    when they ask (resume)."""
    from sqlalchemy import select

    from walletdesk.conversations.models import Conversation, Status

    async def query(session: Any) -> list[tuple[int, int]]:
        return list((await session.execute(select(Conversation.id, Conversation.team_id).where(
            Conversation.status == Status.queued,
            Conversation.id.in_([c.conversation_id for c in customers
                                 if c.conversation_id is not None])))).all())

    waiting = dict(await _db_rows(database_url, query))
    for customer in customers:
        customer.resumed = -1
        customer.refresh.set()
    for _ in range(60):  # every socket answers its resume
        await asyncio.sleep(0.5)
        if all(c.resumed != -1 for c in customers if c.conversation_id in waiting):
            break
    pushed: dict[int, list[int | None]] = {}
    resumed: dict[int, list[int | None]] = {}
    for customer in customers:
        if customer.conversation_id in waiting:
            team = waiting[customer.conversation_id]
            pushed.setdefault(team, []).append(customer.latest)
            resumed.setdefault(team, []).append(
                None if customer.resumed in (None, -1) else customer.resumed)
    exact, duplicates, unknown = _exact(pushed)
    resumed_exact, resumed_duplicates, _ = _exact(resumed)
    return {"waiting": len(waiting), "places_exact": exact, "duplicate_places": duplicates,
            "unknown_places": unknown, "resumed_places_exact": resumed_exact,
            "resumed_duplicate_places": resumed_duplicates,
            "longest_queue": max((len(p) for p in pushed.values()), default=0)}


async def run_incident_benchmark(config: IncidentBenchConfig,
                                 say: Callable[[str], None] = lambda _: None) -> dict[str, Any]:
    config.check()
    workdir = Path(tempfile.mkdtemp(prefix="walletdesk-incident-"))
    database_url, drop = await _make_database(config, workdir)  # type: ignore[arg-type]
    secret = "bench-secret-" + uuid.uuid4().hex
    process = None
    stop, paused = asyncio.Event(), asyncio.Event()
    try:
        peak_start = datetime.now(UTC) + timedelta(seconds=20)
        say("seeding teams, agents and the detector's history…")
        tokens = await _seed(config, database_url, secret, peak_start)
        url, process = _start_server(database_url, secret)
        await _wait_healthy(url, process)
        say(f"server up at {url}; peak: {config.multiplier}× {config.normal_per_min}/min for "
            f"{config.seconds} s")
        cpu_before = _process_cpu_s([process.pid])
        resolved: list[int] = []
        resolve_failures: dict[int, int] = {}
        resolver = asyncio.create_task(_resolver(url, database_url, tokens, config.handle_s,
                                                 paused, stop, resolved, resolve_failures))
        rate_per_s = config.normal_per_min * config.multiplier / 60
        total = max(1, round(rate_per_s * config.seconds))
        rng = random.Random(1)  # noqa: S311 - the spike's share, reproducibly
        customers = [Customer(i, rng.random() < config.spike_share, f"inc-{i}-{uuid.uuid4().hex[:8]}")
                     for i in range(total)]
        began = time.perf_counter()
        started = datetime.now(UTC)
        tasks = []
        for customer in customers:  # evenly spaced arrivals at the peak's rate
            delay = began + customer.index / rate_per_s - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            tasks.append(asyncio.create_task(_customer(url, customer, stop)))
        arrival_s = time.perf_counter() - began
        ended = datetime.now(UTC)
        paused.set()  # the queue stands still: the places must be exactly 1..n per team
        await asyncio.sleep(SETTLE_S)
        places = await _places(database_url, customers)
        paused.clear()
        say(f"{total} conversations opened in {arrival_s:.1f} s; {places['waiting']} waiting")
        detection = await _detect(database_url, secret, started, ended)
        reach = None
        if detection.get("announcement_id"):
            reach = await _reach(url, int(detection["announcement_id"]), config.after_customers)
        drain_began = time.perf_counter()
        while time.perf_counter() - drain_began < MAX_DRAIN_S:
            if all(c.latest is None for c in customers if c.acked) and \
                    all(c.acked for c in customers):
                break
            await asyncio.sleep(1)
        drain_s = time.perf_counter() - drain_began
        state = await _final_state(database_url, customers)
        cpu_after = _process_cpu_s([process.pid])
        stop.set()
        await asyncio.gather(*tasks, resolver, return_exceptions=True)
        rises = sum(1 for c in customers
                    if any(b > a for a, b in zip(c.positions, c.positions[1:], strict=False)))
        result: dict[str, Any] = {
            "config": asdict(config) | {"database_url": database_url.split(":")[0]},
            "conversations": total, "arrival_rate_per_min": round(total / arrival_s * 60, 1),
            "normal_rate_per_min": config.normal_per_min,
            "spike_conversations": sum(1 for c in customers if c.spike),
            "spike_detected": detection.get("detected"), "detection": detection,
            "announcement_reach": reach,
            "overflow_engaged": state["overflowed"] > 0, **state,
            "customers_offered": sum(1 for c in customers if c.offer),
            "queue": places | {"position_rises": rises,
                               "customers_with_positions": sum(1 for c in customers
                                                               if c.positions)},
            "positions_correct": places["places_exact"] and rises == 0,
            "resolved": len(set(resolved)), "drain_s": round(drain_s, 1),
            "resolve_failures": {str(k): v for k, v in resolve_failures.items()},
            "still_waiting": sum(1 for c in customers if c.latest is not None),
            "socket_errors": _count(e for c in customers for e in c.errors),
            "reconnects": sum(c.reconnects for c in customers),
            "first_position_p50": _pct([float(c.positions[0]) for c in customers
                                        if c.positions], 50),
            "server_cpu_s": round(cpu_after - cpu_before, 2)
            if cpu_after is not None and cpu_before is not None else None,
        }
        result["ok"] = bool(result["lost"] == 0 and result["doubled"] == 0
                            and result["positions_correct"] and result["overflow_engaged"]
                            and result["not_acked"] == 0)
        return result
    finally:
        stop.set()
        if process is not None:
            process.terminate()
            with contextlib.suppress(Exception):
                process.wait(timeout=20)
        if drop:
            await _drop_database(config, drop)  # type: ignore[arg-type]
        shutil.rmtree(workdir, ignore_errors=True)
