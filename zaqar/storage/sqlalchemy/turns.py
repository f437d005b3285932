"""The SQLite writers' turn across processes: an exclusive ``flock()`` on a
file beside the database, waited for in the kernel but for a bounded time.

A blocking ``flock()`` is what makes the turn fast: the kernel wakes a
waiter the moment the holder lets go, where polling (or SQLite's busy
handler, which sleeps in steps of up to 100 ms) leaves the database idle
between the holder's release and the waiter's next try. But a blocking
``flock()`` cannot be given a timeout, and a process frozen while it
holds the turn must not stall the others for ever. So the blocking call
runs in a taker thread of the process, and the writer waits for that
thread's success with a timeout. A writer that gives up leaves the taker
blocked; when the taker gets the lock, it hands it to whichever writer
waits by then, or lets it go at once.
"""

from __future__ import annotations

import fcntl
import os
import threading


class TurnTimeout(Exception):
    """The turn did not come within the time given."""


class _Request:
    __slots__ = ("granted", "wanted")

    def __init__(self) -> None:
        self.granted = threading.Event()
        self.wanted = True


class ProcessTurn:
    """The turn of one process, on the lock file at ``path`` (opened
    here, raising OSError if it cannot be). Callers must not overlap
    within the process: the database's thread lock orders them first."""

    def __init__(self, path: str):
        self._fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC,
                           0o644)
        self._mutex = threading.Lock()
        self._request: _Request | None = None  # the taker's current job
        self._jobs = threading.Semaphore(0)
        self._taker: threading.Thread | None = None
        self._closed = False

    def acquire(self, timeout: float) -> None:
        try:
            fcntl.flock(self._fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return
        except BlockingIOError:
            pass
        with self._mutex:
            request = self._request
            if request is None:
                request = self._request = _Request()
                if self._taker is None:
                    self._taker = threading.Thread(
                        target=self._take, name="zaqar-sqlite-writers-turn",
                        daemon=True)
                    self._taker.start()
                self._jobs.release()
            request.wanted = True
        if request.granted.wait(max(timeout, 0.0)):
            return
        with self._mutex:
            if request.granted.is_set():
                return
            request.wanted = False
        raise TurnTimeout()

    def release(self) -> None:
        fcntl.flock(self._fd, fcntl.LOCK_UN)

    def close(self) -> None:
        """Close the file, or have the taker close it once its blocked
        ``flock()`` returns (closing it under the call could hand its
        number to another file first)."""
        with self._mutex:
            self._closed = True
            busy = self._request is not None
            if self._taker is not None and not busy:
                self._jobs.release()  # wakes the idle taker to exit
        if not busy:
            os.close(self._fd)

    def forget(self) -> None:
        """After a fork, in the child: close the inherited descriptor
        without touching the lock (it belongs to the parent's turn)."""
        os.close(self._fd)

    def _take(self) -> None:
        while True:
            self._jobs.acquire()
            with self._mutex:
                if self._request is None:  # woken by close()
                    return
            fcntl.flock(self._fd, fcntl.LOCK_EX)
            with self._mutex:
                request, self._request = self._request, None
                if request.wanted and not self._closed:
                    request.granted.set()
                    continue
                closed = self._closed
            fcntl.flock(self._fd, fcntl.LOCK_UN)
            if closed:
                os.close(self._fd)
                return
