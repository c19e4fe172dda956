"""A small support history with known timestamps, written as rows (the real actions stamp
"now"; reports are about the past). The expected figures in the tests are counted by hand
from this page.

The report period is Mon 2 – Sun 8 March 2026 in Asia/Shanghai (UTC+8), i.e.
2026-03-01 16:00 UTC up to 2026-03-08 16:00 UTC. Team "Support" works Mon–Fri 09:00–17:00 UTC.

c1  Mon 03-02 01:00 UTC (local Mon 2), widget, en, Support/Alice, category transfer:
    reply +10 min, resolved 02:00; CSAT 5 "great".
c2  Tue 03-03 20:00 (local Wed 4), email, zh-Hans, Support/Bob, label vip: reply Wed 10:00
    (14 h, of which 1 working hour), resolved Wed 12:00, the customer wrote again Thu 08:00
    (reopened, open now); first reply SLA breached; CSAT 2 "=slow".
c3  Thu 03-05 12:00 (local Thu 5), widget, en, no team: the bot answered (fees) and the
    customer said solved at 12:01 (contained).
c4  Fri 03-06 15:00 (local Fri 6), widget, es, Support/Alice: the bot handed off
    (low_confidence); internal note 15:10, reply 15:30; open.
c7  Sun 03-01 17:00 (local Mon 2), telegram, en: one customer message, queued.
c5  Wed 02-25 03:00 (previous period), widget, en, Support/Alice: reply +5 min, resolved
    +1 h; customer 1's first conversation; CSAT 4.
c6  Sun 03-08 17:00 (local Mon 9: after the period), widget, en: queued.
"""

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from walletdesk.accounts.models import Agent, Role, Team
from walletdesk.bot.models import BotTurn
from walletdesk.cases.models import Survey
from walletdesk.conversations.models import Conversation, Message, SenderKind, Status
from walletdesk.customers.models import Customer
from walletdesk.labels.models import ConversationLabel, Label
from walletdesk.services import Services

TZ = "Asia/Shanghai"
START, END = "2026-03-02", "2026-03-08"
WORKING = {day: [["09:00", "17:00"]] for day in ("mon", "tue", "wed", "thu", "fri")}


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


@dataclass
class History:
    team: Team
    alice: Agent
    bob: Agent
    vip: Label
    ids: dict[str, int]


