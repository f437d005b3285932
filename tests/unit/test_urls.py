"""Pre-signed URL signing and verification (README "Signed URLs")."""

import datetime

import pytest

from zaqar.common import urls

KEY = "peer-reference-secret"
PATHS = ["/v2/queues/c-sh/messages", "/v2/queues/c-sh/claims"]
# Recorded from upstream (examples/v2-05-share-signed-urls.txt #9).
RECORDED = "dbb86c3e16683777b32ddf451368983258c47668f7d7e44171b60e7e3706468d"
NOW = datetime.datetime(2026, 11, 27, 14, 58, 45)


def test_signature_matches_upstream():
    assert urls.signature(KEY, PATHS, ["POST", "GET"], "demo-project",
                          "2030-01-01T00:00:00") == RECORDED


def test_signed_message_uses_backslash_n_not_newline():
    import hashlib
    import hmac
    message = ("/v2/queues/c-sh/claims,/v2/queues/c-sh/messages\\nGET,POST"
               "\\ndemo-project\\n2030-01-01T00:00:00")
    assert hmac.new(KEY.encode(), message.encode(),
                    hashlib.sha256).hexdigest() == RECORDED


def test_create_sorts_and_normalises():
    signed = urls.create_signed_url(KEY, PATHS, "demo-project",
                                    "2030-01-01T00:00:00Z", ["POST", "GET"],
                                    now=NOW)
    assert signed == {"paths": sorted(PATHS), "methods": ["GET", "POST"],
                      "project": "demo-project",
                      "expires": "2030-01-01T00:00:00",
                      "signature": RECORDED}
    assert list(signed) == ["paths", "methods", "project", "expires",
                            "signature"]


def test_create_defaults():
    signed = urls.create_signed_url(KEY, ["/v2/queues/q/messages"], "p",
                                    now=NOW)
    assert signed["methods"] == ["GET"]
    assert signed["expires"] == "2026-11-28T14:58:45"
    assert signed["signature"] == urls.signature(
        KEY, ["/v2/queues/q/messages"], ["GET"], "p", "2026-11-28T14:58:45")


def test_offset_is_converted_to_utc():
    signed = urls.create_signed_url(KEY, PATHS, "p",
                                    "2030-01-01T02:00:00+02:00", now=NOW)
    assert signed["expires"] == "2030-01-01T00:00:00"


def test_project_none_is_signed_as_text():
    signed = urls.create_signed_url(KEY, PATHS, None, "2030-01-01T00:00:00",
                                    now=NOW)
    assert signed["signature"] == urls.signature(KEY, PATHS, ["GET"], "None",
                                                 "2030-01-01T00:00:00")


@pytest.mark.parametrize("kwargs, text", [
    ({"key": None}, "The `key` can't be None"),
    ({"key": ""}, "The `key` can't be None"),
    ({"methods": "GET"}, "`methods` should be a list"),
    ({"expires": "1234"},
     "`expires` should be date format, for example 2016-01-01T00:00:00, "
     "not integer value: 1234"),
    ({"expires": 1234},
     "`expires` should be date format, for example 2016-01-01T00:00:00, "
     "not integer value: 1234"),
    ({"expires": "notadate"}, "Unable to parse date string 'notadate'"),
    ({"expires": "2001-01-01T00:00:00"},
     "`expires` is lower than the current time"),
    ({"paths": "/v2/queues/q"}, "`paths` should be a list"),
    ({"paths": []}, "`paths` can't be empty"),
])
def test_create_errors(kwargs, text):
    arguments = {"key": KEY, "paths": PATHS, "project": "p",
                 "expires": None, "methods": None}
    arguments.update(kwargs)
    with pytest.raises(urls.SignedURLError) as exc:
        urls.create_signed_url(now=NOW, **arguments)
    assert str(exc.value) == text


def _headers(**changes):
    values = {"key": KEY, "signature_": RECORDED,
              "expires": "2030-01-01T00:00:00", "methods": "GET,POST",
              "paths": ",".join(sorted(PATHS)), "project": "demo-project",
              "method": "GET", "path": "/v2/queues/c-sh/messages",
              "now": NOW}
    values.update(changes)
    return values


def test_verify_accepts_the_signed_request():
    assert urls.verify(**_headers())
    assert urls.verify(**_headers(method="POST",
                                  path="/v2/queues/c-sh/claims"))


def test_verify_path_is_searched_not_matched():
    assert urls.verify(**_headers(path="/v2/queues/c-sh/messages/abc"))


def test_verify_accepts_lists_in_any_order():
    assert urls.verify(**_headers(methods=["POST", "GET"],
                                  paths=list(reversed(sorted(PATHS)))))


def test_verify_accepts_the_expiry_with_zone():
    assert urls.verify(**_headers(expires="2030-01-01T00:00:00Z"))


@pytest.mark.parametrize("changes", [
    {"method": "DELETE"},
    {"path": "/v2/queues/c-sh"},
    {"path": "/v2/queues/other/messages"},
    {"project": "other-project"},
    {"project": None},
    {"signature_": "0" * 64},
    {"signature_": RECORDED.upper()},
    {"signature_": "é"},
    {"signature_": None},
    {"expires": "2030-01-01T00:00:01"},
    {"expires": "1234"},
    {"expires": "notadate"},
    {"methods": "GET"},
    {"paths": "/v2/queues/c-sh/messages"},
    {"key": "another-secret"},
    {"key": None},
    {"now": datetime.datetime(2030, 1, 1, 0, 0, 0)},
])
def test_verify_refuses(changes):
    assert not urls.verify(**_headers(**changes))


def test_verify_ignores_a_bad_regular_expression():
    paths = ["/v2/queues/q/messages", "(unclosed"]
    signed = urls.create_signed_url(KEY, paths, "p", "2030-01-01T00:00:00",
                                    now=NOW)
    common = dict(key=KEY, signature_=signed["signature"],
                  expires=signed["expires"], methods="GET",
                  paths=",".join(signed["paths"]), project="p", method="GET",
                  now=NOW)
    assert urls.verify(path="/v2/queues/q/messages", **common)
    assert not urls.verify(path="/v2/queues/(unclosed", **common)
