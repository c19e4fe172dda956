"""The demo desk: a wallet brand's teams, agents and some history, seeded once."""

from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from sqlalchemy import func, select

from walletdesk.accounts.actions import create_agent, create_team
from walletdesk.accounts.models import Agent, Role, Team
from walletdesk.bot.models import BotConfig
from walletdesk.cases.sla import save_sla_policy
from walletdesk.complaints.actions import advance_complaint, open_complaint
from walletdesk.conversations.actions import (
    InboundMessage,
    receive_message,
    resolve_conversation,
    send_message,
)
from walletdesk.conversations.models import Conversation
from walletdesk.demo_history import seed_report_history
from walletdesk.followups.actions import record_transaction, save_programme
from walletdesk.kb.actions import import_articles
from walletdesk.labels.actions import add_conversation_label, add_label_rule, create_label
from walletdesk.macros.actions import create_canned_reply
from walletdesk.services import Services
from walletdesk.verification.actions import add_official_channel

OFFICIAL_CHANNELS = (
    ("domain", "https://demowallet.example", "website"),
    ("email", "support@demowallet.example", "support e-mail"),
    ("telegram", "@DemoWalletSupport", "Telegram support"),
    ("x", "@DemoWallet", "X"),
    ("phone", "+65 6123 4567", "hotline"),
)
DEMO_ARTICLES = Path(__file__).parent / "demo_content" / "articles.jsonl"


@dataclass(frozen=True)
class DemoLogin:
    email: str
    password: str
    role: Role
    name: str


DEMO_LOGINS = (
    DemoLogin("admin@demo.walletdesk.dev", "demo-owner-2026", Role.admin, "Ada"),
    DemoLogin("lead@demo.walletdesk.dev", "demo-supervisor-2026", Role.supervisor, "Li Na"),
    DemoLogin("mei@demo.walletdesk.dev", "demo-agent-2026", Role.agent, "Mei"),
    DemoLogin("sam@demo.walletdesk.dev", "demo-agent-2026", Role.agent, "Sam"),
    DemoLogin("partner@demo.walletdesk.dev", "demo-outsourced-2026", Role.outsourced,
              "Ravi"),
)

WEEKDAYS_9_TO_6 = {day: [["09:00", "18:00"]] for day in ("mon", "tue", "wed", "thu", "fri")}

HISTORY = (
    ("zh-CN", "林小姐", [
        "你好，我昨天转出的 USDT 到现在还没到账，交易显示 pending",
    ], ["您好，请提供一下交易哈希，我们帮您在链上查询。"], True),
    ("en-US", "Daniel", [
        "Hi, how do I add a custom token to my wallet?",
    ], ["Open the asset list, tap + and paste the token contract address. Always check the "
        "address on the project's official site first."], True),
    ("es-ES", "Lucía", ["Hola, ¿cómo cambio la red de mi billetera a Polygon?"], [], False),
    ("zh-CN", "王先生", [
        "我上周提现 2,000 USDT，手续费被扣了两次，我要投诉！",
    ], ["非常抱歉给您带来不便，我们已登记投诉并会尽快核查。"], False),
)
COMPLAINT_VISITOR = 3  # 王先生's conversation becomes a complaint in progress


