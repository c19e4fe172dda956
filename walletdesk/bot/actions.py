"""The bot's side of the message path: answer, suggest, or hand off to a person.

Called for a customer message in a conversation that is with the bot, after the message is
stored and published (the match runs outside the database transaction, off the event loop).
Every decision is written as a ``BotTurn``; a hand-off records its reason on the conversation
and routes it like any new conversation, so the agent gets it with the whole transcript.

Small talk (walletdesk.small_talk) is answered before anything is matched: a greeting
with a welcome that asks for the question, thanks, "ok" or "bye" with a short
acknowledgement. Neither is a failed turn nor a hand-off; only greetings with no question
``GREETINGS_BEFORE_PERSON`` times in a row go to a person. A greeting in front of a question
is taken off before the question is matched.

When it is unsure (decision "suggest") the bot asks "Do you mean A or B?": the close articles
(walletdesk.bot.choices) become buttons in the chat. A pick (``choose_article``) posts that
article's answer, as a direct answer would be, and turns the turn's outcome into
``answered_choice`` with the chosen slug; the customer's "solved", "not solved" or "talk to a
person" after it is recorded on the same turn (``helpful``), as for a direct answer.
"""

from datetime import timedelta
from typing import Any
from urllib.parse import quote

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from walletdesk import i18n
from walletdesk.audit.actions import record_audit
from walletdesk.bot.articles import current_articles
from walletdesk.bot.choices import CHOSEN, LIMIT, choice, picked_option
from walletdesk.bot.models import BotConfig, BotTurn
from walletdesk.bot.text import message_language
from walletdesk.chains import texts as chain_texts
from walletdesk.chains.detection import (
    MAX_PER_MESSAGE,
    candidates,
    detect,
    incomplete_hashes,
    network_hints,
)
from walletdesk.chains.networks import configured_chains, label_of
from walletdesk.chains.queries import waiting_for_network
from walletdesk.config import Settings
from walletdesk.conversations.closing import schedule_close
from walletdesk.conversations.messages import (
    append_message,
    emit_conversation_changed,
    lock_conversation,
)
from walletdesk.conversations.models import Conversation, Message, SenderKind, Status
from walletdesk.customer_context.bot_answers import answer_from_customer_context
from walletdesk.customers.email_code import ask_for_email, verification_step
from walletdesk.customers.language import follow_conversation_language
from walletdesk.db.base import utcnow
from walletdesk.errors import Conflict, Invalid, NotFound
from walletdesk.jobs.actions import schedule_job
from walletdesk.kb.models import Article
from walletdesk.kb.text import markdown_to_chat_text
from walletdesk.routing.actions import route_conversation
from walletdesk.safety.contact_claims import support_reached_out
from walletdesk.safety.lookalike import (
    Claims,
    Verdict,
    answered_alone,
    claims_to_check,
    defang,
)
from walletdesk.safety.protect import only_removed, placeholders_removed
from walletdesk.services import Services, emit
from walletdesk.small_talk import GREETING, SmallTalk, small_talk, without_greeting
from walletdesk.verification.account_questions import (
    CUSTODY_MODES,
    SELF_CUSTODY,
    mail_relay_configured,
    needs_verified_customer,
)
from walletdesk.verification.actions import check_claims

SUGGESTIONS = 3  # the articles a turn from before the choices offered (its first candidates)
CHAIN_LOOKUP = "chain_lookup"  # a turn whose answer is the transfer's lookup
NOT_LOOKED_UP = "chain_not_looked_up"  # a hash on a desk without chain endpoints: the article
LOOKUP_FALLBACK_JOB = "bot.lookup_fallback"  # walletdesk.bot.lookup_fallback
UNMATCHED = ("out_of_scope", "low_confidence")  # the hand-offs a lookup answers instead
SMALL_TALK = "small_talk"  # a turn's outcome for a greeting, thanks, "ok", "bye" (its kind: reason)
NO_QUESTION = "no_question"  # the hand-off after greetings with no question
GREETINGS_BEFORE_PERSON = 3  # greetings in a row, none with a question: a person takes over


