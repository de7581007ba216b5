"""The global error handler: the member is told in their language, the log keeps no token and no phone number."""

from __future__ import annotations

import logging

from telegram import Update
from telegram.ext import MessageHandler, filters

from bot.logs import SafeFormatter, redact_phones
from tests.e2e.test_onboarding import join
from tests.support import TOKEN, Harness

SECRET_PHONE = "+228 90 12 34 56"


async def _explode(update, context) -> None:
    # A bug whose message quotes private data, as a careless f-string in a handler would.
    raise RuntimeError(f"could not place {SECRET_PHONE} (raw 22890123456) with bot {TOKEN}")


def _install_failing_handler(h: Harness) -> None:
    """A handler that fails on /boom (a command no real handler takes, so the failure is the only answer)."""
    h.app.add_handler(MessageHandler(filters.Regex("^/boom"), _explode), group=-10)


async def _send_failing(h: Harness, user, **kwargs) -> None:
    h.sim.send_text(user.id, "/boom", **kwargs)
    for payload in h.sim.take_updates():
        await h.app.process_update(Update.de_json(payload, h.app.bot))
    assert len(h.errors) == 1 and isinstance(h.errors[0], RuntimeError)
    h.errors.clear()


def _formatted(caplog) -> str:
    formatter = SafeFormatter("%(levelname)s %(name)s: %(message)s", TOKEN)
    return "\n".join(formatter.format(record) for record in caplog.records)


async def test_a_failing_handler_tells_the_member_in_their_language_without_internals(harness: Harness, caplog):
    h = harness
    maël = h.sim.add_user("Maël", language_code="fr")
    await join(h, maël, "+33612345678", "Coop", slug="food")
    stranger = h.sim.add_user("Ama", language_code="en")  # never started: their Telegram language is used
    _install_failing_handler(h)
    with caplog.at_level(logging.ERROR):
        await _send_failing(h, maël)
        await _send_failing(h, stranger)

    assert h.last(maël.id).text == ("Désolé, un problème est survenu de notre côté. "
                                    "Veuillez réessayer dans un instant.")
    assert h.last(stranger.id).text == "Sorry, something went wrong on our side. Please try again in a moment."
    for said in h.texts(maël.id) + h.texts(stranger.id):
        assert "RuntimeError" not in said and "90 12 34 56" not in said and "ABC" not in said

    log = _formatted(caplog)
    assert "RuntimeError" in log and "Traceback" in log  # our own bug keeps its traceback
    assert log.count("Error while handling an update") == 2
    assert "90 12 34 56" not in log and "22890123456" not in log and "<phone>" in log
    assert TOKEN not in log and TOKEN.split(":")[1] not in log


async def test_a_failing_button_is_answered_and_the_member_told(harness: Harness):
    h = harness
    user = h.sim.add_user("Kossi", language_code="en")
    await h.command(user, "start")
    failing = []

    async def explode_on_press(update, context) -> None:
        failing.append(update.callback_query.id)
        raise ValueError("broken button")

    from telegram.ext import CallbackQueryHandler

    h.app.add_handler(CallbackQueryHandler(explode_on_press), group=-10)
    welcome = h.last(user.id)
    h.sim.press_button(user.id, welcome.message_id, "zz:1", forge=True)
    for payload in h.sim.take_updates():
        await h.app.process_update(Update.de_json(payload, h.app.bot))
    h.errors.clear()
    answered = {r.params["callback_query_id"] for r in h.sim.calls("answerCallbackQuery")}
    assert failing and set(failing) <= answered  # no spinner left on the member's screen
    assert h.last(user.id).text.startswith("Sorry, something went wrong")


def test_phone_numbers_are_redacted_in_every_usual_shape_and_ids_are_kept():
    line = ("contact +22890123456, +228 90 12 34 56, +33 6-12-34-56-78, 22890123456, 06 12 34 56 78; "
            "user 1000001 in chat -1001234567890 at 2026-11-26 09:00:00,123, message 4242")
    redacted = redact_phones(line)
    assert redacted.count("<phone>") == 5
    assert "user 1000001 in chat -1001234567890 at 2026-11-26 09:00:00,123, message 4242" in redacted


