"""ORM models. Import every model module here so Alembic and tests see the whole schema."""

from bot.storage.db import Base
from bot.storage.models.collaboration import Collaboration, CollaborationEvaluation
from bot.storage.models.conversation import (
    ChatUser,
    Conversation,
    EligibilityCheck,
    Feedback,
    Proposal,
    UnansweredQuestion,
)
from bot.storage.models.messaging import DeliveryAttempt, InboxEvent, OutboxMessage
from bot.storage.models.opportunity import Opportunity, OpportunityRecipient
from bot.storage.models.registry import Group, Suggestion
from bot.storage.models.staff import (
    Handoff,
    StaffAuditEntry,
    StaffFaqEntry,
    StaffMember,
    StaffNotification,
    StaffQuestion,
)

__all__ = [
    "Base",
    "ChatUser",
    "Collaboration",
    "CollaborationEvaluation",
    "Conversation",
    "DeliveryAttempt",
    "EligibilityCheck",
    "Feedback",
    "Group",
    "Handoff",
    "InboxEvent",
    "OutboxMessage",
    "Opportunity",
    "OpportunityRecipient",
    "Proposal",
    "StaffAuditEntry",
    "StaffFaqEntry",
    "StaffMember",
    "StaffNotification",
    "StaffQuestion",
    "Suggestion",
    "UnansweredQuestion",
]
