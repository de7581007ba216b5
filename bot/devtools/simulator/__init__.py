"""A local Telegram Bot API server for Passerelle's tests and demo (stdlib only on the server side).

    with BotApiSimulator() as sim:
        awa = sim.add_user("Awa")
        sim.send_command(awa.id, "start")
        ...  # point PTB at f"{sim.api_root}/bot", then read sim.sent_messages(awa.id)
"""

from bot.devtools.simulator.core import BotApiSimulator
from bot.devtools.simulator.errors import ApiError, SimulatorError
from bot.devtools.simulator.html_text import ParsedText, parse_html, utf16_length
from bot.devtools.simulator.models import InviteLink, RequestRecord, SimChat, SimMessage, SimUser, StoredFile
from bot.devtools.simulator.params import UploadedFile

__all__ = [
    "ApiError",
    "BotApiSimulator",
    "InviteLink",
    "ParsedText",
    "RequestRecord",
    "SimChat",
    "SimMessage",
    "SimUser",
    "SimulatorError",
    "StoredFile",
    "UploadedFile",
    "parse_html",
    "utf16_length",
]
