"""Organisation kinds a member can declare, and the onboarding steps in order."""

from __future__ import annotations

from datetime import datetime, timedelta


def N_(message: str) -> str:
    """Mark a message for extraction; it is translated where it is shown."""
    return message


ORGANISATION_KINDS: dict[str, str] = {
    "association": N_("Association"),
    "cooperative": N_("Cooperative"),
    "local_authority": N_("Local authority"),
    "university": N_("University or research"),
    "ess_company": N_("Social economy company"),
    "farmers": N_("Farmers' organisation"),
    "citizen": N_("Citizen"),
    # Forms common in Togo (and found in Brittany too): governance code groups members by these keys.
    "ngo": N_("NGO"),
    "producers_group": N_("Producers' group"),
    "gie": N_("Economic interest group (GIE)"),
    "mutual": N_("Mutual"),
    "public_institution": N_("Public institution"),
}

# Onboarding is a durable state machine stored on the member, so a restart never loses someone half-way.
# "shares"/"learns" ask what the organisation can share and would like to learn (skippable); the "-tags" step after
# each lets the member keep or change the suggested practice tags.
STEPS = ("consent", "phone", "organisation", "kind", "shares", "shares-tags", "learns", "learns-tags", "circles",
         "done")
SKIPPABLE = frozenset({"shares", "learns"})


def next_step(step: str, *, skipped: bool = False) -> str:
    """The onboarding step after `step`; skipping a question also skips its tag step."""
    if skipped and step not in SKIPPABLE:
        raise ValueError(f"{step} cannot be skipped")
    index = STEPS.index(step) + (2 if skipped else 1)
    return STEPS[min(index, len(STEPS) - 1)]


MAX_ORGANISATION_LENGTH = 120

# Steps after verification and before "done": a member who left onboarding there and sends /start again is taken
# back to the question they left, not greeted as if they had finished.
RESUMABLE = frozenset(STEPS[STEPS.index("organisation"):STEPS.index("done")])

# One answer asked from /me (the organisation's name, what it shares or would like to learn). Unanswered, such a
# step would take the member's next private text, days later a reply to the weekly question, as the answer: it
# lapses after EDIT_WINDOW, and that text is read as any other.
EDIT_STEPS = frozenset({"edit-organisation", "edit-shares", "edit-learns"})
EDIT_WINDOW = timedelta(minutes=30)


def edit_lapsed(step: str | None, asked_at: datetime, now: datetime) -> bool:
    """Whether a question asked from /me at `asked_at` no longer takes the member's next text."""
    return step in EDIT_STEPS and now - asked_at > EDIT_WINDOW
