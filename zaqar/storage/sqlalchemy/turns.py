"""The SQLite writers' turn across processes: an exclusive ``flock()`` on a
file beside the database, waited for with a timeout and woken at once.

A blocking ``flock()`` would wake a waiter the moment the holder lets go,
but it cannot be given a timeout, and a process frozen while it holds the
turn must not stall the others for ever. Polling with ``LOCK_NB`` can be
bounded, but leaves the database idle between the holder's release and
the waiter's next try (SQLite's own busy handler sleeps in steps of up to
100 ms). So the turn has a doorbell: a FIFO beside the lock file. Whoever
lets go of the lock writes a byte to it; a waiter sleeps in ``poll()`` on
the FIFO with its timeout, and tries the lock again when the bell rings
(or every ``FALLBACK_POLL`` seconds, in case a holder died before it could
ring: the kernel frees a dead process's lock, but nobody rings).
"""

from __future__ import annotations

import fcntl
import os
import select
import time

# How often a waiter tries the lock without being rung.
FALLBACK_POLL = 0.05


class TurnTimeout(Exception):
    """The turn did not come within the time given."""


class ProcessTurn:
    """The turn of one process, on the lock file at ``path`` and the
    doorbell ``path + ".bell"`` (both made here; OSError if they cannot
    be). Callers must not overlap within the process: the database's
    thread lock orders them first."""

    def __init__(self, path: str):
        bell = path + ".bell"
        try:
            os.mkfifo(bell, 0o600)
        except FileExistsError:
            pass
        # Read-write, so that opening never waits for the other end, and
        # non-blocking, so that neither ringing nor draining ever waits.
        self._bell = os.open(bell, os.O_RDWR | os.O_NONBLOCK | os.O_CLOEXEC)
        try:
            self._fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC,
                               0o644)
        except OSError:
            os.close(self._bell)
            raise
        self._poller = select.poll()
        self._poller.register(self._bell, select.POLLIN)

    def acquire(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while True:
            try:
                fcntl.flock(self._fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                return
            except BlockingIOError:
                pass
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TurnTimeout()
            wait = min(remaining, FALLBACK_POLL)
            if self._poller.poll(max(1, int(wait * 1000))):
                # Every ring so far is answered by this one try: rings
                # left by releases nobody waited for cost one try, no more.
                try:
                    os.read(self._bell, 65536)
                except BlockingIOError:  # another process drained them
                    pass

    def release(self) -> None:
        fcntl.flock(self._fd, fcntl.LOCK_UN)
        try:
            os.write(self._bell, b"\0")
        except BlockingIOError:  # full of unanswered rings: enough
            pass

    def close(self) -> None:
        os.close(self._fd)
        os.close(self._bell)

    def forget(self) -> None:
        """After a fork, in the child: close the inherited descriptors
        without touching the lock (it belongs to the parent's turn)."""
        self.close()
