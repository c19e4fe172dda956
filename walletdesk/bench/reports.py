"""Reports at an operator's scale: generate a realistic support history straight into a new
PostgreSQL database with COPY, build the report rollups, and time every dashboard.

The history: months of traffic with a trend, a weekly and a daily shape (the customers are
mostly in UTC+8), many teams and agents by language, channels, categories, labels, the bot
answering and handing over, first replies and resolutions in lognormal times, SLA breaches,
reopens, internal notes, surveys with ratings and comments. Personal data is written the way
the app writes it: encrypted with the configured keys (a pool of names, each sealed once —
the same format as the app's, which is what a read costs) and keyed hashes.

The timings: what each request of the reports page computes — the page itself (its filters'
choices) and each panel's report (``walletdesk.reports.page.panel_report``, what its route
calls; the JSON API calls the same functions) —, once right after the rollups were built
("cold": first use of the plans and of the rollup rows in this connection) and then N times
("warm", the median), with the CPU the server's processes and the client used for it. The
OS file cache is shared with the rest of the machine, so "cold" is not a cold disk.
"""

import asyncio
import json
import math
import os
import random
import statistics
import time
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

import asyncpg
from sqlalchemy import text

from walletdesk import crypto

DEFAULT_SERVER = "postgresql://postgres@127.0.0.1:5432/postgres"
CHANNELS = (("widget", 50), ("app", 20), ("email", 15), ("telegram", 15))
LANGUAGES = (("zh-Hans", 45), ("zh-Hant", 15), ("en", 30), ("es", 10))
CATEGORIES = ("transfer", "fees", "security", "scam", "account", "kyc", "swap", "staking",
              "nft", "login", "seed_phrase", "refund")
HANDOFF_REASONS = (("low_confidence", 45), ("asked_for_human", 35), ("sensitive_topic", 12),
                   ("repeated_failure", 8))
LABELS = ("vip", "bug", "chain-delay", "phishing", "feature-request", "kyc-docs", "refund",
          "escalated", "exchange", "hardware-wallet", "android", "ios", "web", "urgent",
          "duplicate", "press", "partner", "legal", "lost-funds", "tax")
# (team, language, outsourced, business hours in Asia/Shanghai or around the clock)
TEAMS = (("Mandarin A", "zh-Hans", False, False), ("Mandarin B", "zh-Hans", False, False),
         ("Mandarin C", "zh-Hans", False, True), ("Mandarin Outsourced", "zh-Hans", True, True),
         ("Cantonese", "zh-Hant", False, False), ("Taiwan", "zh-Hant", False, True),
         ("English A", "en", False, False), ("English B", "en", False, True),
         ("English Outsourced", "en", True, True), ("Spanish", "es", False, True),
         ("Escalations", "en", False, True), ("Night shift", "zh-Hans", False, False))
