"""Organisation kinds a member can declare, and the onboarding steps in order."""

from __future__ import annotations


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
