"""Demo scene: Maël in Rennes proposes a call, Ama in Lomé votes, Maël closes; both get the link and an .ics.

Played after the onboarding scene (Maël and Ama in the sustainable food circle). The demo runs on the real
clock, so the slots are the day after tomorrow at 15:00 and 16:00 in Rennes.
"""

from __future__ import annotations

from bot.devtools.demo import Scene


async def calls_scene(scene: Scene) -> None:
    sim = scene.sim
    mael, ama = scene.people["Maël"], scene.people["Ama"]
    scene.out("\n── Scene: a call across the border, each side in its own time ──")
    await scene.act(mael, "/propose", lambda: sim.send_command(mael.id, "propose"))
    await scene.tap(mael, lambda d: d == "cp:all")
    topic = "Comment fixer le prix des paniers"
    await scene.act(mael, topic, lambda: sim.send_text(mael.id, topic))
    await scene.tap(mael, lambda d: d == "cp:d:60")
    for hour in ("15", "16"):
        day = _day_after_tomorrow(scene, mael)
        await scene.tap(mael, lambda d, day=day: d == f"cp:day:{day}")
        await scene.tap(mael, lambda d, day=day, hour=hour: d == f"cp:h:{day}:{hour}")
        await scene.tap(mael, lambda d, day=day, hour=hour: d == f"cp:m:{day}:{hour}:00")
    await scene.tap(mael, lambda d: d == "cp:ok")
    await scene.tap(ama, lambda d: d.startswith("cv:"))  # Ama can make the first slot
    await scene.tap(mael, lambda d: d.startswith("cc:"))


def _day_after_tomorrow(scene: Scene, user) -> str:
    """The third day the picker offers (days are the proposer's local days, as the bot labels them)."""
    message, _, _ = scene.button(user, lambda d: d.startswith("cp:day:"))
    days = [d for _, d in message.buttons() if d.startswith("cp:day:")]
    return days[2].split(":")[2]
