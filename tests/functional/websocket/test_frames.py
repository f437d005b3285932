"""Frame-level behaviour: decoding errors, the envelope, unknown actions,
schema failures and oversized frames all answer an error frame and keep
the connection open."""

from __future__ import annotations

import json

import msgpack
import pytest
from websockets.exceptions import ConnectionClosed

from tests.functional.websocket.client import Client

NO_REQUEST = {"action": None, "body": {}, "headers": {}, "api": "v2"}
SCHEMA = {"error": "Schema validation failed."}


def frame_error(client, data, binary):
    client.send(data)
    answer = client.reply(binary=binary)
    assert answer.request == NO_REQUEST
    assert answer.status == 400
    return answer.body["error"]


def still_serves(client):
    answer = client.call("queue_list")
    assert answer.status == 200


def test_text_that_is_not_json(client):
    assert frame_error(client, "not json", binary=False) == (
        "Can't decode text (JSON) request. JSONDecodeError: Expecting "
        "value: line 1 column 1 (char 0)")
    still_serves(client)


@pytest.mark.parametrize("data", ["[1, 2]", '"text"', "3", "null"])
def test_json_that_is_not_an_object(client, data):
    assert frame_error(client, data, binary=False) == (
        "Unexpected body type. Expected dict or dict like.")
    still_serves(client)


def test_binary_that_is_not_msgpack(client):
    assert frame_error(client, b"\xc1", binary=True) == (
        "Can't decode binary (MessagePack) request. FormatError: ")
    text = frame_error(client, b"", binary=True)
    assert text.startswith("Can't decode binary (MessagePack) request. "
                           "ValueError: ")
    text = frame_error(client, msgpack.packb({}) + b"\x01", binary=True)
    assert text.startswith("Can't decode binary (MessagePack) request. "
                           "ExtraData: ")
    still_serves(client)


def test_msgpack_that_is_not_a_map(client):
    assert frame_error(client, msgpack.packb([1, 2]), binary=True) == (
        "Unexpected body type. Expected dict or dict like.")


def test_msgpack_values_json_cannot_hold(client):
    frame = {"action": "message_post", "headers": client.headers,
             "body": {"queue_name": "q", "messages": [{"body": None}]}}
    for value, reason in [(b"raw", "ValueError: bytes values are not "
                                   "supported"),
                          (float("nan"), "ValueError: numbers must be "
                                         "finite"),
                          (2 ** 64 - 1, "ValueError: integer is too large"),
                          (msgpack.ExtType(5, b"x"),
                           "ValueError: ExtType values are not supported")]:
        frame["body"]["messages"][0]["body"] = value
        assert frame_error(client, msgpack.packb(frame), binary=True) == (
            "Can't decode binary (MessagePack) request. " + reason)
    frame["body"]["messages"][0]["body"] = {1: "int key"}
    text = frame_error(client, msgpack.packb(frame, strict_types=False),
                       binary=True)
    assert text.startswith("Can't decode binary (MessagePack) request. ")
    still_serves(client)


def test_json_values_that_cannot_be_served(client):
    base = ('{"action": "queue_list", "headers": {"Client-ID": "c", '
            '"X-Project-ID": "p"}, "body": {"limit": %s}}')
    for literal, reason in [("NaN", "ValueError: NaN is not JSON"),
                            ("1e999", "ValueError: number 1e999 is out of "
                                      "range"),
                            ("99999999999999999999",
                             "ValueError: JSON contains integer that is too "
                             "large.")]:
        assert frame_error(client, base % literal, binary=False) == (
            "Can't decode text (JSON) request. " + reason)


def test_reply_encoding_follows_each_frame(client):
    text = json.dumps({"action": "queue_list", "headers": client.headers})
    client.send(text)
    assert client.reply(binary=False).status == 200
    client.send(msgpack.packb({"action": "queue_list",
                               "headers": client.headers}))
    assert client.reply(binary=True).status == 200


