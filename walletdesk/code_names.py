"""What a page calls the codes the desk stores: a campaign's kind, an official channel's kind,
an audit action, an agent's role … One table per domain, because the same code can mean two
things ("email": a way to notify, a kind of official channel) and Spanish agrees a status
with its noun ("cancelada" campaign, "publicado" article).

The texts are the English msgids, marked for the catalogs (``N_``) and translated where a
page shows them (``code_name``; templates: ``term(code, domain)``, walletdesk.web.localization).
Exports and the API keep the codes. A code a table does not know reads as it is, readably
("safety_tip" → "safety tip"), never as an error. The tests check every domain against the
codes the desk writes (tests/test_code_names.py).
"""

from walletdesk.i18n import CATEGORY_NAMES, N_, translations

ROLES = {"admin": N_("admin"), "supervisor": N_("supervisor"), "agent": N_("agent"),
         "outsourced": N_("outsourced")}
PRESENCE = {"online": N_("online"), "away": N_("away"), "offline": N_("offline")}
ARTICLE_STATUSES = {"draft": N_("draft"), "published": N_("published"),
                    "retired": N_("retired")}
COMPLAINT_STAGES = {
    "received": N_("received"), "investigating": N_("investigating"),
    "resolution_proposed": N_("resolution proposed"), "approved": N_("approved"),
    "customer_notified": N_("customer notified"), "followed_up": N_("followed up"),
    "closed": N_("closed")}
RESOLUTION_KINDS = {"refund": N_("refund"), "compensation": N_("compensation"),
                    "explanation": N_("explanation")}
FOLLOWUP_TRIGGERS = {"transaction": N_("transaction"),
                     "complaint_resolved": N_("complaint resolved"), "cohort": N_("cohort")}
# how a customer is reached: a follow-up's notification, a campaign's channel
NOTIFY_CHANNELS = {"email": N_("e-mail"), "sms": N_("SMS"), "in_app": N_("in-app")}
# where a conversation came from (Conversation.channel), in the workspace's words
# (static/workspace.js gets the table rendered into its page: ``names``)
CONVERSATION_CHANNELS = {**NOTIFY_CHANNELS, "web": N_("web chat"), "widget": N_("web chat"),
                         "operator": N_("in-app"), "report": N_("scam report"),
                         "api": N_("API"), "telegram": N_("Telegram")}
# a conversation's status (walletdesk.conversations.models.Status), in the workspace's words
# (static/workspace.js gets the table rendered into its page: ``names``)
CONVERSATION_STATUSES = {"bot": N_("with the bot"), "queued": N_("queued"),
                         "assigned": N_("assigned"),
                         "waiting_customer": N_("waiting for customer"),
                         "resolved": N_("resolved"), "closed": N_("closed")}
# why the bot handed a conversation to a person (Conversation.handoff_reason), in the
# workspace's words (static/workspace.js, from its page)
HANDOFF_REASONS = {
    "low_confidence": N_("the bot was not confident"),
    "asked_for_human": N_("the customer asked for a person"),
    "repeated_failure": N_("two answers in a row did not help"),
    "sensitive_topic": N_("a sensitive topic"),
    "out_of_scope": N_("the question is outside the knowledge base"),
    "bot_unavailable": N_("the bot was not available"),
    "context_unavailable": N_("the customer's account data was unavailable"),
    "context_missing": N_("the customer's account data lacked what was asked"),
    "account_question": N_("a question about the customer's own account (check who they are)"),
    "verification_failed": N_("the customer's e-mail code was not confirmed"),
    "chain_unavailable": N_("the chain could not be checked (endpoint not answering)"),
    "chain_unsupported": N_("a transfer on a network the desk does not check"),
    "no_question": N_("greetings with no question"),
}
# outreach (walletdesk.outreach.models): a campaign's kind and status
CAMPAIGN_KINDS = {"message": N_("message"), "safety_tip": N_("safety tip"),
                  "survey": N_("survey")}
