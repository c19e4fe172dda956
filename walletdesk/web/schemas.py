"""Request and response bodies of the REST API (/api/v1)."""

from datetime import datetime
from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from walletdesk.accounts.models import Presence, Role

MAX_ROW_ID = 2_147_483_647
Id = Annotated[int, Field(ge=1, le=MAX_ROW_ID)]


def row_id(value: object) -> int | None:
    """A row id typed into a form field ("42"), or None if it is not one (an integer column
    is 32 bits on PostgreSQL: a larger number would fail in the database)."""
    text = str(value).strip()
    if not (text.isascii() and text.isdigit()) or len(text) > len(str(MAX_ROW_ID)):
        return None
    number = int(text)
    return number if 1 <= number <= MAX_ROW_ID else None


class AgentOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    email: str
    display_name: str
    role: Role
    languages: list[str]
    capacity: int
    presence: Presence
    is_active: bool
    team_ids: list[int]


class AgentCreate(BaseModel):
    email: str = Field(max_length=254)
    display_name: str = Field(min_length=1, max_length=80)
    password: str = Field(min_length=10, max_length=1024)
    role: Role = Role.agent
    languages: list[str] = Field(default_factory=list, max_length=20)
    capacity: int = Field(default=5, ge=0, le=100)
    team_ids: list[Id] = Field(default_factory=list, max_length=50)


class AgentUpdate(BaseModel):
    display_name: str | None = Field(default=None, min_length=1, max_length=80)
    password: str | None = Field(default=None, min_length=10, max_length=1024)
    role: Role | None = None
    languages: list[str] | None = Field(default=None, max_length=20)
    capacity: int | None = Field(default=None, ge=0, le=100)
    team_ids: list[Id] | None = Field(default=None, max_length=50)
    is_active: bool | None = None


class TeamOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    name: str
    is_outsourced: bool
    is_default: bool
    languages: list[str]
    timezone: str
    weekly_hours: dict[str, list[list[str]]]
    holidays: list[str]
    requires_two_factor: bool = False


class TeamIn(BaseModel):
    name: str = Field(min_length=1, max_length=80)
    is_outsourced: bool = False
    is_default: bool = False
    languages: list[str] = Field(default_factory=list, max_length=20)
    timezone: str = Field(default="UTC", max_length=64)
    weekly_hours: dict[str, list[list[str]]] | None = None
    holidays: list[str] = Field(default_factory=list, max_length=400)
    requires_two_factor: bool = False


class TeamUpdate(BaseModel):
    name: str | None = Field(default=None, min_length=1, max_length=80)
    is_outsourced: bool | None = None
    is_default: bool | None = None
    languages: list[str] | None = Field(default=None, max_length=20)
    timezone: str | None = Field(default=None, max_length=64)
    weekly_hours: dict[str, list[list[str]]] | None = None
    holidays: list[str] | None = Field(default=None, max_length=400)
    requires_two_factor: bool | None = Field(
        default=None, description="members sign in with a second factor (only admins turn it off)")


class PresenceIn(BaseModel):
    presence: Presence


class MessageIn(BaseModel):
    text: str = Field(min_length=1, max_length=20000)
    client_id: str | None = Field(default=None, min_length=1, max_length=64)
    internal: bool = False


class InboundIn(BaseModel):
    """A customer message posted by an integration (the "api" channel)."""

    external_id: str = Field(min_length=1, max_length=255)
    text: str = Field(min_length=1, max_length=20000)
    client_id: str | None = Field(default=None, min_length=1, max_length=64)
    customer_name: str | None = Field(default=None, max_length=120)
    language: str | None = Field(default=None, max_length=16)


class AssignIn(BaseModel):
    agent_id: Id | None = None
    team_id: Id | None = None


class ResolveIn(BaseModel):
    contact_reason: str | None = Field(default=None, max_length=80,
                                       description="why the customer wrote, optional")


class TokenIn(BaseModel):
    name: str = Field(min_length=1, max_length=80)
    scope: Literal["read", "write", "metrics"] = Field(
        default="write", description="read: GET requests only; write: what your role allows; "
        "metrics: /metrics only (admins)")


class TokenCreated(BaseModel):
    id: int
    name: str
    scope: str
    token: str = Field(description="Shown once; only its hash is stored")


class CustomerOut(BaseModel):
    id: int
    display_name: str
    email: str | None
    language: str | None
    created_at: datetime
    verified_user_id: str | None = None
    identities: list[dict[str, str]]


