"""Bot-level Bot API methods: identity, updates, commands, files."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from bot.devtools.simulator.errors import ApiError, bad_request
from bot.devtools.simulator.state import SimState

Params = dict[str, Any]

CONFLICT = "Conflict: terminated by other getUpdates request; make sure that only one bot instance is running"
WEBHOOK_ACTIVE = "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first"
_COMMAND = re.compile(r"[a-z0-9_]{1,32}")
_LANGUAGE = re.compile(r"[a-z]{2}")  # "A two-letter ISO 639-1 language code"
MAX_COMMANDS = 100
_SCOPES_WITH_CHAT = {"chat", "chat_administrators", "chat_member"}
_SCOPES = {"default", "all_private_chats", "all_group_chats", "all_chat_administrators"} | _SCOPES_WITH_CHAT


def get_me(state: SimState, params: Params) -> dict[str, Any]:
    return {
        **state.bot_user,
        "can_join_groups": True,
        "can_read_all_group_messages": False,
        "supports_inline_queries": False,
        "can_connect_to_business": False,
        "has_main_web_app": False,
    }


def get_updates(state: SimState, params: Params) -> list[dict[str, Any]]:
    """Long poll: wait on the condition up to ``timeout`` seconds for an update; offset confirms earlier ones."""
    if state.webhook is not None:
        raise ApiError(409, WEBHOOK_ACTIVE)
    if "allowed_updates" in params:
        state.allowed_updates = list(params["allowed_updates"])  # remembered until the next call that sets it
    if "offset" in params:
        state.confirm_updates(params["offset"])
    limit = min(max(params.get("limit", 100), 1), 100)
    timeout = max(params.get("timeout", 0), 0)
    # A newer getUpdates ends the one still waiting with 409, as Telegram does with two pollers.
    state.poll_generation += 1
    generation = state.poll_generation
    state.waiting_polls += 1
    try:
        state.cond.notify_all()  # wakes the older poll (for its 409) and wait_for(lambda s: s.waiting_polls)
        state.cond.wait_for(
            lambda: state.stopping or state.poll_generation != generation or bool(state.deliverable_updates()),
            timeout=timeout,
        )
    finally:
        state.waiting_polls -= 1
    if state.poll_generation != generation:
        raise ApiError(409, CONFLICT)
    return state.deliverable_updates()[:limit]


def delete_webhook(state: SimState, params: Params) -> bool:
    state.webhook = None
    if params.get("drop_pending_updates"):
        state.updates.clear()
    return True


def set_webhook(state: SimState, params: Params) -> bool:
    """Remembers the webhook (the simulator does not push updates: a test posts them to the bot itself)."""
    url = str(params.get("url", ""))
    if not url:
        state.webhook = None
        return True
    if not url.startswith(("https://", "http://127.0.0.1", "http://localhost")):
        raise bad_request("bad webhook: An HTTPS URL must be provided for webhook")
    secret = params.get("secret_token")
    if secret is not None and not re.fullmatch(r"[A-Za-z0-9_-]{1,256}", str(secret)):
        raise bad_request("bad webhook: secret token contains unallowed characters")
    if params.get("drop_pending_updates"):
        state.updates.clear()
    state.webhook = {"url": url, "secret_token": secret, "allowed_updates": params.get("allowed_updates")}
    return True


def get_webhook_info(state: SimState, params: Params) -> dict[str, Any]:
    webhook = state.webhook or {}
    info: dict[str, Any] = {"url": webhook.get("url", ""), "has_custom_certificate": False,
                            "pending_update_count": len(state.deliverable_updates())}
    if webhook.get("allowed_updates"):
        info["allowed_updates"] = list(webhook["allowed_updates"])
    return info


def simple_ok(state: SimState, params: Params) -> bool:
    return True


def _scope_and_language(state: SimState, params: Params) -> tuple[str, str]:
    scope = params.get("scope")
    if scope is not None:
        if scope.get("type") not in _SCOPES:
            raise bad_request("wrong scope type specified")
        if scope["type"] in _SCOPES_WITH_CHAT:
            state.chat_or_404(scope.get("chat_id", 0))
    language = params.get("language_code", "")
    if language and not _LANGUAGE.fullmatch(language):
        raise bad_request("LANG_CODE_INVALID")
    return state.commands_key(scope, language)


def set_my_commands(state: SimState, params: Params) -> bool:
    commands = params["commands"]
    if len(commands) > MAX_COMMANDS:
        raise bad_request("BOT_COMMANDS_TOO_MUCH")
    for command in commands:
        if not _COMMAND.fullmatch(str(command.get("command", ""))):
            raise bad_request("BOT_COMMAND_INVALID")
        if not 1 <= len(str(command.get("description", ""))) <= 256:
            raise bad_request("BOT_COMMAND_DESCRIPTION_INVALID")
    key = _scope_and_language(state, params)
    state.commands[key] = [{"command": c["command"], "description": c["description"]} for c in commands]
    return True


def get_my_commands(state: SimState, params: Params) -> list[dict[str, str]]:
    return list(state.commands.get(_scope_and_language(state, params), []))


def delete_my_commands(state: SimState, params: Params) -> bool:
    state.commands.pop(_scope_and_language(state, params), None)
    return True


def get_file(state: SimState, params: Params) -> dict[str, Any]:
    stored = state.files.get(params["file_id"])
    if stored is None:
        raise bad_request("invalid file_id")
    return stored.to_api()


METHODS: dict[str, Callable[[SimState, Params], Any]] = {
    "getMe": get_me,
    "getUpdates": get_updates,
    "deleteWebhook": delete_webhook,
    "setWebhook": set_webhook,
    "getWebhookInfo": get_webhook_info,
    "logOut": simple_ok,
    "close": simple_ok,
    "setMyCommands": set_my_commands,
    "getMyCommands": get_my_commands,
    "deleteMyCommands": delete_my_commands,
    "getFile": get_file,
}
