"""The SQLite writers' turn across processes (turns.ProcessTurn), against
a real lock file and doorbell. Two ProcessTurn objects hold two open file
descriptions of the lock file, so their flock() locks exclude each other
exactly as two processes' do."""

import fcntl
import os
import threading
import time

import pytest

from zaqar.storage.sqlalchemy import turns


@pytest.fixture
def lock_path(tmp_path):
    return str(tmp_path / "db.sqlite-writers")


@pytest.fixture
def make_turn(lock_path):
    made = []

    def make():
        made.append(turns.ProcessTurn(lock_path))
        return made[-1]

    yield make
    for turn in made:
        turn.close()


def _acquire_in_thread(turn, timeout=10.0):
    """Start ``turn.acquire`` in a thread; the Event is set once it has
    the turn."""
    got = threading.Event()

    def wait():
        turn.acquire(timeout)
        got.set()

    thread = threading.Thread(target=wait, daemon=True)
    thread.start()
    return got


def test_turns_exclude_each_other(make_turn):
    first, second = make_turn(), make_turn()
    first.acquire(1)
    with pytest.raises(turns.TurnTimeout):
        second.acquire(0.2)
    first.release()
    second.acquire(1)
    second.release()


def test_waiter_is_rung_when_the_holder_lets_go(make_turn):
    holder, waiter = make_turn(), make_turn()
    holder.acquire(1)
    got = _acquire_in_thread(waiter)
    assert not got.wait(0.3)
    holder.release()
    assert got.wait(5)
    # The waiter holds it now.
    with pytest.raises(turns.TurnTimeout):
        holder.acquire(0.1)
    waiter.release()


def test_a_dead_holder_that_never_rang_frees_the_waiter(make_turn,
                                                         lock_path):
    # Another process's plain flock(), released without ringing, as the
    # kernel does when a holder dies.
    waiter = make_turn()
    other = os.open(lock_path, os.O_RDWR)
    try:
        fcntl.flock(other, fcntl.LOCK_EX)
        got = _acquire_in_thread(waiter)
        assert not got.wait(0.3)
        fcntl.flock(other, fcntl.LOCK_UN)
        assert got.wait(5)
        waiter.release()
    finally:
        os.close(other)


def test_unanswered_rings_do_not_grant_a_held_turn(make_turn):
    idle, holder, waiter = make_turn(), make_turn(), make_turn()
    for _ in range(50):  # releases that nobody waited for
        idle.acquire(1)
        idle.release()
    holder.acquire(1)
    started = time.monotonic()
    with pytest.raises(turns.TurnTimeout):
        waiter.acquire(0.3)
    assert time.monotonic() - started >= 0.3
    holder.release()
    waiter.acquire(1)
    waiter.release()


def test_zero_timeout_tries_once(make_turn):
    holder, other = make_turn(), make_turn()
    other.acquire(0)
    other.release()
    holder.acquire(1)
    with pytest.raises(turns.TurnTimeout):
        other.acquire(0)
    holder.release()
