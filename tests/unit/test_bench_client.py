"""zaqar-bench's HTTP client against a real TCP server that plays back
scripted answers (the framings a server may choose, and its failures)."""

import socket
import threading

import pytest

from zaqar.bench import client as bench_client


class ScriptedServer:
    """Accepts connections; for each request read, sends the next
    scripted answer. An answer of None closes the connection instead."""

    def __init__(self, answers):
        self.answers = list(answers)
        self.requests: list[bytes] = []
        self.connections = 0
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.url = "http://127.0.0.1:%d/prefix" % (
            self._listener.getsockname()[1])
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _serve(self):
        while self.answers:
            try:
                conn, _ = self._listener.accept()
            except OSError:
                return
            self.connections += 1
            with conn:
                self._talk(conn)

    def _talk(self, conn):
        buffer = b""
        while self.answers:
            while b"\r\n\r\n" not in buffer:
                more = conn.recv(65536)
                if not more:
                    return
                buffer += more
            head, _, buffer = buffer.partition(b"\r\n\r\n")
            length = 0
            for line in head.split(b"\r\n")[1:]:
                name, _, value = line.partition(b":")
                if name.lower() == b"content-length":
                    length = int(value)
            while len(buffer) < length:
                buffer += conn.recv(65536)
            self.requests.append(head + b"\r\n\r\n" + buffer[:length])
            buffer = buffer[length:]
            answer = self.answers.pop(0)
            if answer is None:
                return
            conn.sendall(answer)
            if b"Connection: close" in answer:
                return

    def close(self):
        self._listener.close()


@pytest.fixture
def serve():
    servers = []

    def start(*answers):
        server = ScriptedServer(answers)
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.close()


def test_request_bytes_and_content_length_answer(serve):
    server = serve(b"HTTP/1.1 201 Created\r\nContent-Length: 5\r\n"
                   b"Content-Type: application/json\r\n\r\n[1,2]")
    client = bench_client.Client(server.url, "proj-a", client_id="cid-1")
    answer = client.request("POST", client.prefix + "/v2/x", b'{"a":1}')
    assert (answer.status, answer.body) == (201, b"[1,2]")
    assert answer.latency > 0
    request = server.requests[0]
    head, _, body = request.partition(b"\r\n\r\n")
    lines = head.split(b"\r\n")
    assert lines[0] == b"POST /prefix/v2/x HTTP/1.1"
    assert b"Client-ID: cid-1" in lines
    assert b"X-Project-ID: proj-a" in lines
    assert b"Content-Length: 7" in lines
    assert body == b'{"a":1}'


def test_auth_token_is_sent_only_when_given(serve):
    ok = b"HTTP/1.1 204 No Content\r\n\r\n"
    server = serve(ok, ok)
    bench_client.Client(server.url, "p", auth_token="tok-1").request(
        "GET", "/v2/ping")
    bench_client.Client(server.url, "p").request("GET", "/v2/ping")
    first, second = server.requests
    assert b"\r\nX-Auth-Token: tok-1\r\n" in first
    assert b"X-Auth-Token" not in second


def test_keep_alive_reuses_one_connection(serve):
    ok = b"HTTP/1.1 204 No Content\r\n\r\n"
    server = serve(ok, b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nhi", ok)
    client = bench_client.Client(server.url, "p")
    statuses = [client.request("GET", "/v2/ping").status for _ in range(3)]
    assert statuses == [204, 200, 204]
    assert server.connections == 1
    # A request without a body sends no Content-Length.
    assert b"Content-Length" not in server.requests[0]


def test_chunked_answer_with_extension_and_trailer(serve):
    server = serve(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
                   b"4;ext=1\r\nabcd\r\n3\r\nefg\r\n0\r\nX-Trailer: 1\r\n\r\n"
                   b"HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nz")
    client = bench_client.Client(server.url, "p")
    assert client.request("GET", "/a").body == b"abcdefg"
    assert client.request("GET", "/b").body == b"z"  # framing kept
    assert server.connections == 1


def test_connection_close_and_unframed_body(serve):
    server = serve(b"HTTP/1.1 200 OK\r\nConnection: close\r\n\r\nto the end",
                   b"HTTP/1.0 200 OK\r\nContent-Length: 2\r\n\r\nok",
                   b"HTTP/1.1 204 No Content\r\n\r\n")
    client = bench_client.Client(server.url, "p")
    assert client.request("GET", "/a").body == b"to the end"
    # HTTP/1.0 without keep-alive closes too: a third connection follows.
    assert client.request("GET", "/b").body == b"ok"
    assert client.request("GET", "/c").status == 204
    assert server.connections == 3


def test_stale_keep_alive_connection_is_retried_once(serve):
    ok = b"HTTP/1.1 204 No Content\r\n\r\n"
    # The server reads the second request and closes without answering,
    # as a server timing out an idle connection does.
    server = serve(ok, None, ok)
    client = bench_client.Client(server.url, "p")
    assert client.request("GET", "/a").status == 204
    assert client.request("GET", "/b").status == 204
    assert server.connections == 2
    assert [r.split(b" ")[1] for r in server.requests] == [b"/a", b"/b",
                                                          b"/b"]


def test_first_request_closed_is_a_failure_not_a_retry(serve):
    server = serve(None, b"HTTP/1.1 204 No Content\r\n\r\n")
    client = bench_client.Client(server.url, "p")
    with pytest.raises(bench_client.RequestFailed):
        client.request("GET", "/a")
    assert len(server.requests) == 1


@pytest.mark.parametrize("answer", [
    b"SSH-2.0-OpenSSH\r\n\r\n",
    b"HTTP/1.1 200 OK\r\nContent-Length: x\r\n\r\n",
    b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
    b"HTTP/1.1 200 OK\r\nContent-Length: 10\r\nConnection: close\r\n\r\nab",
])
def test_malformed_answers_fail_the_request(serve, answer):
    server = serve(answer)
    client = bench_client.Client(server.url, "p", timeout=5)
    with pytest.raises(bench_client.RequestFailed):
        client.request("GET", "/a")


def test_refused_connection_fails_the_request():
    with socket.create_server(("127.0.0.1", 0)) as listener:
        port = listener.getsockname()[1]
    client = bench_client.Client(f"http://127.0.0.1:{port}", "p")
    with pytest.raises(bench_client.RequestFailed):
        client.request("GET", "/v2/ping")
