"""Every kind of outbox message, in one place: its dedupe key's shape and its priority in the shared pace.

The code that queues a message says what it is (`kinds.RELAY.key(reply_id, chat_id, index)`); the key keeps the
same logical message from being queued twice and the priority is stored with the row, so the sender orders the
outbox by data, not by key prefixes. Priorities (bot/domain/pace.py): call reminders go with direct answers;
messages about one member's action, one reply or one call come next; fan-outs to a whole circle last.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.domain.pace import Priority
from bot.storage.outbox import OutboxKey


@dataclass(frozen=True)
class Kind:
    name: str
    priority: Priority

    def key(self, *parts: object) -> OutboxKey:
        return OutboxKey(":".join([self.name, *(str(part) for part in parts)]), self.priority)

    @property
    def prefix(self) -> str:
        """The start of every key of this kind (storage deletes a member's pending rows by it)."""
        return f"{self.name}:"


# Time-bound: with direct answers.
CALL_REMINDER = Kind("reminder", Priority.FIRST)
# About one reply, one member or one call.
RELAY = Kind("relay", Priority.RELAYED)
PAIR_INTRODUCTION = Kind("pair-intro", Priority.RELAYED)
CALL_INVITATION = Kind("invite", Priority.RELAYED)
CALL_CLOSED = Kind("closed", Priority.RELAYED)
CALL_CONFIRMED = Kind("confirm", Priority.RELAYED)
CALL_MOVED = Kind("moved", Priority.RELAYED)
CALL_CANCELLED = Kind("cancel", Priority.RELAYED)
CALL_ICS = Kind("ics", Priority.RELAYED)
CALL_FOLLOWUP = Kind("followup", Priority.RELAYED)
HELD_MEMBER = Kind("held", Priority.RELAYED)
HELD_DECISION = Kind("held-decision", Priority.RELAYED)
HELD_REPLY_REMINDER = Kind("held-reminder", Priority.RELAYED)
HELD_REPLY_RELEASED = Kind("held-released", Priority.RELAYED)
NEW_FACILITATOR = Kind("facilitates", Priority.RELAYED)
ASK_ORGANISATION = Kind("ask-org", Priority.RELAYED)
TRANSLATION_UNCLEAR = Kind("unclear", Priority.RELAYED)
# Fan-outs to a circle or to everyone.
WEEKLY_PROMPT = Kind("prompt", Priority.BROADCAST)
DIGEST = Kind("digest", Priority.BROADCAST)
ANNOUNCEMENT = Kind("announce", Priority.BROADCAST)
PAIR_CHECK = Kind("pair-check", Priority.BROADCAST)
DECISION = Kind("decision", Priority.BROADCAST)   # ballots, results, reminders of a circle's decision