OFFICE = {day: [["09:00", "18:00"]] for day in ("mon", "tue", "wed", "thu", "fri")}
ALWAYS = {day: [["00:00", "24:00"]] for day in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")}
QUESTIONS = {
    "zh-Hans": ["我的转账一直没有到账", "矿工费为什么这么高", "有人冒充客服联系我", "忘记了登录密码",
                "兑换失败了怎么办", "质押收益什么时候发放", "身份认证一直在审核中", "怎么退款"],
    "zh-Hant": ["我的轉帳一直沒有到帳", "礦工費為什麼這麼高", "有人冒充客服聯繫我", "忘記了登入密碼"],
    "en": ["My transfer has not arrived", "Why are the fees so high?", "Someone claiming to be "
           "support messaged me", "I cannot log in", "The swap failed", "When are staking "
           "rewards paid?", "My KYC is still pending", "How do I get a refund?"],
    "es": ["Mi transferencia no ha llegado", "¿Por qué las comisiones son tan altas?",
           "No puedo iniciar sesión", "¿Cómo pido un reembolso?"],
}
REPLIES = {"zh-Hans": ["您好，我来帮您查一下", "请提供交易哈希", "已经为您处理", "还有其他问题吗？"],
           "zh-Hant": ["您好，我來幫您查一下", "請提供交易雜湊", "已經為您處理"],
           "en": ["Hello, let me check that for you", "Could you send the transaction hash?",
                  "It is fixed now", "Anything else I can help with?"],
           "es": ["Hola, lo reviso ahora", "¿Puede enviar el hash de la transacción?",
                  "Ya está resuelto"]}
COMMENTS = {1: ["太慢了", "Nobody answered for hours", "没有解决问题"],
            2: ["=slow", "答非所问", "Had to explain twice"],
            3: ["还行", "OK in the end"], 4: ["谢谢", "Helpful"], 5: ["非常好！", "Great support"]}
BATCH = 20_000  # conversations generated and copied at a time
Copy = Callable[[str, list[tuple[Any, ...]], list[str]], Awaitable[Any]]


@dataclass
class ReportsBenchConfig:
    conversations: int = 1_000_000
    messages: int = 10_000_000
    days: int = 180
    server: str = DEFAULT_SERVER
    name: str | None = None
    drop: bool = False
    repeat: int = 5
    seed: int = 13
    end: datetime | None = None  # the history ends here (default: the current hour, UTC)
    reuse: bool = False  # time an existing benchmark database again (name required)
    asks: str = ""  # comma-separated names of ASKS to time (default: all)
    added: int = 1000  # new conversations for the rollup's incremental run (0: none)
    message_path: int = 0  # messages a round to time the trigger's cost on a message (0: no)


@dataclass
class Generated:
    customers: int = 0
    conversations: int = 0
    messages: int = 0
    bot_turns: int = 0
    surveys: int = 0
    labels: int = 0
    seconds: dict[str, float] = field(default_factory=dict)


def _weighted(choices: tuple[tuple[str, int], ...]) -> tuple[list[str], list[int]]:
    return [name for name, _ in choices], list(__import__("itertools").accumulate(
        weight for _, weight in choices))


def hourly_weights(start: datetime, hours: int) -> list[float]:
    """Traffic per hour: a trend (+60 % over the span), a week (quiet weekends) and a day as
    customers in UTC+8 live it (quiet 02:00–07:00, peaks late morning and evening), plus an
    incident spike a third of the way in."""
    daily = [0.35, 0.25, 0.15, 0.1, 0.1, 0.12, 0.25, 0.5, 0.8, 1.1, 1.4, 1.5, 1.3, 1.2, 1.3,
             1.35, 1.3, 1.2, 1.1, 1.2, 1.45, 1.5, 1.2, 0.7]
    weekly = [1.0, 1.05, 1.0, 1.0, 1.1, 0.8, 0.7]
    spike = hours // 3
    weights = []
    for n in range(hours):
        local = start + timedelta(hours=n + 8)
        trend = 0.8 + 0.6 * n / max(1, hours)
        bump = 3.0 if spike <= n < spike + 6 else 1.0
        weights.append(trend * weekly[local.weekday()] * daily[local.hour] * bump)
    return weights


def hour_counts(weights: list[float], total: int) -> list[int]:
    """``total`` spread over the hours by weight, exactly (cumulative rounding)."""
    whole = sum(weights)
    counts, running, placed = [], 0.0, 0
    for weight in weights:
        running += weight
        upto = round(total * running / whole)
        counts.append(upto - placed)
        placed = upto
    return counts


class HistoryWriter:
    """Generates the rows in time order and copies them in batches."""

    def __init__(self, copy: Copy, config: ReportsBenchConfig, end: datetime) -> None:
        self.copy, self.config, self.end = copy, config, end
        self.rng = random.Random(config.seed)
        self.start = end - timedelta(days=config.days)
        self.out = Generated()
        self.message_id = 0
        self.bot_turn_id = 0
        self.survey_id = 0
        self.customer_seen: list[int] = []
        self.customer_rows: list[tuple[Any, ...]] = []
        self.team_ids: dict[str, list[int]] = {}
        self.team_hours: dict[int, bool] = {}
        self.agents_of: dict[int, list[int]] = {}
        self.agent_names: dict[int, str] = {}
        self.label_ids: list[int] = []
        keys = crypto.keyring()
        self.sealed_names = [keys.encrypt(f"Customer {n}") for n in range(500)]
        self.sealed_hashes = [keys.hash(f"Customer {n}") for n in range(500)]
        self.sealed_empty = keys.encrypt("")
        self.sealed_agents: dict[int, str] = {}
        self.channels = _weighted(CHANNELS)
        self.languages = _weighted(LANGUAGES)
        self.handoffs = _weighted(HANDOFF_REASONS)
        self.batch: dict[str, list[tuple[Any, ...]]] = {}
        self.copy_seconds = 0.0

    def pick(self, table: tuple[list[str], list[int]]) -> str:
        return self.rng.choices(table[0], cum_weights=table[1])[0]

    async def seed_people(self) -> None:
        keys = crypto.keyring()
        teams = []
        for n, (name, language, outsourced, office) in enumerate(TEAMS, start=1):
            teams.append((n, name, outsourced, json.dumps([language]), False,
                          "Asia/Shanghai", json.dumps(OFFICE if office else ALWAYS),
                          json.dumps([]), False, self.start))
            self.team_ids.setdefault(language, []).append(n)
            self.team_hours[n] = office
        await self.copy(
            "teams", teams, ["id", "name", "is_outsourced", "languages",
                                             "is_default", "timezone", "weekly_hours",
                                             "holidays", "requires_two_factor", "created_at"])
        agents, links = [], []
        agent_id = 0
        for team_id, (_, language, _, _) in enumerate(TEAMS, start=1):
            for _ in range(25):
                agent_id += 1
                name = f"Agent {agent_id}"
                self.agents_of.setdefault(team_id, []).append(agent_id)
                self.agent_names[agent_id] = name
                self.sealed_agents[agent_id] = keys.encrypt(name)
                agents.append((agent_id, f"agent{agent_id}@bench.invalid", name, "!", "agent",
                               json.dumps([language]), 5, "offline", True, 1, 0,
                               self.start, self.start))
                links.append((agent_id, team_id))
        await self.copy(
            "agents", agents,
            ["id", "email", "display_name", "password_hash", "role", "languages",
                     "capacity", "presence", "is_active", "session_version",
                     "totp_last_step", "created_at", "presence_changed_at"])
        await self.copy("agent_teams", links, ["agent_id", "team_id"])
        self.label_ids = list(range(1, len(LABELS) + 1))
        await self.copy(
            "labels", [(n, name, "#888888", "", self.start) for n, name in enumerate(LABELS, 1)],
            ["id", "name", "color", "description", "created_at"])

    def add(self, table: str, row: tuple[Any, ...]) -> None:
        self.batch.setdefault(table, []).append(row)

    def customer_for(self, when: datetime, language: str) -> int:
        """A new customer 45 % of the time, else one seen before (returning)."""
        if self.customer_seen and self.rng.random() > 0.45:
            return self.rng.choice(self.customer_seen)
        customer_id = len(self.customer_seen) + 1
        self.customer_seen.append(customer_id)
        slot = customer_id % len(self.sealed_names)
        self.add("customers", (customer_id, self.sealed_names[slot], self.sealed_hashes[slot],
                               language, when, when))
        return customer_id

    def message(self, conversation: int, seq: int, kind: str, when: datetime, text: str, *,
                agent: int | None = None, name: str = "", internal: bool = False,
                meta: dict[str, Any] | None = None) -> None:
        self.message_id += 1
        self.add("messages", (self.message_id, conversation, seq, kind, agent, name, text,
                              internal, None if meta is None else json.dumps(meta), when))

    def conversation(self, cid: int, created: datetime, extra_mean: float) -> int:
        """One conversation with its messages, bot turns, survey and labels; the number of
        messages written."""
        rng = self.rng
        channel = self.pick(self.channels)
        language = self.pick(self.languages)
        customer = self.customer_for(created, language)
        category = rng.choice(CATEGORIES) if rng.random() < 0.7 else None
        customer_name = self.sealed_names[customer % len(self.sealed_names)]
        question = rng.choice(QUESTIONS[language])
        replies = REPLIES[language]
        seq = 0
        t = created
        status, team, assignee = "bot", None, None
        assigned_at = resolved_at = first_due = resolution_due = None
        first_breached = resolution_breached = False
        handoff = None
        rating_agent = None
        first_reply_s = None

        def say(kind: str, when: datetime, text: str, **kw: Any) -> None:
            nonlocal seq
            seq += 1
            self.message(cid, seq, kind, when, text, **kw)

        say("customer", t, question, name=customer_name)
        bot_first = rng.random() < 0.7
        if bot_first:
            t += timedelta(seconds=rng.uniform(1, 4))
            bot_category = category or rng.choice(CATEGORIES)
            contained = rng.random() < 0.43
            outcome = "answered" if contained or rng.random() < 0.5 else "handed_off"
            if not contained and outcome == "handed_off":
                handoff = self.pick(self.handoffs)
            say("bot", t, "…", name=self.sealed_empty)
            self.bot_turn_id += 1
            self.add("bot_turns", (self.bot_turn_id, cid, self.message_id, question, language,
                                   json.dumps([{"slug": bot_category, "title": bot_category,
                                                "score": 0.8, "category": bot_category}]),
                                   0.8 if outcome == "answered" else 0.3, outcome,
                                   handoff or "", bot_category, t))
            if contained:
                t += timedelta(seconds=rng.uniform(10, 120))
                if rng.random() < 0.88:
                    say("bot", t, "👍", name=self.sealed_empty, meta={"kind": "resolved"})
                    status, resolved_at = ("resolved" if rng.random() < 0.3 else "closed"), t
                self.finish(cid, customer, created, channel, language, category, status, None,
                            None, None, resolved_at, None, None, False, False, None, seq, t)
                return seq
            if handoff is None:
                handoff = self.pick(self.handoffs)
        team = rng.choice(self.team_ids[language])
        first_due = created + timedelta(minutes=15)
        resolution_due = created + timedelta(hours=24)
        t += timedelta(seconds=rng.lognormvariate(math.log(40), 1.0))
        if rng.random() < 0.06 or t >= self.end:
            status = "queued"
            first_breached = first_due < self.end
            self.finish(cid, customer, created, channel, language, category, status, team, None,
                        None, None, first_due, resolution_due, first_breached, False, handoff,
                        seq, t)
            return seq
        assignee = rng.choice(self.agents_of[team])
        agent_name = self.sealed_agents[assignee]
        assigned_at = t
        night = (created.hour + 8) % 24 < 8
        wait = rng.lognormvariate(math.log(240 if night else 75), 1.1)
        t += timedelta(seconds=wait)
        if rng.random() < 0.08:
            say("agent", t - timedelta(seconds=wait / 2), "note", agent=assignee,
                name=agent_name, internal=True)
        say("agent", t, rng.choice(replies), agent=assignee, name=agent_name)
        first_reply_s = (t - created).total_seconds()
        first_breached = t > first_due
        extra = min(60, int(rng.expovariate(1 / extra_mean))) if extra_mean > 0 else 0
        for n in range(extra):
            t += timedelta(seconds=rng.lognormvariate(math.log(150), 1.0))
            if n % 2 == 0:
                say("customer", t, rng.choice(QUESTIONS[language]), name=customer_name)
            else:
                say("agent", t, rng.choice(replies), agent=assignee, name=agent_name)
        if rng.random() < 0.85 and t < self.end:
            t += timedelta(seconds=rng.lognormvariate(math.log(600), 1.2))
            say("system", t, "Resolved", name=self.sealed_empty, meta={"kind": "resolved"})
            status, resolved_at = "resolved", t
            if rng.random() < 0.09:  # the customer writes again: reopened, resolved again
                t += timedelta(hours=rng.uniform(1, 30))
                say("customer", t, rng.choice(QUESTIONS[language]), name=customer_name)
                t += timedelta(seconds=rng.lognormvariate(math.log(300), 1.0))
                say("agent", t, rng.choice(replies), agent=assignee, name=agent_name)
                t += timedelta(seconds=rng.uniform(60, 1800))
                say("system", t, "Resolved", name=self.sealed_empty, meta={"kind": "resolved"})
                resolved_at = t
            if rng.random() < 0.7:
                status = "closed"
            resolution_breached = resolved_at > resolution_due
            rating_agent = assignee
        else:
            status = rng.choice(("assigned", "waiting_customer"))
            resolution_breached = resolution_due < self.end
        if rating_agent is not None and rng.random() < 0.45:
            self.survey(cid, customer, rating_agent, team, channel, resolved_at or t,
                        first_reply_s or 0.0)
        self.finish(cid, customer, created, channel, language, category, status, team,
                    assignee, assigned_at, resolved_at, first_due, resolution_due,
                    first_breached, resolution_breached, handoff, seq, t)
        return seq

    def survey(self, cid: int, customer: int, agent: int, team: int, channel: str,
               asked: datetime, first_reply_s: float) -> None:
        rng = self.rng
        self.survey_id += 1
        rating = comment = answered = None
        if rng.random() < 0.55:
            slow = first_reply_s > 900
            weights = (15, 12, 18, 30, 25) if slow else (4, 5, 12, 30, 49)
            rating = rng.choices((1, 2, 3, 4, 5), weights=weights)[0]
            comment = rng.choice(COMMENTS[rating]) if rng.random() < (0.6 if rating <= 2
                                                                       else 0.2) else ""
            answered = asked + timedelta(minutes=rng.uniform(1, 600))
        self.add("surveys", (self.survey_id, cid, customer, agent, team, channel, rating,
                             comment or "", 0, asked, answered))

    def finish(self, cid: int, customer: int, created: datetime, channel: str, language: str,
               category: str | None, status: str, team: int | None, assignee: int | None,
               assigned_at: datetime | None, resolved_at: datetime | None,
               first_due: datetime | None, resolution_due: datetime | None,
               first_breached: bool, resolution_breached: bool, handoff: str | None,
               last_seq: int, last_at: datetime) -> None:
        self.add("conversations", (
            cid, customer, channel, status, 0, language, team, assignee, "", category, last_seq,
            "", False, False, handoff, created, last_at, last_at, assigned_at, assigned_at,
            resolved_at, first_due, resolution_due, first_breached, resolution_breached))
        if self.rng.random() < 0.12:
            for label in self.rng.sample(self.label_ids, self.rng.choice((1, 1, 2))):
                self.add("conversation_labels", (cid, label, "agent", None, created))

    COLUMNS = {
        "customers": ["id", "display_name", "name_hash", "language", "created_at",
                      "last_seen_at"],
        "conversations": ["id", "customer_id", "channel", "status", "priority", "language",
                          "team_id", "assignee_id", "subject", "category", "last_seq",
                          "last_message_preview", "after_hours", "has_secret_redaction",
                          "handoff_reason", "created_at", "updated_at", "last_message_at",
                          "queued_at", "assigned_at", "resolved_at", "first_response_due_at",
                          "resolution_due_at", "first_response_breached",
                          "resolution_breached"],
        "messages": ["id", "conversation_id", "seq", "sender_kind", "sender_agent_id",
                     "sender_name", "text", "is_internal", "meta", "created_at"],
        "bot_turns": ["id", "conversation_id", "message_id", "query", "language", "candidates",
                      "confidence", "outcome", "reason", "article_slug", "created_at"],
        "surveys": ["id", "conversation_id", "customer_id", "agent_id", "team_id", "channel",
                    "rating", "comment", "points", "asked_at", "answered_at"],
        "conversation_labels": ["conversation_id", "label_id", "source", "added_by_agent_id",
                                "created_at"],
    }

    async def flush(self) -> None:
        began = time.perf_counter()
        for table in self.COLUMNS:  # parents first
            rows = self.batch.pop(table, [])
            if rows:
                await self.copy(table, rows, self.COLUMNS[table])
                setattr(self.out, {"conversation_labels": "labels"}.get(table, table),
                        getattr(self.out, {"conversation_labels": "labels"}.get(table, table))
                        + len(rows))
        self.copy_seconds += time.perf_counter() - began

    async def write(self, progress: Callable[[int], None] | None = None) -> Generated:
        config = self.config
        hours = config.days * 24
        counts = hour_counts(hourly_weights(self.start, hours), config.conversations)
        cid = 0
        written = 0
        for hour, count in enumerate(counts):
            base = self.start + timedelta(hours=hour)
            offsets = sorted(self.rng.random() * 3600 for _ in range(count))
            for offset in offsets:
                cid += 1
                # the messages still to write, spread over the conversations still to come
                # (a human conversation has ~4 fixed messages, a bot one ~2)
                remaining = max(0, config.messages - written)
                per = remaining / max(1, config.conversations - cid + 1)
                extra_mean = max(0.0, (per - 2.9) / 0.45)
                written += self.conversation(cid, base + timedelta(seconds=offset), extra_mean)
                if cid % BATCH == 0:
                    await self.flush()
                    if progress:
                        progress(cid)
        await self.flush()
        return self.out


async def _drop_copy_indexes(conn: asyncpg.Connection, tables: list[str]) -> list[str]:
    """Drops the secondary indexes and unique constraints of the bulk tables; their
    definitions, to build them again after the copy (faster than maintaining them row by
    row)."""
    rows = await conn.fetch(
        """SELECT c.conname AS name, t.relname AS tab, pg_get_constraintdef(c.oid) AS def,
                  'constraint' AS kind
             FROM pg_constraint c JOIN pg_class t ON t.oid = c.conrelid
            WHERE t.relname = ANY($1) AND c.contype = 'u'
           UNION ALL
           SELECT i.relname, t.relname, pg_get_indexdef(i.oid), 'index'
             FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid
             JOIN pg_class t ON t.oid = x.indrelid
            WHERE t.relname = ANY($1) AND NOT x.indisprimary
              AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.oid)""",
        tables)
    again = []
    for row in rows:
        if row["kind"] == "constraint":
            await conn.execute(f'ALTER TABLE "{row["tab"]}" DROP CONSTRAINT "{row["name"]}"')
            again.append(f'ALTER TABLE "{row["tab"]}" ADD CONSTRAINT "{row["name"]}" '
                         f'{row["def"]}')
        else:
            await conn.execute(f'DROP INDEX "{row["name"]}"')
            again.append(row["def"])
    return again


async def generate_history(url: str, config: ReportsBenchConfig, end: datetime,
                           progress: Callable[[int], None] | None = None) -> Generated:
    conn = await asyncpg.connect(url.replace("postgresql+asyncpg://", "postgresql://"))
    try:
        # foreign keys are right by construction; their per-row triggers would double the time
        await conn.execute("SET session_replication_role = replica")
        began = time.perf_counter()
        tables = list(HistoryWriter.COLUMNS)
        indexes = await _drop_copy_indexes(conn, tables)
        async def copy(table: str, rows: list[tuple[Any, ...]], columns: list[str]) -> None:
            await conn.copy_records_to_table(table, records=rows, columns=columns)

        writer = HistoryWriter(copy, config, end)
        await writer.seed_people()
        out = await writer.write(progress)
        out.customers = len(writer.customer_seen)
        out.seconds["generate_and_copy"] = round(time.perf_counter() - began, 1)
        out.seconds["copy"] = round(writer.copy_seconds, 1)
        began = time.perf_counter()
        for statement in indexes:
            await conn.execute(statement)
        for table in ("teams", "agents", "labels", *tables):
            if table != "conversation_labels":  # our own table names, not input
                await conn.execute(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "  # noqa: S608
                    f"(SELECT coalesce(max(id), 1) FROM {table}))")
        out.seconds["indexes"] = round(time.perf_counter() - began, 1)
        began = time.perf_counter()
        await conn.execute("ANALYZE")
        out.seconds["analyze"] = round(time.perf_counter() - began, 1)
        return out
    finally:
        await conn.close()


CpuSnapshot = Callable[[], Awaitable[dict[int, float]]]


def _process_cpu(pid: int) -> float:
    """CPU seconds (user + system) a process of this machine has used; 0 once it is gone."""
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def server_cpu(monitor: asyncpg.Connection, database: str) -> CpuSnapshot:
    """A snapshot of the CPU seconds of every server process connected to ``database`` (a
    server on this machine), but the monitor's own: a call's share of the machine, which
    the other work on it does not inflate as it does the wall time."""
    async def snapshot() -> dict[int, float]:
        pids = await monitor.fetch(
            "SELECT pid FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()",
            database)
        return {row["pid"]: _process_cpu(row["pid"]) for row in pids}
    return snapshot


async def _timed(call: Callable[[], Awaitable[Any]], repeat: int,
                 cpu: CpuSnapshot | None = None) -> dict[str, float]:
    began = time.perf_counter()
    await call()
    cold = (time.perf_counter() - began) * 1000
    warm, client, server = [], [], []
    for _ in range(repeat):
        before = await cpu() if cpu else {}
        began, began_cpu = time.perf_counter(), time.process_time()
        await call()
        warm.append((time.perf_counter() - began) * 1000)
        client.append((time.process_time() - began_cpu) * 1000)
        if cpu:
            after = await cpu()
            server.append(sum(used - before.get(pid, 0.0) for pid, used in after.items())
                          * 1000)
    timed = {"cold_ms": round(cold, 1), "warm_median_ms": round(statistics.median(warm), 1),
             "warm_max_ms": round(max(warm), 1),
             "client_cpu_median_ms": round(statistics.median(client), 1)}
    if server:
        timed["server_cpu_median_ms"] = round(statistics.median(server), 1)
    return timed


ASKS = ("28d", "28d_shanghai", "28d_kolkata", "28d_channel", "28d_team", "28d_language",
        "28d_category", "28d_agent", "28d_label", "90d")


def report_asks(last: date) -> dict[str, dict[str, str]]:
    """The periods and filters timed: the last 28 days without a filter (UTC), in two
    time zones (a whole-hour one and a half-hour one), with each filter alone, and 90
    days."""
    days28 = {"start": (last - timedelta(days=27)).isoformat(), "end": last.isoformat()}
    return {"28d": days28, "28d_shanghai": {**days28, "tz": "Asia/Shanghai"},
            "28d_kolkata": {**days28, "tz": "Asia/Kolkata"},
            "28d_channel": {**days28, "channel": "widget"}, "28d_team": {**days28, "team_id": "1"},
            "28d_language": {**days28, "language": "zh-Hans"},
            "28d_category": {**days28, "category": "transfer"},
            "28d_agent": {**days28, "agent_id": "1"}, "28d_label": {**days28, "label_id": "1"},
            "90d": {"start": (last - timedelta(days=89)).isoformat(), "end": last.isoformat()}}


async def time_dashboards(url: str, end: datetime, repeat: int,
                          report: Callable[[str], None] | None = None,
                          asks: tuple[str, ...] = ASKS) -> dict[str, Any]:
    """For each ask, what each request of the reports page computes: the page itself (its
    filters' choices) and each of its panels (one report, ``panel_report``, what
    GET /reports/panels/{panel} calls), a new session a call. ``<ask>/slowest_panel`` names
    the panel the page waits for longest (the browser fetches them side by side)."""
    from walletdesk.db.engine import Database
    from walletdesk.reports.choices import filter_choices
    from walletdesk.reports.filters import parse_filter
    from walletdesk.reports.page import PANELS, panel_report

    last = (end - timedelta(seconds=1)).date()
    dashboards: dict[str, Callable[..., Awaitable[Any]]] = {
        "shell": lambda session, flt: filter_choices(session)}
    for panel in PANELS:
        dashboards[panel] = lambda session, flt, p=panel: panel_report(session, p, flt)
    database = Database(url)
    monitor = await asyncpg.connect(url.replace("postgresql+asyncpg://", "postgresql://"))
    cpu = server_cpu(monitor, url.rsplit("/", 1)[1])
    results: dict[str, Any] = {}
    try:
        for ask, params in report_asks(last).items():
            if ask not in asks:
                continue
            flt = parse_filter(**params)  # type: ignore[arg-type]
            for name, call in dashboards.items():
                # a new session a call, as a request has: nothing cached between them
                async def once(f: Any = call, r: Any = flt) -> None:
                    async with database.sessionmaker() as session:
                        await f(session, r)
                results[f"{ask}/{name}"] = await _timed(once, repeat, cpu)
                if report:
                    report(f"{ask}/{name}: {results[f'{ask}/{name}']}")
            slowest = max(PANELS, key=lambda p: results[f"{ask}/{p}"]["warm_median_ms"])
            results[f"{ask}/slowest_panel"] = {"panel": slowest,
                                               **results[f"{ask}/{slowest}"]}
    finally:
        await monitor.close()
        await database.dispose()
    return results


async def add_conversations(url: str, count: int) -> int:
    """``count`` new conversations (copies of the newest, with their messages, an hour
    later), written as the app writes them: the triggers queue them for the rollup."""
    conn = await asyncpg.connect(url.replace("postgresql+asyncpg://", "postgresql://"))
    try:
        top = await conn.fetchval("SELECT max(id) FROM conversations")
        columns = [c for c in HistoryWriter.COLUMNS["conversations"] if c != "id"]
        shifted = [f"{c} + interval '1 hour'" if c.endswith("_at") else c for c in columns]
        async with conn.transaction():
            await conn.execute(
                f"INSERT INTO conversations (id, {', '.join(columns)}) "  # noqa: S608
                f"SELECT id + {count}, {', '.join(shifted)} FROM conversations "
                f"WHERE id > {top - count}")
            message_columns = [c for c in HistoryWriter.COLUMNS["messages"] if c != "id"]
            copied = [f"conversation_id + {count}" if c == "conversation_id"
                      else "created_at + interval '1 hour'" if c == "created_at" else c
                      for c in message_columns]
            await conn.execute(
                f"INSERT INTO messages ({', '.join(message_columns)}) "  # noqa: S608
                f"SELECT {', '.join(copied)} FROM messages WHERE conversation_id > {top - count}")
        return count
    finally:
        await conn.close()


async def run_reports_benchmark(config: ReportsBenchConfig,
                                say: Callable[[str], None] | None = None) -> dict[str, Any]:
    from walletdesk.db.engine import Database
    from walletdesk.db.migrate import upgrade_database
    from walletdesk.reports.rollups import refresh_until_current

    note = say or (lambda _: None)
    name = config.name or f"wd_bench_reports_{uuid.uuid4().hex[:8]}"
    server = config.server.replace("postgresql+asyncpg://", "postgresql://")
    base = server.split("://", 1)[1].rsplit("/", 1)[0]
    url = f"postgresql+asyncpg://{base}/{name}"
    end = config.end or datetime.now(UTC).replace(minute=0, second=0, microsecond=0)
    result: dict[str, Any] = {"database": name, "conversations_asked": config.conversations,
                              "messages_asked": config.messages, "days": config.days,
                              "seconds": {}}
    if not config.reuse:
        admin = await asyncpg.connect(server)
        try:
            await admin.execute(f'CREATE DATABASE "{name}"')
        finally:
            await admin.close()
    try:
        if not config.reuse:
            database = Database(url)
            await upgrade_database(database.engine)
            await database.dispose()
            note(f"generating into {name} …")
            generated = await generate_history(
                url, config, end, lambda n: note(f"  {n:,} conversations"))
            result["generated"] = {k: v for k, v in generated.__dict__.items()
                                   if k != "seconds"}
            result["seconds"] = dict(generated.seconds)
            note(f"generated: {result['generated']} in {result['seconds']}")
        else:
            database = Database(url)
            await upgrade_database(database.engine)  # a benchmark of an older version
            await database.dispose()
            conn = await asyncpg.connect(url.replace("postgresql+asyncpg://", "postgresql://"))
            try:
                last = await conn.fetchval("SELECT max(created_at) FROM conversations")
                result["generated"] = {t: await conn.fetchval(
                    f"SELECT count(*) FROM {t}")  # noqa: S608 - our table names
                    for t in ("conversations", "messages", "customers", "surveys")}
            finally:
                await conn.close()
            end = last.replace(minute=0, second=0, microsecond=0) + timedelta(hours=1)
        database = Database(url)
        began = time.perf_counter()
        rolled = await refresh_until_current(database)
        result["seconds"]["rollup_build"] = round(time.perf_counter() - began, 1)
        began = time.perf_counter()
        await refresh_until_current(database)  # nothing changed: what a worker's minute costs
        result["seconds"]["rollup_check_when_current"] = round(time.perf_counter() - began, 2)
        async with database.engine.connect() as conn:
            # what autovacuum does to the rollup soon after its first build: statistics, and
            # the visibility map that lets index-only scans skip the table
            await conn.execution_options(isolation_level="AUTOCOMMIT")
            await conn.execute(text("VACUUM ANALYZE report_conversation_facts, "
                                    "report_message_quarters, report_agent_replies, "
                                    "report_hourly, report_hourly_messages, report_daily, "
                                    "report_daily_agents"))
        await database.dispose()
        result["rollup_rows"] = rolled
        note(f"rollups built: {rolled} in {result['seconds']['rollup_build']} s; idle run "
             f"{result['seconds']['rollup_check_when_current']} s")
        asks = tuple(config.asks.split(",")) if config.asks else ASKS
        result["dashboards"] = await time_dashboards(url, end, config.repeat, note, asks)
        result["slowest_warm_ms"] = max(v["warm_median_ms"]
                                        for v in result["dashboards"].values())
        result["load_average"] = [round(v, 2) for v in os.getloadavg()]
        result["all_under_500ms"] = result["slowest_warm_ms"] < 500
        if config.message_path:
            result["message_path"] = await time_message_path(url, config.message_path)
            note(f"a chat message with and without the report trigger: "
                 f"{result['message_path']}")
        if config.added:  # the worker's run after new conversations, and idle again
            await add_conversations(url, config.added)
            database = Database(url)
            began = time.perf_counter()
            done = await refresh_until_current(database)
            result["seconds"][f"rollup_after_{done}_new"] = round(time.perf_counter() - began, 2)
            began = time.perf_counter()
            await refresh_until_current(database)
            result["seconds"]["rollup_idle_again"] = round(time.perf_counter() - began, 3)
            await database.dispose()
            note(f"rollup after {done} new conversations: {result['seconds']}")
    finally:
        if config.drop:
            admin = await asyncpg.connect(server)
            try:
                await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            finally:
                await admin.close()
            result["dropped"] = True
    return result


def main_sync(config: ReportsBenchConfig, say: Callable[[str], None] | None) -> dict[str, Any]:
    return asyncio.run(run_reports_benchmark(config, say))


CHANGE_TRIGGER = "report_dirty_conversation_change"


async def time_message_path(url: str, messages: int = 400, rounds: int = 6,
                            conversations: int = 20) -> dict[str, Any]:
    """What the rollup's conversation trigger costs a chat message: the chat fast path's
    statements (``UPDATE conversations SET last_seq = last_seq + 1, …``, then the
    ``INSERT`` of the message, one transaction a message, as
    walletdesk.conversations.chat stores them) with the trigger enabled and disabled, in
    alternating rounds of ``messages``. Runs on copies of a few conversations, deleted at
    the end (the triggers queue them; the rollup's next run forgets them)."""
    conn = await asyncpg.connect(url.replace("postgresql+asyncpg://", "postgresql://"))
    columns = [c for c in HistoryWriter.COLUMNS["conversations"] if c != "id"]
    taken = ["'assigned'" if c == "status" else "0" if c == "last_seq" else c
             for c in columns]
    timings: dict[str, list[float]] = {"on": [], "off": []}
    top = await conn.fetchval("SELECT max(id) FROM conversations")
    ids = [top + 1_000_000 - n for n in range(conversations)]
    try:
        await conn.execute(
            f"INSERT INTO conversations (id, {', '.join(columns)}) "  # noqa: S608
            f"SELECT id + 1000000, {', '.join(taken)} FROM conversations WHERE id > $1",
            top - conversations)
        update = await conn.prepare(
            "UPDATE conversations SET last_seq = last_seq + 1, updated_at = now(), "
            "last_message_at = now(), last_message_preview = $2 WHERE id = $1 "
            "AND status IN ('bot', 'assigned', 'queued') "
            "RETURNING last_seq, status, team_id, assignee_id, snoozed_at")
        insert = await conn.prepare(
            "INSERT INTO messages (conversation_id, seq, sender_kind, sender_name, text, "
            "is_internal, client_id, created_at) VALUES ($1, $2, 'customer', '', $3, false, "
            "$4, now()) ON CONFLICT (conversation_id, client_id) DO NOTHING RETURNING id")
        sent = 0
        for round_ in range(rounds * 2):
            state = "on" if round_ % 2 == 0 else "off"
            await conn.execute(f"ALTER TABLE conversations "
                               f"{'ENABLE' if state == 'on' else 'DISABLE'} TRIGGER "
                               f"{CHANGE_TRIGGER}")
            for _ in range(messages):
                cid = ids[sent % len(ids)]
                sent += 1
                began = time.perf_counter()
                async with conn.transaction():
                    row = await update.fetchrow(cid, "still waiting")
                    await insert.fetchval(cid, row["last_seq"], "still waiting",
                                          f"bench-{sent}")
                timings[state].append((time.perf_counter() - began) * 1000)
    finally:
        await conn.execute(f"ALTER TABLE conversations ENABLE TRIGGER {CHANGE_TRIGGER}")
        # the benchmark's messages first, without the foreign keys' checks (nothing refers
        # to them; a check scans the bot turns for every message), then the conversations
        async with conn.transaction():
            await conn.execute("SET LOCAL session_replication_role = replica")
            await conn.execute("DELETE FROM messages WHERE conversation_id = ANY($1::int[])",
                               ids)
        await conn.execute("DELETE FROM conversations WHERE id = ANY($1::int[])", ids)
        await conn.close()
    out: dict[str, Any] = {"messages_per_state": len(timings["on"])}
    for state, values in timings.items():
        ordered = sorted(values)
        out[f"trigger_{state}"] = {
            "median_ms": round(statistics.median(ordered), 3),
            "p95_ms": round(ordered[int(0.95 * (len(ordered) - 1))], 3),
            "mean_ms": round(statistics.fmean(ordered), 3)}
    out["added_median_ms"] = round(out["trigger_on"]["median_ms"]
                                   - out["trigger_off"]["median_ms"], 3)
    return out