class OfficialChannelIn(BaseModel):
    kind: str = Field(description="domain, email, phone, telegram, x, discord, wechat, app_store")
    value: str = Field(min_length=1, max_length=300)
    label: str = Field(default="", max_length=120)


Json = dict[str, Any]


class SlaPolicyIn(BaseModel):
    name: str = Field(min_length=1, max_length=80)
    first_response_s: int = Field(ge=60, le=90 * 86400, description="first reply due, seconds")
    resolution_s: int = Field(ge=60, le=365 * 86400, description="resolution due, seconds")
    priority: int | None = Field(default=None, ge=0, le=3, description="None: any priority")
    channel: str | None = Field(default=None, max_length=20)
    category: str | None = Field(default=None, max_length=40)
    warn_at_ratio: float = Field(default=0.8, gt=0, lt=1)
    escalate_priority: bool = True
    escalate_team_id: int | None = Field(default=None, ge=1, le=2**31 - 1)
    active: bool = True


class SlaPolicyOut(SlaPolicyIn):
    model_config = ConfigDict(from_attributes=True)

    id: int


class TransactionEventIn(BaseModel):
    """A transaction on the operator's platform, reported by its backend."""

    user_id: str = Field(min_length=1, max_length=120, description="the operator's user id")
    transaction_id: str = Field(min_length=1, max_length=100)
    type: str = Field(min_length=1, max_length=40, description="withdrawal, deposit, swap …")
    amount: Decimal = Field(ge=0, max_digits=28, decimal_places=8)
    asset: str = Field(min_length=1, max_length=20, pattern=r"^[A-Za-z0-9.\-]+$")
    email: str | None = Field(default=None, max_length=254)
    phone: str | None = Field(default=None, max_length=32, description="E.164, e.g. +85291234567")
    name: str | None = Field(default=None, max_length=120)
    language: str | None = Field(default=None, max_length=16)


class CallIn(BaseModel):
    outcome: Literal["reached", "no_answer", "declined", "wrong_number"]
    satisfaction: int | None = Field(default=None, ge=1, le=5)
    notes: str = Field(default="", max_length=2000)
    new_case: str | None = Field(default=None, max_length=4000)


class ProgrammeIn(BaseModel):
    name: str = Field(min_length=1, max_length=80)
    trigger: Literal["transaction", "complaint_resolved", "cohort"]
    rule: dict[str, Any] = Field(default_factory=dict)
    channel: Literal["email", "sms", "in_app"] = "email"
    delay_s: int = Field(default=86400, ge=0, le=90 * 86400)
    window_s: int = Field(default=3 * 86400, ge=3600, le=60 * 86400)
    max_attempts: int = Field(default=3, ge=1, le=10)
    active: bool = True


class ProgrammeOut(ProgrammeIn):
    model_config = ConfigDict(from_attributes=True)

    id: int


class FollowUpOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    programme_id: int
    customer_id: int
    reason: str
    status: str
    due_from: datetime
    due_until: datetime
    slot_at: datetime | None
    next_call_at: datetime | None
    attempts: int
    outcome: str | None
    satisfaction: int | None
    conversation_id: int | None


class ComplaintIn(BaseModel):
    category: str = Field(min_length=1, max_length=40)
    summary: str = Field(min_length=1, max_length=5000)


class ComplaintStageIn(BaseModel):
    """The next stage and its fields (docs/cases.md, Complaints)."""

    stage: Literal["investigating", "resolution_proposed", "approved", "customer_notified",
                   "followed_up", "closed"]
    owner_agent_id: int | None = Field(default=None, ge=1, le=MAX_ROW_ID)
    summary: str | None = Field(default=None, max_length=5000)
    kind: Literal["refund", "compensation", "explanation"] | None = None
    amount: Decimal | None = Field(default=None, gt=0, max_digits=20, decimal_places=8)
    asset: str | None = Field(default=None, max_length=20)
    note: str | None = Field(default=None, max_length=5000)
    reason: str | None = Field(default=None, max_length=500)


class ComplaintOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    conversation_id: int
    customer_id: int
    stage: str
    category: str
    summary: str
    owner_agent_id: int | None
    resolution_kind: str | None
    amount: Decimal | None
    asset: str | None
    proposed_by_agent_id: int | None
    approved_by_agent_id: int | None
    opened_at: datetime
    stage_changed_at: datetime
    closed_at: datetime | None
    close_reason: str | None
