"""The shared pace's guarantees, on plain numbers (seconds): priorities, floors, per-chat pace, 429 pauses."""

from __future__ import annotations

import asyncio
import random
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime

from bot.clock import FakeClock
from bot.delivery.pace import PaceKeeper
from bot.domain.pace import Limits, PaceSchedule, Priority, Ticket

FIRST, RELAYED, BROADCAST = Priority.FIRST, Priority.RELAYED, Priority.BROADCAST


@dataclass
class Run:
    """Drives a schedule through time: requests arrive at given instants, each slot is used (and its request
    answered) the moment it is given.
    `outbox` plays the outbox sender: one request waiting at a time, the next as soon as the previous got its slot."""

    schedule: PaceSchedule = field(default_factory=PaceSchedule)
    now: float = 0.0
    granted: list[tuple[float, Ticket]] = field(default_factory=list)
    outbox: list[Ticket] = field(default_factory=list)
    _outbox_waiting: Ticket | None = None

    def until(self, end: float, arrivals: list[tuple[float, Ticket]] = ()) -> None:
        pending = sorted(arrivals, key=lambda a: a[0])
        while True:
            if self._outbox_waiting is None and self.outbox:
                self._outbox_waiting = self.outbox.pop(0)
                self.schedule.join(self._outbox_waiting, self.now)
            wake = self.schedule.next_change(self.now)
            arrival = pending[0][0] if pending else None
            step = min(t for t in (wake, arrival) if t is not None) if (wake, arrival) != (None, None) else None
            if step is None or step > end:
                self.now = end
                return
            self.now = max(self.now, step)
            while pending and pending[0][0] <= self.now:
                self.schedule.join(pending.pop(0)[1], self.now)
            while (ticket := self.schedule.take(self.now)) is not None:
                self.schedule.confirmed(ticket, self.now)
                self.granted.append((self.now, ticket))
                if ticket is self._outbox_waiting:
                    self._outbox_waiting = None

    def sent(self, priority: Priority, start: float = 0.0, end: float = float("inf")) -> int:
        return sum(1 for at, t in self.granted if t.priority == priority and start <= at < end)


def steady(priority: Priority, per_second: float, start: float, end: float, chats: range, *, per_chat=True):
    count = int((end - start) * per_second)
    return [(start + i / per_second, Ticket(priority, chats[i % len(chats)], per_chat)) for i in range(count)]


def max_in_any_second(times: list[float]) -> int:
    times, most, left = sorted(times), 0, 0
    for right, at in enumerate(times):
        while times[left] <= at - 1.0 + 1e-9:  # a grant exactly one second later is in the next window
            left += 1
        most = max(most, right - left + 1)
    return most


def test_higher_priorities_go_first_and_each_priority_in_arrival_order():
    run = Run(schedule=PaceSchedule(Limits(floors=())))
    tickets = [Ticket(BROADCAST, 1), Ticket(RELAYED, 2), Ticket(FIRST, 3), Ticket(BROADCAST, 4), Ticket(FIRST, 5)]
    run.now = 0.0
    run.schedule.take(0.0)  # a slot was just used: everyone below waits for the next ones
    run.until(1.0, [(0.0, t) for t in tickets])
    assert [t.chat_id for _, t in run.granted] == [3, 5, 2, 1, 4]


def test_slots_are_evenly_spaced_and_no_second_ever_holds_more_than_thirty():
    run = Run(outbox=[Ticket(BROADCAST, chat) for chat in range(1, 1000)])
    run.until(20.0, steady(FIRST, 40, 3.0, 9.0, range(9000, 9400), per_chat=False))
    times = [at for at, _ in run.granted]
    assert max_in_any_second(times) <= 30
    assert min(b - a for a, b in zip(times, times[1:])) >= 1 / 29 - 1e-9
    assert len(times) >= 29 * 20 - 1


def test_late_grants_catch_up_without_ever_putting_thirty_one_in_one_second():
    schedule, now, times, jitter = PaceSchedule(), 0.0, [], random.Random(14)
    for chat in range(1, 3000):
        schedule.join(Ticket(BROADCAST, chat), now)
        now = max(now, schedule.next_change(now)) + jitter.uniform(0, 0.008)  # a sleeper wakes up to 8 ms late
        ticket = schedule.take(now)
        schedule.confirmed(ticket, now + 0.002)
        times.append(now)
    assert max_in_any_second(times) <= 30
    assert min(times[i + 30] - times[i] for i in range(len(times) - 30)) > 1.02  # 20 ms to spare, at least
    assert len(times) / (times[-1] - times[0]) >= 28.9  # the lateness is caught up, not lost


def test_a_broadcast_uses_what_direct_answers_leave_and_speeds_back_up_after():
    run = Run(outbox=[Ticket(BROADCAST, chat) for chat in range(1, 3001)])  # more than 40 s worth
    talk = steady(FIRST, 10, 0.0, 20.0, range(10_000, 10_200), per_chat=False)  # members talking for 20 s
    run.until(40.0, talk)
    assert run.sent(FIRST) == len(talk)
    while_talking = run.sent(BROADCAST, 1.0, 20.0) / 19
    after = run.sent(BROADCAST, 21.0, 40.0) / 19
    assert 18.0 <= while_talking <= 19.5   # 29/s minus the 10 answers
    assert after >= 28.9                   # the whole pace again