async def handle_customer_message(services: Services, conversation_id: int, message_id: int,
                                  text: str) -> BotTurn | None:
    runtime = services.bot
    if runtime is None or not runtime.ready:
        async with services.transaction() as session:
            conversation = await lock_conversation(session, conversation_id)
            if conversation is not None and conversation.status == Status.bot:
                await hand_off(session, services, conversation, "bot_unavailable")
        return None
    if only_removed(text):
        return None  # a key or phrase and little else: the protect step's notice answered it
    if await verification_step(services, conversation_id, text):
        return None  # the e-mail address or the code of a verification under way
    talk = small_talk(text)
    if talk is not None:
        return await _answer_small_talk(services, conversation_id, message_id, text, talk)
    # "hi, my USDT hasn't arrived": the question is matched, without a removed secret's words
    question = without_greeting(placeholders_removed(text))
    typed = await _typed_pick(services, conversation_id, question)
    if typed is not None:
        return typed  # "2", "the first one": a pick of the options just offered
    if await answer_from_customer_context(services, conversation_id, message_id, question):
        return None  # the customer's own account, from the operator's context (issue 16)
    claims = claims_to_check(question)
    checked = await _checked_claims(services, claims, text)
    if checked:
        return await _answer_claims(services, conversation_id, message_id, text, claims.rest,
                                    checked)
    result = await runtime.match(question)
    settings = runtime.settings
    # the articles as they are now: an edit's words at once, a retired article never
    async with services.read() as session:
        current = await current_articles(session, [slug for slug, _ in result.candidates[:5]])
    matched = [(slug, score) for slug, score in result.candidates[:5] if slug in current]
    decision, reason, choices = choice(result.decision, result.reason, matched)
    if matched[:1] != result.candidates[:1] and decision in ("answer", "suggest"):
        decision, reason, choices = "handoff", "low_confidence", []  # its article was retired
    candidates = []
    for slug, score in matched:
        localized = runtime.localize(current[slug], result.language)
        candidates.append({"slug": slug, "score": round(float(score), 4),
                           "title": localized.title if localized else slug,
                           "category": current[slug].category})
    lowered = text.lower()
    if decision != "handoff" and (
            any(phrase in lowered for phrase in settings.sensitive_phrases)
            or (candidates and candidates[0]["category"] in settings.sensitive_categories)):
        decision, reason = "handoff", "sensitive_topic"
    if decision == "handoff" and reason in UNMATCHED:
        if await _lookup_answers(services, conversation_id, text):
            decision = CHAIN_LOOKUP
        elif detect(text).transactions:  # a transfer no endpoint of the desk can check: the
            reason = "chain_unsupported"  # agent's reason, not "outside the knowledge base"
    not_looked_up = not_looked_up_network(services.settings, text)
    pending = None
    if not_looked_up is not None and (decision == "suggest" or decision == "handoff" and reason
                                      in (*UNMATCHED, "chain_unsupported")):
        pending = await _pending_article(services)
        if pending is not None:  # what holds a transfer up, not "passing you to a person"
            decision, reason = NOT_LOOKED_UP, "chain_unsupported"

    async with services.transaction() as session:
        conversation = await lock_conversation(session, conversation_id)
        if conversation is None or conversation.status != Status.bot:
            return None  # a person took over meanwhile
        conversation.language = message_language(text, conversation.language)
        await follow_conversation_language(session, conversation)  # the lookup answers in it
        turn = BotTurn(conversation_id=conversation.id, message_id=message_id, query=text[:2000],
                       language=conversation.language or "en", candidates=candidates,
                       confidence=round(float(result.confidence), 4), outcome="", reason=reason)
        session.add(turn)
        await session.flush()
        if decision != CHAIN_LOOKUP and support_reached_out(question):
            # "support DMed me": the warning first, whatever the answer (a person may take a
            # while, and the impersonator is writing to them now)
            await append_message(session, conversation, sender_kind=SenderKind.bot,
                                 text=i18n.text("support_reached_out", conversation.language,
                                                brand=services.settings.brand_name),
                                 meta={"kind": "scam_warning", "turn_id": turn.id})
        if decision == "handoff" and reason == "empty":
            turn.outcome = "clarify"
            await append_message(session, conversation, sender_kind=SenderKind.bot,
                                 text=i18n.text("bot_empty", conversation.language),
                                 meta={"kind": "clarify", "turn_id": turn.id,
                                       "actions": ["human"]})
        elif decision == CHAIN_LOOKUP:
            turn.outcome = CHAIN_LOOKUP  # no message: the lookup answers it, or else a person
            await schedule_job(session, LOOKUP_FALLBACK_JOB,
                               {"conversation_id": conversation.id, "message_id": message_id},
                               due_at=utcnow() + timedelta(
                                   seconds=lookup_deadline_s(services.settings)),
                               dedupe_key=f"lookup-fallback:{message_id}")
        elif decision == "handoff" or (decision != "answer" and await _failures(
                session, conversation.id, turn.id) + 1 >= settings.max_failed_answers):
            turn.outcome = "handed_off"
            turn.reason = reason if decision == "handoff" else "repeated_failure"
            await hand_off(session, services, conversation, turn.reason)
        elif decision == NOT_LOOKED_UP and pending is not None:
            turn.outcome = "answered"
            turn.article_slug = pending.slug
            await _say_not_looked_up(session, conversation, turn, not_looked_up or "")
            await _answer(session, runtime, conversation, turn, pending)
        elif decision == "answer" and await needs_verified_customer(
                session, conversation, candidates[0]["slug"]):
            turn.article_slug = candidates[0]["slug"]
            await verify_first(session, services, conversation, turn)
        elif decision == "answer":
            turn.outcome = "answered"
            turn.article_slug = candidates[0]["slug"]
            if not_looked_up is not None:
                await _say_not_looked_up(session, conversation, turn, not_looked_up)
            await _answer(session, runtime, conversation, turn, current[turn.article_slug])
        else:
            turn.outcome = "suggested"
            # the buttons of "Do you mean A or B?", marked for choose_article's check
            turn.candidates = [{**c, "offered": True} if c["slug"] in choices else c
                               for c in candidates]
            await _offer_choice(session, runtime, conversation, turn, current)
        # what the bot matched, for listeners (walletdesk.labels.rules: category → label)
        emit(session, {"type": "bot.turn", "conversation_id": conversation.id,
                       "turn_id": turn.id, "outcome": turn.outcome, "reason": turn.reason,
                       "category": candidates[0]["category"] if candidates else None})
        return turn