def test_missing_headers_and_body(client):
    answer = client.call("queue_list", headers={})
    assert (answer.status, answer.body) == (400, SCHEMA)
    client.send(client.encode({"action": "queue_list"}))
    answer = client.reply()
    assert answer.request == {"action": "queue_list", "body": {},
                              "headers": {}, "api": "v2"}
    assert (answer.status, answer.body) == (400, SCHEMA)
    client.send(client.encode({"action": "queue_get",
                               "headers": client.headers}))
    answer = client.reply()
    assert (answer.status, answer.body) == (400, SCHEMA)


def test_header_rules(client):
    project = client.headers["X-Project-ID"]
    for headers in [{"X-Project-ID": project},
                    {"Client-ID": client.headers["Client-ID"]},
                    {**client.headers, "Client-ID": 5},
                    {**client.headers, "X-Auth-Token": None},
                    {**client.headers, "URL-Methods": "GET"}]:
        answer = client.call("queue_list", headers=headers)
        assert (answer.status, answer.body) == (400, SCHEMA), headers
    # Unknown headers are ignored.
    answer = client.call("queue_list",
                         headers={**client.headers, "X-Other": 1})
    assert answer.status == 200


def test_body_must_be_an_object(client):
    for body in ([], "text", 5):
        answer = client.call("queue_get", body)
        assert (answer.status, answer.body) == (400, SCHEMA), body


def test_unknown_action(client):
    answer = client.call("no_such_action", {})
    assert (answer.status, answer.body) == (
        400, {"error": "no_such_action is not a valid action"})
    client.send(client.encode({"headers": client.headers, "body": {}}))
    answer = client.reply()
    assert answer.request == {"action": None, "body": {},
                              "headers": client.headers, "api": "v2"}
    assert (answer.status, answer.body) == (
        400, {"error": "None is not a valid action"})
    # Scalars are named as upstream names them; lists and objects (which
    # upstream cannot look up and drops the connection for) fail the schema.
    for action, text in ((7, "7"), (True, "True"), (1.5, "1.5")):
        answer = client.call(action, {})
        assert (answer.status, answer.body) == (
            400, {"error": f"{text} is not a valid action"})
    for action in (["queue_list"], {"a": 1}):
        answer = client.call(action, {})
        assert (answer.status, answer.body) == (400, SCHEMA)
    still_serves(client)


@pytest.mark.parametrize("action,body", [
    ("authenticate", None),
    ("pool_list", {"pool_name": "x"}),
    ("pool_get", {"pool_name": "x"}),
    ("pool_get_detail", {"pool_name": "x"}),
    ("pool_create", {"pool_name": "x"}),
    ("pool_update", {"pool_name": "x"}),
    ("pool_delete", {"pool_name": "x"}),
    ("flavor_list", {"flavor_name": "x"}),
    ("flavor_get", {"flavor_name": "x"}),
    ("flavor_create", {"flavor_name": "x"}),
    ("flavor_update", {"flavor_name": "x"}),
    ("flavor_delete", {"flavor_name": "x"}),
])
def test_actions_without_handler_answer_an_error(client, action, body):
    headers = dict(client.headers)
    if action == "authenticate":
        headers["X-Auth-Token"] = "anything"
    answer = client.call(action, body, headers=headers)
    assert (answer.status, answer.body) == (
        400, {"error": f"{action} is not a valid action"})
    still_serves(client)


def test_oversized_frame_answers_an_error(client):
    # The frame cap is max(max_messages_post_size, max_queue_metadata)
    # plus 64 KiB of envelope: 262144 + 65536 bytes by default.
    limit = 262144 + 65536
    frame = {"action": "message_post", "headers": client.headers,
             "body": {"queue_name": "big",
                      "messages": [{"body": "x" * limit}]}}
    assert frame_error(client, client.encode(frame),
                       binary=client.binary) == (
        f"Request frame is too large. Max size: {limit}")
    still_serves(client)