async def seed_demo(services: Services) -> bool:
    """Create the demo data unless agents exist already. Returns True if it seeded."""
    async with services.transaction() as session:
        if await session.scalar(select(func.count()).select_from(Agent)):
            return False
        chinese = await create_team(session, None, name="中文客服 Chinese support",
                                     languages=["zh-Hans", "zh-Hant"], timezone="Asia/Shanghai",
                                     is_default=True)
        global_team = await create_team(session, None, name="Global support",
                                        languages=["en", "es"], timezone="UTC")
        await create_team(session, None, name="VIP desk (weekdays)", languages=["en", "zh-Hans"],
                          timezone="Asia/Singapore", weekly_hours=WEEKDAYS_9_TO_6,
                          holidays=["2026-12-25", "2027-01-01"])
        partner = await create_team(session, None, name="Peak partner (outsourced)",
                                    languages=["en", "zh-Hans"], is_outsourced=True)
        teams = {
            Role.admin: ([chinese.id, global_team.id], ["en", "zh-Hans"]),
            Role.supervisor: ([chinese.id, global_team.id], ["zh-Hans", "zh-Hant", "en"]),
        }
        for login in DEMO_LOGINS:
            team_ids, languages = teams.get(login.role, ([], []))
            if login.name == "Mei":  # in both: the README's "try it" works in zh and en
                team_ids, languages = [chinese.id, global_team.id], ["zh-Hans", "zh-Hant", "en"]
            elif login.name == "Sam":
                team_ids, languages = [global_team.id], ["en", "es"]
            elif login.role == Role.outsourced:
                team_ids, languages = [partner.id], ["en", "zh-Hans"]
            await create_agent(session, email=login.email, display_name=login.name,
                               password=login.password, role=login.role, languages=languages,
                               capacity=5, team_ids=team_ids)
        # stolen funds always go to a person
        session.add(BotConfig(id=1, enabled=True, sensitive_categories=["incident"],
                              sensitive_phrases=["被盗", "stolen", "hacked", "robado"]))
    await import_articles(services, DEMO_ARTICLES.read_text(encoding="utf-8").splitlines())
    admin = None
    async with services.read() as session:
        admin = await session.scalar(select(Agent).where(Agent.role == Role.admin))
        vip = await session.scalar(select(Team).where(Team.name == "VIP desk (weekdays)"))
    assert admin is not None and vip is not None
    await _seed_case_rules(services, admin, vip.id)
    for kind, value, label in OFFICIAL_CHANNELS:
        await add_official_channel(services, admin, kind=kind, value=value, label=label)
    async with services.read() as session:
        agents = {a.display_name: a for a in (await session.scalars(select(Agent))).all()}
    for index, (language, name, customer_lines, agent_lines, resolved) in enumerate(HISTORY):
        delivered = None
        for line in customer_lines:
            delivered = await receive_message(services, InboundMessage(
                channel="web", external_id=f"demo-visitor-{index}", text=line,
                customer_name=name, language=language, client_id=f"demo-{index}-{line[:8]}"))
        assert delivered is not None
        agent = agents["Mei" if language.startswith("zh") else "Sam"]
        for line in agent_lines:
            await send_message(services, agent, delivered.conversation.id, line)
        if resolved:
            await resolve_conversation(services, agent, delivered.conversation.id)
        if index == COMPLAINT_VISITOR:
            complaint = await open_complaint(services, agent, delivered.conversation.id,
                                             category="fees",
                                             summary="2,000 USDT withdrawal charged twice")
            await advance_complaint(services, agent, complaint.id, "investigating",
                                    summary="Two fee debits on one TRC-20 withdrawal")
            await advance_complaint(services, agent, complaint.id, "resolution_proposed",
                                    kind="refund", amount="1.5", asset="USDT",
                                    note="second network fee to be refunded")
    # the operator's backend reports a large withdrawal: a follow-up call for the agents
    await record_transaction(services, user_id="demo-user-7", transaction_id="demo-tx-1",
                             kind="withdrawal", amount=Decimal("25000"), asset="USDT",
                             phone="+6591234567", name="陈女士", language="zh-Hans")
    await _seed_labels_and_replies(services, admin)
    await seed_report_history(services)  # eight weeks of finished conversations, backdated
    return True


async def _seed_case_rules(services: Services, admin: Agent, vip_team_id: int) -> None:
    """SLA policies and follow-up programmes an operator would start with."""
    await save_sla_policy(services, admin, name="Standard", first_response_s=30 * 60,
                          resolution_s=24 * 3600)
    await save_sla_policy(services, admin, name="Scam reports", category="scam",
                          first_response_s=5 * 60, resolution_s=4 * 3600)
    await save_sla_policy(services, admin, name="Complaints", category="complaint",
                          first_response_s=15 * 60, resolution_s=48 * 3600,
                          escalate_team_id=vip_team_id)
    await save_programme(services, admin, name="Large withdrawals", trigger="transaction",
                         rule={"type": "withdrawal", "min_amount": "10000", "asset": "USDT"},
                         channel="sms", delay_s=0, window_s=3 * 86400)
    await save_programme(services, admin, name="After a complaint", trigger="complaint_resolved",
                         channel="in_app", delay_s=2 * 86400, window_s=5 * 86400)
    await save_programme(services, admin, name="New users, week one", trigger="cohort",
                         rule={"days_after_signup": 7}, channel="email", delay_s=0,
                         window_s=3 * 86400)