CAMPAIGN_STATUSES = {
    "draft": N_("draft"),
    # Translators: a campaign's status: a run is due (a recurring campaign stays scheduled)
    "scheduled": N_("scheduled"),
    # Translators: a campaign's status once its only run went out: "this campaign is done"
    "done": N_("done"),
    # Translators: a campaign's status, e.g. "this campaign is cancelled"
    "cancelled": N_("cancelled"),
}
# an official channel's kind (walletdesk.safety.lookalike.KINDS): what its value is
OFFICIAL_CHANNEL_KINDS = {
    "domain": N_("website"), "email": N_("e-mail address"), "phone": N_("phone number"),
    "telegram": N_("Telegram"), "x": N_("X (Twitter)"), "discord": N_("Discord"),
    "wechat": N_("WeChat"), "app_store": N_("app store page"),
}
# a spike alert's status (walletdesk.incidents.models.AlertStatus)
ALERT_STATUSES = {
    # Translators: a spike alert nobody has acknowledged or dismissed yet
    "open": N_("not handled yet"),
    # Translators: a spike alert a supervisor is taking care of
    "acknowledged": N_("acknowledged"),
    # Translators: a spike alert a supervisor dismissed as a false alarm
    "dismissed": N_("dismissed"),
}
CANNED_REPLY_SCOPES = {"personal": N_("personal"), "team": N_("team"),
                       "everyone": N_("everyone")}
# the details of a complaint's history (walletdesk.complaints.actions: ComplaintEvent.detail)
COMPLAINT_DETAILS = {
    "category": N_("Category"), "summary": N_("Summary"), "owner_agent_id": N_("Owner"),
    "kind": N_("Resolution"), "amount": N_("Amount"), "asset": N_("Asset"),
    "note": N_("Note"), "reason": N_("Reason"), "early": N_("Closed early"),
    "from_stage": N_("From stage"), "threshold": N_("Approval threshold"),
    "language": N_("Language"),
}
# which SLA clock ran out (walletdesk.cases.sla.Clock)
SLA_CLOCKS = {"first_response": N_("first reply"),
              # Translators: an SLA clock: the time to resolve a conversation
              "resolution": N_("resolution time")}
# how a customer chose to wait when the queue was long (walletdesk.staffing OverflowChoice)
OVERFLOW_CHOICES = {"wait": N_("keep waiting"), "email": N_("answer by e-mail"),
                    "callback": N_("call back")}
# how a customer stopped (or restarted) proactive messages (walletdesk.outreach.actions)
OPT_OUT_WAYS = {"staff": N_("by an agent"), "widget": N_("in the widget"),
                "link": N_("the link in a message"), "sms_reply": N_("an SMS reply")}
WEEKDAYS = {"mon": N_("Monday"), "tue": N_("Tuesday"), "wed": N_("Wednesday"),
            "thu": N_("Thursday"), "fri": N_("Friday"), "sat": N_("Saturday"),
            "sun": N_("Sunday")}

