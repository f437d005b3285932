"""zaqar-bench's command line and its reading of server answers."""

import json
import random

import pytest

from zaqar.bench import client, consumer, observer, producer, settings


class TestCommandLine:
    def test_defaults_are_the_reference_mix(self):
        s = settings.parse([])
        assert (s.producer_processes, s.producer_workers) == (2, 4)
        assert (s.consumer_processes, s.consumer_workers) == (2, 4)
        assert (s.observer_processes, s.observer_workers) == (1, 2)
        assert s.pinger_processes == 0
        assert s.needs_queues()

    def test_flags_are_read(self):
        s = settings.parse([
            "--server-url", "http://127.0.0.1:9999", "--time", "2.5",
            "--producer-processes", "0", "--consumer-processes", "0",
            "--observer-processes", "0", "--pinger-processes", "3",
            "--pinger-workers", "5", "--messages-per-post", "7",
            "--num-queues", "2", "--project-id", "p1",
            "--message-size", "512", "--json"])
        assert s.server_url == "http://127.0.0.1:9999"
        assert s.time == 2.5
        assert (s.pinger_processes, s.pinger_workers) == (3, 5)
        assert s.messages_per_post == 7
        assert (s.num_queues, s.project_id, s.message_size) == (2, "p1", 512)
        assert s.json
        assert not s.needs_queues()

    def test_auth_token_from_flag_or_environment(self, monkeypatch):
        monkeypatch.delenv("OS_AUTH_TOKEN", raising=False)
        assert settings.parse([]).auth_token is None
        monkeypatch.setenv("OS_AUTH_TOKEN", "from-env")
        assert settings.parse([]).auth_token == "from-env"
        s = settings.parse(["--auth-token", "gAAAA-flag"])
        assert s.auth_token == "gAAAA-flag"
        assert "gAAAA-flag" not in repr(s)

    @pytest.mark.parametrize("argv, message", [
        (["--time", "0"], "must be positive"),
        (["--time", "soon"], "not a number"),
        (["--producer-workers", "0"], "at least 1"),
        (["--consumer-processes", "-1"], "must not be negative"),
        (["--messages-per-claim", "ten"], "not an integer"),
        (["--server-url", "127.0.0.1:8888"], "http://host:port"),
        (["--server-url", "http://127.0.0.1:99999"], "bad port"),
        (["--project-id", ""], "project id"),
        (["--auth-token", "two words"], "auth token"),
        (["--auth-token", "t\u00f6ken"], "auth token"),
        (["--producer-processes", "0", "--consumer-processes", "0",
          "--observer-processes", "0"], "nothing to do"),
    ])
    def test_bad_values_are_clear_errors(self, argv, message, capsys):
        with pytest.raises(SystemExit) as exc:
            settings.parse(argv)
        assert exc.value.code == 2
        assert message in capsys.readouterr().err


class TestAnswers:
    def test_claimed_hrefs(self):
        body = json.dumps({"messages": [
            {"id": "a", "href": "/v2/queues/q/messages/a?claim_id=c1"},
            {"id": "b", "href": "/v2/queues/q/messages/b?claim_id=c1"},
        ]}).encode()
        assert consumer.claimed_hrefs(body) == [
            "/v2/queues/q/messages/a?claim_id=c1",
            "/v2/queues/q/messages/b?claim_id=c1"]

    @pytest.mark.parametrize("body", [
        b"[]", b'{"messages": {}}', b'{"messages": [{"id": "a"}]}',
        b'{"messages": [{"href": "/v2/queues/q/messages/a"}]}',
        b'{"messages": [3]}'])
    def test_claim_answers_without_claim_hrefs_are_refused(self, body):
        with pytest.raises(ValueError):
            consumer.claimed_hrefs(body)

    def test_claim_answer_that_is_not_json(self):
        with pytest.raises(ValueError):
            consumer.claimed_hrefs(b"<html>")

    def test_page_with_next_link(self):
        body = json.dumps({"messages": [{}, {}], "links": [
            {"rel": "next", "href": "/v2/queues/q/messages?marker=2"}]})
        assert observer.parse_page(body.encode()) == (
            2, "/v2/queues/q/messages?marker=2")

    def test_empty_page(self):
        assert observer.parse_page(b'{"messages": [], "links": []}') == (
            0, None)

    @pytest.mark.parametrize("body", [b"{}", b'{"messages": 3}', b"nope"])
    def test_bad_pages_are_refused(self, body):
        with pytest.raises(ValueError):
            observer.parse_page(body)

    @pytest.mark.parametrize("size", [2, 3, 100, 4096])
    def test_payload_serialises_to_the_message_size(self, size):
        body = producer.payload(size, random.Random(1))
        assert len(json.dumps(body).encode()) == size

    def test_response_description_is_short(self):
        answer = client.Response(503, b"x" * 1000, 0.1)
        text = answer.describe()
        assert text.startswith("HTTP 503 x")
        assert len(text) < 200
