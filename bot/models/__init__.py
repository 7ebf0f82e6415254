"""ORM models. Import every model module here so Alembic and tests see the whole schema."""

from bot.db import Base
from bot.models.conversation import (
    ChatUser,
    Conversation,
    EligibilityCheck,
    Feedback,
    Proposal,
    UnansweredQuestion,
)
from bot.models.messaging import DeliveryAttempt, InboxEvent, OutboxMessage
from bot.models.registry import Group, Suggestion
from bot.models.staff import (
    Handoff,
    SlackEvent,
    SlackOutbox,
    StaffAuditEntry,
    StaffFaqEntry,
    StaffMember,
    StaffNotification,
)

__all__ = [
    "Base",
    "ChatUser",
    "Conversation",
    "DeliveryAttempt",
    "EligibilityCheck",
    "Feedback",
    "Group",
    "Handoff",
    "InboxEvent",
    "OutboxMessage",
    "Proposal",
    "SlackEvent",
    "SlackOutbox",
    "StaffAuditEntry",
    "StaffFaqEntry",
    "StaffMember",
    "StaffNotification",
    "Suggestion",
    "UnansweredQuestion",
]
