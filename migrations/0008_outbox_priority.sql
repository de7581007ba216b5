-- Issue 14: the outbox row carries its priority in the shared pace (bot/domain/pace.py: 0 = first, with direct
-- answers; 1 = about one reply, member or call; 2 = fan-outs), set by the code that queues it (bot/delivery/kinds.py).
ALTER TABLE outbox ADD COLUMN priority INTEGER NOT NULL DEFAULT 2 CHECK (priority IN (0, 1, 2));

-- Rows queued before this version: their kind is only known from their key.
UPDATE outbox SET priority = 0 WHERE dedupe_key LIKE 'reminder:%';
UPDATE outbox SET priority = 1
 WHERE dedupe_key LIKE 'relay:%' OR dedupe_key LIKE 'pair-intro:%' OR dedupe_key LIKE 'invite:%'
    OR dedupe_key LIKE 'closed:%' OR dedupe_key LIKE 'confirm:%' OR dedupe_key LIKE 'moved:%'
    OR dedupe_key LIKE 'cancel:%' OR dedupe_key LIKE 'ics:%' OR dedupe_key LIKE 'followup:%'
    OR dedupe_key LIKE 'held:%' OR dedupe_key LIKE 'held-decision:%' OR dedupe_key LIKE 'ask-org:%'
    OR dedupe_key LIKE 'unclear:%' OR dedupe_key LIKE 'held-reminder:%' OR dedupe_key LIKE 'held-released:%'
    OR dedupe_key LIKE 'facilitates:%';

-- The sender reads pending rows by priority, then age.
CREATE INDEX outbox_pending_by_priority ON outbox (priority, id) WHERE status = 'pending';
