-- Circle decisions (issue 12): a question put to a circle, voted on by every member, where each territory weighs
-- the same. Like everywhere else, a reference to a member either cascades or is set NULL, so that /forget leaves
-- no row about the member: their vote goes with them, a decision they proposed stays with the circle, unsigned.

CREATE TABLE decisions (
    id INTEGER PRIMARY KEY,
    circle_id INTEGER NOT NULL REFERENCES circles(id) ON DELETE CASCADE,
    proposer_id INTEGER REFERENCES members(id) ON DELETE SET NULL,
    proposer_territory TEXT REFERENCES territories(code),   -- kept for the report after the proposer's /forget
    question TEXT NOT NULL,
    options TEXT NOT NULL,                 -- JSON list of 2 to 5 options, as written
    language TEXT NOT NULL,                -- the proposer's language when they wrote it
    translations TEXT NOT NULL DEFAULT '{}',  -- JSON {locale: {"question": …, "options": […]}} (machine translated)
    weigh_families INTEGER NOT NULL DEFAULT 0,  -- each family of organisation kinds also weighs the same
    status TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'closed', 'withdrawn')),
    deadline TEXT NOT NULL,
    extended INTEGER NOT NULL DEFAULT 0,   -- a facilitator may extend the deadline once
    result TEXT,                           -- JSON of the result computed when the vote closed (counts, no names)
    created_at TEXT NOT NULL,
    closed_at TEXT
);
CREATE INDEX decisions_open ON decisions (status, deadline);
CREATE INDEX decisions_by_circle ON decisions (circle_id, created_at);

-- One person, one vote: the primary key keeps one row per member, replaced when they change their mind.
CREATE TABLE decision_votes (
    decision_id INTEGER NOT NULL REFERENCES decisions(id) ON DELETE CASCADE,
    member_id INTEGER NOT NULL REFERENCES members(id) ON DELETE CASCADE,
    choice INTEGER NOT NULL,               -- 0 abstains, 1..n the option
    voted_at TEXT NOT NULL,
    PRIMARY KEY (decision_id, member_id)
);

-- Where a decision's ballot was queued: a member who joins the circle during the vote gets it at the next tick.
CREATE TABLE decision_ballots (
    decision_id INTEGER NOT NULL REFERENCES decisions(id) ON DELETE CASCADE,
    chat_id INTEGER NOT NULL,              -- a member's private chat, or a territory's group
    member_id INTEGER REFERENCES members(id) ON DELETE CASCADE,   -- NULL for a group
    PRIMARY KEY (decision_id, chat_id)
);

-- A side below quorum is reminded once.
CREATE TABLE decision_reminders (
    decision_id INTEGER NOT NULL REFERENCES decisions(id) ON DELETE CASCADE,
    territory_code TEXT NOT NULL REFERENCES territories(code),
    sent_at TEXT NOT NULL,
    PRIMARY KEY (decision_id, territory_code)
);

-- /decide as a durable state machine (bot/domain/decisions.py): one draft per member.
CREATE TABLE decision_drafts (
    member_id INTEGER PRIMARY KEY REFERENCES members(id) ON DELETE CASCADE,
    step TEXT NOT NULL,
    circle_id INTEGER REFERENCES circles(id) ON DELETE CASCADE,
    question TEXT,
    options TEXT NOT NULL DEFAULT '[]',
    deadline_days INTEGER NOT NULL,
    weigh_families INTEGER NOT NULL DEFAULT 0,
    updated_at TEXT NOT NULL
);
