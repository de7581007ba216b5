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
STEPS = ("consent", "phone", "organisation", "kind", "circles", "done")

MAX_ORGANISATION_LENGTH = 120