def left_to_lookup(settings: Settings, text: str) -> bool:
    """Does the chain lookup answer this message (walletdesk.chains.listeners, after the bot)?
    It does for a transaction hash that one of the desk's chain endpoints can look up: with
    the transfer's status, by asking for the network, or by handing over itself when it cannot
    (an endpoint down). What the bot did not match is then the hash, not a question beyond
    the articles; handing off as well told the customer a person was coming just before the
    transfer's status answered them, and queued a case the answer may close."""
    configured = set(configured_chains(settings.chain_endpoints))
    if not configured:
        return False
    detection = detect(text)
    if not detection.transactions and incomplete_hashes(text):
        return True  # a hash cut short: the lookup asks for it again (not a person's question)
    return any(configured.intersection(candidates(found, detection.hints).chains)
               for found in detection.transactions[:MAX_PER_MESSAGE])


async def _lookup_answers(services: Services, conversation_id: int, text: str) -> bool:
    """``left_to_lookup``, or the network named for a hash the lookup asked about (its answer
    resumes that lookup: walletdesk.chains.actions.look_up_message)."""
    if left_to_lookup(services.settings, text):
        return True
    if not configured_chains(services.settings.chain_endpoints) or not network_hints(text):
        return False
    async with services.read() as session:
        return await waiting_for_network(session, conversation_id) is not None


def not_looked_up_network(settings: Settings, text: str) -> str | None:
    """For a message naming a transaction on a desk with no chain endpoint (the demo): the
    network the customer named ("TRC20": TRON (TRC-20)), "" when they named none; None when
    the message names no transaction or the desk looks transfers up (its lookup answers,
    also "unsupported" for a chain it has no endpoint for: walletdesk.chains.actions)."""
    if configured_chains(settings.chain_endpoints):
        return None
    detection = detect(text)
    if not detection.transactions:
        return None
    named = candidates(detection.transactions[0], detection.hints).claimed
    return label_of(named) if named else ""


