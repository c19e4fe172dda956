"""Every model, imported in one place so Alembic and ``create_all`` see the whole schema."""

from walletdesk.accounts.models import (
    Agent,
    AgentSession,
    ApiToken,
    NotificationPreferences,
    RecoveryCode,
    Team,
    agent_teams,
)
from walletdesk.audit.models import AuditEvent
from walletdesk.bot.models import BotConfig, BotTurn
from walletdesk.cases.models import SlaPolicy, Survey
from walletdesk.chains.models import ChainLookup
from walletdesk.complaints.models import Complaint, ComplaintEvent
from walletdesk.conversations.models import Attachment, Conversation, Message, NoteMention
from walletdesk.customer_context.models import DeviceContext
from walletdesk.customers.models import Customer, CustomerIdentity, EmailCode, PrivacyNotice
from walletdesk.db.base import Base
from walletdesk.email.models import EmailMessage
from walletdesk.followups.models import FollowUp, FollowUpProgramme
from walletdesk.incidents.models import (
    Announcement,
    AnnouncementConversation,
    AnnouncementText,
    AnnouncementUpdate,
    SpikeAlert,
)
from walletdesk.jobs.models import Job
from walletdesk.kb.models import Article, ArticleFeedback, ArticleTranslation, ArticleVersion
from walletdesk.labels.models import ConversationLabel, Label, LabelRule, LabelRuleApplied
from walletdesk.macros.models import CannedReply, CannedReplyText
from walletdesk.outreach.models import Campaign, OutreachContact, OutreachSend, Segment
from walletdesk.reports.models import PresenceChange
from walletdesk.reports.rollup_models import (
    ConversationAgentReplies,
    ConversationFacts,
    ConversationMessageQuarters,
    RollupState,
)
from walletdesk.staffing.models import OverflowOffer, Shift, TeamOverflow
from walletdesk.verification.models import OfficialChannel

__all__ = [
    "Announcement",
    "AnnouncementConversation",
    "AnnouncementText",
    "AnnouncementUpdate",
    "SpikeAlert",
    "Article",
    "Attachment",
    "EmailCode",
    "EmailMessage",
    "ArticleFeedback",
    "ArticleTranslation",
    "ArticleVersion",
    "BotConfig",
    "BotTurn",
    "CannedReply",
    "CannedReplyText",
    "ChainLookup",
    "ConversationLabel",
    "Label",
    "LabelRule",
    "LabelRuleApplied",
    "Agent",
    "AgentSession",
    "RecoveryCode",
    "ApiToken",
    "AuditEvent",
    "Base",
    "Complaint",
    "ComplaintEvent",
    "Conversation",
    "Customer",
    "CustomerIdentity",
    "DeviceContext",
    "FollowUp",
    "FollowUpProgramme",
    "Job",
    "Message",
    "NoteMention",
    "NotificationPreferences",
    "SlaPolicy",
    "Survey",
    "OfficialChannel",
    "Campaign",
    "OutreachContact",
    "OutreachSend",
    "Segment",
    "PrivacyNotice",
    "PresenceChange",
    "ConversationFacts",
    "ConversationMessageQuarters",
    "ConversationAgentReplies",
    "RollupState",
    "Team",
    "agent_teams",
    "OverflowOffer",
    "Shift",
    "TeamOverflow",
]
