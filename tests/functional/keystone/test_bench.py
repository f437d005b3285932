"""zaqar-bench against a zaqar-server that validates Keystone tokens."""

from __future__ import annotations

import json
import os
import subprocess

from tests.functional.test_bench import _bench_command

MIX = ["--time", "1", "--num-queues", "1",
       "--producer-processes", "1", "--producer-workers", "1",
       "--consumer-processes", "1", "--consumer-workers", "1",
       "--observer-processes", "1", "--observer-workers", "1"]


def _run(ks_server, *flags: str, env: dict | None = None):
    return subprocess.run(
        _bench_command() + ["--server-url", ks_server.url, *MIX, *flags],
        capture_output=True, text=True, timeout=120,
        env=dict(os.environ, **(env or {})))


def test_bench_runs_with_a_token(ks_server, demo_token):
    run = _run(ks_server, "--json", env={"OS_AUTH_TOKEN": demo_token.id})
    assert run.returncode == 0, run.stderr + ks_server.log()
    result = json.loads(run.stdout)
    assert result["total"]["errors"] == 0
    assert result["operations"]["post"]["requests"] > 0
    # The token never reaches the results.
    assert demo_token.id not in run.stdout
    assert result["settings"]["auth_token"] == "(given)"


def test_bench_without_a_token_says_why(ks_server):
    env = {"OS_AUTH_TOKEN": ""}
    run = _run(ks_server, env=env)
    assert run.returncode == 1
    assert "cannot create queue" in run.stderr and "401" in run.stderr
    assert "Traceback" not in run.stderr
