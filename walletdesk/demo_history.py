"""The demo's sample history for the reports: eight weeks of finished conversations, backdated
(a daily and weekly rhythm, the bot answering or handing over, replies in minutes and
resolutions in hours, ratings that follow the waiting, contact reasons), so that a new
user's reports page shows real charts. Written as rows with their own timestamps: the
actions stamp "now", and a report of conversations all started this minute, answered in
0 s, says nothing."""

import math
import random
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from walletdesk import i18n
from walletdesk.accounts.models import Agent, Team
from walletdesk.bot.models import BotTurn
from walletdesk.cases.models import SlaPolicy, Survey
from walletdesk.conversations.models import Conversation, Message, SenderKind, Status
from walletdesk.customers.models import Customer
from walletdesk.db.base import utcnow
from walletdesk.labels.models import ConversationLabel, Label
from walletdesk.services import Services

DAYS = 56  # the default report (28 days) and the period it is compared with
PER_DAY = 8  # conversations on an average weekday
# (category, article id, label, question, the agent's reply) per language
TOPICS = {
    "zh-Hans": [
        ("transfers", "transfer-pending", "Pending transfer", "我的 USDT 转账一直显示处理中，还没到账",
         "您好，这笔转账在链上已有 12 个确认，预计几分钟内到账。"),
        ("fees", "network-fees", None, "为什么这次转账的矿工费这么高？",
         "网络拥堵时矿工费会上升，您可以选择稍后再转或调低优先级。"),
        ("security", "never-share-recovery-phrase", "Security", "有人自称客服让我提供助记词，是真的吗？",
         "这是诈骗，客服绝不会索要助记词，请不要回复对方。"),
        ("account", "reset-password", None, "我忘记了登录密码，怎么找回？",
         "请在登录页点“忘记密码”，按邮件里的链接重设即可。"),
        ("staking", "staking-rewards", None, "质押收益什么时候发放？",
         "质押收益每天 UTC 0 点结算，次日到账。"),
    ],
    "en": [
        ("transfers", "transfer-pending", "Pending transfer",
         "My ETH withdrawal has been pending for an hour",
         "I checked the hash: it is confirmed now, the funds should show in a few minutes."),
        ("fees", "network-fees", None, "Why was I charged such a high network fee?",
         "Fees follow the network's congestion; sending later or with a lower priority costs "
         "less."),
        ("security", "never-share-recovery-phrase", "Security",
         "Someone on Telegram says they are support and wants my seed phrase",
         "That is a scam: we never ask for it. Please block and report the account."),
        ("withdrawal", "withdrawal-limits", None, "What is my daily withdrawal limit?",
         "Verified accounts can withdraw up to 50,000 USDT a day; I have sent you the details."),
        ("nft", "nft-not-showing", None, "My NFT does not show up in the wallet",
         "Switch the network to Polygon in the NFT tab and pull to refresh."),
    ],
    "es": [
        ("transfers", "transfer-pending", "Pending transfer", "Mi transferencia no ha llegado",
         "Ya tiene las confirmaciones necesarias; llegará en unos minutos."),
        ("account", "reset-password", None, "No puedo iniciar sesión",
         "Use «Olvidé mi contraseña» en la pantalla de inicio y siga el enlace del correo."),
    ],
}
LANGUAGES = (("zh-Hans", 50), ("en", 38), ("es", 12))
CHANNELS = (("web", 70), ("in_app", 18), ("email", 12))
NAMES = {"zh-Hans": ["林小姐", "王先生", "陈女士", "张伟", "李娜", "刘洋", "赵敏", "黄磊"],
         "en": ["Daniel", "Priya", "Tom", "Aisha", "Marco", "Grace", "Ken", "Olivia"],
         "es": ["Lucía", "Mateo", "Sofía", "Diego"]}
THANKS = {"zh-Hans": "好的，谢谢！", "en": "Thanks, that helped!", "es": "¡Gracias!"}
BOT_ANSWER = {"zh-Hans": "这篇帮助文章也许能解答您的问题：", "en": "This article may answer your "
              "question:", "es": "Este artículo puede responder a su pregunta:"}
COMMENTS = {1: ["等了太久", "Nobody answered for hours"], 2: ["问题没解决", "Had to explain twice"],
            3: ["", "OK in the end"], 4: ["谢谢", "Quick and clear"], 5: ["非常好！", "Great support"]}
HANDOFFS = ("low_confidence", "asked_for_human", "sensitive_topic")


