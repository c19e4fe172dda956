"""The reports' answers, as Pydantic models: the JSON API returns them (and OpenAPI describes
them), the reports page renders them and the CSV exports flatten their tables."""

from datetime import date, datetime

from pydantic import BaseModel, Field


class Period(BaseModel):
    start: date
    end: date
    timezone: str


class Count(BaseModel):
    key: str = Field(description="the channel, category, language, reason … ('' = none)")
    count: int


class DayCount(BaseModel):
    day: date
    conversations: int
    messages: int


class HourCell(BaseModel):
    weekday: int = Field(description="0 = Monday … 6 = Sunday, local")
    hour: int = Field(description="0–23, local")
    conversations: int


class Volume(BaseModel):
    period: Period
    conversations: int
    messages: int = Field(description="public messages of customers, agents and the bot")
    customers: int
    new_customers: int = Field(description="customers whose first conversation ever is here")
    returning_customers: int
    by_day: list[DayCount]
    by_hour: list[HourCell] = Field(description="conversations by local weekday × hour")
    by_channel: list[Count]
    by_category: list[Count]
    by_language: list[Count]


class Durations(BaseModel):
    """Seconds; None when nothing was measured."""

    count: int
    median_s: float | None
    p90_s: float | None
    business_median_s: float | None
    business_p90_s: float | None


class Speed(BaseModel):
    period: Period
    first_response: Durations
    resolution: Durations
    handling: Durations
    sla_first_response_due: int = Field(description="conversations with a first-reply target")
    sla_first_response_breached: int
    sla_resolution_due: int
    sla_resolution_breached: int
    sla_first_response_attainment: float | None
    sla_resolution_attainment: float | None


class Outcome(BaseModel):
    period: Period
    conversations: int
    resolved: int
    resolution_rate: float | None
    ever_resolved: int = Field(description="conversations resolved at least once")
    reopened: int
    reopen_rate: float | None
    with_bot: int = Field(description="conversations the bot took part in")
    bot_contained: int = Field(description="resolved without any agent message")
    bot_containment_rate: float | None
    handed_off: int
    handoff_reasons: list[Count]


class RatingCount(BaseModel):
    rating: int
    count: int


class DayRating(BaseModel):
    day: date
    ratings: int
    average: float | None
    csat: float | None = Field(description="share of ratings 4 or 5")


class Comment(BaseModel):
    conversation_id: int | None  # None: a periodic survey's comment (walletdesk.outreach)
    rating: int
    comment: str
    agent: str
    channel: str
    answered_at: datetime | None
    link: str


class Satisfaction(BaseModel):
    period: Period
    asked: int
    ratings: int
    response_rate: float | None
    average: float | None
    csat: float | None = Field(description="share of ratings 4 or 5")
    distribution: list[RatingCount]
    by_day: list[DayRating]
    comments: list[Comment] = Field(description="written comments, lowest ratings first")


class AgentRow(BaseModel):
    agent_id: int | None
    agent: str
    handled: int = Field(description="conversations in the period now assigned to the agent")
    resolved: int
    replies: int = Field(description="public messages the agent wrote in them")
    first_response_median_s: float | None
    resolution_median_s: float | None
    ratings: int
    csat_average: float | None


class Agents(BaseModel):
    period: Period
    agents: list[AgentRow]


class ReasonRow(BaseModel):
    reason: str = Field(description="the reason's code: a category's where it has one (the "
                        "codes that name one reason, the category 'security' and the label "
                        "'Security', are one row)")
    source: str = Field(description="resolve | category | bot | label | none: where most of "
                        "its conversations' reason came from")
    count: int
    share: float | None
    sources: dict[str, int] = Field(default_factory=dict,
                                    description="its conversations per source, most first")


class Reasons(BaseModel):
    period: Period
    conversations: int
    reasons: list[ReasonRow]


class ProductRow(BaseModel):
    reason: str
    source: str
    count: int
    samples: list[str] = Field(description="customers' first messages (already protected)")
    links: list[str]


class Figure(BaseModel):
    """One headline number, this period and the one before."""

    key: str
    # counts (conversations, messages, new_customers) are whole numbers; rates and seconds not
    current: int | float | None
    previous: int | float | None
    change: int | float | None = Field(description="current − previous")


class Summary(BaseModel):
    period: Period
    previous_period: Period
    figures: list[Figure]
