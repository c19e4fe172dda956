"""The job kinds a process knows: ``job_handler`` registers a kind's handler.

Kept apart from the runner (walletdesk.jobs.runner), which imports every kind's module
(walletdesk.jobs.kinds) before it runs one: a domain module that only declares its kind
imports this registry and so does not import every other domain through the runner.
"""

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from walletdesk.jobs.models import Job
from walletdesk.services import Services


class PermanentJobError(Exception):
    """The job cannot succeed by retrying (bad address, unknown kind): give up now."""


@dataclass
class JobContext:
    services: Services
    session: AsyncSession
    job: Job
    delivered: dict[str, Any] | None = None  # what the deliver step returned


Handler = Callable[[JobContext], Awaitable[None]]
Deliver = Callable[[Services, Job], Awaitable[dict[str, Any]]]
OnFailure = Callable[[JobContext, str], Awaitable[None]]


@dataclass
class JobKind:
    handle: Handler
    deliver: Deliver | None = None
    on_failure: OnFailure | None = None


KINDS: dict[str, JobKind] = {}


def job_handler(kind: str, *, deliver: Deliver | None = None,
                on_failure: OnFailure | None = None) -> Callable[[Handler], Handler]:
    """Register the handler of a job kind (see walletdesk.jobs.kinds for where they live)."""
    def register(handle: Handler) -> Handler:
        KINDS[kind] = JobKind(handle, deliver, on_failure)
        return handle
    return register
