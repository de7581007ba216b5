"""Every facilitator action, tried by a member, by a facilitator of another circle and by a stranger: each is
refused with an answer, nothing in the database changes, nothing is queued, and no phone number is shown.
The real facilitator then does the same thing, which proves the action was a real one."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from bot.storage import circles, exchanges, members
from tests.e2e.test_bad_input import Check, World, fingerprint, world  # noqa: F401 - world is a fixture
from tests.support import Harness

MAËL_PHONE = "12 34 56 78"  # +33 6 12 34 56 78, shown to facilitators only


@dataclass(frozen=True)
class Action:
    name: str
    command: str | None = None      # "/invite food"; {ama} is replaced by Ama's Telegram id
    button: str | None = None       # callback data; {held} / {draft} replaced by the ids
    in_group: bool = False
    writes: bool = True             # whether the facilitator's own attempt changes the database


ACTIONS = [
    Action("invite", "/invite food uses=3 days=7"),
    Action("invite without circle", "/invite days=7"),
    Action("invite, guided", "/invite", writes=False),       # the circle picker: nothing written yet
    Action("newcircle", "/newcircle water Water management"),
    Action("members", "/members food", writes=False),
    Action("members of every circle", "/members", writes=False),
    Action("held", "/held", writes=False),
    Action("promote everywhere", "/promote {ama}"),
    Action("promote in a circle", "/promote {ama} food togo"),
    Action("addprompt", "/addprompt food\nfr: Comment décidez-vous ?\nen: How do you decide?"),
    Action("editprompt", "/editprompt {custom}\nfr: Autre question ?\nen: Another question?"),
    Action("prompts", "/prompts food", writes=False),
    Action("retireprompt", "/retireprompt food {custom}"),
    Action("sendprompt", "/sendprompt food", writes=False),  # this week's question is already out: a reply only
    Action("relaymode", "/relaymode food digest"),
    Action("announce", "/announce food\nfr: Réunion jeudi\nen: Meeting on Thursday"),
    Action("approve a held member", button="held:ok:{held}:togo"),
    Action("refuse a held member", button="held:no:{held}"),
    Action("send an announcement", button="an:send:{draft}"),
    Action("cancel an announcement", button="an:no:{draft}"),
    Action("bindgroup", "/bindgroup food togo", in_group=True),
]


async def _ids(h: Harness, world: World) -> dict[str, int]:
    """A pending announcement draft (its preview has the real buttons) and a custom prompt, made beforehand by
    the real facilitator."""
    food = await circles.get_by_slug(h.db, "food")
    creator = await members.get_by_telegram_id(h.db, world.facilitator.id)
    await h.text(world.facilitator, "/announce food\nfr: Bonjour\nen: Hello")
    draft = (await h.db.fetch_one("SELECT max(id) AS id FROM announcements"))["id"]
    custom = await exchanges.save_custom_prompt(h.db, circle_id=food.id, texts={"fr": "Q ?", "en": "Q?"},
                                                created_by=creator.id, now=h.clock.now())
    held = await members.get_by_telegram_id(h.db, world.held.id)
    return {"ama": world.ama.id, "held": held.id, "draft": draft, "custom": custom}


async def _attempt(h: Harness, world: World, user, action: Action, ids: dict[str, int]) -> Check:
    check = Check(h)
    if action.button is not None and user is world.facilitator:
        data = action.button.format(**ids)
        message = next(m for m in reversed(h.sim.chat_history(user.id)) if data in [d for _, d in m.buttons()])
        check.press(user, data, message_id=message.message_id)
    elif action.button is not None:
        check.press(user, action.button.format(**ids))  # forged on the newest message of their own chat
    else:
        text = action.command.format(**ids)
        h.sim.send_text(user.id, text, chat_id=world.group_id if action.in_group else None)
    await check.settle()
    check.assert_accepted()
    return check


@pytest.mark.parametrize("action", ACTIONS, ids=[a.name for a in ACTIONS])
async def test_facilitator_actions_are_refused_to_members_other_circles_facilitators_and_strangers(
        harness: Harness, world: World, action: Action):
    h = harness
    for user in (world.kofi, world.stranger):
        h.sim.add_member(world.group_id, user.id)
    ids = await _ids(h, world)
    for user in (world.ama, world.kofi, world.stranger):
        before, sent_before = await fingerprint(h.db), len(h.sim.sent_messages())
        requests_before = len(h.sim.requests)
        await _attempt(h, world, user, action, ids)
        assert await fingerprint(h.db) == before, f"{action.name} by {user.first_name} changed the database"
        answers = [r for r in h.sim.requests[requests_before:]
                   if r.method in ("sendMessage", "answerCallbackQuery") and r.ok]
        assert answers, f"{action.name} by {user.first_name} got no answer"
        shown = " ".join(m.text or "" for m in h.sim.sent_messages()[sent_before:])
        shown += " ".join(r.params.get("text", "") for r in answers)
        assert MAËL_PHONE not in shown

    before = await fingerprint(h.db)
    await _attempt(h, world, world.facilitator, action, ids)
    if action.writes:
        assert await fingerprint(h.db) != before, f"{action.name} did nothing even for the facilitator"
    elif action.name.startswith("members"):
        assert MAËL_PHONE in " ".join(h.texts(world.facilitator.id))
