"""Many connections at once: 200 clients each posting and listing in a
loop, all served correctly by one server process."""

from __future__ import annotations

import threading

from tests.functional.websocket.client import Client

CONNECTIONS = 200
ITERATIONS = 5
TIMEOUT = 120


def test_200_concurrent_connections(server, project):
    opened = threading.Barrier(CONNECTIONS, timeout=TIMEOUT)
    failures: list[str] = []

    def work(index: int) -> None:
        queue = f"load-{index}"
        try:
            with Client(server.url, project, binary=index % 2 == 1,
                        timeout=TIMEOUT) as client:
                # Every connection is open before any works.
                opened.wait()
                for i in range(ITERATIONS):
                    posted = client.call("message_post", {
                        "queue_name": queue,
                        "messages": [{"body": {"from": index, "n": i}}]})
                    assert posted.status == 201, posted.body
                    listed = client.call("message_list", {
                        "queue_name": queue, "echo": True})
                    assert listed.status == 200, listed.body
                    bodies = [m["body"] for m in listed.body["messages"]]
                    assert bodies == [{"from": index, "n": n}
                                      for n in range(i + 1)], bodies
        except BaseException as exc:  # reported below, with the index
            opened.abort()
            failures.append(f"connection {index}: {exc!r}")

    threads = [threading.Thread(target=work, args=(i,))
               for i in range(CONNECTIONS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not failures, failures[:5]

    with Client(server.url, project) as client:
        listed = client.call("queue_list", {"limit": 20})
        assert len(listed.body["queues"]) == 20
