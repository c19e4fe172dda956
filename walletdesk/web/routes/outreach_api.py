"""/api/v1/outreach: segments, campaigns and their figures (supervisors and admins), and a
customer's outreach preferences (the operator's own staff and backend)."""

from datetime import datetime
from typing import Any, Literal

from fastapi import APIRouter, status
from pydantic import BaseModel, ConfigDict, Field

from walletdesk.db.base import utcnow
from walletdesk.outreach import actions, queries
from walletdesk.outreach.segments import preview
from walletdesk.web.deps import ApiManager, ApiStaff, RowId, ServicesDep

router = APIRouter(prefix="/api/v1/outreach", tags=["outreach"])


class SegmentIn(BaseModel):
    name: str = Field(min_length=1, max_length=80)
    rule: dict[str, Any] = Field(default_factory=dict, description=(
        "reason, days, languages, verified, channels, label, active_days (docs/outreach.md)"))


class SegmentOut(SegmentIn):
    model_config = ConfigDict(from_attributes=True)

    id: int
    created_at: datetime
    updated_at: datetime


class SampleOut(BaseModel):
    id: int
    name: str
    email: str | None
    phone: str | None
    language: str | None
    verified: bool


class PreviewOut(BaseModel):
    count: int
    sample: list[SampleOut]


class CampaignIn(BaseModel):
    name: str = Field(min_length=1, max_length=80)
    kind: Literal["message", "safety_tip", "survey"] = "message"
    channel: Literal["in_app", "email", "sms"] = "in_app"
    segment_id: int | None = None
    texts: dict[str, str] = Field(default_factory=dict, description="text per locale")
    subjects: dict[str, str] = Field(default_factory=dict, description="e-mail subject per locale")
    repeat_days: int | None = Field(default=None, ge=1, le=365)
    sample_percent: float | None = Field(default=None, gt=0, le=100)
    sample_size: int | None = Field(default=None, ge=1, le=100_000)
    active_days: int = Field(default=30, ge=1, le=365)


class FiguresOut(BaseModel):
    targeted: int
    sent: int
    delivered: int
    failed: int
    pending: int
    skipped_cap: int
    skipped_opt_out: int
    skipped_no_address: int
    cancelled: int
    deferred_quiet_hours: int
    opened: int
    answered: int


class CampaignOut(CampaignIn):
    model_config = ConfigDict(from_attributes=True)

    id: int
    status: str
    runs: int
    next_run_at: datetime | None
    last_run_at: datetime | None
    figures: FiguresOut | None = None


class LaunchIn(BaseModel):
    at: datetime | None = Field(default=None, description="when; now if left out")


class PreferencesIn(BaseModel):
    opted_out: bool | None = None
    timezone: str | None = Field(default=None, max_length=64, description="IANA, e.g. Asia/Shanghai")


class PreferencesOut(BaseModel):
    customer_id: int
    timezone: str | None
    opted_out: bool
    opted_out_at: datetime | None
    opted_out_via: str | None


@router.get("/segments", response_model=list[SegmentOut])
async def list_segments(manager: ApiManager, services: ServicesDep) -> Any:
    async with services.read() as session:
        return await queries.list_segments(session)


@router.post("/segments", response_model=SegmentOut, status_code=status.HTTP_201_CREATED)
async def create_segment(body: SegmentIn, manager: ApiManager, services: ServicesDep) -> Any:
    return await actions.save_segment(services, manager, name=body.name, rule=body.rule)


@router.put("/segments/{segment_id}", response_model=SegmentOut)
async def update_segment(segment_id: RowId, body: SegmentIn, manager: ApiManager,
                         services: ServicesDep) -> Any:
    return await actions.save_segment(services, manager, segment_id, name=body.name,
                                      rule=body.rule)


@router.get("/segments/{segment_id}/preview", response_model=PreviewOut)
async def preview_segment(segment_id: RowId, manager: ApiManager, services: ServicesDep) -> Any:
    """How many customers the segment means now, and a few of them, masked."""
    async with services.read() as session:
        segment = await queries.get_segment(session, segment_id)
        return await preview(session, segment.rule, utcnow())


async def _with_figures(services: Any, campaign: Any) -> CampaignOut:
    out = CampaignOut.model_validate(campaign)
    out.figures = FiguresOut(**(await queries.campaign_figures(services, campaign.id)).as_dict())
    return out


@router.get("/campaigns", response_model=list[CampaignOut])
async def list_campaigns(manager: ApiManager, services: ServicesDep) -> Any:
    async with services.read() as session:
        return await queries.list_campaigns(session)


@router.post("/campaigns", response_model=CampaignOut, status_code=status.HTTP_201_CREATED)
async def create_campaign(body: CampaignIn, manager: ApiManager, services: ServicesDep) -> Any:
    return await actions.save_campaign(services, manager, **body.model_dump())


@router.get("/campaigns/{campaign_id}", response_model=CampaignOut)
async def get_campaign(campaign_id: RowId, manager: ApiManager, services: ServicesDep) -> Any:
    """The campaign and its delivery figures (all runs)."""
    async with services.read() as session:
        campaign = await queries.get_campaign(session, campaign_id)
    return await _with_figures(services, campaign)


@router.put("/campaigns/{campaign_id}", response_model=CampaignOut)
async def update_campaign(campaign_id: RowId, body: CampaignIn, manager: ApiManager,
                          services: ServicesDep) -> Any:
    return await actions.save_campaign(services, manager, campaign_id, **body.model_dump())


@router.post("/campaigns/{campaign_id}/launch", response_model=CampaignOut)
async def launch_campaign(campaign_id: RowId, body: LaunchIn, manager: ApiManager,
                          services: ServicesDep) -> Any:
    """Send now, or at ``at`` (a recurring campaign then repeats every ``repeat_days``)."""
    return await actions.launch_campaign(services, manager, campaign_id, body.at)


@router.post("/campaigns/{campaign_id}/cancel", response_model=CampaignOut)
async def cancel_campaign(campaign_id: RowId, manager: ApiManager, services: ServicesDep) -> Any:
    return await actions.cancel_campaign(services, manager, campaign_id)


@router.get("/customers/{customer_id}/preferences", response_model=PreferencesOut)
async def customer_preferences(customer_id: RowId, agent: ApiStaff,
                               services: ServicesDep) -> Any:
    async with services.read() as session:
        return await queries.preferences(session, customer_id)


@router.put("/customers/{customer_id}/preferences", response_model=PreferencesOut)
async def set_customer_preferences(customer_id: RowId, body: PreferencesIn, agent: ApiStaff,
                                   services: ServicesDep) -> Any:
    """Opt the customer out (or back in) at their request, or set their time zone."""
    await actions.set_outreach_preferences(services, customer_id, opted_out=body.opted_out,
                                           timezone=body.timezone, via="staff", actor=agent)
    async with services.read() as session:
        return await queries.preferences(session, customer_id)
