"""Weekly prompts and replies across the border, end to end with an injected clock (nothing sleeps)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.domain.prompt_library import prompt_by_key
from bot.storage import exchanges, members
from tests.e2e.test_onboarding import join
from tests.support import Harness, start_harness, tick


async def two_sides(h: Harness):
    """A member in Rennes (French) and one in Lomé (Ewe) in the sustainable food circle."""
    rennes = h.sim.add_user("Maël", "Le Bihan", language_code="fr")
    lome = h.sim.add_user("Ama", "Mensah", language_code="ee")
    await join(h, rennes, "+33612345678", "Coop <Breizh> & Co", slug="food")
    await join(h, lome, "+22890123456", "Association Dzidzɔ", slug="food")
    return rennes, lome


def prompts_received(h: Harness, user) -> list:
    return [m for m in h.sim.sent_messages(user.id) if m.text and m.text.count("\n\n") >= 3
            and ("Alimentation durable" in m.text or "Sustainable food" in m.text)]


async def at(h: Harness, instant: datetime) -> None:
    h.clock.set(instant)
    await tick(h)
    await h.drain()


async def test_the_prompt_arrives_at_nine_local_time_on_each_side_across_the_dst_change(harness: Harness):
    h = harness
    rennes, lome = await two_sides(h)
    # Winter: Paris is UTC+1, Lomé UTC+0.
    await at(h, datetime(2026, 11, 30, 7, 59, tzinfo=UTC))
    assert prompts_received(h, rennes) == [] and prompts_received(h, lome) == []
    await at(h, datetime(2026, 11, 30, 8, 0, tzinfo=UTC))
    assert len(prompts_received(h, rennes)) == 1 and prompts_received(h, lome) == []
    await at(h, datetime(2026, 11, 30, 9, 0, tzinfo=UTC))
    assert len(prompts_received(h, lome)) == 1
    await at(h, datetime(2026, 12, 2, 12, 0, tzinfo=UTC))  # later ticks of the same week send nothing again
    assert len(prompts_received(h, rennes)) == len(prompts_received(h, lome)) == 1

    # Each in their own language, from the catalogs.
    round_ = (await exchanges.rounds_of(h.db, 1))[0]
    english = prompt_by_key(round_.prompt_key).text
    french = h.services.i18n.for_locale("fr").prompt(english)
    ewe = h.services.i18n.for_locale("ee").prompt(english)
    assert french != english and ewe != english
    assert french in prompts_received(h, rennes)[0].text
    assert ewe in prompts_received(h, lome)[0].text

    # The week before the spring change Paris is still UTC+1; the Monday after it, UTC+2.
    await at(h, datetime(2027, 3, 22, 7, 59, tzinfo=UTC))
    count = len(prompts_received(h, rennes))
    await at(h, datetime(2027, 3, 22, 8, 0, tzinfo=UTC))
    assert len(prompts_received(h, rennes)) == count + 1
    await at(h, datetime(2027, 3, 29, 6, 59, tzinfo=UTC))
    assert len(prompts_received(h, rennes)) == count + 1
    await at(h, datetime(2027, 3, 29, 7, 0, tzinfo=UTC))
    assert len(prompts_received(h, rennes)) == count + 2
    lome_count = len(prompts_received(h, lome))
    await at(h, datetime(2027, 3, 29, 8, 59, tzinfo=UTC))
    assert len(prompts_received(h, lome)) == lome_count
    await at(h, datetime(2027, 3, 29, 9, 0, tzinfo=UTC))
    assert len(prompts_received(h, lome)) == lome_count + 1


async def test_openers_alternate_and_prompts_do_not_repeat(harness: Harness):
    h = harness
    await two_sides(h)
    for week in range(6):
        await at(h, datetime(2026, 11, 30, 10, 0, tzinfo=UTC) + timedelta(weeks=week))
    rounds = await exchanges.rounds_of(h.db, 1)
    assert len(rounds) == 6
    openers = [r.opener_territory for r in rounds]
    assert all(a != b for a, b in zip(openers, openers[1:]))
    assert len({r.prompt_key for r in rounds}) == len(rounds)


async def test_a_prompt_missed_while_down_is_sent_once_after_restart(harness: Harness, sim, clock, tmp_path):
    h = harness
    rennes, _ = await two_sides(h)
    await h.close()
    clock.set(datetime(2026, 12, 1, 15, 0, tzinfo=UTC))  # Tuesday: the bot was down on Monday morning
    again = await start_harness(sim, tmp_path / "passerelle.sqlite3", clock)
    try:
        await tick(again)
        await again.drain()
        await tick(again)
        await again.drain()
        assert len(prompts_received(again, rennes)) == 1
    finally:
        await again.close()
    third = await start_harness(sim, tmp_path / "passerelle.sqlite3", clock)
    try:
        await tick(third)
        await third.drain()
        assert len(prompts_received(third, rennes)) == 1
    finally:
        await third.close()
    # harness fixture closes `h` again at teardown: make that harmless
    h.close = _noop  # type: ignore[method-assign]


async def _noop() -> None:
    return None


async def test_a_reply_crosses_the_border_at_once_in_a_small_circle_with_attribution(harness: Harness):
    h = harness
    rennes, lome = await two_sides(h)
    await at(h, datetime(2026, 11, 30, 9, 0, tzinfo=UTC))
    prompt = prompts_received(h, rennes)[-1]
    await h.text(rennes, "Chez nous, les habitants décident ensemble <en assemblée> & votent.",
                 reply_to=prompt.message_id)
    await h.drain()
    relayed = h.sim.sent_messages(lome.id)[-1]
    assert "Chez nous, les habitants décident ensemble <en assemblée> & votent." in relayed.text
    assert "Maël Le Bihan" in relayed.text and "Coop <Breizh> & Co" in relayed.text
    assert "Bretagne" in relayed.text
    # Nothing goes back to the author's own side.
    assert not any("décident ensemble" in (m.text or "") for m in h.sim.sent_messages(rennes.id)[1:]
                   if m.message_id > prompt.message_id and "Maël Le Bihan" in (m.text or ""))


async def test_a_voice_note_is_copied_without_download_with_an_attribution_caption(harness: Harness):
    h = harness
    rennes, lome = await two_sides(h)
    await at(h, datetime(2026, 11, 30, 9, 0, tzinfo=UTC))
    prompt = prompts_received(h, lome)[-1]
    h.sim.send_voice(lome.id, duration=42, reply_to=prompt.message_id)
    await h.deliver()
    await h.drain()
    copied = h.sim.sent_messages(rennes.id)[-1]
    assert copied.copied_from is not None and copied.voice
    assert "Ama Mensah" in copied.caption and "Togo" in copied.caption
    assert not h.sim.calls("getFile")


async def test_equipment_centred_reply_gets_a_private_nudge_and_is_never_blocked(harness: Harness):
    h = harness
    rennes, lome = await two_sides(h)
    await at(h, datetime(2026, 11, 30, 9, 0, tzinfo=UTC))
    before = len(h.sim.sent_messages(lome.id))
    await h.text(rennes, "Nous avons acheté un camion, deux machines et un ordinateur avec un budget de 20000 euros.")
    await h.drain()
    assert len(h.sim.sent_messages(lome.id)) == before  # held while the author decides
    message, data = next((m, d) for m in reversed(h.sim.sent_messages(rennes.id)) for _, d in m.buttons()
                         if d.startswith("rf:send:"))
    await h.press(rennes, message, data)
    await h.drain()
    assert "camion" in h.sim.sent_messages(lome.id)[-1].text


async def test_large_circles_get_one_digest_per_member_per_window(harness: Harness, facilitator):
    h = harness
    rennes, lome = await two_sides(h)
    await h.command(facilitator, "relaymode", "food digest")
    await at(h, datetime(2026, 11, 30, 9, 0, tzinfo=UTC))
    before = len(h.sim.sent_messages(lome.id))
    h.clock.set(datetime(2026, 11, 30, 9, 10, tzinfo=UTC))
    await h.text(rennes, "Les parents d'élèves siègent au comité de la cantine.")
    await h.text(rennes, "Et les producteurs viennent une fois par mois en parler.")
    edited = h.sim.sent_messages  # the second reply is edited before the digest goes out
    last_user_message = [m for m in h.sim.chat_history(rennes.id) if not m.from_bot][-1]
    h.sim.edit_text(rennes.id, last_user_message.message_id, "Et les producteurs viennent chaque mois en parler.")
    await h.deliver()
    await tick(h)
    await h.drain()
    assert len(h.sim.sent_messages(lome.id)) == before  # the window is still open
    await at(h, datetime(2026, 11, 30, 10, 1, tzinfo=UTC))
    digest = h.sim.sent_messages(lome.id)[before:]
    assert len(digest) == 1
    assert "comité de la cantine" in digest[0].text and "chaque mois" in digest[0].text
    await at(h, datetime(2026, 11, 30, 11, 1, tzinfo=UTC))
    assert len(h.sim.sent_messages(lome.id)) == before + 1
    assert edited


async def test_a_paused_member_gets_no_prompt_until_resume(harness: Harness):
    h = harness
    rennes, lome = await two_sides(h)
    await h.command(rennes, "pause")
    await at(h, datetime(2026, 11, 30, 9, 0, tzinfo=UTC))
    assert prompts_received(h, rennes) == [] and len(prompts_received(h, lome)) == 1
    await h.command(rennes, "resume")
    await at(h, datetime(2026, 11, 30, 9, 30, tzinfo=UTC))
    assert len(prompts_received(h, rennes)) == 1  # still within its week: sent once on resume
    member = await members.get_by_telegram_id(h.db, rennes.id)
    assert member.paused_until is None


async def test_facilitator_prompts_with_translations_join_the_rotation(harness: Harness, facilitator):
    h = harness
    rennes, lome = await two_sides(h)
    await h.text(facilitator, "/addprompt food\nfr: Comment les habitants choisissent-ils les produits de la "
                              "cantine ?\nen: How do inhabitants choose what the canteen serves?")
    saved = await exchanges.custom_prompts(h.db, 1)
    assert saved and saved[0].texts["fr"].startswith("Comment les habitants")
    await h.command(facilitator, "retireprompt", f"food {saved[0].id}")
    assert await exchanges.custom_prompts(h.db, 1) == []
    await h.command(facilitator, "sendprompt", "food")
    await h.drain()
    assert len(prompts_received(h, rennes)) == 1 and len(prompts_received(h, lome)) == 1


async def test_replies_reach_a_territorys_group_and_group_answers_cross_back(harness: Harness, facilitator):
    h = harness
    rennes, lome = await two_sides(h)
    togo_group = h.sim.add_group("Alimentation durable · Togo", bot_is_admin=True)
    for user in (facilitator, lome):
        h.sim.add_member(togo_group.id, user.id, status="administrator" if user is facilitator else "member")
    await h.command(facilitator, "bindgroup", "food togo", chat_id=togo_group.id)
    await at(h, datetime(2026, 11, 30, 9, 0, tzinfo=UTC))
    group_prompt = next(m for m in h.sim.sent_messages(togo_group.id) if "\n\n" in (m.text or ""))
    lome_private_before = len(h.sim.sent_messages(lome.id))

    # Rennes answers in private: it reaches the Togo group, not Ama's private chat.
    await h.text(rennes, "Nous tenons un marché paysan où les producteurs fixent les prix ensemble.")
    await h.drain()
    assert "fixent les prix ensemble" in h.sim.sent_messages(togo_group.id)[-1].text
    assert len(h.sim.sent_messages(lome.id)) == lome_private_before

    # Ama answers in the group, quoting the bot's post: it reaches Rennes in private.
    await h.text(lome, "Mía ƒe habɔbɔ la, nyɔnuwo woa nyametsotso.", chat_id=togo_group.id,
                 reply_to=group_prompt.message_id)
    await h.drain()
    assert "nyɔnuwo woa nyametsotso" in h.sim.sent_messages(rennes.id)[-1].text
    # Ordinary group conversation is not relayed.
    count = len(h.sim.sent_messages(rennes.id))
    await h.text(lome, "Merci à tous !", chat_id=togo_group.id)
    await h.drain()
    assert len(h.sim.sent_messages(rennes.id)) == count


async def test_a_circle_above_fifteen_members_switches_to_digests_by_itself(harness: Harness):
    h = harness
    rennes, lome = await two_sides(h)
    for index in range(14):  # 16 members in all
        extra = h.sim.add_user(f"Membre{index}", language_code="fr")
        await join(h, extra, f"+3361234{index:04d}", f"Asso {index}", slug="food")
    await at(h, datetime(2026, 11, 30, 9, 0, tzinfo=UTC))
    before = len(h.sim.sent_messages(lome.id))
    h.clock.set(datetime(2026, 11, 30, 9, 5, tzinfo=UTC))
    await h.text(rennes, "Nous tenons une assemblée des mangeurs chaque trimestre.")
    await h.drain()
    assert len(h.sim.sent_messages(lome.id)) == before
    await at(h, datetime(2026, 11, 30, 10, 0, tzinfo=UTC))
    assert "assemblée des mangeurs" in h.sim.sent_messages(lome.id)[-1].text
    assert len(h.sim.sent_messages(lome.id)) == before + 1


async def test_the_quieter_side_is_invited_to_open_the_next_week(harness: Harness):
    h = harness
    rennes, lome = await two_sides(h)
    await at(h, datetime(2026, 11, 30, 9, 0, tzinfo=UTC))
    first = (await exchanges.rounds_of(h.db, 1))[0]
    talker = lome if first.opener_territory == "togo" else rennes
    quiet_side = "bretagne" if talker is lome else "togo"
    for index in range(4):
        await h.text(talker, f"Nous organisons la réunion numéro {index} avec les habitants du quartier.")
    await at(h, datetime(2026, 12, 7, 9, 0, tzinfo=UTC))
    await at(h, datetime(2026, 12, 14, 9, 0, tzinfo=UTC))
    later = (await exchanges.rounds_of(h.db, 1))[1:]
    # Without the balance rule the second week would alternate and the third come back to the talker's side.
    assert [r.opener_territory for r in later] == [quiet_side, quiet_side]