# the audit log (walletdesk.audit): what was done, to what, and the details' names
AUDIT_ACTIONS = {
    "agent.create": N_("agent added"),
    "agent.update": N_("agent changed"),
    "agent.login": N_("signed in"),
    "agent.logout": N_("signed out"),
    "agent.logout_everywhere": N_("signed out everywhere"),
    "agent.locked": N_("sign-in locked after failed attempts"),
    "agent.slowed": N_("sign-in slowed after failed attempts"),
    "sign_in.locked": N_("sign-in locked for an unknown address"),
    "sign_in.slowed": N_("sign-in slowed for an unknown address"),
    "agent.recovery_code_used": N_("recovery code used"),
    "agent.recovery_codes_new": N_("new recovery codes"),
    "agent.two_factor_on": N_("two-factor login turned on"),
    "agent.two_factor_off": N_("two-factor login turned off"),
    "announcement.create": N_("announcement created"),
    "announcement.update": N_("announcement edited"),
    "announcement.status": N_("announcement status changed"),
    "api_token.create": N_("API token created"),
    "api_token.revoke": N_("API token revoked"),
    "article.create": N_("article created"),
    "article.update": N_("article edited"),
    "audit.export": N_("audit log exported"),
    "bot.config": N_("bot settings changed"),
    "canned_reply.create": N_("canned reply added"),
    "canned_reply.update": N_("canned reply edited"),
    "canned_reply.delete": N_("canned reply removed"),
    "complaint.received": N_("complaint opened"),
    "complaint.investigating": N_("complaint under investigation"),
    "complaint.resolution_proposed": N_("complaint resolution proposed"),
    "complaint.approved": N_("complaint resolution approved"),
    "complaint.customer_notified": N_("customer told the complaint's outcome"),
    "complaint.followed_up": N_("complaint followed up"),
    "complaint.closed": N_("complaint closed"),
    "conversation.assign": N_("conversation assigned"),
    "conversation.resolve": N_("conversation resolved"),
    "conversation.reopen": N_("conversation reopened"),
    "conversation.close": N_("conversation closed"),
    "conversation.snooze": N_("conversation snoozed"),
    "conversation.unsnooze": N_("conversation back from snooze"),
    "customer.view": N_("customer record viewed"),
    "customer.context_view": N_("customer's account data viewed"),
    "customer.edit": N_("customer record edited"),
    "customer.export": N_("customer's personal data exported"),
    "customer.erase": N_("customer's personal data erased"),
    "followup_programme.save": N_("follow-up programme saved"),
    "followup.book": N_("follow-up call booked by the customer"),
    "followup.chat_instead": N_("customer chose a chat instead of a call"),
    "followup.decline": N_("customer declined the follow-up call"),
    "followup.opt_out": N_("customer opted out of follow-up calls"),
    "followup.call.reached": N_("follow-up call: reached"),
    "followup.call.no_answer": N_("follow-up call: no answer"),
    "followup.call.declined": N_("follow-up call: declined"),
    "followup.call.wrong_number": N_("follow-up call: wrong number"),
    "keys.rotate": N_("encryption keys rotated"),
    "label.create": N_("label added"),
    "label.update": N_("label edited"),
    "label.delete": N_("label removed"),
    "label_rule.create": N_("label rule added"),
    "label_rule.delete": N_("label rule removed"),
    "official_channel.add": N_("official channel added"),
    "official_channel.remove": N_("official channel removed"),
    "outreach.segment.save": N_("segment saved"),
    "outreach.campaign.save": N_("campaign saved"),
    "outreach.campaign.launch": N_("campaign launched"),
    "outreach.campaign.cancel": N_("campaign cancelled"),
    "outreach.opt_out": N_("customer opted out of proactive messages"),
    "outreach.opt_in": N_("customer opted in to proactive messages again"),
    "overflow.choose": N_("customer chose how to wait (long queue)"),
    "privacy_notice.update": N_("privacy notice edited"),
    "privacy_notice.acknowledged": N_("privacy notice acknowledged by the customer"),
    "sla.breach": N_("SLA breached"),
    "sla_policy.create": N_("SLA policy added"),
    "sla_policy.update": N_("SLA policy edited"),
    "spike_alert.raise": N_("spike alert raised"),
    "spike_alert.acknowledged": N_("spike alert acknowledged"),
    "spike_alert.dismissed": N_("spike alert dismissed"),
    "staffing.shifts": N_("shifts saved"),
    "staffing.overflow_threshold": N_("overflow threshold changed"),
    "survey.answer": N_("survey answered"),
    "team.create": N_("team added"),
    "team.update": N_("team edited"),
    "team.delete": N_("team removed"),
}
AUDIT_TARGETS = {
    "agent": N_("Agent"), "team": N_("Team"), "announcement": N_("Announcement"),
    "api_token": N_("API token"), "article": N_("Article"), "bot": N_("Bot"),
    "canned_reply": N_("Canned reply"), "complaint": N_("Complaint"),
    "conversation": N_("Conversation"), "customer": N_("Customer"),
    "followup": N_("Follow-up call"), "followup_programme": N_("Follow-up programme"),
    "label": N_("Label"), "label_rule": N_("Label rule"),
    "official_channel": N_("Official channel"), "outreach_campaign": N_("Campaign"),
    "outreach_segment": N_("Segment"), "privacy_notice": N_("Privacy notice"),
    "sla_policy": N_("SLA policy"), "spike_alert": N_("Spike alert"), "survey": N_("Survey"),
}
# the keys of an audit event's detail (those of agent.update and team.update are the
# fields changed); a key not here reads as it is ("wait_threshold_s" → "wait threshold s")
AUDIT_DETAILS = {
    "role": N_("Role"), "name": N_("Name"), "display_name": N_("Name"),
    "email": N_("E-mail"), "kind": N_("Kind"), "value": N_("Value"), "label": N_("Label"),
    "category": N_("Category"), "channel": N_("Channel"), "status": N_("Status"),
    "version": N_("Version"), "shortcut": N_("Shortcut"), "scope": N_("Scope"),
    "color": N_("Colour"), "rating": N_("Rating"), "reason": N_("Reason"),
    "languages": N_("Languages"), "timezone": N_("Time zone"), "capacity": N_("Capacity"),
    "rule": N_("Rule"), "until": N_("Until"), "since": N_("From"), "at": N_("At"),
    "agent_id": N_("Agent"), "from_agent_id": N_("From agent"), "team_id": N_("Team"),
    "conversation_id": N_("Conversation"), "secrets_removed": N_("Secrets removed"),
    "events": N_("Events"), "attempt": N_("Attempt"), "published": N_("Published"),
    "shifts": N_("Shifts"), "choice": N_("Choice"), "via": N_("Via"), "fields": N_("Fields"),
    "locales": N_("Languages"), "conversations": N_("Conversations"),
    "failures": N_("Failed attempts"), "clock": N_("Clock"), "due": N_("Due"),
    "wait_threshold_s": N_("Threshold (seconds)"), "team_ids": N_("Teams"),
    "is_active": N_("Active"),
    "weekly_hours": N_("Working hours"), "holidays": N_("Holidays"),
    "is_outsourced": N_("Outsourced team"), "is_default": N_("Default team"),
    "requires_two_factor": N_("Two-factor login"), "enabled": N_("Enabled"),
    "categories": N_("Sensitive categories"), "custody": N_("Custody"),
    "phrases": N_("Phrases that always go to a person"),
    "max_failed_answers": N_("Unhelpful answers in a row before a hand-off"),
    "account_articles": N_("Articles that need the customer's own account data"),
    "changed": N_("Changed (before → after)"),
}