async def _pending_article(services: Services) -> Article | None:
    """The article the chain lookup links with a pending transfer (WALLETDESK_CHAIN_ARTICLES
    "pending": transfer-pending in the demo), if it is current."""
    slug = services.settings.chain_articles.get("pending")
    if not slug:
        return None
    async with services.read() as session:
        return (await current_articles(session, [slug])).get(slug)


async def _say_not_looked_up(session: AsyncSession, conversation: Conversation, turn: BotTurn,
                             network: str) -> None:
    """Said plainly before the article: the desk cannot see this transfer on its chain."""
    language = conversation.language
    sentence = chain_texts.text("chain_not_looked_up", language, network=network) if network \
        else chain_texts.text("chain_not_looked_up_any", language)
    await append_message(session, conversation, sender_kind=SenderKind.bot, text=sentence,
                         meta={"kind": NOT_LOOKED_UP, "turn_id": turn.id, "actions": []})


def lookup_deadline_s(settings: Settings) -> float:
    """The longest a lookup of one message takes (a named network, then the others: each
    request up to its timeout, retried), and a margin: after it a message the bot left to its
    lookup and that got no lookup's answer goes to a person (walletdesk.bot.lookup_fallback)."""
    return 2 * settings.chain_timeout_s * (settings.chain_retries + 1) + 5


async def _checked_claims(services: Services, claims: Claims,
                          text: str) -> list[tuple[str, Verdict]]:
    """The links, handles, e-mails or numbers the customer asks about ("is @x official?") or
    pasted with nothing else (walletdesk.safety.lookalike.claims_to_check), with their
    verdicts; empty when the message is neither. A transfer's explorer link pasted alone is
    left to the chain lookup, and an e-mail address or number alone that is neither ours nor
    an imitation to the bot (likely the customer's own)."""
    if not claims.values or (not claims.asked and detect(text).transactions):
        return []
    verdicts = await check_claims(services, claims.values)
    return [(claim, verdict) for claim, verdict in zip(claims.values, verdicts, strict=True)
            if claims.asked or answered_alone(verdict)
            and (not claims.told or verdict.status == "lookalike")]


SEVERITY = ("invalid", "official", "not_official", "lookalike")  # a turn's reason: the worst


def waiting_for_person(conversation: Conversation) -> bool:
    """Handed to a person who has not answered yet (queued, or assigned but neither joined nor
    replied): only the official-channel check still answers then — a scammer may be
    talking to the customer while they wait."""
    return conversation.status in (Status.queued, Status.assigned) \
        and conversation.first_response_at is None and conversation.assignee_joined_at is None


async def check_channel_while_waiting(services: Services, conversation_id: int,
                                      message_id: int, text: str) -> BotTurn | None:
    """A message asking whether a channel is official ("is @x you?") while the customer waits
    for a person: the check's warning, as with the bot; an imitation of ours pasted or told
    of is warned about too; nothing else is answered."""
    if only_removed(text):
        return None
    claims = claims_to_check(without_greeting(text))
    checked = await _checked_claims(services, claims, text)
    if not claims.asked:
        checked = [(claim, verdict) for claim, verdict in checked
                   if verdict.status == "lookalike"]
    if not checked:
        return None
    return await _answer_claims(services, conversation_id, message_id, text, claims.rest,
                                checked, waiting=True)


