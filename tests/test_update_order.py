"""Updates of different chats run concurrently; updates of one chat keep their order."""

from __future__ import annotations

import asyncio

from telegram import Chat, Message, Update, User

from bot.update_order import PerChatUpdateProcessor


def _update(update_id: int, chat_id: int) -> Update:
    user = User(chat_id, "Someone", False)
    message = Message(update_id, date=None, chat=Chat(chat_id, "private"), from_user=user, text="hi")
    return Update(update_id, message=message)


async def test_one_chats_updates_keep_their_order_while_other_chats_run_alongside():
    processor = PerChatUpdateProcessor(max_concurrent_updates=8)
    log: list[tuple[int, str]] = []
    release = asyncio.Event()

    async def slow_first(chat: int, name: str) -> None:
        log.append((chat, f"{name} start"))
        await release.wait()
        log.append((chat, f"{name} end"))

    async def quick(chat: int, name: str) -> None:
        log.append((chat, name))

    async with processor:
        first = asyncio.create_task(processor.process_update(_update(1, 100), slow_first(100, "a")))
        second = asyncio.create_task(processor.process_update(_update(2, 100), quick(100, "b")))
        other = asyncio.create_task(processor.process_update(_update(3, 200), quick(200, "x")))
        await other  # another chat is not held up by chat 100's slow update
        assert (200, "x") in log and (100, "b") not in log
        release.set()
        await asyncio.gather(first, second)
    assert [entry for chat, entry in log if chat == 100] == ["a start", "a end", "b"]
    assert processor._locks == {}  # idle chats are forgotten
