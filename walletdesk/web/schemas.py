"""Request and response bodies of the REST API (/api/v1)."""

from datetime import datetime
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field

from walletdesk.accounts.models import Presence, Role

MAX_ROW_ID = 2_147_483_647
Id = Annotated[int, Field(ge=1, le=MAX_ROW_ID)]


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


class TeamIn(BaseModel):
    name: str = Field(min_length=1, max_length=80)
    is_outsourced: bool = False
    is_default: bool = False
    languages: list[str] = Field(default_factory=list, max_length=20)
    timezone: str = Field(default="UTC", max_length=64)
    weekly_hours: dict[str, list[list[str]]] | None = None
    holidays: list[str] = Field(default_factory=list, max_length=400)


class TeamUpdate(BaseModel):
    name: str | None = Field(default=None, min_length=1, max_length=80)
    is_outsourced: bool | None = None
    is_default: bool | None = None
    languages: list[str] | None = Field(default=None, max_length=20)
    timezone: str | None = Field(default=None, max_length=64)
    weekly_hours: dict[str, list[list[str]]] | None = None
    holidays: list[str] | None = Field(default=None, max_length=400)


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


class TokenIn(BaseModel):
    name: str = Field(min_length=1, max_length=80)


class TokenCreated(BaseModel):
    id: int
    name: str
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
