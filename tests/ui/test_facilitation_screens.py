"""The facilitators' screens: typed button data within Telegram's limit, the delivery count's wording."""

from bot.storage.facilitator_tools import DeliveryCounts
from bot.ui.callbacks import MAX_BYTES
from bot.ui.facilitation import Step, progress_text
from tests.support import shared_i18n


def test_the_longest_step_fits_in_telegram_callback_data_and_decodes_back():
    step = Step("sendprompt", 10**9, "insertion-12", 10**9, 999)
    data = step.encode()
    assert len(data.encode()) <= MAX_BYTES and Step.decode(data) == step
    assert Step.decode("fx:send:abc:-:0:0") is None and Step.decode("fx:send") is None


def test_the_count_says_on_its_way_until_every_message_is_delivered_or_given_up():
    fr = shared_i18n().for_locale("fr")
    assert "312 / 540 remis, 3 injoignables" in progress_text(fr, DeliveryCounts(540, 312, 3))
    assert progress_text(fr, DeliveryCounts(540, 312, 3)).endswith("…")
    final = progress_text(fr, DeliveryCounts(540, 537, 3))
    assert final.startswith("📣 Annonce envoyée") and "537 / 540" in final
    assert "0 injoignable" in progress_text(fr, DeliveryCounts(1, 1, 0))