async def build_history(services: Services, make_agent: Any, make_team: Any) -> History:
    team = await make_team("Support", weekly_hours=WORKING, timezone="UTC")
    alice = await make_agent("Alice", teams=[team])
    bob = await make_agent("Bob", teams=[team])
    ids: dict[str, int] = {}
    async with services.transaction() as session:
        customers = [Customer(display_name=f"Customer {n}", created_at=at("2026-01-01T00:00"))
                     for n in range(1, 6)]
        session.add_all(customers)
        vip = Label(name="vip", color="#aa0000")
        session.add(vip)
        await session.flush()
        c1, c2, c3, c4, c5 = customers

        def conversation(name: str, customer: Customer, created: str, **fields: Any
                         ) -> Conversation:
            row = Conversation(customer_id=customer.id, created_at=at(created),
                               updated_at=at(created), last_message_at=at(created), **fields)
            session.add(row)
            return row

        def message(row: Conversation, when: str, kind: SenderKind, text: str,
                    **fields: Any) -> None:
            row.last_seq += 1
            session.add(Message(conversation_id=row.id, seq=row.last_seq, sender_kind=kind,
                                text=text, created_at=at(when), **fields))

        conv1 = conversation("c1", c1, "2026-03-02T01:00", channel="widget", language="en",
                             team_id=team.id, assignee_id=alice.id, category="transfer",
                             status=Status.resolved, assigned_at=at("2026-03-02T01:05"),
                             resolved_at=at("2026-03-02T02:00"),
                             first_response_due_at=at("2026-03-02T10:00"),
                             resolution_due_at=at("2026-03-03T10:00"))
        conv2 = conversation("c2", c2, "2026-03-03T20:00", channel="email", language="zh-Hans",
                             team_id=team.id, assignee_id=bob.id, status=Status.assigned,
                             assigned_at=at("2026-03-04T09:30"),
                             first_response_due_at=at("2026-03-04T09:30"),
                             first_response_breached=True)
        conv3 = conversation("c3", c3, "2026-03-05T12:00", channel="widget", language="en",
                             status=Status.resolved, resolved_at=at("2026-03-05T12:01"))
        conv4 = conversation("c4", c4, "2026-03-06T15:00", channel="widget", language="es",
                             team_id=team.id, assignee_id=alice.id, status=Status.assigned,
                             assigned_at=at("2026-03-06T15:01"), handoff_reason="low_confidence")
        conv7 = conversation("c7", c5, "2026-03-01T17:00", channel="telegram", language="en",
                             status=Status.queued)
        conv5 = conversation("c5", c1, "2026-02-25T03:00", channel="widget", language="en",
                             team_id=team.id, assignee_id=alice.id, status=Status.closed,
                             assigned_at=at("2026-02-25T03:01"),
                             resolved_at=at("2026-02-25T04:00"))
        conv6 = conversation("c6", c2, "2026-03-08T17:00", channel="widget", language="en",
                             status=Status.queued)
        await session.flush()
        for name, row in (("c1", conv1), ("c2", conv2), ("c3", conv3), ("c4", conv4),
                          ("c5", conv5), ("c6", conv6), ("c7", conv7)):
            ids[name] = row.id

        message(conv1, "2026-03-02T01:00", SenderKind.customer, "My transfer is stuck")
        message(conv1, "2026-03-02T01:10", SenderKind.agent, "Looking", sender_agent_id=alice.id)
        message(conv1, "2026-03-02T01:20", SenderKind.customer, "ok")
        message(conv1, "2026-03-02T01:30", SenderKind.agent, "Done", sender_agent_id=alice.id)
        message(conv1, "2026-03-02T02:00", SenderKind.system, "Resolved",
                meta={"kind": "resolved"})

        message(conv2, "2026-03-03T20:00", SenderKind.customer, "Fee too high?")
        message(conv2, "2026-03-04T10:00", SenderKind.agent, "Explained", sender_agent_id=bob.id)
        message(conv2, "2026-03-04T12:00", SenderKind.system, "Resolved",
                meta={"kind": "resolved"})
        message(conv2, "2026-03-05T08:00", SenderKind.customer, "Still too high")
        session.add(ConversationLabel(conversation_id=conv2.id, label_id=vip.id))

        message(conv3, "2026-03-05T12:00", SenderKind.customer, "What are the fees?")
        message(conv3, "2026-03-05T12:00:05", SenderKind.bot, "Fees are ...")
        message(conv3, "2026-03-05T12:01", SenderKind.bot, "Glad it helped",
                meta={"kind": "resolved"})
        session.add(BotTurn(conversation_id=conv3.id, query="What are the fees?", language="en",
                            candidates=[{"slug": "fees", "title": "Fees", "score": 0.9,
                                         "category": "fees"}], confidence=0.9,
                            outcome="answered", article_slug="fees",
                            created_at=at("2026-03-05T12:00:05")))

        message(conv4, "2026-03-06T15:00", SenderKind.customer, "Someone has my account")
        message(conv4, "2026-03-06T15:00:02", SenderKind.bot, "A person will help")
        message(conv4, "2026-03-06T15:10", SenderKind.agent, "note", is_internal=True,
                sender_agent_id=alice.id)
        message(conv4, "2026-03-06T15:30", SenderKind.agent, "Hello", sender_agent_id=alice.id)
        session.add(BotTurn(conversation_id=conv4.id, query="Someone has my account",
                            language="es", candidates=[{"slug": "security", "title": "S",
                                                        "score": 0.2, "category": "security"}],
                            confidence=0.2, outcome="handed_off", reason="low_confidence",
                            created_at=at("2026-03-06T15:00:02")))

        message(conv7, "2026-03-01T17:00", SenderKind.customer, "hello?")

        message(conv5, "2026-02-25T03:00", SenderKind.customer, "old question")
        message(conv5, "2026-02-25T03:05", SenderKind.agent, "old answer",
                sender_agent_id=alice.id)
        message(conv5, "2026-02-25T04:00", SenderKind.system, "Resolved",
                meta={"kind": "resolved"})

        message(conv6, "2026-03-08T17:00", SenderKind.customer, "later question")

        session.add_all([
            Survey(conversation_id=conv1.id, customer_id=c1.id, agent_id=alice.id,
                   team_id=team.id, channel="widget", rating=5, comment="great",
                   asked_at=at("2026-03-02T02:00"), answered_at=at("2026-03-02T02:05")),
            Survey(conversation_id=conv2.id, customer_id=c2.id, agent_id=bob.id,
                   team_id=team.id, channel="email", rating=2, comment="=slow",
                   asked_at=at("2026-03-04T12:00"), answered_at=at("2026-03-04T13:00")),
            Survey(conversation_id=conv5.id, customer_id=c1.id, agent_id=alice.id,
                   team_id=team.id, channel="widget", rating=4,
                   asked_at=at("2026-02-25T04:00"), answered_at=at("2026-02-25T04:10")),
        ])
    return History(team=team, alice=alice, bob=bob, vip=vip, ids=ids)


async def make_manager(make_agent: Any, name: str = "Sue", role: Role = Role.supervisor
                       ) -> Agent:
    return await make_agent(name, role=role)


def shanghai_day(moment: datetime) -> str:
    return (moment + timedelta(hours=8)).date().isoformat()
