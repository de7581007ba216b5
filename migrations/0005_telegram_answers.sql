-- Issue 10: paths that must end well on Telegram's real answers.

-- A join request's deep link (t.me/<bot>?start=c_<slug>) names a circle; it is remembered until the person's
-- number is verified, then they join it.
ALTER TABLE members ADD COLUMN pending_circle_id INTEGER REFERENCES circles(id) ON DELETE SET NULL;

-- A reply held for its author's choice (relay as it is / rephrase) is never held for ever: the author is reminded
-- once, then it is relayed as it is at a deadline.
ALTER TABLE replies ADD COLUMN reminded_at TEXT;
