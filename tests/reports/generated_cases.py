"""A generated support history for the reports added in issue 13 (complaints, follow-up
calls, points, presence, first contact, teams, comments, contact reasons chosen at resolve):
random but seeded, so every figure is recounted in the tests with plain SQL rather than
counted by hand. Period: 2026-04-06 – 2026-04-19 in Asia/Shanghai; rows also fall before and
after it."""

import random
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

from walletdesk.cases.models import Survey
from walletdesk.complaints.actions import STAGES
from walletdesk.complaints.models import Complaint, ComplaintEvent
from walletdesk.conversations.models import Conversation, Message, SenderKind, Status
from walletdesk.customers.models import Customer
from walletdesk.followups.models import FollowUp, FollowUpProgramme, FollowUpStatus
from walletdesk.labels.models import Label
from walletdesk.reports.filters import ReportFilter, parse_filter
from walletdesk.reports.models import PresenceChange
from walletdesk.services import Services

TZ = "Asia/Shanghai"
START, END = "2026-04-06", "2026-04-19"
BEGIN = datetime(2026, 4, 2, tzinfo=UTC)  # a few days before the period
SPAN_H = 21 * 24  # …to a few days after it
CONVERSATIONS = 48


def period(**filters: Any) -> ReportFilter:
    return parse_filter(start=START, end=END, tz=TZ, **filters)


@dataclass
class Generated:
    agent_ids: list[int]
    team_ids: list[int]
    conversation_ids: list[int]
    now: datetime  # the presence report's "now": after the period


async def generate(services: Services, make_agent: Any, make_team: Any,
                   seed: int = 13) -> Generated:
    rnd = random.Random(seed)
    first, second = await make_team("Frontline"), await make_team("Escalations")
    agents = [await make_agent("Ann", teams=[first]), await make_agent("Ben", teams=[first]),
              await make_agent("Cai", teams=[second])]
    teams = {agents[0].id: first.id, agents[1].id: first.id, agents[2].id: second.id}

    def moment() -> datetime:
        return BEGIN + timedelta(minutes=rnd.randrange(SPAN_H * 60))

    async with services.transaction() as session:
        customers = [Customer(display_name=f"Customer {n}",
                              verified_user_id=f"u-{n}" if n % 3 == 0 else None)
                     for n in range(12)]
        session.add_all(customers)
        session.add_all([Label(name="kyc", color="#00aa00"), Label(name="fees", color="#0000aa")])
        await session.flush()
        conversations: list[Conversation] = []
        for _ in range(CONVERSATIONS):
            created = moment()
            assignee = rnd.choice([None, *agents])
            resolved = rnd.random() < 0.6
            row = Conversation(
                customer_id=rnd.choice(customers).id, channel=rnd.choice(["widget", "email"]),
                language="en", created_at=created, updated_at=created, last_message_at=created,
                team_id=teams[assignee.id] if assignee else None,
                assignee_id=assignee.id if assignee else None,
                assigned_at=created + timedelta(minutes=5) if assignee else None,
                category=rnd.choice([None, None, "transfer"]),
                contact_reason=rnd.choice([None, "kyc", "fees"]),
                status=Status.resolved if resolved else Status.assigned,
                resolved_at=created + timedelta(hours=rnd.randint(1, 30)) if resolved else None)
            session.add(row)
            conversations.append(row)
        await session.flush()
        for row in conversations:
            seq = 1
            session.add(Message(conversation_id=row.id, seq=seq, sender_kind=SenderKind.customer,
                                text="help", created_at=row.created_at))
            if row.resolved_at is not None:
                seq += 1
                session.add(Message(conversation_id=row.id, seq=seq,
                                    sender_kind=SenderKind.system, text="Resolved",
                                    meta={"kind": "resolved"}, created_at=row.resolved_at))
                if rnd.random() < 0.25:  # the customer wrote again: reopened
                    seq += 1
                    session.add(Message(conversation_id=row.id, seq=seq,
                                        sender_kind=SenderKind.customer, text="again",
                                        created_at=row.resolved_at + timedelta(hours=2)))
                rating = rnd.choice([None, 1, 2, 3, 4, 5, 5])
                answered = row.resolved_at + timedelta(minutes=30)
                session.add(Survey(
                    conversation_id=row.id, customer_id=row.customer_id,
                    agent_id=row.assignee_id, team_id=row.team_id, channel=row.channel,
                    rating=rating, comment=rnd.choice(["", "slow reply", "Great help", "meh"])
                    if rating else "", points=10 if rating else 0,
                    asked_at=row.resolved_at, answered_at=answered if rating else None))
            row.last_seq = seq

        for row in rnd.sample(conversations, 14):
            opened = row.created_at + timedelta(hours=1)
            steps = rnd.randint(1, len(STAGES))
            kind = rnd.choice(["refund", "compensation", "explanation"])
            complaint = Complaint(
                conversation_id=row.id, customer_id=row.customer_id,
                stage=STAGES[steps - 1], category=rnd.choice(["fees", "delay", "service"]),
                summary="s", opened_at=opened, stage_changed_at=opened,
                resolution_kind=kind if steps >= 3 else None,
                amount=Decimal(rnd.choice(["10.5", "200", "0.00012345"]))
                if steps >= 3 and kind != "explanation" else None,
                asset=rnd.choice(["USDT", "BTC"]) if steps >= 3 and kind != "explanation"
                else None)
            session.add(complaint)
            await session.flush()
            at = opened
            for stage in STAGES[:steps]:
                session.add(ComplaintEvent(complaint_id=complaint.id, stage=stage, at=at))
                at += timedelta(hours=rnd.randint(1, 48))
            if steps == len(STAGES):
                complaint.closed_at = at

        programme = FollowUpProgramme(name="after big withdrawals", trigger="transaction")
        session.add(programme)
        await session.flush()
        statuses = [FollowUpStatus.completed, FollowUpStatus.completed, FollowUpStatus.declined,
                    FollowUpStatus.opted_out, FollowUpStatus.unreachable,
                    FollowUpStatus.notified, FollowUpStatus.chat_requested]
        for n in range(20):
            status = rnd.choice(statuses)
            outcome = (rnd.choice(["reached", "reached", "declined", "wrong_number"])
                       if status == FollowUpStatus.completed else
                       "no_answer" if status == FollowUpStatus.unreachable else None)
            due = moment()
            session.add(FollowUp(
                programme_id=programme.id, customer_id=rnd.choice(customers).id,
                source_ref=f"tx:{n}", status=status, outcome=outcome, due_from=due,
                due_until=due + timedelta(days=3), attempts=rnd.randint(0, 3),
                satisfaction=rnd.randint(1, 5) if outcome == "reached" else None,
                conversation_id=rnd.choice([None, rnd.choice(conversations).id])
                if status in (FollowUpStatus.completed, FollowUpStatus.chat_requested) else None))

        for agent in agents:
            at = BEGIN - timedelta(hours=5)
            while at < BEGIN + timedelta(hours=SPAN_H):
                session.add(PresenceChange(agent_id=agent.id, changed_at=at,
                                           presence=rnd.choice(["online", "away", "offline"])))
                at += timedelta(minutes=rnd.randint(30, 600))
    return Generated(agent_ids=[a.id for a in agents], team_ids=[first.id, second.id],
                     conversation_ids=[c.id for c in conversations],
                     now=BEGIN + timedelta(hours=SPAN_H + 24))
