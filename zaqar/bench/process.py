"""One load process: its worker threads, its progress counters and the
raw statistics it sends back to the parent."""

from __future__ import annotations

import dataclasses
import importlib
import signal
import threading
import time
import traceback
import typing

from zaqar.bench import stats as bench_stats
from zaqar.bench.settings import Settings
from zaqar.bench.worker import Worker

PROGRESS_INTERVAL = 0.25


@dataclasses.dataclass
class Channels:
    """multiprocessing objects shared by the parent and every process."""
    ready: typing.Any    # Queue: each process puts its slot when connected
    start: typing.Any    # Event: set by the parent to start the clock
    stop: typing.Any     # Event: set by the parent to stop early
    progress: typing.Any  # Array('q'): [requests, errors] per process slot
    results: typing.Any  # Queue: (slot, elapsed, {op: OpStats}) or error


def run(role: str, slot: int, settings: Settings, queues: list[str],
        channels: Channels) -> None:
    """Entry point of a child process."""
    # Ctrl-C reaches the whole process group; the parent handles it and
    # tells the children to stop through ``channels.stop``.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        elapsed, merged = _load(role, slot, settings, queues, channels)
    except Exception:
        channels.results.put((slot, None, traceback.format_exc()))
        return
    channels.results.put((slot, elapsed, merged))


def _load(role: str, slot: int, settings: Settings, queues: list[str],
          channels: Channels) -> tuple[float, dict]:
    loop = importlib.import_module(f"zaqar.bench.{role}").run
    stop = threading.Event()
    workers = [Worker(settings, queues, stop)
               for _ in range(settings.workers(role))]
    for worker in workers:
        _connect(worker)
    channels.ready.put(slot)
    channels.start.wait()
    started = time.monotonic()
    for worker in workers:
        worker.deadline = started + settings.time
    threads = [threading.Thread(target=_guarded, args=(loop, worker),
                                daemon=True) for worker in workers]
    for thread in threads:
        thread.start()
    while any(thread.is_alive() for thread in threads):
        time.sleep(PROGRESS_INTERVAL)
        if channels.stop.is_set():
            stop.set()
        _publish(channels.progress, slot, workers)
    elapsed = time.monotonic() - started
    _publish(channels.progress, slot, workers)
    for worker in workers:
        worker.client.close()
    return elapsed, bench_stats.merge_all(w.stats for w in workers)


def _connect(worker: Worker) -> None:
    """Open the connection before the clock starts, so that no latency
    sample includes a TCP handshake of the set-up."""
    try:
        worker.client.connect()
    except OSError:
        # Counted as an error by the first request, which retries.
        pass


def _guarded(loop: typing.Callable[[Worker], None], worker: Worker) -> None:
    try:
        loop(worker)
    except Exception as exc:
        worker.op("worker").failure(
            f"worker crashed: {type(exc).__name__}: {exc}")
        traceback.print_exc()


def _publish(progress: typing.Any, slot: int, workers: list[Worker]) -> None:
    requests = errors = 0
    for worker in workers:
        for op in list(worker.stats.values()):
            requests += op.requests
            errors += op.errors
    progress[2 * slot] = requests
    progress[2 * slot + 1] = errors
