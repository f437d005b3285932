"""The parent process: prepares the queues, starts the load processes at
once, shows progress and gathers their statistics."""

from __future__ import annotations

import dataclasses
import multiprocessing
import queue as queue_module
import resource
import sys
import time
import typing

from zaqar.bench import process, queues as bench_queues
from zaqar.bench import stats as bench_stats
from zaqar.bench.settings import ROLES, Settings

READY_TIMEOUT = 60.0
# After the deadline, processes finish their requests in flight; past this
# margin (plus one request timeout) they are told to stop, then killed.
FINISH_MARGIN = 10.0


class BenchError(Exception):
    """The run could not be carried out."""


@dataclasses.dataclass
class Result:
    settings: Settings
    duration: float
    operations: dict[str, bench_stats.OpStats]
    queues: list[str]
    interrupted: bool = False
    client_cpu: float = 0.0  # CPU seconds used by zaqar-bench itself


def run(settings: Settings, progress_to: typing.TextIO | None = sys.stderr
        ) -> Result:
    names = (bench_queues.names(settings.num_queues)
             if settings.needs_queues() else [])
    try:
        bench_queues.create(settings, names)
    except bench_queues.SetupError as exc:
        raise BenchError(str(exc)) from None
    try:
        return _load(settings, names, progress_to)
    finally:
        if names and not settings.keep_queues:
            try:
                bench_queues.delete(settings, names)
            except bench_queues.SetupError as exc:
                print(f"zaqar-bench: warning: {exc}", file=sys.stderr)


def _load(settings: Settings, names: list[str],
          progress_to: typing.TextIO | None) -> Result:
    ctx = multiprocessing.get_context("spawn")
    plan = [role for role in ROLES for _ in range(settings.processes(role))]
    channels = process.Channels(
        ready=ctx.Queue(), start=ctx.Event(), stop=ctx.Event(),
        progress=ctx.Array("q", 2 * len(plan), lock=False),
        results=ctx.Queue())
    children = [ctx.Process(target=process.run, name=f"bench-{role}-{slot}",
                            args=(role, slot, settings, names, channels),
                            daemon=True)
                for slot, role in enumerate(plan)]
    for child in children:
        child.start()
    interrupted = False
    gathered: list = []
    try:
        try:
            _wait_ready(channels, children)
            channels.start.set()
            _gather(settings, channels, children, gathered, progress_to)
        except KeyboardInterrupt:
            # Stop early and still report what was measured.
            interrupted = True
            channels.start.set()
            channels.stop.set()
            _gather(settings, channels, children, gathered, None)
    finally:
        for child in children:
            child.join(timeout=5)
            if child.is_alive():
                child.kill()
    client_cpu = sum(
        getattr(resource.getrusage(who), field)
        for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN)
        for field in ("ru_utime", "ru_stime"))
    failures = [value for _, elapsed, value in gathered if elapsed is None]
    if failures:
        raise BenchError("a load process failed:\n" + failures[0])
    duration = max(elapsed for _, elapsed, _ in gathered)
    merged = bench_stats.merge_all(value for _, _, value in gathered)
    return Result(settings, duration, merged, names, interrupted,
                  client_cpu)


def _wait_ready(channels: process.Channels, children: list) -> None:
    deadline = time.monotonic() + READY_TIMEOUT
    waiting = len(children)
    while waiting:
        try:
            channels.ready.get(timeout=0.2)
            waiting -= 1
        except queue_module.Empty:
            # A process that failed while setting up reports it as its
            # result (or dies): either way it will never be ready.
            if not channels.results.empty() or any(
                    c.exitcode is not None for c in children):
                _raise_child_failure(channels)
            if time.monotonic() > deadline:
                raise BenchError("load processes did not start within "
                                 f"{READY_TIMEOUT:.0f} s")


def _raise_child_failure(channels: process.Channels) -> None:
    try:
        _, _, detail = channels.results.get(timeout=1)
    except queue_module.Empty:
        detail = "(no detail)"
    raise BenchError(f"a load process failed to start:\n{detail}")


def _gather(settings: Settings, channels: process.Channels, children: list,
            gathered: list, progress_to: typing.TextIO | None) -> None:
    """Collect one result per child into ``gathered``, reporting progress
    every second."""
    started = time.monotonic()
    next_report = started + 1.0
    give_up = (started + settings.time + settings.request_timeout
               + FINISH_MARGIN)
    while len(gathered) < len(children):
        now = time.monotonic()
        try:
            gathered.append(channels.results.get(
                timeout=max(0.01, min(next_report, give_up) - now)))
            continue
        except queue_module.Empty:
            pass
        now = time.monotonic()
        if progress_to is not None and now >= next_report:
            _report_progress(channels.progress, now - started, progress_to)
            next_report += 1.0
        if now >= give_up:
            if channels.stop.is_set():
                raise BenchError("load processes did not finish; killed")
            channels.stop.set()
            give_up = now + settings.request_timeout + FINISH_MARGIN
        if any(c.exitcode not in (None, 0) for c in children) and \
                channels.results.empty():
            raise BenchError("a load process died (exit codes "
                             f"{[c.exitcode for c in children]})")


def _report_progress(progress: typing.Any, elapsed: float,
                     out: typing.TextIO) -> None:
    requests = sum(progress[0::2])
    errors = sum(progress[1::2])
    out.write(f"zaqar-bench: {elapsed:5.1f} s, {requests} requests, "
              f"{requests / elapsed:.0f} req/s, {errors} errors\n")
    out.flush()