@dataclass
class _People:
    teams: dict[str, int]  # language → team id
    agents: dict[str, list[int]]  # language → agent ids
    names: dict[int, str]
    labels: dict[str, int]
    sla: int | None


def _pick(rng: random.Random, table: tuple[tuple[str, int], ...]) -> str:
    return rng.choices([name for name, _ in table], weights=[w for _, w in table])[0]


def _starts(rng: random.Random, now: datetime) -> list[datetime]:
    """When the conversations started: busier on weekdays, quiet at night in UTC+8."""
    daily = [0.3, 0.2, 0.1, 0.1, 0.1, 0.2, 0.4, 0.7, 1.0, 1.3, 1.5, 1.5, 1.3, 1.2, 1.3, 1.4,
             1.3, 1.2, 1.1, 1.2, 1.4, 1.4, 1.0, 0.6]  # local hours in UTC+8
    starts = []
    first = (now - timedelta(days=DAYS)).replace(minute=0, second=0, microsecond=0)
    for hour in range(DAYS * 24 - 2):
        moment = first + timedelta(hours=hour)
        local = moment + timedelta(hours=8)
        weight = daily[local.hour] * (0.6 if local.weekday() >= 5 else 1.0) / 24
        for _ in range(sum(rng.random() < PER_DAY * weight / 2 for _ in range(2))):
            starts.append(moment + timedelta(seconds=rng.uniform(0, 3599)))
    return starts


async def _people(services: Services) -> _People:
    async with services.read() as session:
        teams = (await session.scalars(select(Team).order_by(Team.id))).all()
        agents = (await session.scalars(select(Agent).order_by(Agent.id))).all()
        labels = {label.name: label.id for label in (await session.scalars(select(Label))).all()}
        sla = await session.scalar(select(SlaPolicy.id).where(SlaPolicy.name == "Standard"))
    chinese = next((t.id for t in teams if t.is_default), teams[0].id)
    other = next((t.id for t in teams if t.id != chinese and not t.is_outsourced), chinese)
    by_name = {a.display_name: a.id for a in agents}
    zh = [by_name[n] for n in ("Mei", "Li Na") if n in by_name] or [agents[0].id]
    en = [by_name[n] for n in ("Sam", "Ravi") if n in by_name] or [agents[0].id]
    return _People(teams={"zh-Hans": chinese, "en": other, "es": other},
                   agents={"zh-Hans": zh, "en": en, "es": en[:1]},
                   names={a.id: a.display_name for a in agents}, labels=labels, sla=sla)


async def seed_report_history(services: Services, *, seed: int = 13) -> int:
    """Writes the history (once, with the demo); returns the conversations written."""
    rng = random.Random(seed)
    now = utcnow()
    people = await _people(services)
    customers: dict[str, list[Customer]] = {}
    written = 0
    async with services.transaction() as session:
        for started in _starts(rng, now):
            language = _pick(rng, LANGUAGES)
            pool = customers.setdefault(language, [])
            if pool and rng.random() < 0.35:  # a returning customer
                customer = rng.choice(pool)
            else:
                customer = Customer(display_name=rng.choice(NAMES[language]), language=language,
                                    created_at=started, last_seen_at=started)
                session.add(customer)
                await session.flush()
                pool.append(customer)
            await _conversation(session, rng, people, customer, language, started, now)
            written += 1
    return written


