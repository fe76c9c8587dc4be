"""The per-workspace rate gate and the Genie status words, with a hand-driven clock (no sleeping)."""

from __future__ import annotations

from mas.genie.pacing import RateGate, gate_for, rate_wait_words, status_words
from mas.settings import GeniePolicy


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_five_go_at_once_the_sixth_waits_for_the_oldest_to_leave_the_window() -> None:
    clock = Clock()
    gate = RateGate(limit=5, window=60.0, clock=clock)
    tickets = [gate.join() for _ in range(6)]
    for ticket in tickets[:5]:
        assert gate.wait_for(ticket) == (0.0, 1)
        gate.sending(ticket)
        gate.landed()
        clock.now += 1.0
    wait, place = gate.wait_for(tickets[5])
    assert place == 1 and wait == 60.0 - 5.0  # the first send landed at 100, now is 105
    clock.now += wait
    assert gate.wait_for(tickets[5]) == (0.0, 1)


def test_places_in_the_queue_and_their_estimates() -> None:
    clock = Clock()
    gate = RateGate(limit=2, window=10.0, clock=clock)
    for _ in range(2):
        ticket = gate.join()
        gate.sending(ticket)
        gate.landed()
    first, second, third = gate.join(), gate.join(), gate.join()
    assert gate.wait_for(first) == (10.0, 1)
    assert gate.wait_for(second) == (10.0, 2)
    assert gate.wait_for(third) == (20.0, 3)  # a window later: two slots per window
    gate.leave(first)
    assert gate.wait_for(second) == (10.0, 1)


def test_a_429_puts_the_question_first_again_and_blocks_everyone_for_retry_after() -> None:
    clock = Clock()
    gate = RateGate(limit=5, window=60.0, clock=clock)
    refused, behind = gate.join(), gate.join()
    gate.sending(refused)
    gate.refused(refused, seconds=7.0)
    assert gate.wait_for(refused) == (7.0, 1) and gate.wait_for(behind) == (7.0, 2)
    clock.now += 7.0
    assert gate.wait_for(refused) == (0.0, 1)


def test_one_gate_per_workspace_and_words_for_statuses() -> None:
    policy = GeniePolicy()
    assert gate_for("https://a.example/", policy) is gate_for("https://A.example", policy)
    assert gate_for("https://a.example", policy) is not gate_for("https://b.example", policy)
    assert status_words("PENDING_WAREHOUSE") == "Waiting for the warehouse…"
    assert status_words("SOMETHING_NEW") == "Genie is working on it…"
    assert rate_wait_words(0.2) == "Waiting for Genie's rate limit — about 1 s"