async def _answer_claims(services: Services, conversation_id: int, message_id: int, text: str,
                         words: str, checked: list[tuple[str, Verdict]],
                         waiting: bool = False) -> BotTurn | None:
    """"Is @DemoWallet_Support official?", or the link alone — the official-channel check, in
    the chat: a reply per claim (several name theirs, an imitation defanged), the turn's
    reason the worst verdict. The language is the message's ``words`` around the links (a
    link's "support" or "help" read as English), the conversation's when there are none.
    ``waiting``: also while the customer waits for a person (waiting_for_person), without
    the "talk to a person" button (they already asked)."""
    async with services.transaction() as session:
        conversation = await lock_conversation(session, conversation_id)
        if conversation is None or not (conversation.status == Status.bot or
                                        waiting and waiting_for_person(conversation)):
            return None
        conversation.language = message_language(words, conversation.language)
        await follow_conversation_language(session, conversation)
        worst = max((verdict.status for _, verdict in checked), key=SEVERITY.index)
        turn = BotTurn(conversation_id=conversation.id, message_id=message_id, query=text[:2000],
                       language=conversation.language or "en", candidates=[], confidence=1.0,
                       outcome="verified", reason=worst)
        session.add(turn)
        await session.flush()
        for index, (claim, verdict) in enumerate(checked):
            reply = i18n.verdict_text(verdict.status, conversation.language,
                                      services.settings.brand_name,
                                      verdict.channel.value if verdict.channel else "")
            if len(checked) > 1:
                named = claim if verdict.status == "official" or verdict.kind == "phone" \
                    else defang(claim)
                reply = i18n.text("verify_which", conversation.language, value=named,
                                  verdict=reply)
            last = index == len(checked) - 1
            await append_message(
                session, conversation, sender_kind=SenderKind.bot, text=reply,
                meta={"kind": "verification", "turn_id": turn.id, "status": verdict.status,
                      "actions": ["human"] if last and not waiting else [],
                      "article": {"slug": "", "title": "/verify", "url":
                                  f"/verify?value={quote(claim, safe='')}"
                                  f"&lang={quote(conversation.language or 'en', safe='')}"}})
        return turn


async def _answer_small_talk(services: Services, conversation_id: int, message_id: int,
                             text: str, talk: SmallTalk) -> BotTurn | None:
    """A greeting gets a welcome that asks for the question (and offers a person); thanks,
    "ok" or "bye" a short acknowledgement. After the bot's "solved" the conversation is
    resolved again: a "thanks" to it reopened it only to say thanks. Greetings with no
    question ``GREETINGS_BEFORE_PERSON`` times in a row: a person takes over."""
    async with services.transaction() as session:
        conversation = await lock_conversation(session, conversation_id)
        if conversation is None or conversation.status != Status.bot:
            return None
        conversation.language = talk.language(text, conversation.language, message_language)
        await follow_conversation_language(session, conversation)
        turn = BotTurn(conversation_id=conversation.id, message_id=message_id, query=text[:2000],
                       language=conversation.language or "en", candidates=[], confidence=1.0,
                       outcome=SMALL_TALK, reason=talk.kind)
        session.add(turn)
        await session.flush()
        if talk.kind == GREETING and await _greetings_in_a_row(
                session, conversation.id, turn.id) + 1 >= GREETINGS_BEFORE_PERSON:
            turn.outcome, turn.reason = "handed_off", NO_QUESTION
            await hand_off(session, services, conversation, turn.reason)
        else:
            was_resolved = talk.kind != GREETING and await _reopened_by(session, conversation,
                                                                        message_id)
            await append_message(session, conversation, sender_kind=SenderKind.bot,
                                 text=talk.reply(conversation.language),
                                 meta={"kind": SMALL_TALK, "turn_id": turn.id,
                                       "actions": ["human"] if talk.kind == GREETING else []})
            if was_resolved:
                conversation.status = Status.resolved
                conversation.resolved_at = utcnow()
                await schedule_close(session, services.settings, conversation)
                emit_conversation_changed(session, conversation)
        emit(session, {"type": "bot.turn", "conversation_id": conversation.id,
                       "turn_id": turn.id, "outcome": turn.outcome, "reason": turn.reason,
                       "category": None})
        return turn


async def _greetings_in_a_row(session: AsyncSession, conversation_id: int,
                              before_turn_id: int) -> int:
    """The bot's turns just before this one that were greetings (no question since)."""
    turns = (await session.execute(
        select(BotTurn.outcome, BotTurn.reason).where(BotTurn.conversation_id == conversation_id,
                                                      BotTurn.id < before_turn_id)
        .order_by(BotTurn.id.desc()).limit(GREETINGS_BEFORE_PERSON))).all()
    count = 0
    for outcome, reason in turns:
        if outcome != SMALL_TALK or reason != GREETING:
            break
        count += 1
    return count


async def _reopened_by(session: AsyncSession, conversation: Conversation,
                       message_id: int) -> bool:
    """Whether the bot had resolved the conversation ("solved") right before this message."""
    message = await session.get(Message, message_id)
    if message is None:
        return False
    before = await session.scalar(
        select(Message.meta).where(Message.conversation_id == conversation.id,
                                   Message.seq < message.seq)
        .order_by(Message.seq.desc()).limit(1))
    return isinstance(before, dict) and before.get("kind") == "resolved"


