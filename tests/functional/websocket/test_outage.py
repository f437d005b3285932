"""A storage outage answers 503 frames with each action's summary, and
the connection survives it. Uses a Redis server of its own, stopped
mid-test."""

from __future__ import annotations

import shutil
import subprocess
import time

import pytest

from tests import services
from tests.functional.websocket.client import Client, WebsocketServer


@pytest.fixture
def redis_port(tmp_path):
    binary = shutil.which("redis-server")
    if binary is None:
        services.unavailable("redis-server", "the binary is not installed")
    port = services.free_port()
    process = subprocess.Popen(
        [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "",
         "--appendonly", "no", "--dir", str(tmp_path)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 10
    while not services.port_open("127.0.0.1", port):
        if time.monotonic() > deadline or process.poll() is not None:
            process.kill()
            services.unavailable("redis-server", "it did not start")
        time.sleep(0.05)
    yield port, process
    if process.poll() is None:
        process.kill()
        process.wait()


def test_storage_outage(redis_port, tmp_path, project):
    port, redis_process = redis_port
    server = WebsocketServer(tmp_path / "server", {
        "drivers": {"message_store": "redis"},
        "drivers:message_store:redis": {
            "uri": f"redis://127.0.0.1:{port}",
            "max_reconnect_attempts": 0}})
    server.workdir.mkdir()
    server.start()
    try:
        with Client(server.url, project) as client:
            assert client.call("queue_create",
                               {"queue_name": "q"}).status == 201
            redis_process.kill()
            redis_process.wait()

            for action, body, summary in [
                    ("queue_list", None, "Queues could not be listed."),
                    ("queue_create", {"queue_name": "q2"},
                     "Queue q2 could not be created."),
                    ("queue_get_stats", {"queue_name": "q"},
                     "Cannot retrieve queue q stats."),
                    ("message_post", {"queue_name": "q",
                                      "messages": [{"body": 1}]},
                     "Messages could not be enqueued."),
                    ("claim_create", {"queue_name": "q"},
                     "Claim could not be created."),
                    ("subscription_list", {"queue_name": "q"},
                     "Subscriptions could not be listed.")]:
                answer = client.call(action, body)
                assert answer.status == 503, (action, answer.body)
                assert answer.body["error"] == summary
                assert "Redis" in answer.body["exception"]

            answer = client.call("ping_node")
            assert (answer.status, answer.body) == (503, {})
    finally:
        server.stop()
