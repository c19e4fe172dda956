"""Writing canned replies. Every text (and title) goes through the protect step before it
is stored: a seed phrase or private key pasted into a macro is replaced, never kept."""

import re
import unicodedata
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from walletdesk import i18n
from walletdesk.accounts.access import is_manager
from walletdesk.accounts.models import Agent, Team
from walletdesk.audit.actions import record_audit
from walletdesk.db.base import utcnow
from walletdesk.errors import Forbidden, Invalid, NotFound
from walletdesk.macros.models import CannedReply, CannedReplyText, Scope
from walletdesk.macros.queries import can_manage, get_canned_reply
from walletdesk.macros.render import PLACEHOLDERS, single_braced, unknown_placeholders
from walletdesk.safety.protect import protect_text
from walletdesk.services import Services

SHORTCUT_MAX = 40
TITLE_MAX = 120
_SHORTCUT = re.compile(r"[\w.-]+")


@dataclass
class SavedReply:
    reply: CannedReply
    secrets_removed: int  # seed phrases / keys replaced in the texts as written


@dataclass
class ReplyFields:
    shortcut: str
    title: str
    scope: Scope
    team_id: int | None
    texts: dict[str, str]


def _normal(value: str) -> str:
    return unicodedata.normalize("NFC", value).replace("\x00", "").replace("\r\n", "\n").strip()


def clean_fields(shortcut: str, title: str, scope: str, team_id: int | None,
                 texts: dict[str, str], max_chars: int) -> ReplyFields:
    shortcut = _normal(shortcut or "").lstrip("/")
    if not 0 < len(shortcut) <= SHORTCUT_MAX or not _SHORTCUT.fullmatch(shortcut):
        raise Invalid("a shortcut of 1 to {max} letters, digits, '-', '_' or '.' (no spaces) is "
                      "required", max=SHORTCUT_MAX)
    title = " ".join(_normal(title or "").split())
    if not 0 < len(title) <= TITLE_MAX:
        raise Invalid("a title of 1 to {max} characters is required", max=TITLE_MAX)
    try:
        scope_value = Scope(scope)
    except ValueError as exc:
        raise Invalid("scope must be personal, team or everyone") from exc
    if scope_value == Scope.team and team_id is None:
        raise Invalid("a team reply needs a team_id")
    cleaned: dict[str, str] = {}
    for language, text in (texts or {}).items():
        if language not in i18n.SUPPORTED:
            raise Invalid("language must be one of {languages}",
                          languages=", ".join(i18n.SUPPORTED))
        value = _normal(text or "")
        if not value:
            continue  # an empty box in the form: no variant in that language
        if len(value) > max_chars:
            raise Invalid("the {language} text is longer than {max} characters", language=language,
                          max=max_chars)
        unknown = unknown_placeholders(value)
        if unknown:
            raise Invalid("unknown placeholder {placeholder}; use {placeholders}",
                          placeholder="{{" + unknown[0] + "}}",
                          placeholders=", ".join("{{" + name + "}}" for name in PLACEHOLDERS))
        single = single_braced(value)
        if single:
            raise Invalid("write the placeholder {written} as {placeholder} (two braces each "
                          "side)", written="{" + single[0] + "}",
                          placeholder="{{" + single[0] + "}}")
        cleaned[language] = value
    if not cleaned:
        raise Invalid("write the reply in at least one language")
    return ReplyFields(shortcut, title, scope_value, team_id if scope_value == Scope.team
                       else None, cleaned)


async def _check_scope(session: AsyncSession, actor: Agent, fields: ReplyFields) -> None:
    if fields.scope != Scope.personal and not is_manager(actor):
        raise Forbidden("only supervisors and admins create shared canned replies; "
                        "make it personal")
    if fields.team_id is not None and await session.get(Team, fields.team_id) is None:
        raise NotFound("team not found")


def _write(reply: CannedReply, fields: ReplyFields, actor: Agent) -> int:
    """Set the reply's fields from ``fields``; returns how many secrets were replaced."""
    removed = 0
    title = protect_text(fields.title)
    removed += len(title.findings)
    reply.shortcut, reply.title, reply.scope = fields.shortcut, title.text[:TITLE_MAX], \
        fields.scope
    reply.team_id = fields.team_id
    reply.owner_agent_id = actor.id if fields.scope == Scope.personal else None
    reply.updated_at = utcnow()
    by_language = {t.language: t for t in reply.texts}
    for language, text in fields.texts.items():
        protected = protect_text(text)
        removed += len(protected.findings)
        if language in by_language:
            by_language[language].text = protected.text
        else:
            reply.texts.append(CannedReplyText(language=language, text=protected.text))
    for language, row in by_language.items():
        if language not in fields.texts:
            reply.texts.remove(row)
    return removed


async def create_canned_reply(services: Services, actor: Agent, *, shortcut: str, title: str,
                              scope: str = "personal", team_id: int | None = None,
                              texts: dict[str, str]) -> SavedReply:
    fields = clean_fields(shortcut, title, scope, team_id, texts,
                          services.settings.max_message_chars)
    async with services.transaction() as session:
        await _check_scope(session, actor, fields)
        reply = CannedReply(created_by_agent_id=actor.id, texts=[])
        removed = _write(reply, fields, actor)
        session.add(reply)
        await session.flush()
        _audit(session, actor, reply, "canned_reply.create", removed)
        return SavedReply(reply, removed)


async def update_canned_reply(services: Services, actor: Agent, reply_id: int, *,
                              shortcut: str, title: str, scope: str,
                              team_id: int | None = None, texts: dict[str, str]) -> SavedReply:
    """Replace the reply's fields and texts (a language left out is removed)."""
    fields = clean_fields(shortcut, title, scope, team_id, texts,
                          services.settings.max_message_chars)
    async with services.transaction() as session:
        reply = await _managed(session, actor, reply_id)
        await _check_scope(session, actor, fields)
        removed = _write(reply, fields, actor)
        await session.flush()
        _audit(session, actor, reply, "canned_reply.update", removed)
        return SavedReply(reply, removed)


async def delete_canned_reply(services: Services, actor: Agent, reply_id: int) -> None:
    async with services.transaction() as session:
        reply = await _managed(session, actor, reply_id)
        _audit(session, actor, reply, "canned_reply.delete", 0)
        await session.delete(reply)


async def _managed(session: AsyncSession, actor: Agent, reply_id: int) -> CannedReply:
    """The reply if the actor may change it; NotFound if they may not even see it."""
    reply = await get_canned_reply(session, actor, reply_id)
    if not can_manage(actor, reply):
        raise Forbidden("only supervisors and admins change shared canned replies")
    return reply


def _audit(session: AsyncSession, actor: Agent, reply: CannedReply, action: str,
           removed: int) -> None:
    """Shared replies are the desk's voice: their changes are audited (personal ones not)."""
    if reply.scope != Scope.personal or removed:
        record_audit(session, actor_agent_id=actor.id, action=action,
                     target_type="canned_reply", target_id=reply.id,
                     detail={"shortcut": reply.shortcut, "scope": reply.scope,
                             "team_id": reply.team_id, "secrets_removed": removed})
