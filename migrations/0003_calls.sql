-- Cross-border calls (issue 5): proposals with candidate slots and votes, peer pairs per circle cycle,
-- follow-ups for the circle's journal. Times are ISO-8601 UTC strings, like everywhere else.
-- Every reference to a member cascades (or is set NULL where the record belongs to others too), so that
-- /forget leaves no row about the member.

-- A call being planned (open: voting), then confirmed on one slot, closed without any vote, or cancelled.
CREATE TABLE call_proposals (
    id INTEGER PRIMARY KEY,
    circle_id INTEGER NOT NULL REFERENCES circles(id) ON DELETE CASCADE,
    -- the call stays for the others when its proposer erases their data
    proposer_id INTEGER REFERENCES members(id) ON DELETE SET NULL,
    topic TEXT NOT NULL,
    duration_minutes INTEGER NOT NULL,
    status TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'confirmed', 'closed', 'cancelled')),
    deadline TEXT NOT NULL,                -- voting closes by itself then
    chosen_slot_id INTEGER,                -- the winning slot once confirmed (a call_slots row)
    starts_at TEXT,                        -- copy of the chosen slot's start, for the due-work queries
    ends_at TEXT,
    video_url TEXT,
    sequence INTEGER NOT NULL DEFAULT 0,   -- raised at each reschedule: .ics SEQUENCE and reminder keys
    tally_message_id INTEGER,              -- the proposer's live tally message, edited at every vote
    followup_at TEXT,                      -- when the "did it take place?" questions were queued
    created_at TEXT NOT NULL,
    closed_at TEXT                         -- when voting closed, or when the call last moved
);
CREATE INDEX call_proposals_open ON call_proposals (status, deadline);
CREATE INDEX call_proposals_upcoming ON call_proposals (status, starts_at);

CREATE TABLE call_slots (
    id INTEGER PRIMARY KEY,
    proposal_id INTEGER NOT NULL REFERENCES call_proposals(id) ON DELETE CASCADE,
    start_utc TEXT NOT NULL,
    UNIQUE (proposal_id, start_utc)
);

CREATE TABLE call_invitees (
    proposal_id INTEGER NOT NULL REFERENCES call_proposals(id) ON DELETE CASCADE,
    member_id INTEGER NOT NULL REFERENCES members(id) ON DELETE CASCADE,
    PRIMARY KEY (proposal_id, member_id)
);
CREATE INDEX call_invitees_by_member ON call_invitees (member_id);

-- One person, one vote per slot: the primary key refuses a second one.
CREATE TABLE call_votes (
    slot_id INTEGER NOT NULL REFERENCES call_slots(id) ON DELETE CASCADE,
    member_id INTEGER NOT NULL REFERENCES members(id) ON DELETE CASCADE,
    voted_at TEXT NOT NULL,
    PRIMARY KEY (slot_id, member_id)
);

-- /propose as a durable state machine: survives restarts, one draft per member.
CREATE TABLE call_drafts (
    member_id INTEGER PRIMARY KEY REFERENCES members(id) ON DELETE CASCADE,
    step TEXT NOT NULL,                    -- circle, peers, topic, duration, slots
    circle_id INTEGER REFERENCES circles(id) ON DELETE CASCADE,
    invitee_ids TEXT NOT NULL DEFAULT '[]', -- JSON list of member ids chosen one by one ([] = whole circle)
    topic TEXT,
    duration_minutes INTEGER,
    slots TEXT NOT NULL DEFAULT '[]',      -- JSON list of ISO UTC starts
    reschedule_of INTEGER REFERENCES call_proposals(id) ON DELETE CASCADE,  -- moving a confirmed call
    updated_at TEXT NOT NULL
);

-- After the call: did it take place, one practice discovered. The circle's journal reads this table.
CREATE TABLE call_followups (
    id INTEGER PRIMARY KEY,
    proposal_id INTEGER NOT NULL REFERENCES call_proposals(id) ON DELETE CASCADE,
    circle_id INTEGER NOT NULL REFERENCES circles(id) ON DELETE CASCADE,
    member_id INTEGER NOT NULL REFERENCES members(id) ON DELETE CASCADE,
    territory_code TEXT REFERENCES territories(code),
    took_place INTEGER,                    -- 1 yes, 0 no, NULL not answered
    practice TEXT,                         -- the practice they discovered, as written
    question_message_id INTEGER,           -- the "which practice?" question, so a reply to it is recognised
    asked_at TEXT,
    answered_at TEXT,
    UNIQUE (proposal_id, member_id)
);
CREATE INDEX call_followups_by_circle ON call_followups (circle_id, answered_at);

-- Peer pairs: a member may pause (named apart from the weekly prompts' own pause).
CREATE TABLE pairing_preferences (
    member_id INTEGER PRIMARY KEY REFERENCES members(id) ON DELETE CASCADE,
    paused INTEGER NOT NULL DEFAULT 0,
    updated_at TEXT NOT NULL
);

CREATE TABLE pair_cycles (
    id INTEGER PRIMARY KEY,
    circle_id INTEGER NOT NULL REFERENCES circles(id) ON DELETE CASCADE,
    cycle_index INTEGER NOT NULL,
    started_at TEXT NOT NULL,
    ends_at TEXT NOT NULL,
    checked_at TEXT,                       -- when "did you meet?" was asked at the end of the cycle
    UNIQUE (circle_id, cycle_index)
);

CREATE TABLE pair_groups (
    id INTEGER PRIMARY KEY,
    cycle_id INTEGER NOT NULL REFERENCES pair_cycles(id) ON DELETE CASCADE
);

CREATE TABLE pair_group_members (
    group_id INTEGER NOT NULL REFERENCES pair_groups(id) ON DELETE CASCADE,
    member_id INTEGER NOT NULL REFERENCES members(id) ON DELETE CASCADE,
    met INTEGER,                           -- their answer at the end of the cycle: 1 met, 0 not, NULL unknown
    PRIMARY KEY (group_id, member_id)
);
CREATE INDEX pair_group_members_by_member ON pair_group_members (member_id);
