"""Demo scene: Maël in Rennes puts a question to the circle, Maël and Ama vote; each territory weighs the same.

Played after the onboarding scene (Maël and Ama in the sustainable food circle). With one member on each side who
chose differently, the result is a tie, said as such, with the head count beside it.
"""

from __future__ import annotations

from bot.devtools.demo import Scene


async def decisions_scene(scene: Scene) -> None:
    sim = scene.sim
    mael, ama = scene.people["Maël"], scene.people["Ama"]
    scene.out("\n── Scene: a question put to the circle, where each territory weighs the same ──")
    await scene.act(mael, "/decide", lambda: sim.send_command(mael.id, "decide"))
    question = "Quel jour pour notre assemblée commune en ligne ?"
    await scene.act(mael, question, lambda: sim.send_text(mael.id, question))
    for option in ("Mardi", "Jeudi"):
        await scene.act(mael, option, lambda o=option: sim.send_text(mael.id, o))
    await scene.tap(mael, lambda d: d == "dcd:done:0")
    await scene.tap(mael, lambda d: d == "dcd:dl:7")
    await scene.tap(mael, lambda d: d == "dcd:ok:0")
    await scene.tap(mael, lambda d: d.startswith("dcv:") and d.endswith(":1"))
    await scene.tap(ama, lambda d: d.startswith("dcv:") and d.endswith(":2"))  # everyone voted: the result comes
