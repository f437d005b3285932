"""Websocket frame decoding and reply encoding (pure functions)."""

from __future__ import annotations

import json

import msgpack
import pytest

from zaqar.transport.websocket import frames


def test_decode_keeps_the_frame_and_its_encoding():
    request = frames.decode('{"action": "a", "body": {"k": 1}}')
    assert (request.action, request.body, request.headers,
            request.binary) == ("a", {"k": 1}, {}, False)
    request = frames.decode(msgpack.packb({"action": "a"}))
    assert (request.action, request.body, request.binary) == ("a", {}, True)


@pytest.mark.parametrize("text,reason", [
    ('{"a": "\\ud800"}', "ValueError: a string holds a lone surrogate"),
    ('{"\\uDC00": 1}', "ValueError: a string holds a lone surrogate"),
    ('{"a": Infinity}', "ValueError: Infinity is not JSON"),
    ('{"a": -9223372036854775809}',
     "ValueError: JSON contains integer that is too large."),
])
def test_json_values_refused(text, reason):
    with pytest.raises(frames.FrameError) as info:
        frames.decode(text)
    assert str(info.value) == "Can't decode text (JSON) request. " + reason


def test_json_surrogate_pairs_are_fine():
    assert frames.decode('{"a": "\\ud83d\\ude00"}').frame == {"a": "😀"}


def test_msgpack_timestamps_are_refused():
    data = msgpack.packb({"t": msgpack.Timestamp(1, 0)})
    with pytest.raises(frames.FrameError) as info:
        frames.decode(data)
    assert str(info.value) == ("Can't decode binary (MessagePack) request. "
                               "ValueError: Timestamp values are not "
                               "supported")


def test_too_large_counts_utf8_bytes():
    assert not frames.too_large("é" * 10, 20)
    assert frames.too_large("é" * 11, 20)
    assert frames.too_large(b"x" * 21, 20)
    assert not frames.too_large("x" * 20, 20)


def test_reply_envelope():
    request = frames.decode('{"action": "queue_get", "headers": {"h": "v"}}')
    data = frames.reply(request, frames.Reply(200, {"k": "é"}))
    assert data.decode("utf-8") == (
        '{"request": {"action": "queue_get", "body": {}, "headers": '
        '{"h": "v"}, "api": "v2"}, "body": {"k": "é"}, "headers": '
        '{"status": 200}}')


def test_reply_text_escapes_what_utf8_cannot_hold():
    data = frames.reply(None, frames.Reply(200, "\ud800"), binary=False)
    assert json.loads(data)["body"] == "\ud800"


def test_reply_that_cannot_be_encoded_is_a_500():
    request = frames.decode(msgpack.packb({"action": "a", "body": {}}))
    data = frames.reply(request, frames.Reply(200, {1, 2}))
    document = msgpack.unpackb(data)
    assert document["headers"] == {"status": 500}
    assert document["body"]["error"] == "Unexpected error."
    assert document["request"] == {"action": "a", "body": {}, "headers": {},
                                   "api": "v2"}
