"""The results of a run as a table or as a JSON document."""

from __future__ import annotations

import dataclasses
import json

from zaqar.bench.runner import Result
from zaqar.bench.settings import ROLES
from zaqar.bench.stats import OpStats

# Operations in the order a reader follows a message.
ORDER = ("post", "claim", "delete", "list", "ping", "worker")


def as_dict(result: Result) -> dict:
    """Everything the table shows, plus the settings of the run."""
    operations = {name: result.operations[name].summary(result.duration)
                  for name in _ordered(result.operations)}
    total = OpStats()
    for stats in result.operations.values():
        total.merge(stats)
    summary = total.summary(result.duration)
    return {
        "server_url": result.settings.server_url,
        "duration": round(result.duration, 3),
        "interrupted": result.interrupted,
        # How much of the machine the load generator itself took.
        "client_cpu_seconds": round(result.client_cpu, 2),
        "settings": _shown_settings(result),
        "processes": {role: result.settings.processes(role) for role in ROLES
                      if result.settings.processes(role)},
        "operations": operations,
        "total": {key: summary[key] for key in
                  ("requests", "errors", "requests_per_second")},
    }


def _shown_settings(result: Result) -> dict:
    """The run's settings, the token hidden: results files get shared."""
    shown = dataclasses.asdict(result.settings)
    if shown["auth_token"]:
        shown["auth_token"] = "(given)"
    return shown


def as_json(result: Result) -> str:
    return json.dumps(as_dict(result), indent=2, sort_keys=False)


COLUMNS = ("operation", "requests", "errors", "req/s", "msg/s",
           "p50 ms", "p90 ms", "p99 ms", "max ms")


def as_table(result: Result) -> str:
    document = as_dict(result)
    s = result.settings
    lines = [
        f"zaqar-bench against {s.server_url}: {document['duration']:.1f} s"
        + (" (interrupted)" if result.interrupted else ""),
        "processes x workers: " + ", ".join(
            f"{role} {s.processes(role)}x{s.workers(role)}" for role in ROLES
            if s.processes(role)),
        f"messages per post/claim/list: {s.messages_per_post}/"
        f"{s.messages_per_claim}/{s.messages_per_list}, "
        f"{s.num_queues} queues, bodies of {s.message_size} bytes",
        f"client CPU: {result.client_cpu:.1f} s",
        "",
    ]
    rows = [COLUMNS]
    for name, op in document["operations"].items():
        latency = op["latency_ms"]
        rows.append((name, str(op["requests"]), str(op["errors"]),
                     f"{op['requests_per_second']:.1f}",
                     f"{op['messages_per_second']:.1f}",
                     *(_cell(latency[k]) for k in ("p50", "p90", "p99",
                                                   "max"))))
    total = document["total"]
    rows.append(("total", str(total["requests"]), str(total["errors"]),
                 f"{total['requests_per_second']:.1f}", "", "", "", "", ""))
    widths = [max(len(row[i]) for row in rows) for i in range(len(COLUMNS))]
    for row in rows:
        lines.append("  ".join(
            cell.ljust(widths[i]) if i == 0 else cell.rjust(widths[i])
            for i, cell in enumerate(row)).rstrip())
    for name, op in document["operations"].items():
        for reason, count in op["error_kinds"].items():
            lines.append(f"{name} error x{count}: {reason}")
    return "\n".join(lines)


def _ordered(operations: dict) -> list[str]:
    known = [name for name in ORDER if name in operations]
    return known + sorted(set(operations) - set(known))


def _cell(value: float | None) -> str:
    return "-" if value is None else f"{value:.2f}"