def _link(slug: str, title: str, language: str | None) -> dict[str, str]:
    return {"slug": slug, "title": title, "url": f"/help/articles/{slug}?lang={language or 'en'}"}


async def _answer(session: AsyncSession, runtime: Any, conversation: Conversation,
                  turn: BotTurn, article: Article, **meta: Any) -> None:
    """The article's answer in the chat: its current text (walletdesk.bot.articles), in the
    conversation's language."""
    localized = runtime.localize(article, conversation.language or "en")
    body = (markdown_to_chat_text(localized.body) if localized and localized.body
            else localized.title if localized else "")
    await append_message(
        session, conversation, sender_kind=SenderKind.bot, text=body,
        meta={"kind": "answer", "turn_id": turn.id, "actions": ["solved", "human"],
              "article": _link(turn.article_slug or "", localized.title if localized else "",
                               conversation.language), **meta})


async def _typed_pick(services: Services, conversation_id: int, text: str) -> BotTurn | None:
    """The customer typed which option they mean ("2", "the first one", "第二个") right
    after the bot offered a choice: as pressing its button (choose_article). None when the
    message is no such pick, or the bot's last turn offered no open choice."""
    if picked_option(text, LIMIT) is None:
        return None  # no pick of any choice (most messages): nothing to read
    async with services.read() as session:
        turn = await session.scalar(select(BotTurn).where(
            BotTurn.conversation_id == conversation_id).order_by(BotTurn.id.desc()).limit(1))
        conversation = await session.get(Conversation, conversation_id)
    if turn is None or conversation is None or turn.outcome != "suggested" \
            or turn.helpful is not None:
        return None
    slugs = offered_slugs(turn)
    option = picked_option(text, len(slugs))
    if option is None:
        return None
    try:
        return await choose_article(services, conversation_id, conversation.customer_id,
                                    turn.id, slugs[option])
    except (Invalid, NotFound, Conflict):
        return None  # picked meanwhile, or the article is gone: read as a question


def offered_slugs(turn: BotTurn) -> list[str]:
    """The articles a suggested turn offered, best first (a turn from before the choices:
    its first SUGGESTIONS candidates, which its message listed)."""
    candidates = [c for c in turn.candidates or [] if isinstance(c, dict) and c.get("slug")]
    if any(c.get("offered") for c in candidates):
        return [str(c["slug"]) for c in candidates if c.get("offered")]
    return [str(c["slug"]) for c in candidates[:SUGGESTIONS]]


async def _offer_choice(session: AsyncSession, runtime: Any, conversation: Conversation,
                        turn: BotTurn, current: dict[str, Article]) -> None:
    """"Do you mean A or B?": the offered articles as buttons (the widget), each with its
    link to the help centre; "None of these" and "Talk to a person" beside them."""
    language = conversation.language
    titles = {str(c["slug"]): str(c.get("title") or c["slug"]) for c in turn.candidates}
    articles = []
    for slug in offered_slugs(turn):
        article = current.get(slug)  # the conversation's language, the current title
        localized = runtime.localize(article, language or "en") if article else None
        articles.append(_link(slug, localized.title if localized else titles[slug], language))
    if len(articles) == 2:  # never one: walletdesk.bot.choices.choice
        text = i18n.text("bot_choose_two", language, first=articles[0]["title"],
                         second=articles[1]["title"])
    else:
        text = i18n.text("bot_suggest", language)
    await append_message(session, conversation, sender_kind=SenderKind.bot, text=text,
                         meta={"kind": "suggestions", "turn_id": turn.id, "choice": True,
                               "actions": ["not_solved", "human"], "articles": articles})


