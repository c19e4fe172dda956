"""Asking for a rating when a conversation is resolved, and recording the answer.

The customer is asked once per conversation, in the same channel (a rating card in the
widget). While a conversation is reopened its card waits: an answer is refused until it is
resolved again, and the same card (not a second one) asks then. An answer is accepted once,
from the conversation's own customer only; it credits the configured incentive points; a low
rating invites the customer to write again, which reopens the conversation.
"""

from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from walletdesk import i18n
from walletdesk.audit.actions import record_audit
from walletdesk.cases.models import Survey
from walletdesk.conversations.messages import append_message
from walletdesk.conversations.models import Conversation, SenderKind, Status
from walletdesk.customers.models import Customer
from walletdesk.db.base import utcnow
from walletdesk.errors import Conflict, Invalid, NotFound
from walletdesk.services import Services
from walletdesk.tokens import survey_from_token

LOW_RATING = 2


async def ask_for_rating(session: AsyncSession, conversation: Conversation) -> Survey | None:
    """Called when a conversation is resolved; nothing if it was asked before."""
    exists = await session.scalar(select(Survey.id).where(
        Survey.conversation_id == conversation.id))
    if exists is not None:
        return None
    survey = Survey(conversation_id=conversation.id, customer_id=conversation.customer_id,
                    agent_id=conversation.assignee_id, team_id=conversation.team_id,
                    channel=conversation.channel)
    session.add(survey)
    await session.flush()
    await append_message(session, conversation, sender_kind=SenderKind.system,
                         text=i18n.text("csat_ask", conversation.language),
                         meta={"kind": "csat", "survey_id": survey.id})
    return survey


async def submit_rating(services: Services, *, customer_id: int, survey_id: int, rating: object,
                        comment: object = "") -> Survey:
    if isinstance(rating, bool) or not isinstance(rating, int) or not 1 <= rating <= 5:
        raise Invalid("rating must be a whole number from 1 to 5")
    text = comment if isinstance(comment, str) else ""
    async with services.transaction() as session:
        survey = await session.get(Survey, survey_id, with_for_update=True)
        if survey is None or survey.customer_id != customer_id:
            raise NotFound("survey not found")
        if survey.rating is not None:
            raise Conflict("this conversation has been rated already")
        from walletdesk.safety.protect import protect_text

        survey.rating = rating
        survey.comment = protect_text(text.strip()).text[:2000] if text.strip() else ""
        survey.answered_at = utcnow()
        customer = await session.get(Customer, customer_id)
        assert customer is not None
        survey.points = services.settings.csat_points
        customer.points += survey.points
        if survey.conversation_id is None:  # a periodic survey (walletdesk.outreach)
            record_audit(session, actor_agent_id=None, action="survey.answer",
                         target_type="survey", target_id=survey.id, detail={"rating": rating})
            return survey
        conversation = await session.get(Conversation, survey.conversation_id)
        assert conversation is not None
        if conversation.is_open or (conversation.status == Status.resolved
                                    and conversation.resolved_at is None):
            # reopened since it asked: the rating is about the conversation as resolved
            raise Invalid("this conversation was reopened; you can rate it once it is "
                          "resolved again")
        key = "csat_low" if rating <= LOW_RATING else "csat_thanks"
        # "added to your account" only to someone with an account (a signed identity)
        if customer.verified_user_hash is None or not survey.points:
            key += "_anonymous"
        # the answer names its survey, so a reloaded widget shows the card as answered
        await append_message(session, conversation, sender_kind=SenderKind.system,
                             text=i18n.text(key, conversation.language,
                                            points=str(survey.points)),
                             meta={"kind": "csat_answer", "survey_id": survey.id,
                                   "rating": rating})
        # the agents see the score and the (protected) comment in the thread, live and after
        # a reload; internal, so never delivered to the customer
        note, note_meta = rating_note(rating, survey.comment)
        await append_message(session, conversation, sender_kind=SenderKind.system,
                             internal=True, text=note,
                             meta={"kind": "csat_rating", "survey_id": survey.id,
                                   "rating": rating, **note_meta})
        record_audit(session, actor_agent_id=None, action="survey.answer",
                     target_type="conversation", target_id=conversation.id,
                     detail={"rating": rating})
        return survey


def rating_note(rating: int, comment: str) -> tuple[str, dict[str, object]]:
    """The agents' note of an answer: "Customer rating: ★★★★☆ 4/5 — “comment”", and its
    meta for each agent's language (the comment only in the text: i18n.agent_note)."""
    return i18n.note("csat_rating", f"— “{comment}”" if comment else "",
                     stars="★" * rating + "☆" * (5 - rating), rating=rating)


async def survey_for_link(services: Services, token: str) -> tuple[Survey, str | None]:
    """The survey a rating link names, and the conversation's language; NotFound if the
    token was changed or the survey is gone."""
    survey_id = survey_from_token(services.settings, token)
    async with services.read() as session:
        survey = await session.get(Survey, survey_id) if survey_id is not None else None
        if survey is None:
            raise NotFound("this rating link is not valid")
        language = await session.scalar(select(Conversation.language).where(
            Conversation.id == survey.conversation_id)) if survey.conversation_id is not None \
            else await session.scalar(select(Customer.language).where(
                Customer.id == survey.customer_id))
        return survey, language


async def rate_by_link(services: Services, token: str, rating: object, comment: object = ""
                       ) -> Survey:
    """A rating sent from an email's link: the token stands for the customer."""
    survey, _ = await survey_for_link(services, token)
    return await submit_rating(services, customer_id=survey.customer_id, survey_id=survey.id,
                               rating=rating, comment=comment)


async def satisfaction_by(session: AsyncSession, column: str, since: datetime
                          ) -> dict[int | None, tuple[float, int]]:
    """Average rating and number of answers since ``since``, by agent_id or team_id."""
    key = Survey.agent_id if column == "agent" else Survey.team_id
    rows = await session.execute(
        select(key, func.avg(Survey.rating), func.count())
        .where(Survey.rating.is_not(None), Survey.answered_at >= since).group_by(key))
    return {group: (round(float(avg), 2), int(count)) for group, avg, count in rows.all()}