def test_a_broadcast_never_starves_it_keeps_its_floor_under_any_load_of_direct_answers():
    run = Run(outbox=[Ticket(BROADCAST, chat) for chat in range(1, 1001)])
    flood = steady(FIRST, 100, 0.0, 10.0, range(10_000, 11_000), per_chat=False)  # far above the quota
    run.until(10.0, flood)
    assert 9.0 <= run.sent(BROADCAST) / 10 <= 11.0   # the floor, 10/s
    assert run.sent(FIRST) / 10 >= 18.0               # and answers get everything else


def test_direct_answers_are_not_held_back_by_a_reminder_waiting_for_its_chat():
    run = Run()
    run.until(0.5, [(0.0, Ticket(BROADCAST, 7)), (0.1, Ticket(FIRST, 7)), (0.2, Ticket(FIRST, 7, per_chat=False))])
    # The outbox's reminder to chat 7 waits one second after the broadcast message; the direct answer does not.
    assert [(round(at, 2), t.priority, t.per_chat) for at, t in run.granted] == [
        (0.0, BROADCAST, True), (0.2, FIRST, False)]
    run.until(2.0)
    assert [round(at, 2) for at, _ in run.granted] == [0.0, 0.2, 1.2]


def test_a_group_gets_one_message_every_three_seconds_whoever_sends():
    run = Run()
    run.until(10.0, [(0.0, Ticket(BROADCAST, -100)), (0.1, Ticket(FIRST, -100, per_chat=False)),
                     (0.2, Ticket(RELAYED, -100))])
    assert [round(at, 1) for at, _ in run.granted] == [0.0, 3.0, 6.0]


def test_a_429_pauses_that_chat_only_and_two_chats_pause_everything():
    run = Run()
    run.schedule.rate_limited(1, 5.0, 0.0)
    run.until(2.0, [(0.0, Ticket(BROADCAST, 1)), (0.0, Ticket(BROADCAST, 2))])
    assert [t.chat_id for _, t in run.granted] == [2]
    run.until(6.0)
    assert [t.chat_id for _, t in run.granted] == [2, 1]

    run.schedule.rate_limited(3, 2.0, 6.0)
    run.schedule.rate_limited(4, 2.0, 6.5)   # a second chat within a second: the global limit
    run.until(10.0, [(6.5, Ticket(FIRST, 5, per_chat=False))])
    assert run.granted[-1][0] >= 8.5 and run.granted[-1][1].chat_id == 5


def test_every_request_is_granted_exactly_once_and_a_request_that_left_never():
    run, chats = Run(), random.Random(7)
    arrivals = [(chats.uniform(0, 30), Ticket(Priority(chats.randrange(3)), chats.randrange(1, 300),
                                              chats.random() < 0.5)) for _ in range(600)]
    gone = Ticket(BROADCAST, 999)
    run.schedule.join(gone, 0.0)
    run.schedule.leave(gone, 0.0)
    run.until(120.0, arrivals)
    counts = Counter(id(t) for _, t in run.granted)
    assert set(counts) == {id(t) for _, t in arrivals} and set(counts.values()) == {1}


async def test_the_keeper_gives_waiting_turns_by_priority_through_the_injected_clock():
    clock = FakeClock(datetime(2026, 11, 30, 9, 0, tzinfo=UTC))
    keeper, order = PaceKeeper(clock), []
    await keeper.turn(BROADCAST, 1)  # the slot is free: no waiting, no task

    async def wait_turn(priority: Priority, chat_id: int) -> None:
        await keeper.turn(priority, chat_id, per_chat=False)
        order.append(chat_id)

    began = clock.now()
    await asyncio.gather(wait_turn(BROADCAST, 2), wait_turn(RELAYED, 3), wait_turn(FIRST, 4))
    assert order == [4, 3, 2]
    assert abs((clock.now() - began).total_seconds() - 3 / 29) < 0.01  # three slots of 1/29 s, on the fake clock
    await keeper.close()


def test_a_send_answered_late_holds_back_the_thirty_first_send_after_it():
    """Its request may have reached Telegram as late as its answer: 30 more must not fit in the second after."""
    schedule, now, sent = PaceSchedule(), 0.0, []
    for chat in range(1, 31):
        schedule.join(Ticket(BROADCAST, chat), now)
        now = max(now, schedule.next_change(now))
        sent.append(schedule.take(now))
    schedule.join(Ticket(BROADCAST, 31), now)
    assert schedule.next_change(now) >= now + 1.0   # the first is still unanswered: it may be arriving now
    schedule.confirmed(sent[0], 0.2)   # answered 0.2 s after its slot (a pause of the process before its request)
    for ticket in sent[1:]:
        schedule.confirmed(ticket, ticket.granted_at)
    assert schedule.next_change(now) == 1.2 > 30 / 29
    assert schedule.take(1.19) is None and schedule.take(1.2) is not None
