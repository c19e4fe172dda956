"""Every code a page shows has a name (walletdesk.code_names): each audit action and target
the code writes, and each value of the enums the admin pages list. A new action or kind
without a name would show as its code; these tests name it.

``test_every_name_is_translated`` reads the compiled catalogs: it passes once ``make
catalogs`` has taken the new texts in (their translations: /tmp/i18n/ui_codes.json)."""

import ast
import re
from pathlib import Path
from typing import get_args

import pytest

import walletdesk
from walletdesk import code_names, i18n
from walletdesk.accounts.models import Presence, Role
from walletdesk.cases.sla import Clock
from walletdesk.complaints.actions import STAGES
from walletdesk.followups.models import CallOutcome, NotifyChannel
from walletdesk.incidents.models import AlertStatus
from walletdesk.kb.models import ArticleStatus
from walletdesk.macros.models import Scope
from walletdesk.outreach.models import CampaignKind, CampaignStatus, OutreachChannel
from walletdesk.routing.hours import DAYS
from walletdesk.safety.lookalike import KINDS
from walletdesk.staffing.models import OverflowChoice

PACKAGE = Path(walletdesk.__file__).parent
# the f-strings among the actions: each placeholder's values
TEMPLATED_ACTIONS = {
    "complaint.": list(STAGES),
    "followup.call.": [str(outcome) for outcome in CallOutcome],
    "spike_alert.": [AlertStatus.acknowledged.value, AlertStatus.dismissed.value],
}


def _strings(node: ast.AST) -> list[str]:
    return [n.value for n in ast.walk(node) if isinstance(n, ast.Constant)
            and isinstance(n.value, str)]


def _written() -> tuple[set[str], set[str]]:
    """The audit actions and target types the package writes (record_audit, AuditEvent, and
    the canned replies' _audit helper, which passes its action on)."""
    actions: set[str] = set()
    targets: set[str] = set()
    for path in PACKAGE.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call):
                continue
            name = getattr(node.func, "id", getattr(node.func, "attr", None))
            if name == "_audit" and path.parts[-2:] == ("macros", "actions.py"):
                actions.update(s for s in _strings(node) if "." in s)
            if name not in ("record_audit", "AuditEvent"):
                continue
            for keyword in node.keywords:
                if keyword.arg == "action" and isinstance(keyword.value, ast.JoinedStr):
                    prefix = _strings(keyword.value)[0]
                    actions.update(prefix + value for value in TEMPLATED_ACTIONS[prefix])
                elif keyword.arg == "action":
                    actions.update(_strings(keyword.value))
                elif keyword.arg == "target_type":
                    targets.update(_strings(keyword.value))
    return actions, targets


def test_every_audit_action_and_target_written_has_a_name() -> None:
    actions, targets = _written()
    assert len(actions) > 60 and "official_channel.add" in actions  # the scan finds them
    assert "canned_reply.delete" in actions and "complaint.closed" in actions
    assert sorted(actions - set(code_names.AUDIT_ACTIONS)) == []
    assert sorted(targets - {""} - set(code_names.AUDIT_TARGETS)) == []


@pytest.mark.parametrize(("domain", "codes"), [
    ("role", list(Role)), ("presence", list(Presence)),
    ("article_status", list(ArticleStatus)), ("complaint_stage", list(STAGES)),
    ("notify_channel", list(NotifyChannel)), ("notify_channel", list(OutreachChannel)),
    ("campaign_kind", list(CampaignKind)), ("campaign_status", list(CampaignStatus)),
    ("official_channel_kind", list(KINDS)), ("alert_status", list(AlertStatus)),
    ("canned_reply_scope", list(Scope)), ("weekday", list(DAYS)),
    ("sla_clock", list(get_args(Clock))), ("overflow_choice", list(OverflowChoice.ALL)),
])
def test_every_value_a_page_lists_has_a_name(domain: str, codes: list[object]) -> None:
    assert sorted(str(code) for code in codes if str(code) not in code_names.NAMES[domain]) \
        == []


def test_a_code_is_named_in_its_domain_and_an_unknown_one_readably() -> None:
    assert code_names.code_name("en", "safety_tip", "campaign_kind") == "safety tip"
    assert code_names.code_name("en", "domain", "official_channel_kind") == "website"
    assert code_names.code_name("en", "email", "official_channel_kind") == "e-mail address"
    assert code_names.code_name("en", "email", "notify_channel") == "e-mail"
    assert code_names.code_name("en", "agent.create", "audit_action") == "agent added"
    assert code_names.code_name("en", "open", "alert_status") == "not handled yet"
    assert code_names.code_name("en", "some_new_kind", "campaign_kind") == "some new kind"
    assert code_names.code_name("en", "widget") == "web chat"  # term(code): no domain
    assert code_names.audit_value_domain("official_channel", "kind") == "official_channel_kind"
    assert code_names.audit_value_domain("official_channel", "value") is None


# names that read the same in a language (brands, acronyms, a word Spanish shares)
SAME_IN = {"API", "Telegram", "Discord", "WeChat", "X (Twitter)", "SMS", "Bot",
           "supervisor", "personal", "DApps", "General", "Staking", "Tokens"}


@pytest.mark.parametrize("locale", ["zh-Hans", "zh-Hant", "es"])
def test_every_name_is_translated(locale: str) -> None:
    """Needs the compiled catalogs with this task's texts (``make catalogs``)."""
    catalog = i18n.translations(locale)
    untranslated = sorted({name for table in code_names.NAMES.values()
                           for name in table.values()
                           if name not in SAME_IN and catalog.gettext(name) == name})
    assert untranslated == []


def test_every_domain_a_template_names_exists() -> None:
    """``term(code, "domain")`` with a domain no table has would fail the page (KeyError)."""
    templates = PACKAGE / "web" / "templates"
    named = {match for path in templates.rglob("*.html")
             for match in re.findall(r'term\([^()]*, "([a-z_]+)"\)',
                                     path.read_text(encoding="utf-8"))}
    assert {"campaign_kind", "official_channel_kind", "audit_action"} <= named
    assert sorted(named - set(code_names.NAMES)) == []
