"""zaqar-bench against a real zaqar-server on the embedded SQLite store.

Checks what the tool reports, never how fast the server is.
"""

import json
import os
import shutil
import subprocess
import sys
import uuid

import pytest
import requests

from tests import services
from tests.functional.server import Server

OPERATIONS = {"post", "claim", "delete", "list", "ping"}
LATENCY_KEYS = {"p50", "p90", "p99", "max"}


def _bench_command() -> list[str]:
    script = shutil.which("zaqar-bench",
                          path=os.path.dirname(sys.executable))
    return [script] if script else [sys.executable, "-m", "zaqar.bench.main"]


@pytest.fixture(scope="module")
def sqlite_server(tmp_path_factory):
    server = Server(tmp_path_factory.mktemp("bench-server")).start()
    yield server
    server.stop()


def test_bench_run_reports_every_operation(sqlite_server):
    project = "bench-" + uuid.uuid4().hex[:8]
    run = subprocess.run(
        _bench_command() + [
            "--server-url", sqlite_server.url, "--time", "2", "--json",
            "--project-id", project, "--num-queues", "1",
            "--producer-processes", "1", "--producer-workers", "2",
            "--consumer-processes", "1", "--consumer-workers", "2",
            "--observer-processes", "1", "--observer-workers", "1",
            "--pinger-processes", "1", "--pinger-workers", "1",
            "--messages-per-post", "5", "--messages-per-claim", "5",
            "--messages-per-list", "5"],
        capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr + sqlite_server.log()
    assert "req/s" in run.stderr  # the progress lines
    result = json.loads(run.stdout)

    assert result["server_url"] == sqlite_server.url
    assert result["duration"] >= 2
    assert result["interrupted"] is False
    assert result["client_cpu_seconds"] > 0
    assert result["processes"] == {"producer": 1, "consumer": 1,
                                   "observer": 1, "pinger": 1}
    assert set(result["operations"]) == OPERATIONS
    for name, op in result["operations"].items():
        assert op["errors"] == 0, (name, op["error_kinds"])
        assert op["error_kinds"] == {}
        assert op["requests"] > 0, name
        assert set(op["latency_ms"]) == LATENCY_KEYS
        latency = op["latency_ms"]
        assert 0 < latency["p50"] <= latency["p90"] <= latency["p99"] \
            <= latency["max"], name
    ops = result["operations"]
    assert ops["post"]["messages"] == 5 * ops["post"]["requests"]
    assert ops["delete"]["messages"] == ops["delete"]["requests"]
    # Every claimed message was deleted (no errors, deletes finish).
    assert ops["delete"]["messages"] == ops["claim"]["messages"]
    assert result["total"]["requests"] == sum(
        op["requests"] for op in ops.values())
    assert result["total"]["errors"] == 0

    # The run's queues were removed at the end.
    listing = requests.get(
        sqlite_server.url + "/v2/queues",
        headers={"Client-ID": str(uuid.uuid4()), "X-Project-ID": project},
        timeout=10)
    assert listing.status_code == 200
    assert listing.json()["queues"] == []


def test_bench_reports_an_unreachable_server():
    closed = services.free_port()  # nothing listens there any more
    run = subprocess.run(
        _bench_command() + ["--server-url", f"http://127.0.0.1:{closed}",
                            "--time", "1"],
        capture_output=True, text=True, timeout=60)
    assert run.returncode == 1
    assert "cannot create queue" in run.stderr
    assert "Traceback" not in run.stderr