NAMES: dict[str, dict[str, str]] = {
    "role": ROLES, "presence": PRESENCE, "article_status": ARTICLE_STATUSES,
    "complaint_stage": COMPLAINT_STAGES, "resolution_kind": RESOLUTION_KINDS,
    "complaint_detail": COMPLAINT_DETAILS,
    "followup_trigger": FOLLOWUP_TRIGGERS, "notify_channel": NOTIFY_CHANNELS,
    "conversation_channel": CONVERSATION_CHANNELS, "handoff_reason": HANDOFF_REASONS,
    "conversation_status": CONVERSATION_STATUSES,
    "campaign_kind": CAMPAIGN_KINDS, "campaign_status": CAMPAIGN_STATUSES,
    "official_channel_kind": OFFICIAL_CHANNEL_KINDS, "alert_status": ALERT_STATUSES,
    "canned_reply_scope": CANNED_REPLY_SCOPES, "weekday": WEEKDAYS,
    "sla_clock": SLA_CLOCKS, "overflow_choice": OVERFLOW_CHOICES, "opt_out_way": OPT_OUT_WAYS,
    # a knowledge-base category as a contact reason (a label is named as it is named)
    "contact_reason": CATEGORY_NAMES,
    "audit_action": AUDIT_ACTIONS, "audit_target": AUDIT_TARGETS,
    "audit_detail": AUDIT_DETAILS,
}

# an audit detail's value that is a code, by the event's target and the detail's key
AUDIT_VALUE_DOMAINS: dict[tuple[str, str], str] = {
    ("agent", "role"): "role", ("article", "status"): "article_status",
    ("canned_reply", "scope"): "canned_reply_scope", ("label_rule", "category"):
        "contact_reason", ("official_channel", "kind"): "official_channel_kind",
    ("outreach_campaign", "kind"): "campaign_kind",
    ("outreach_campaign", "channel"): "notify_channel",
    ("conversation", "clock"): "sla_clock", ("conversation", "choice"): "overflow_choice",
    ("customer", "via"): "opt_out_way",
}

# the older lookup without a domain (``term(code)``): the words of the codes that mean one
# thing wherever a page shows them
TERMS: dict[str, str] = {
    **ROLES, **PRESENCE, **ARTICLE_STATUSES, **COMPLAINT_STAGES, **RESOLUTION_KINDS,
    **FOLLOWUP_TRIGGERS, **CONVERSATION_CHANNELS, "team": N_("team"), **HANDOFF_REASONS,
}


def readable(code: object) -> str:
    """A code no table names, as a person reads it: "safety_tip" → "safety tip"."""
    return str(code).replace("_", " ")


def code_name(locale: str | None, code: object, domain: str | None = None) -> str:
    """The name of a code in the page's language: from its domain's table (``NAMES``), or
    without a domain from ``TERMS``; an unknown code readably as it is."""
    table = TERMS if domain is None else NAMES[domain]
    key = str(code)
    if key not in table:
        return readable(code)
    return translations(locale).gettext(table[key])


def names(locale: str | None, domain: str) -> dict[str, str]:
    """A domain's whole table in the page's language, ``{code: name}``: for a script that
    names the codes it receives (the workspace: static/workspace.js, from its page)."""
    catalog = translations(locale)
    return {code: catalog.gettext(name) for code, name in NAMES[domain].items()}


def audit_value_domain(target_type: str, key: str) -> str | None:
    """The domain naming an audit detail's value (``AUDIT_VALUE_DOMAINS``); None: shown as
    it is (a name, a number)."""
    return AUDIT_VALUE_DOMAINS.get((target_type, key))