async def choose_article(services: Services, conversation_id: int, customer_id: int,
                         turn_id: int, slug: str) -> BotTurn:
    """The customer picked one of a suggested turn's articles: its answer, in the chat.

    Only the conversation's own customer, only an article that turn offered, once, and only
    while the bot has the conversation; anything else raises and changes nothing."""
    if not isinstance(slug, str) or not slug or len(slug) > 120:
        raise Invalid("slug must name one of the offered articles")
    async with services.transaction() as session:
        conversation = await lock_conversation(session, conversation_id)
        if conversation is None or conversation.customer_id != customer_id:
            raise NotFound("conversation not found")
        turn = await session.get(BotTurn, turn_id)
        if turn is None or turn.conversation_id != conversation.id:
            raise NotFound("bot turn not found")
        if turn.outcome == CHOSEN:
            raise Conflict("an article was already chosen for this question")
        if turn.outcome != "suggested":
            raise Invalid("this bot turn offered no choice")
        if slug not in offered_slugs(turn):
            raise Invalid("that article was not offered for this question")
        if turn.helpful is not None:
            raise Conflict("this question was already answered with None of these or "
                           "Talk to a person")
        if conversation.status != Status.bot:
            raise Conflict("the conversation is with a person now: write to them here")
        runtime = services.bot
        article = (await current_articles(session, [slug])).get(slug)
        if runtime is None or article is None:
            raise NotFound("that article is no longer available; talk to a person")
        category = next((c.get("category") for c in turn.candidates if c.get("slug") == slug),
                        None)
        turn.article_slug = slug
        # picked or typed, the same rules as an answer: a topic for people goes to them, an
        # answer about the customer's own account waits for who they are
        if category in runtime.settings.sensitive_categories:
            turn.outcome, turn.reason = "handed_off", "sensitive_topic"
            await hand_off(session, services, conversation, turn.reason)
        elif await needs_verified_customer(session, conversation, slug):
            await verify_first(session, services, conversation, turn)
        else:
            turn.outcome = CHOSEN
            await _answer(session, runtime, conversation, turn, article, choice=slug)
        emit(session, {"type": "bot.turn", "conversation_id": conversation.id,
                       "turn_id": turn.id, "outcome": turn.outcome, "reason": turn.reason,
                       "category": category or None})
        return turn


async def verify_first(session: AsyncSession, services: Services, conversation: Conversation,
                       turn: BotTurn) -> None:
    """An answer that needs the customer's own account: the e-mail proved first (a one-time
    code), or, with no mail relay to send a code, a person checks who they are."""
    if mail_relay_configured(services.settings):
        turn.outcome = "verify_email"
        await ask_for_email(session, services, conversation, turn.id)
    else:
        turn.outcome, turn.reason = "handed_off", "account_question"
        await hand_off(session, services, conversation, turn.reason, text_key="verify_by_person")


async def _failures(session: AsyncSession, conversation_id: int, before_turn_id: int) -> int:
    """Unsuccessful bot turns in a row, most recent first, before this one."""
    turns = (await session.scalars(
        select(BotTurn).where(BotTurn.conversation_id == conversation_id,
                              BotTurn.id < before_turn_id)
        .order_by(BotTurn.id.desc()).limit(10))).all()
    count = 0
    for turn in turns:
        if turn.outcome == SMALL_TALK:
            continue  # "thanks", "hi": neither a failure nor a success
        if turn.outcome in ("suggested", "clarify") or turn.helpful is False:
            count += 1
        else:
            break
    return count


async def hand_off(session: AsyncSession, services: Services, conversation: Conversation,
                   reason: str, text_key: str | None = "bot_handoff") -> None:
    """Route the conversation to people; ``text_key``: what the customer is told (None when
    the caller told them already)."""
    conversation.handoff_reason = reason
    if text_key is not None:
        await append_message(session, conversation, sender_kind=SenderKind.bot,
                             text=i18n.text(text_key, conversation.language))
    await route_conversation(session, services.settings, conversation)