DEMO_LABELS = (  # name, colour, description
    ("Refund", "#cf222e", "money goes back to the customer"),
    ("Scam report", "#a40e26", "impersonation or phishing reported"),
    ("Pending transfer", "#bf8700", "a transfer not yet confirmed on chain"),
    ("Security", "#1a7f37", "recovery phrase, keys, account safety"),
    ("VIP", "#8250df", ""),
)
DEMO_LABEL_RULES = (("scam", "Scam report"), ("transfers", "Pending transfer"),
                    ("security", "Security"), ("incident", "Security"))
DEMO_REPLIES = (  # shortcut, title, scope, texts
    ("greeting", "Greeting", "everyone", {
        "zh-Hans": "{{customer_name}}您好，我是客服{{agent_name}}，很高兴为您服务。",
        "zh-Hant": "{{customer_name}}您好，我是客服{{agent_name}}，很高興為您服務。",
        "en": "Hi {{customer_name}}, this is {{agent_name}} from DemoWallet support. "
              "How can I help?",
        "es": "Hola {{customer_name}}, soy {{agent_name}} del soporte de DemoWallet. "
              "¿En qué te puedo ayudar?"}),
    ("tx-hash", "Ask for the transaction hash", "everyone", {
        "zh-Hans": "请提供这笔转账的交易哈希（TXID），我们帮您在链上查询。",
        "zh-Hant": "請提供這筆轉帳的交易哈希（TXID），我們幫您在鏈上查詢。",
        "en": "Could you send the transaction hash (TXID)? I'll check it on chain for you.",
        "es": "¿Me envías el hash de la transacción (TXID)? Lo reviso en la cadena por ti."}),
    ("never-share", "We never ask for your recovery phrase", "everyone", {
        "zh-Hans": "温馨提示：客服绝不会索要您的助记词或私钥，请勿向任何人透露。",
        "zh-Hant": "溫馨提示：客服絕不會索取您的助記詞或私鑰，請勿向任何人透露。",
        "en": "Please note: we will never ask for your recovery phrase or private keys. "
              "Never share them with anyone.",
        "es": "Recuerda: nunca te pediremos tu frase de recuperación ni tus claves privadas. "
              "No las compartas con nadie."}),
    ("followup", "We'll follow up", "team", {
        "zh-Hans": "我们已记录您的问题（工单号 {{conversation_id}}），处理后会第一时间通知您。",
        "zh-Hant": "我們已記錄您的問題（工單號 {{conversation_id}}），處理後會第一時間通知您。"}),
)


async def _seed_labels_and_replies(services: Services, admin: Agent) -> None:
    """Labels with their category rules, canned replies in the demo's languages (one for the
    Chinese team, one personal to Mei), and a label on the complaint in progress."""
    labels = {name: await create_label(services, admin, name=name, color=color,
                                       description=description)
              for name, color, description in DEMO_LABELS}
    for category, name in DEMO_LABEL_RULES:
        await add_label_rule(services, admin, category=category, label_id=labels[name].id)
    async with services.read() as session:
        chinese = await session.scalar(select(Team).where(Team.is_default))
        mei = await session.scalar(select(Agent).where(Agent.display_name == "Mei"))
        complaint = await session.scalar(select(Conversation.id).where(
            Conversation.category == "complaint"))
    for shortcut, title, scope, texts in DEMO_REPLIES:
        await create_canned_reply(services, admin, shortcut=shortcut, title=title, scope=scope,
                                  team_id=chinese.id if chinese and scope == "team" else None,
                                  texts=texts)
    if mei is not None:
        await create_canned_reply(services, mei, shortcut="thanks-mei", title="Thanks (Mei)",
                                  texts={"zh-Hans": "感谢您的耐心等待！祝您生活愉快。",
                                         "en": "Thanks for your patience! Have a great day."})
    if complaint is not None:
        await add_conversation_label(services, admin, complaint, labels["Refund"].id)
