"""The SQLite writers' turn across processes (turns.ProcessTurn), against
a real lock file held through a descriptor of its own, as another process
would hold it."""

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
def other(lock_path):
    """Another holder of the lock file (flock locks of two open file
    descriptions exclude each other as two processes' do)."""
    open(lock_path, "a").close()
    fd = os.open(lock_path, os.O_RDWR)
    yield fd
    os.close(fd)


@pytest.fixture
def turn(lock_path):
    turn = turns.ProcessTurn(lock_path)
    yield turn
    turn.close()


def _held_elsewhere(fd):
    """Whether ``fd`` is refused the lock at once."""
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    fcntl.flock(fd, fcntl.LOCK_UN)
    return False


def _eventually_free(fd, seconds=5.0):
    """Whether ``fd`` can take the lock within ``seconds`` (the taker
    thread lets go of a lock nobody waits for as soon as it gets it)."""
    end = time.monotonic() + seconds
    while True:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            fcntl.flock(fd, fcntl.LOCK_UN)
            return True
        except BlockingIOError:
            if time.monotonic() >= end:
                return False
            time.sleep(0.01)


def test_free_turn_is_taken_and_released(turn, other):
    turn.acquire(1)
    assert _held_elsewhere(other)
    turn.release()
    assert _eventually_free(other, 0)


def test_waiter_gets_the_turn_as_soon_as_it_is_free(turn, other):
    fcntl.flock(other, fcntl.LOCK_EX)
    got = threading.Event()

    def wait():
        turn.acquire(10)
        got.set()

    waiter = threading.Thread(target=wait)
    waiter.start()
    assert not got.wait(0.3)
    fcntl.flock(other, fcntl.LOCK_UN)
    assert got.wait(5)
    waiter.join()
    assert _held_elsewhere(other)
    turn.release()
    assert _eventually_free(other, 0)


def test_timed_out_wait_leaves_the_lock_free_once_the_holder_lets_go(
        turn, other):
    fcntl.flock(other, fcntl.LOCK_EX)
    with pytest.raises(turns.TurnTimeout):
        turn.acquire(0.2)
    fcntl.flock(other, fcntl.LOCK_UN)
    # The taker got the lock after the writer gave up: it lets go.
    assert _eventually_free(other)
    # And the next writer takes the turn as usual.
    turn.acquire(1)
    turn.release()


def test_a_later_writer_adopts_the_pending_wait(turn, other):
    fcntl.flock(other, fcntl.LOCK_EX)
    with pytest.raises(turns.TurnTimeout):
        turn.acquire(0.1)
    got = threading.Event()
    waiter = threading.Thread(target=lambda: (turn.acquire(10),
                                              got.set()))
    waiter.start()
    time.sleep(0.1)
    fcntl.flock(other, fcntl.LOCK_UN)
    assert got.wait(5)
    waiter.join()
    assert _held_elsewhere(other)
    turn.release()


def test_closing_while_the_taker_waits_frees_everything(lock_path, other):
    turn = turns.ProcessTurn(lock_path)
    fcntl.flock(other, fcntl.LOCK_EX)
    with pytest.raises(turns.TurnTimeout):
        turn.acquire(0.1)
    taker = turn._taker
    turn.close()
    fcntl.flock(other, fcntl.LOCK_UN)
    taker.join(5)
    assert not taker.is_alive()
    assert _eventually_free(other, 0)