async def customer_feedback(services: Services, conversation_id: int, customer_id: int,
                            turn_id: int | None, action: str, slug: str | None = None) -> None:
    """The widget's buttons: "solved", "not_solved" or "human" (talk to a person), and
    "choose" with the ``slug`` of an offered article (``choose_article``)."""
    if action == "choose":
        if turn_id is None:
            raise Invalid("choose needs the turn_id of the question")
        await choose_article(services, conversation_id, customer_id, turn_id, slug or "")
        return
    if action not in ("solved", "not_solved", "human"):
        raise Invalid("action must be solved, not_solved, human or choose")
    async with services.transaction() as session:
        conversation = await lock_conversation(session, conversation_id)
        if conversation is None or conversation.customer_id != customer_id:
            raise NotFound("conversation not found")
        turn = None
        if turn_id is not None:
            turn = await session.get(BotTurn, turn_id)
            if turn is None or turn.conversation_id != conversation.id:
                raise NotFound("bot turn not found")
            if turn.helpful is None and action != "human":
                turn.helpful = action == "solved"
        if conversation.status != Status.bot:
            return  # already with a person (or resolved): the buttons are stale
        if action == "human":
            if turn is not None and turn.helpful is None:
                turn.helpful = False
            await hand_off(session, services, conversation, "asked_for_human")
        elif action == "solved":
            await append_message(session, conversation, sender_kind=SenderKind.bot,
                                 text=i18n.text("bot_solved", conversation.language),
                                 meta={"kind": "resolved"})  # reports count reopens from it
            conversation.status = Status.resolved
            conversation.resolved_at = utcnow()
            await schedule_close(session, services.settings, conversation)
            emit_conversation_changed(session, conversation)
        else:
            failures = await _failures(session, conversation.id, (turn.id + 1) if turn else 0)
            runtime = services.bot
            limit = runtime.settings.max_failed_answers if runtime else 2
            if failures >= limit:
                await hand_off(session, services, conversation, "repeated_failure")
            else:
                await append_message(session, conversation, sender_kind=SenderKind.bot,
                                     text=i18n.text("bot_rephrase", conversation.language),
                                     meta={"kind": "clarify", "actions": ["human"]})


async def update_bot_config(services: Services, actor: Any, *, enabled: bool,
                            sensitive_categories: list[str], sensitive_phrases: list[str],
                            max_failed_answers: int, custody: str | None = None,
                            account_articles: list[str] | None = None) -> BotConfig:
    """Admins switch the bot on or off, say which topics always go to a person, whether
    customers hold accounts with the operator (``custody``) and which articles need the
    customer's own account data (``account_articles``, slugs; None leaves them as they are)."""
    if not 1 <= max_failed_answers <= 10:
        raise Invalid("failed answers before a hand-off: between 1 and 10")
    if custody is not None and custody not in CUSTODY_MODES:
        raise Invalid("custody must be one of {choices}", choices=", ".join(CUSTODY_MODES))
    async with services.transaction() as session:
        config = await session.get(BotConfig, 1)
        before = _audited_settings(config) if config is not None else {}
        if config is None:
            config = BotConfig(id=1, custody=SELF_CUSTODY)
            session.add(config)
        config.enabled = enabled
        config.sensitive_categories = sorted({c.strip() for c in sensitive_categories
                                              if c.strip()})[:100]
        config.sensitive_phrases = sorted({p.strip() for p in sensitive_phrases
                                           if p.strip()})[:200]
        config.max_failed_answers = max_failed_answers
        if custody is not None:
            config.custody = custody
        config.updated_at = utcnow()
        after = _audited_settings(config)
        # every setting as saved, and what changed (before → after): who changed the
        # hand-off phrases, and from what, is in the audit log
        detail: dict[str, Any] = {**after, "changed": {
            key: [before.get(key), value] for key, value in after.items()
            if before.get(key) != value}}
        if account_articles is not None:
            detail["account_articles"] = await _flag_account_articles(session,
                                                                      set(account_articles))
        record_audit(session, actor_agent_id=actor.id, action="bot.config", target_type="bot",
                     target_id=1, detail=detail)
        emit(session, {"type": "bot.config_changed"})
        return config


def _audited_settings(config: BotConfig) -> dict[str, Any]:
    """The bot settings an admin saves, as the audit log records them."""
    return {"enabled": bool(config.enabled), "categories": list(config.sensitive_categories or []),
            "phrases": list(config.sensitive_phrases or []),
            "max_failed_answers": config.max_failed_answers, "custody": config.custody}


async def _flag_account_articles(session: AsyncSession, slugs: set[str]) -> dict[str, list[str]]:
    """Flag exactly these articles as needing the customer's account; what changed."""
    changed: dict[str, list[str]] = {"flagged": [], "unflagged": []}
    for article in (await session.scalars(select(Article).order_by(Article.slug))).all():
        wanted = article.slug in slugs
        if article.needs_account != wanted:
            article.needs_account = wanted
            changed["flagged" if wanted else "unflagged"].append(article.slug)
    return changed
