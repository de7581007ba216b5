"""The Bot API simulator answers like Telegram: same limits, same error shapes, same flood control."""

from __future__ import annotations

import json
import threading
from collections.abc import AsyncIterator, Iterator
from typing import Any

import httpx
import pytest
import telegram
from telegram import InlineKeyboardButton, InlineKeyboardMarkup, KeyboardButton, ReplyKeyboardMarkup
from telegram.error import BadRequest, Conflict, Forbidden, InvalidToken, NetworkError, RetryAfter
from telegram.ext import Application, Defaults, ExtBot, MessageHandler, filters

from bot.devtools.simulator import BotApiSimulator, SimulatorError, parse_html
from bot.devtools.simulator.spec import BOT_API_VERSION, METHOD_FIELDS

TOKEN = "123456:ABC-test"


class FakeMonotonic:
    """A monotonic clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture
def monotonic() -> FakeMonotonic:
    return FakeMonotonic()


@pytest.fixture
def sim(monotonic: FakeMonotonic) -> Iterator[BotApiSimulator]:
    """A strict simulator with flood control on a hand-moved clock (overrides the conftest one)."""
    with BotApiSimulator(TOKEN, "passerelle_test_bot", monotonic=monotonic) as simulator:
        yield simulator


@pytest.fixture
def http(sim: BotApiSimulator) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=f"{sim.api_root}/bot{TOKEN}/", timeout=5) as client:
        yield client


@pytest.fixture
async def bot(sim: BotApiSimulator) -> AsyncIterator[telegram.Bot]:
    async with telegram.Bot(TOKEN, base_url=f"{sim.api_root}/bot",
                            base_file_url=f"{sim.api_root}/file/bot") as client:
        yield client


def started_user(sim: BotApiSimulator, name: str = "Awa") -> int:
    user = sim.add_user(first_name=name, last_name="Mensah")
    sim.send_command(user.id, "start")
    return user.id


def keyboard(*data: str) -> str:
    return json.dumps({"inline_keyboard": [[{"text": d[:10] or "x", "callback_data": d} for d in data]]})


def error(response: httpx.Response) -> tuple[int, str]:
    body = response.json()
    assert body["ok"] is False and body["error_code"] == response.status_code
    return response.status_code, body["description"]


# -- text limits -----------------------------------------------------------------------------------
async def test_text_over_4096_characters_is_refused_like_telegram(sim: BotApiSimulator, bot: telegram.Bot) -> None:
    user_id = started_user(sim)
    with pytest.raises(BadRequest, match="(?i)^message is too long$"):
        await bot.send_message(user_id, "a" * 4097)
    refusal = {"ok": False, "error_code": 400, "description": "Bad Request: message is too long"}
    assert sim.requests[-1].response == refusal
    sent = await bot.send_message(user_id, "a" * 4096)
    assert len(sent.text) == 4096


async def test_html_tags_and_entities_do_not_count_towards_the_4096_limit(sim: BotApiSimulator,
                                                                        bot: telegram.Bot) -> None:
    user_id = sim.add_user("Awa").id
    sim.send_text(user_id, "bonjour")
    await bot.send_message(user_id, "<b>" + "&amp;" * 4096 + "</b>", parse_mode="HTML")
    assert sim.sent_messages(user_id)[-1].text == "&" * 4096
    with pytest.raises(BadRequest, match="(?i)message is too long"):
        await bot.send_message(user_id, "<i>" + "&lt;" * 4097 + "</i>", parse_mode="HTML")


async def test_length_is_counted_in_utf16_code_units(sim: BotApiSimulator, bot: telegram.Bot) -> None:
    user_id = started_user(sim)
    await bot.send_message(user_id, "😀" * 2048)  # 2 UTF-16 units each: exactly 4096
    with pytest.raises(BadRequest, match="(?i)message is too long"):
        await bot.send_message(user_id, "😀" * 2048 + "a")


def test_text_that_is_empty_after_html_parsing_is_refused(sim: BotApiSimulator, http: httpx.Client) -> None:
    user_id = started_user(sim)
    response = http.post("sendMessage", data={"chat_id": user_id, "text": "<b></b> ", "parse_mode": "HTML"})
    assert error(response) == (400, "Bad Request: message text is empty")
    assert error(http.post("sendMessage", data={"chat_id": user_id})) == (400, "Bad Request: message text is empty")


def test_caption_over_1024_characters_is_refused(sim: BotApiSimulator, http: httpx.Client) -> None:
    user_id = started_user(sim)
    files = {"document": ("a.txt", b"x", "text/plain")}
    response = http.post("sendDocument", data={"chat_id": user_id, "caption": "c" * 1025}, files=files)
    assert error(response) == (400, "Bad Request: message caption is too long")


def test_the_plain_text_and_the_raw_html_are_both_stored(sim: BotApiSimulator, http: httpx.Client) -> None:
    user_id = started_user(sim)
    raw = '<b>Réunion</b> à <a href="https://example.org">Lomé</a> &lt;3'
    assert http.post("sendMessage", data={"chat_id": user_id, "text": raw, "parse_mode": "HTML"}).json()["ok"]
    message = sim.sent_messages(user_id)[-1]
    assert (message.text, message.raw_text, message.parse_mode) == ("Réunion à Lomé <3", raw, "HTML")
    assert [e["type"] for e in message.entities] == ["bold", "text_link"]


# -- HTML parse errors ---------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("html", "description"),
    [
        ("é<foo>x</foo>", 'Unsupported start tag "foo" at byte offset 2'),
        ("<b>gras", 'Can\'t find end tag corresponding to start tag "b"'),
        ("<b>x</i>", 'Unmatched end tag at byte offset 4, expected "</b>", found "</i>"'),
        ("3 < 4", 'Unsupported start tag "" at byte offset 2'),
        ('<span class="x">s</span>', 'Tag "span" must have class "tg-spoiler" at byte offset 0'),
        ("x</b>", "Unexpected end tag at byte offset 1"),
    ],
)
def test_broken_html_is_refused_with_cant_parse_entities(sim: BotApiSimulator, http: httpx.Client, html: str,
                                                         description: str) -> None:
    user_id = started_user(sim)
    response = http.post("sendMessage", data={"chat_id": user_id, "text": html, "parse_mode": "HTML"})
    assert error(response) == (400, f"Bad Request: can't parse entities: {description}")


async def test_ptb_raises_bad_request_for_broken_html(sim: BotApiSimulator, bot: telegram.Bot) -> None:
    user_id = started_user(sim)
    with pytest.raises(BadRequest, match="(?i)can't parse entities: unsupported start tag"):
        await bot.send_message(user_id, "<p>paragraphe</p>", parse_mode="HTML")


def test_html_parser_keeps_a_bare_ampersand_like_telegram_unless_strict() -> None:
    assert parse_html("Tom & Jerry &amp; co &#233;").text == "Tom & Jerry & co é"
    with pytest.raises(Exception, match="can't parse entities"):
        parse_html("Tom & Jerry", strict_ampersand=True)


def test_html_parser_reports_entities_in_utf16_offsets() -> None:
    parsed = parse_html('😀 <b>gras</b> <pre><code class="language-python">x = 1</code></pre>'
                        "<blockquote expandable>citation</blockquote>")
    assert parsed.text == "😀 gras x = 1citation"
    assert parsed.entities == [
        {"offset": 3, "length": 4, "type": "bold"},
        {"offset": 8, "length": 5, "type": "pre", "language": "python"},
        {"offset": 13, "length": 8, "type": "expandable_blockquote"},
    ]


# -- reply markup ---------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("callback_data", "accepted"),
    [("a" * 64, True), ("é" * 32, True), ("a" * 65, False), ("é" * 33, False), ("", False)],
)
def test_callback_data_over_64_bytes_is_refused_as_button_data_invalid(
    sim: BotApiSimulator, http: httpx.Client, callback_data: str, accepted: bool
) -> None:
    user_id = started_user(sim)
    markup = json.dumps({"inline_keyboard": [[{"text": "Oui", "callback_data": callback_data}]]})
    response = http.post("sendMessage", data={"chat_id": user_id, "text": "Venez-vous ?", "reply_markup": markup})
    if accepted:
        assert response.json()["ok"] is True
    else:
        assert error(response) == (400, "Bad Request: BUTTON_DATA_INVALID")


async def test_ptb_raises_bad_request_for_33_accented_characters_of_callback_data(
    sim: BotApiSimulator, bot: telegram.Bot
) -> None:
    user_id = started_user(sim)
    markup = InlineKeyboardMarkup([[InlineKeyboardButton("Oui", callback_data="é" * 33)]])
    with pytest.raises(BadRequest, match="(?i)button_data_invalid"):
        await bot.send_message(user_id, "Venez-vous ?", reply_markup=markup)


def test_too_many_buttons_and_buttons_without_action_are_refused(sim: BotApiSimulator, http: httpx.Client) -> None:
    user_id = started_user(sim)
    nine = keyboard(*[str(i) for i in range(9)])
    assert error(http.post("sendMessage", data={"chat_id": user_id, "text": "x", "reply_markup": nine})) == (
        400, "Bad Request: REPLY_MARKUP_TOO_LONG")
    bare = json.dumps({"inline_keyboard": [[{"text": "rien"}]]})
    status, description = error(http.post("sendMessage", data={"chat_id": user_id, "text": "x", "reply_markup": bare}))
    assert (status, description.startswith("Bad Request: can't parse inline keyboard button")) == (400, True)


async def test_contact_request_keyboard_is_refused_outside_private_chats(sim: BotApiSimulator,
                                                                          bot: telegram.Bot) -> None:
    group = sim.add_group("Alimentation durable")
    markup = ReplyKeyboardMarkup([[KeyboardButton("Mon numéro", request_contact=True)]], one_time_keyboard=True)
    with pytest.raises(BadRequest, match="(?i)request_contact is allowed only in private chats"):
        await bot.send_message(group.id, "Partagez votre numéro", reply_markup=markup)
    await bot.send_message(started_user(sim), "Partagez votre numéro", reply_markup=markup)


# -- who the bot may write to ---------------------------------------------------------------------------
async def test_unknown_chat_is_chat_not_found(bot: telegram.Bot, http: httpx.Client) -> None:
    with pytest.raises(BadRequest, match="(?i)^chat not found$"):
        await bot.send_message(424242, "allô ?")
    assert error(http.post("sendMessage", data={"chat_id": "@nobody", "text": "x"})) == (
        400, "Bad Request: chat not found")


async def test_bot_cannot_write_first_to_a_user_who_never_started_it(sim: BotApiSimulator,
                                                                      bot: telegram.Bot) -> None:
    user = sim.add_user(first_name="Yao")
    with pytest.raises(Forbidden) as caught:
        await bot.send_message(user.id, "Bonjour")
    assert caught.value.message == "Forbidden: bot can't initiate conversation with a user"
    sim.send_text(user.id, "bonjour")
    await bot.send_message(user.id, "Bonjour Yao")


async def test_blocked_user_gives_403_bot_was_blocked_and_a_my_chat_member_update(sim: BotApiSimulator,
                                                                                    bot: telegram.Bot) -> None:
    user_id = started_user(sim)
    sim.take_updates()
    update = sim.block_bot(user_id)
    assert update["my_chat_member"]["new_chat_member"]["status"] == "kicked"
    with pytest.raises(Forbidden) as caught:
        await bot.send_message(user_id, "Rappel")
    assert caught.value.message == "Forbidden: bot was blocked by the user"
    assert sim.requests[-1].response["description"] == "Forbidden: bot was blocked by the user"
    sim.unblock_bot(user_id)
    await bot.send_message(user_id, "Rappel")
    parsed = telegram.Update.de_json(update, bot)
    assert parsed is not None and parsed.my_chat_member is not None


async def test_group_that_removed_the_bot_gives_403_kicked(sim: BotApiSimulator, bot: telegram.Bot) -> None:
    admin = sim.add_user("Awa")
    supergroup, group = sim.add_group("Réseau"), sim.add_group("Petit groupe", kind="group")
    for chat in (supergroup, group):
        sim.add_member(chat.id, admin.id, status="administrator")
        sim.kick_bot(chat.id, by_user_id=admin.id)
    with pytest.raises(Forbidden, match="bot was kicked from the supergroup chat"):
        await bot.send_message(supergroup.id, "x")
    with pytest.raises(Forbidden, match="bot was kicked from the group chat"):
        await bot.send_message(group.id, "x")


def test_message_thread_must_be_a_topic_of_a_forum(sim: BotApiSimulator, http: httpx.Client) -> None:
    forum = sim.add_group("Thèmes", is_forum=True)
    topic = sim.add_forum_topic(forum.id, name="Bretagne")
    ok = http.post("sendMessage", data={"chat_id": forum.id, "text": "x", "message_thread_id": topic})
    assert ok.json()["result"]["message_thread_id"] == topic
    assert sim.sent_messages(forum.id)[-1].thread_id == topic
    missing = http.post("sendMessage", data={"chat_id": forum.id, "text": "x", "message_thread_id": topic + 50})
    assert error(missing) == (400, "Bad Request: message thread not found")


# -- parameters and routing -----------------------------------------------------------------------------
def test_wrong_token_and_unknown_method_answer_like_telegram(sim: BotApiSimulator, http: httpx.Client) -> None:
    with httpx.Client(base_url=sim.api_root) as raw:
        assert raw.post("/bot999:nope/getMe").json() == {"ok": False, "error_code": 401, "description": "Unauthorized"}
        assert raw.get("/bot999:nope/getMe").status_code == 401
    assert http.post("sendTelepathy").json() == {"ok": False, "error_code": 404, "description": "Not Found"}
    assert http.get("GETME").json()["result"]["username"] == "passerelle_test_bot"  # names are case-insensitive


async def test_ptb_reports_a_wrong_token_as_invalid_token(sim: BotApiSimulator) -> None:
    with pytest.raises(InvalidToken):
        async with telegram.Bot("999:wrong", base_url=f"{sim.api_root}/bot"):
            pass


def test_missing_and_unknown_parameters_are_refused(sim: BotApiSimulator, http: httpx.Client) -> None:
    assert error(http.post("sendMessage", data={"text": "x"})) == (400, "Bad Request: parameter chat_id is required")
    user_id = started_user(sim)
    status, description = error(http.post("sendMessage", data={"chat_id": user_id, "text": "x", "txet": "y"}))
    assert (status, description.startswith("Bad Request: unknown parameter txet")) == (400, True)


def test_json_bodies_and_query_strings_are_accepted(sim: BotApiSimulator, http: httpx.Client) -> None:
    user_id = started_user(sim)
    markup = {"inline_keyboard": [[{"text": "A", "callback_data": "a"}]]}
    by_json = http.post("sendMessage", json={"chat_id": user_id, "text": "json", "reply_markup": markup})
    assert by_json.json()["result"]["reply_markup"]["inline_keyboard"][0][0]["callback_data"] == "a"
    by_query = http.get("sendMessage", params={"chat_id": user_id, "text": "query", "disable_notification": "true"})
    assert by_query.json()["result"]["text"] == "query"
    assert sim.calls("sendMessage")[-1].params["disable_notification"] is True


def test_embedded_spec_matches_the_shared_bot_api_spec() -> None:
    from pathlib import Path

    # CI clones the repository beside a copy of shared/; a developer's checkout sits in /work/main.
    candidates = [Path(__file__).resolve().parents[3] / "shared/telegram-bot-api-spec/api.json",
                  Path("/work/shared/telegram-bot-api-spec/api.json")]
    spec_path = next((path for path in candidates if path.exists()), None)
    if spec_path is None:
        pytest.skip("shared spec not available")
    spec = json.loads(spec_path.read_text())
    assert spec["version"].endswith(BOT_API_VERSION)
    for method, fields in METHOD_FIELDS.items():
        expected = {f["name"]: (tuple(f["types"]), f["required"]) for f in spec["methods"][method].get("fields", [])}
        assert fields == expected, method


# -- flood control ----------------------------------------------------------------------------------------
def send(http: httpx.Client, chat_id: int, text: str = "x") -> httpx.Response:
    return http.post("sendMessage", data={"chat_id": chat_id, "text": text})


def test_private_chat_tolerates_a_burst_of_3_then_answers_429(sim: BotApiSimulator, http: httpx.Client,
                                                             monotonic: FakeMonotonic) -> None:
    user_id = started_user(sim)
    assert [send(http, user_id).status_code for _ in range(3)] == [200, 200, 200]
    refused = send(http, user_id)
    assert refused.status_code == 429
    assert refused.json() == {"ok": False, "error_code": 429, "description": "Too Many Requests: retry after 1",
                              "parameters": {"retry_after": 1}}
    monotonic.advance(1.0)  # one token back
    assert [send(http, user_id).status_code for _ in range(2)] == [200, 429]
    assert sim.rate_limited_count == 2
    assert len(sim.sent_messages(user_id)) == 4  # refused sends consumed nothing and stored nothing


def test_global_limit_is_30_messages_per_second(sim: BotApiSimulator, http: httpx.Client,
                                                monotonic: FakeMonotonic) -> None:
    users = [started_user(sim, f"U{i}") for i in range(31)]
    assert {send(http, u).status_code for u in users[:30]} == {200}
    refused = send(http, users[30])
    assert refused.status_code == 429 and refused.json()["parameters"] == {"retry_after": 1}
    monotonic.advance(1.0)
    assert send(http, users[30]).status_code == 200


def test_group_limit_is_20_messages_per_minute(sim: BotApiSimulator, http: httpx.Client,
                                               monotonic: FakeMonotonic) -> None:
    group = sim.add_group("Alimentation durable")
    for _ in range(20):
        assert send(http, group.id).status_code == 200
        monotonic.advance(1.0)  # stay under the global and any burst limits
    refused = send(http, group.id)
    assert refused.json()["parameters"] == {"retry_after": 40}  # first send leaves the window at t+60
    monotonic.advance(40.0)
    assert send(http, group.id).status_code == 200


async def test_ptb_raises_retry_after_on_flood(sim: BotApiSimulator, bot: telegram.Bot,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PTB_TIMEDELTA", "true")  # else PTB warns when it builds RetryAfter
    user_id = started_user(sim)
    for _ in range(3):
        await bot.send_message(user_id, "x")
    with pytest.raises(RetryAfter) as caught:
        await bot.edit_message_text("edits count too", user_id, sim.sent_messages(user_id)[0].message_id)
    assert caught.value.retry_after.total_seconds() == 1


def test_rate_limits_can_be_switched_off(monotonic: FakeMonotonic) -> None:
    with BotApiSimulator(TOKEN, rate_limits=False, monotonic=monotonic) as sim, \
            httpx.Client(base_url=f"{sim.api_root}/bot{TOKEN}/") as http:
        user_id = started_user(sim)
        assert {send(http, user_id).status_code for _ in range(40)} == {200}


# -- updates ---------------------------------------------------------------------------------------------
def test_get_updates_long_poll_returns_when_an_update_arrives_and_offset_confirms(sim: BotApiSimulator,
                                                                                   http: httpx.Client) -> None:
    user = sim.add_user("Awa")
    timer = threading.Timer(0.05, sim.send_text, args=(user.id, "bonjour"))
    timer.start()
    updates = http.post("getUpdates", data={"timeout": 5}).json()["result"]
    timer.join()
    assert [u["message"]["text"] for u in updates] == ["bonjour"]
    again = http.post("getUpdates", data={"timeout": 0}).json()["result"]
    assert again == updates  # not confirmed yet: delivered again
    confirmed = http.post("getUpdates", data={"offset": updates[0]["update_id"] + 1, "timeout": 0})
    assert confirmed.json()["result"] == []


def test_get_updates_waits_no_longer_than_its_timeout(http: httpx.Client) -> None:
    assert http.post("getUpdates", data={"timeout": 0}).json() == {"ok": True, "result": []}


def test_a_second_poller_ends_the_first_with_409(sim: BotApiSimulator) -> None:
    results: list[dict[str, Any]] = []
    with httpx.Client(base_url=f"{sim.api_root}/bot{TOKEN}/", timeout=5) as first, \
            httpx.Client(base_url=f"{sim.api_root}/bot{TOKEN}/", timeout=5) as second:
        poller = threading.Thread(target=lambda: results.append(first.post("getUpdates", data={"timeout": 5}).json()))
        poller.start()
        sim.wait_for(lambda s: s.waiting_polls == 1, timeout=2)
        second.post("getUpdates", data={"timeout": 0})
        poller.join()
    assert results[0]["error_code"] == 409
    assert results[0]["description"].startswith("Conflict: terminated by other getUpdates request")


def test_take_updates_pops_everything_in_order(sim: BotApiSimulator) -> None:
    user = sim.add_user("Awa")
    sim.send_command(user.id, "start", args="ref_abc")
    sim.send_contact(user.id, phone_number="+22890123456")
    sim.send_voice(user.id, duration=7)
    updates = sim.take_updates()
    assert updates[0]["message"]["text"] == "/start ref_abc"
    assert updates[0]["message"]["entities"] == [{"type": "bot_command", "offset": 0, "length": 6}]
    assert updates[1]["message"]["contact"]["user_id"] == user.id
    assert updates[2]["message"]["voice"]["duration"] == 7
    assert [u["update_id"] for u in updates] == sorted(u["update_id"] for u in updates)
    assert sim.take_updates() == []


def test_reply_to_embeds_the_replied_message(sim: BotApiSimulator, http: httpx.Client) -> None:
    user_id = started_user(sim)
    bot_message = send(http, user_id, "Quelle date ?").json()["result"]
    update = sim.send_text(user_id, "Mardi", reply_to=bot_message["message_id"])
    assert update["message"]["reply_to_message"]["text"] == "Quelle date ?"
    with pytest.raises(SimulatorError):
        sim.send_text(user_id, "x", reply_to=999)


# -- callback queries --------------------------------------------------------------------------------------
async def test_callback_query_answered_twice_is_refused(sim: BotApiSimulator, bot: telegram.Bot) -> None:
    user_id = started_user(sim)
    message = await bot.send_message(user_id, "Venez-vous ?", reply_markup=InlineKeyboardMarkup(
        [[InlineKeyboardButton("Oui", callback_data="rsvp:yes")]]))
    assert sim.sent_messages(user_id)[-1].buttons() == [("Oui", "rsvp:yes")]
    update = sim.press_button(user_id, message.message_id, "rsvp:yes")
    query_id = update["callback_query"]["id"]
    assert await bot.answer_callback_query(query_id, text="Noté")
    with pytest.raises(BadRequest, match="(?i)query is too old and response timeout expired or query id is invalid"):
        await bot.answer_callback_query(query_id)
    with pytest.raises(BadRequest, match="(?i)query is too old"):
        await bot.answer_callback_query("123")


def test_pressing_a_button_that_does_not_exist_is_a_simulator_error(sim: BotApiSimulator,
                                                                    http: httpx.Client) -> None:
    user_id = started_user(sim)
    message_id = http.post("sendMessage", data={"chat_id": user_id, "text": "x", "reply_markup": keyboard("a")}
                           ).json()["result"]["message_id"]
    with pytest.raises(SimulatorError):
        sim.press_button(user_id, message_id, "b")
    forged = sim.press_button(user_id, 999, "b", forge=True)
    assert forged["callback_query"]["message"]["date"] == 0  # an inaccessible message


# -- editing ----------------------------------------------------------------------------------------------
async def test_edit_with_same_content_is_not_modified_and_unknown_message_is_not_found(
    sim: BotApiSimulator, bot: telegram.Bot
) -> None:
    user_id = started_user(sim)
    markup = InlineKeyboardMarkup([[InlineKeyboardButton("Oui", callback_data="y")]])
    message = await bot.send_message(user_id, "<b>Venez</b>", parse_mode="HTML", reply_markup=markup)
    with pytest.raises(BadRequest, match="(?i)message is not modified: specified new message content"):
        await bot.edit_message_text("<b>Venez</b>", user_id, message.message_id, parse_mode="HTML",
                                    reply_markup=markup)
    # Without reply_markup, Telegram removes the keyboard: that is a modification.
    edited = await bot.edit_message_text("<b>Venez</b>", user_id, message.message_id, parse_mode="HTML")
    assert edited.reply_markup is None and sim.message(user_id, message.message_id).edited
    with pytest.raises(BadRequest, match="(?i)^message to edit not found$"):
        await bot.edit_message_text("x", user_id, 999)


def test_user_edits_become_edited_message_updates(sim: BotApiSimulator) -> None:
    user_id = started_user(sim)
    message_id = sim.send_text(user_id, "Mardi")["message"]["message_id"]
    update = sim.edit_text(user_id, message_id, "Mercredi")
    assert update["edited_message"]["text"] == "Mercredi"
    assert [m.text for m in sim.chat_history(user_id)] == ["/start", "Mercredi"]


# -- invitations ------------------------------------------------------------------------------------------
async def test_join_request_through_an_invite_link_then_approval_adds_the_member(sim: BotApiSimulator,
                                                                                 bot: telegram.Bot) -> None:
    group = sim.add_group("Alimentation durable")
    user = sim.add_user("Kossi")
    link = await bot.create_chat_invite_link(group.id, name="Cercle Lomé", creates_join_request=True)
    assert link.invite_link.startswith("https://t.me/+") and link.creator.id == sim.bot_user["id"]
    update = sim.request_join(user.id, group.id, invite_link=link.invite_link)
    assert update["chat_join_request"]["user_chat_id"] == user.id
    await bot.send_message(user.id, "Votre demande est reçue")  # allowed while the request is pending
    assert await bot.approve_chat_join_request(group.id, user.id)
    assert sim.chat_members(group.id) == {user.id}
    with pytest.raises(BadRequest, match="(?i)hide_requester_missing"):
        await bot.decline_chat_join_request(group.id, user.id)
    assert sim.invite_links(group.id)[0].name == "Cercle Lomé"


@pytest.mark.parametrize("process", ["approve", "decline"])
async def test_a_join_requester_cannot_be_written_to_once_the_request_is_processed(
        sim: BotApiSimulator, bot: telegram.Bot, process: str) -> None:
    group = sim.add_group("Alimentation durable")
    user = sim.add_user("Kossi")
    link = await bot.create_chat_invite_link(group.id, creates_join_request=True)
    sim.request_join(user.id, group.id, invite_link=link.invite_link)
    await bot.send_message(user.id, "Votre demande est reçue")  # through user_chat_id, while pending
    if process == "approve":
        await bot.approve_chat_join_request(group.id, user.id)
    else:
        await bot.decline_chat_join_request(group.id, user.id)
    with pytest.raises(Forbidden, match="(?i)can't initiate conversation"):
        await bot.send_message(user.id, "Encore un mot")
    sim.send_text(user.id, "Bonjour")  # once the user writes to the bot, it may answer for good
    await bot.send_message(user.id, "Bienvenue")


async def test_invite_links_are_checked_like_telegram(sim: BotApiSimulator, bot: telegram.Bot) -> None:
    not_admin = sim.add_group("Sans droits", bot_is_admin=False)
    group = sim.add_group("Réseau")
    with pytest.raises(BadRequest, match="(?i)not enough rights"):
        await bot.create_chat_invite_link(not_admin.id)
    with pytest.raises(BadRequest):
        await bot.create_chat_invite_link(group.id, member_limit=5, creates_join_request=True)
    with pytest.raises(BadRequest):
        await bot.create_chat_invite_link(group.id, name="n" * 33)
    with pytest.raises(SimulatorError):
        sim.request_join(sim.add_user("X").id, group.id, invite_link="https://t.me/+unknown")


# -- files ------------------------------------------------------------------------------------------------
async def test_uploaded_document_is_stored_and_downloadable_through_get_file(sim: BotApiSimulator,
                                                                             bot: telegram.Bot) -> None:
    user_id = started_user(sim)
    payload = b"BEGIN:VCALENDAR\r\n\x00\xff binary\r\n--boundary-like--\r\nEND:VCALENDAR\r\n"
    sent = await bot.send_document(user_id, document=payload, filename="rdv.ics", caption="<i>Rendez-vous</i>",
                                   parse_mode="HTML")
    stored = sim.sent_messages(user_id)[-1]
    assert stored.document_bytes == payload and stored.caption == "Rendez-vous"
    assert stored.document is not None and stored.document["file_name"] == "rdv.ics"
    assert sent.document is not None and sent.document.mime_type == "text/calendar"
    file = await bot.get_file(sent.document.file_id)
    assert bytes(await file.download_as_bytearray()) == payload
    file_path = sim.calls("getFile")[-1].response["result"]["file_path"]  # PTB turns it into a full URL
    with httpx.Client(base_url=sim.api_root) as raw:
        assert raw.get(f"/file/bot{TOKEN}/{file_path}").content == payload
        assert raw.get(f"/file/bot{TOKEN}/documents/nothing.pdf").status_code == 404


def test_copy_message_copies_a_user_voice_note_to_a_group(sim: BotApiSimulator, http: httpx.Client) -> None:
    user_id = started_user(sim)
    group = sim.add_group("Alimentation durable")
    voice_id = sim.send_voice(user_id, duration=12)["message"]["message_id"]
    response = http.post("copyMessage", data={"chat_id": group.id, "from_chat_id": user_id, "message_id": voice_id,
                                              "caption": "De la part d'Awa"})
    copy = sim.sent_messages(group.id)[-1]
    assert response.json()["result"] == {"message_id": copy.message_id}
    assert copy.voice is not None and copy.copied_from == (user_id, voice_id) and copy.caption == "De la part d'Awa"
    missing = http.post("copyMessage", data={"chat_id": group.id, "from_chat_id": user_id, "message_id": 99})
    assert error(missing) == (400, "Bad Request: message to copy not found")


# -- commands ---------------------------------------------------------------------------------------------
async def test_commands_are_stored_per_scope_and_language_and_validated(sim: BotApiSimulator,
                                                                        bot: telegram.Bot) -> None:
    scope = telegram.BotCommandScopeAllPrivateChats()
    await bot.set_my_commands([("start", "Commencer"), ("aide", "Aide")], scope=scope, language_code="fr")
    assert sim.commands("all_private_chats", "fr") == [{"command": "start", "description": "Commencer"},
                                                       {"command": "aide", "description": "Aide"}]
    assert sim.commands() == []
    assert [c.command for c in await bot.get_my_commands(scope=scope, language_code="fr")] == ["start", "aide"]
    with pytest.raises(BadRequest):
        await bot.set_my_commands([("Start", "majuscule")])
    with pytest.raises(BadRequest):
        await bot.set_my_commands([("start", "")], language_code="kbp")


# -- fault injection --------------------------------------------------------------------------------------
async def test_injected_faults_reach_ptb_as_its_errors(sim: BotApiSimulator, bot: telegram.Bot) -> None:
    user_id = started_user(sim)
    sim.fail_next("sendMessage", error_code=500, description="Internal Server Error")
    with pytest.raises(NetworkError):
        await bot.send_message(user_id, "x")
    sim.set_status(502)
    with pytest.raises(NetworkError, match="Bad Gateway"):
        await bot.send_message(user_id, "x")
    sim.drop_connections("sendMessage", 1)
    with pytest.raises(NetworkError):
        await bot.send_message(user_id, "x")
    sim.fail_next("getUpdates", error_code=409, description="Conflict: terminated by other getUpdates request")
    with pytest.raises(Conflict):
        await bot.get_updates()
    await bot.send_message(user_id, "enfin")
    assert [r.status for r in sim.requests if r.method == "sendMessage"] == [500, 502, 0, 200]


# -- waiting and the real PTB loop ----------------------------------------------------------------------
def test_wait_for_wakes_on_requests_and_times_out(sim: BotApiSimulator, http: httpx.Client) -> None:
    user_id = started_user(sim)
    timer = threading.Timer(0.02, send, args=(http, user_id, "plus tard"))
    timer.start()
    sim.wait_for(lambda s: len(s.sent_messages(user_id)) == 1, timeout=5)
    timer.join()
    with pytest.raises(TimeoutError):
        sim.wait_for(lambda s: False, timeout=0.05)


async def test_a_polling_ptb_application_answers_a_user(sim: BotApiSimulator) -> None:
    async def echo(update: telegram.Update, context: Any) -> None:
        assert update.effective_message is not None
        await update.effective_message.reply_text(f"écho : {update.effective_message.text}", do_quote=True)

    application = Application.builder().token(TOKEN).base_url(f"{sim.api_root}/bot").build()
    application.add_handler(MessageHandler(filters.TEXT, echo))
    user_id = sim.add_user("Awa").id
    async with application:
        await application.updater.start_polling(poll_interval=0, timeout=1)  # type: ignore[union-attr]
        await application.start()
        sim.send_text(user_id, "bonjour")
        await sim.wait_for_async(lambda s: len(s.sent_messages(user_id)) == 1, timeout=5)
        await application.updater.stop()  # type: ignore[union-attr]
        await application.stop()
    reply = sim.sent_messages(user_id)[0]
    assert reply.text == "écho : bonjour" and reply.reply_to == 1


# -- more of the surface -----------------------------------------------------------------------------------
async def test_photos_voices_forwards_and_deletions_go_through_ptb(sim: BotApiSimulator, bot: telegram.Bot) -> None:
    user_id = started_user(sim)
    group = sim.add_group("Alimentation durable")
    photo = await bot.send_photo(user_id, photo=b"\xff\xd8\xff fake jpeg", caption="Affiche")
    voice = await bot.send_voice(user_id, voice=b"OggS fake", duration=3)
    assert photo.photo and photo.caption == "Affiche" and voice.voice is not None
    assert sim.message(user_id, voice.message_id).voice["duration"] == 3  # type: ignore[index]
    forwarded = await bot.forward_message(group.id, from_chat_id=user_id, message_id=1)
    assert forwarded.text == "/start" and forwarded.forward_origin is not None
    assert await bot.delete_message(user_id, photo.message_id)
    assert photo.message_id not in [m.message_id for m in sim.chat_history(user_id)]
    with pytest.raises(BadRequest, match="(?i)message to delete not found"):
        await bot.delete_message(user_id, photo.message_id)


async def test_chat_and_member_objects_are_accepted_by_ptb(sim: BotApiSimulator, bot: telegram.Bot) -> None:
    group = sim.add_group("Réseau", kind="group")
    member, outsider = sim.add_user("Awa"), sim.add_user("Kodjo")
    sim.add_member(group.id, member.id)
    chat = await bot.get_chat(group.id)
    assert (chat.id, chat.type, chat.title) == (group.id, "group", "Réseau")
    assert (await bot.get_chat_member(group.id, member.id)).status == "member"
    assert (await bot.get_chat_member(group.id, outsider.id)).status == "left"
    assert (await bot.get_chat_member(group.id, sim.bot_user["id"])).status == "administrator"
    assert await bot.ban_chat_member(group.id, member.id)
    assert (await bot.get_chat_member(group.id, member.id)).status == "kicked"
    assert await bot.unban_chat_member(group.id, member.id, only_if_banned=True)
    assert sim.chat_members(group.id) == set()
    sim.add_member(group.id, outsider.id)
    update = sim.leave_group(outsider.id, group.id)
    assert update["message"]["left_chat_member"]["id"] == outsider.id and sim.chat_members(group.id) == set()


async def test_ptb_defaults_sent_to_methods_without_them_are_ignored_like_telegram(sim: BotApiSimulator) -> None:
    user_id = started_user(sim)
    defaults = Defaults(parse_mode="HTML")
    async with ExtBot(TOKEN, base_url=f"{sim.api_root}/bot", defaults=defaults) as ext_bot:
        markup = InlineKeyboardMarkup([[InlineKeyboardButton("Oui", callback_data="y")]])
        message = await ext_bot.send_message(user_id, "<b>Venez</b>", reply_markup=markup)
        await ext_bot.edit_message_reply_markup(user_id, message.message_id)  # PTB adds parse_mode here
    assert sim.message(user_id, message.message_id).reply_markup is None