def test_frame_just_under_the_cap_reaches_the_action(client):
    frame = {"action": "message_post", "headers": client.headers,
             "body": {"queue_name": "big",
                      "messages": [{"body": "x" * 300000}]}}
    client.send(client.encode(frame))
    answer = client.reply()
    assert (answer.status, answer.body) == (400, {
        "exception": "Message collection size is too large. Max size 262144",
        "error": None})


def nested(depth: int) -> object:
    value: object = "leaf"
    for _ in range(depth):
        value = [value]
    return value


def test_nesting_cap_is_the_http_one(client):
    # HTTP accepts bodies nested 64 levels deep; {"messages": [{"body":
    # X}]} leaves 61 levels for X, in a frame's body as in an HTTP body.
    deepest = {"queue_name": "deep", "messages": [{"body": nested(61)}]}
    assert client.call("message_post", deepest).status == 201
    listed = client.call("message_list", {"queue_name": "deep",
                                          "echo": True})
    assert listed.body["messages"][0]["body"] == nested(61)

    too_deep = {"action": "message_post", "headers": client.headers,
                "body": {"queue_name": "deep",
                         "messages": [{"body": nested(62)}]}}
    kind = "binary (MessagePack)" if client.binary else "text (JSON)"
    assert frame_error(client, client.encode(too_deep),
                       binary=client.binary) == (
        f"Can't decode {kind} request. ValueError: nested too deeply "
        "(more than 64 levels in the body)")
    still_serves(client)


def test_nesting_beyond_the_decoders_limits(client):
    # Far deeper than any decoder follows: still a decoding error.
    prefix = '{"action": "queue_get", "headers": %s, "body": {' \
        '"queue_name": "q", "deep": ' % json.dumps(client.headers)
    n = 5000
    if client.binary:
        data = (b"\x83" + msgpack.packb("action") +
                msgpack.packb("queue_get") + msgpack.packb("headers") +
                msgpack.packb(client.headers) + msgpack.packb("body") +
                b"\x82" + msgpack.packb("queue_name") + msgpack.packb("q") +
                msgpack.packb("deep") + b"\x91" * n + b"\x01")
    else:
        data = prefix + "[" * n + "1" + "]" * n + "}}"
    assert frame_error(client, data, binary=client.binary).startswith(
        "Can't decode ")
    still_serves(client)


def test_pipelined_frames_are_answered_in_order(client):
    names = [f"p{i}" for i in range(20)]
    for name in names:
        client.send(client.encode({"action": "queue_create",
                                   "headers": client.headers,
                                   "body": {"queue_name": name}}))
    for name in names:
        answer = client.reply()
        assert answer.request["body"] == {"queue_name": name}
        assert answer.body == f"Queue {name} created."


def test_frame_beyond_the_read_limit_closes_with_1009(server, project):
    # Four times the frame limit: not buffered, the connection is closed
    # cleanly (close frame 1009, message too big).
    with Client(server.url, project) as client:
        client.send("x" * (4 * (262144 + 65536) + 1))
        with pytest.raises(ConnectionClosed) as info:
            client.receive()
        assert info.value.rcvd.code == 1009


def test_invalid_utf8_text_closes_with_1007(server, project):
    with Client(server.url, project) as client:
        client.connection.send(b"\xff\xfe", text=True)
        with pytest.raises(ConnectionClosed) as info:
            client.receive()
        assert info.value.rcvd.code == 1007


@pytest.mark.parametrize("bad", ["p\x1f", "p\x1fzaqar", "a\nb", "\x7f"])
def test_project_ids_with_control_characters_are_refused(client, bad):
    # Such ids name storage namespaces no client may reach (topics,
    # notification jobs).
    headers = dict(client.headers, **{"X-Project-ID": bad})
    answer = client.call("queue_list", headers=headers)
    assert answer.status == 400
    assert answer.body == SCHEMA
    still_serves(client)