async def _conversation(session: AsyncSession, rng: random.Random, people: _People,
                        customer: Customer, language: str, started: datetime,
                        now: datetime) -> None:
    category, article, label, question, reply = rng.choice(TOPICS[language])
    channel = _pick(rng, CHANNELS)
    conversation = Conversation(
        customer_id=customer.id, channel=channel, status=Status.bot, language=language,
        category=category if rng.random() < 0.5 else None, created_at=started,
        updated_at=started, last_message_at=started, queued_at=None)
    session.add(conversation)
    await session.flush()
    messages: list[Message] = []

    def say(kind: SenderKind, at: datetime, text: str, *, agent: int | None = None,
            meta: dict[str, str] | None = None) -> Message:
        message = Message(conversation_id=conversation.id, seq=len(messages) + 1,
                          sender_kind=kind, sender_agent_id=agent,
                          sender_name=people.names.get(agent, "") if agent else "", text=text,
                          meta=meta, created_at=at)
        messages.append(message)
        return message

    t = started
    say(SenderKind.customer, t, question)
    night = (started.hour + 8) % 24 < 8 or (started + timedelta(hours=8)).weekday() >= 5
    if rng.random() < 0.65:  # the bot answers first
        t += timedelta(seconds=rng.uniform(2, 6))
        contained = rng.random() < 0.4
        outcome = "answered" if contained or rng.random() < 0.5 else "handed_off"
        bot_message = say(SenderKind.bot, t, f"{BOT_ANSWER[language]} /help/{article}")
        handoff = None if contained else rng.choice(HANDOFFS)
        await session.flush()
        session.add_all(messages)
        await session.flush()
        session.add(BotTurn(
            conversation_id=conversation.id, message_id=bot_message.id, query=question,
            language=language, candidates=[{"slug": article, "score": 0.82, "title": article,
                                            "category": category}],
            confidence=0.82 if outcome == "answered" else 0.41, outcome=outcome,
            reason=handoff or "", article_slug=article, created_at=t))
        if contained:
            t += timedelta(seconds=rng.uniform(20, 240))
            say(SenderKind.customer, t, THANKS[language])
            say(SenderKind.bot, t + timedelta(seconds=2), "👍", meta={"kind": "resolved"})
            _finish(conversation, messages, Status.resolved, t + timedelta(seconds=2))
            session.add_all(messages)
            return
        conversation.handoff_reason = handoff
    team = people.teams[language]
    agent = rng.choice(people.agents[language])
    conversation.team_id, conversation.assignee_id = team, agent
    conversation.queued_at = t
    conversation.sla_policy_id = people.sla
    conversation.first_response_due_at = started + timedelta(minutes=30)
    conversation.resolution_due_at = started + timedelta(hours=24)
    t += timedelta(seconds=rng.lognormvariate(math.log(40), 0.8))
    conversation.assigned_at = conversation.assignee_joined_at = t
    t += timedelta(seconds=rng.lognormvariate(math.log(1500 if night else 300), 0.9))
    say(SenderKind.agent, t, reply, agent=agent)
    conversation.first_response_at = t
    conversation.first_response_breached = t > conversation.first_response_due_at
    for turn in range(rng.choice((0, 1, 1, 2, 3))):
        t += timedelta(seconds=rng.lognormvariate(math.log(240), 0.9))
        if turn % 2 == 0:
            say(SenderKind.customer, t, THANKS[language] if turn else question)
        else:
            say(SenderKind.agent, t, reply, agent=agent)
    t += timedelta(seconds=rng.lognormvariate(math.log(2400 if night else 900), 1.0))
    t = max(min(t, now - timedelta(minutes=5)), messages[-1].created_at + timedelta(seconds=30))
    say(SenderKind.system, t, i18n.text("resolved", language), meta={"kind": "resolved"})
    if rng.random() < 0.07 and t < now - timedelta(days=1):  # reopened, resolved again
        t += timedelta(hours=rng.uniform(2, 20))
        say(SenderKind.customer, t, question)
        t += timedelta(minutes=rng.uniform(5, 40))
        say(SenderKind.agent, t, reply, agent=agent)
        say(SenderKind.system, t + timedelta(seconds=30), i18n.text("resolved", language),
            meta={"kind": "resolved"})
        t += timedelta(seconds=30)
    conversation.resolution_breached = t > conversation.resolution_due_at
    if rng.random() < 0.6:  # the reason the agent chose at resolve
        conversation.contact_reason = category
    _finish(conversation, messages, Status.closed if rng.random() < 0.5 else Status.resolved, t)
    session.add_all(messages)
    if label and label in people.labels and rng.random() < 0.5:
        session.add(ConversationLabel(
            conversation_id=conversation.id, label_id=people.labels[label], created_at=t))
    if rng.random() < 0.55:  # a satisfaction survey, answered more often than not
        waited = (conversation.first_response_at - started).total_seconds()
        weights = (16, 14, 20, 28, 22) if waited > 1800 else (3, 5, 10, 32, 50)
        rating = rng.choices((1, 2, 3, 4, 5), weights=weights)[0] if rng.random() < 0.7 \
            else None
        comment = rng.choice(COMMENTS[rating]) if rating and rng.random() < 0.5 else ""
        session.add(Survey(
            conversation_id=conversation.id, customer_id=customer.id, agent_id=agent,
            team_id=team, channel=conversation.channel, rating=rating, comment=comment,
            asked_at=t, answered_at=t + timedelta(minutes=rng.uniform(1, 90)) if rating
            else None))


def _finish(conversation: Conversation, messages: list[Message], status: Status,
            at: datetime) -> None:
    conversation.status, conversation.resolved_at = status, at
    conversation.last_seq = len(messages)
    conversation.updated_at = conversation.last_message_at = messages[-1].created_at
    conversation.last_message_preview = messages[-1].text[:200]