def test_the_formatter_redacts_the_token_and_phones_in_exception_texts():
    formatter = SafeFormatter("%(message)s", TOKEN)
    try:
        raise KeyError(f"{TOKEN} +33612345678")
    except KeyError:
        record = logging.LogRecord("bot.x", logging.ERROR, __file__, 1, "failed for %s", ("+22890123456",),
                                   exc_info=__import__("sys").exc_info())
    line = formatter.format(record)
    assert "+33612345678" not in line and "+22890123456" not in line and TOKEN not in line
    assert "<token>" in line and line.count("<phone>") >= 2


async def test_a_chart_that_cannot_be_sent_is_reported_as_the_chart_not_as_a_failure(harness: Harness, caplog):
    h = harness
    h.refusals_expected = True  # the photo upload is made to fail
    maël = h.sim.add_user("Maël", language_code="fr")
    await join(h, maël, "+33612345678", "Coop", slug="food")
    h.sim.fail_next("sendPhoto", error_code=500, description="Internal Server Error")
    with caplog.at_level(logging.WARNING):
        await h.command(maël, "report")
    texts = h.texts(maël.id)
    assert any("Alimentation durable" in t for t in texts[-3:])  # the report text arrived
    assert texts[-1] == "Le graphique n'a pas pu être dessiné cette fois ; le rapport ci-dessus est complet."
    assert not any("un problème est survenu" in t for t in texts)
    log = _formatted(caplog)
    assert "report chart" in log and "sendPhoto" in log


async def test_a_failure_after_the_answer_was_delivered_gets_no_apology(harness: Harness, caplog):
    """A TypeError while reading the answer of a message that did arrive: log it, do not apologise."""
    h = harness
    maël = h.sim.add_user("Maël", language_code="fr")
    await join(h, maël, "+33612345678", "Coop", slug="food")
    h.sim.answer_malformed("sendMessage", result=["not", "a", "message"])
    before = len(h.texts(maël.id))
    with caplog.at_level(logging.ERROR):
        h.sim.send_command(maël.id, "help")
        for payload in h.sim.take_updates():
            await h.app.process_update(Update.de_json(payload, h.app.bot))
    assert len(h.errors) == 1
    h.errors.clear()
    assert len(h.texts(maël.id)) == before + 1  # the help itself, and nothing after it
    assert "un problème est survenu" not in h.texts(maël.id)[-1]
    assert "after the answer was delivered" in _formatted(caplog)


async def test_a_log_line_about_a_failed_call_names_the_method(harness: Harness, caplog):
    h = harness
    h.refusals_expected = True  # sendDocument is made to fail
    maël = h.sim.add_user("Maël", language_code="fr")
    await join(h, maël, "+33612345678", "Coop", slug="food")
    h.sim.fail_next("sendDocument", error_code=500, description="Internal Server Error")
    with caplog.at_level(logging.ERROR):
        h.sim.send_command(maël.id, "mydata")
        for payload in h.sim.take_updates():
            await h.app.process_update(Update.de_json(payload, h.app.bot))
    h.errors.clear()
    log = _formatted(caplog)
    assert "sendDocument: NetworkError" in log
    assert "+33" not in log and TOKEN not in log
    assert "un problème est survenu" in h.texts(maël.id)[-1]  # nothing useful reached the member: apologise


async def test_an_outbox_failure_log_names_the_method_and_the_kind_of_row(harness: Harness, caplog):
    from bot.storage import outbox

    h = harness
    h.refusals_expected = True
    maël = h.sim.add_user("Maël", language_code="fr")
    await join(h, maël, "+33612345678", "Coop", slug="food")
    await outbox.enqueue(h.db, chat_id=maël.id, method="copyMessage", now=h.clock.now(),
                         payload={"chat_id": maël.id, "from_chat_id": maël.id, "message_id": 999_999},
                         dedupe_key="relay:77:1:0")
    with caplog.at_level(logging.WARNING):
        await h.drain()
    log = _formatted(caplog)
    assert "copyMessage" in log and "relay" in log
