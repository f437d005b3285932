"""POST /v2/queues/{q}/share and pre-signed requests without keystone
(``examples/v2-05-share-signed-urls.txt``, README "Signed URLs").

Keystone deployments: tests/functional/keystone/test_rest.py.
"""

from __future__ import annotations

import datetime
import uuid

import pytest

from tests.functional.conftest import CLIENT_ID, Client
from tests.functional.exchanges import (
    bad_body, dumps, expect, expect_error, invalid, raw, raw_request)
from tests.functional.server import Server
from zaqar.common import urls

SECRET = "peer-reference-secret"
NOT_FOUND = '{"title": "404 Not Found"}'
# examples/v2-05-share-signed-urls.txt #9: the recorded signature.
RECORDED = ("dbb86c3e16683777b32ddf451368983258c47668f7d7e44171b60e7e3706468d")


@pytest.fixture(scope="module")
def keyed(tmp_path_factory):
    """A server with ``[signed_url] secret_key`` (SQLite)."""
    srv = Server(tmp_path_factory.mktemp("share"), {
        "signed_url": {"secret_key": SECRET}}).start()
    yield srv
    srv.stop()


@pytest.fixture
def owner(keyed, project):
    return Client(keyed.url, project)


def share(client: Client, queue: str, document) -> dict:
    resp = client.post(f"/v2/queues/{queue}/share", json=document)
    assert resp.status_code == 200, resp.text
    return resp.json()


def signed_headers(signed: dict, **changes: str | None) -> dict:
    """The headers of a request made with the answer of share."""
    headers = {"Client-ID": CLIENT_ID,
               "URL-Signature": signed["signature"],
               "URL-Expires": signed["expires"],
               "URL-Methods": ",".join(signed["methods"]),
               "URL-Paths": ",".join(signed["paths"]),
               "X-Project-ID": signed["project"]}
    headers.update(changes)
    return {k: v for k, v in headers.items() if v is not None}


def anonymous(server: Server) -> Client:
    """A client that sends only what the test gives it."""
    client = Client(server.url, "unused")
    client.headers = {}
    return client


def utc_now() -> datetime.datetime:
    return datetime.datetime.now(datetime.timezone.utc).replace(tzinfo=None)


# -- creating signed URLs ---------------------------------------------------

def test_no_body(keyed, project):
    answer = raw(keyed.url, raw_request(
        "POST", "/v2/queues/c-sh/share",
        {"Client-ID": CLIENT_ID, "X-Project-ID": project}))
    assert answer.status == 400
    assert answer.body == dumps({"title": "Invalid request body",
                                 "description":
                                     "Request body can not be empty"}
                                ).encode()


def test_defaults_get_messages_for_one_day(owner, project):
    before = utc_now()
    resp = owner.post("/v2/queues/c-sh/share", json={})
    after = utc_now()
    expect(resp, 200)
    signed = resp.json()
    assert list(signed) == ["paths", "methods", "project", "expires",
                            "signature"]
    assert signed["paths"] == ["/v2/queues/c-sh/messages"]
    assert signed["methods"] == ["GET"]
    assert signed["project"] == project
    expires = datetime.datetime.strptime(signed["expires"],
                                         "%Y-%m-%dT%H:%M:%S")
    day = datetime.timedelta(days=1)
    assert (before + day).replace(microsecond=0) <= expires <= after + day
    assert signed["signature"] == urls.signature(
        SECRET, signed["paths"], signed["methods"], project,
        signed["expires"])


def test_explicit_values_sorted_and_utc(keyed):
    client = Client(keyed.url, "demo-project")
    resp = client.post("/v2/queues/c-sh/share", json={
        "methods": ["POST", "GET"], "paths": ["messages", "claims"],
        "expires": "2030-01-01T00:00:00Z"})
    expect(resp, 200, dumps({
        "paths": ["/v2/queues/c-sh/claims", "/v2/queues/c-sh/messages"],
        "methods": ["GET", "POST"], "project": "demo-project",
        "expires": "2030-01-01T00:00:00", "signature": RECORDED}))


def test_offset_converted_to_utc(owner):
    signed = share(owner, "c-sh", {"expires": "2030-01-01T02:30:00+02:00",
                                   "paths": ["subscriptions"]})
    assert signed["expires"] == "2030-01-01T00:30:00"
    assert signed["paths"] == ["/v2/queues/c-sh/subscriptions"]


@pytest.mark.parametrize("document, description", [
    ({"foo": 1}, "Unknown keys: {'foo'}"),
    ({"paths": ["queues"]}, "Invalid paths: {'queues'}"),
    ({"paths": "messages"}, "`paths` should be a list"),
    ({"methods": "GET"}, "`methods` should be a list"),
    ({"expires": "1234"}, "`expires` should be date format, for example "
                          "2016-01-01T00:00:00, not integer value: 1234"),
    ({"expires": 3600}, "`expires` should be date format, for example "
                        "2016-01-01T00:00:00, not integer value: 3600"),
    ({"expires": "2001-01-01T00:00:00"},
     "`expires` is lower than the current time"),
    ({"expires": "notadate"}, "Unable to parse date string 'notadate'"),
])
def test_invalid(owner, document, description):
    invalid(owner.post("/v2/queues/c-sh/share", json=document), description)


def test_array_body(owner):
    bad_body(owner.post("/v2/queues/c-sh/share", json=[]),
             "Document type not supported.")


def test_without_secret_key(client):
    """The shared functional server has no ``[signed_url] secret_key``."""
    invalid(client.post("/v2/queues/c-sh/share", json={}),
            "The `key` can't be None")


def test_bad_queue_name(owner):
    expect_error(owner.post("/v2/queues/bad$/share", json={}), 400,
                 "Invalid queue identification",
                 "The format of the submitted queue name or project id is "
                 "not valid.")


# -- using them -------------------------------------------------------------

@pytest.fixture
def signed(owner) -> dict:
    return share(owner, "c-sh", {"methods": ["GET", "POST"],
                                 "paths": ["messages", "claims"]})


def test_signed_post_and_get(keyed, owner, signed):
    holder = anonymous(keyed)
    resp = holder.post("/v2/queues/c-sh/messages",
                       json={"messages": [{"body": "signed"}]},
                       headers=signed_headers(signed))
    expect(resp, 201)
    href = resp.json()["resources"][0]
    resp = holder.get("/v2/queues/c-sh/messages?echo=true",
                      headers=signed_headers(signed))
    expect(resp, 200)
    assert [m["body"] for m in resp.json()["messages"]] == ["signed"]
    # ".../messages" covers the message items below it.
    expect(holder.get(href, headers=signed_headers(signed)), 200)
    # The request acted in the signed project: its owner sees the message.
    listed = owner.get("/v2/queues/c-sh/messages?echo=true").json()
    assert [m["body"] for m in listed["messages"]] == ["signed"]


def test_claims_path(keyed, owner, signed):
    owner.post("/v2/queues/c-sh/messages", json={"messages": [{"body": 1}]})
    resp = anonymous(keyed).post("/v2/queues/c-sh/claims", json={},
                                 headers=signed_headers(signed))
    expect(resp, 201)


def test_method_not_signed(keyed, signed):
    resp = anonymous(keyed).delete("/v2/queues/c-sh/messages?pop=1",
                                   headers=signed_headers(signed))
    expect(resp, 404, NOT_FOUND)


def test_path_not_signed(keyed, signed):
    for path in ("/v2/queues/c-sh", "/v2/queues/other/messages",
                 "/v2/queues/c-sh/subscriptions", "/v2/queues"):
        expect(anonymous(keyed).get(path, headers=signed_headers(signed)),
               404, NOT_FOUND)


@pytest.mark.parametrize("changes", [
    {"URL-Signature": "0" * 64},
    {"URL-Signature": RECORDED},
    {"URL-Methods": "DELETE,GET,POST"},
    {"URL-Paths": "/v2/queues/c-sh/messages,/v2/queues/x/messages"},
    {"URL-Expires": "2099-01-01T00:00:00"},
    {"X-Project-ID": "other-project"},
    {"X-Project-ID": None},
    {"URL-Expires": None},
])
def test_tampered(keyed, signed, changes):
    resp = anonymous(keyed).get("/v2/queues/c-sh/messages",
                                headers=signed_headers(signed, **changes))
    expect(resp, 404, NOT_FOUND)


def test_project_must_be_x_project_id(keyed, signed):
    """The signed project is read from X-Project-ID only; an alias
    header cannot stand in for it."""
    headers = signed_headers(signed, **{"X-Project-ID": None})
    headers["X-Tenant-ID"] = signed["project"]
    expect(anonymous(keyed).get("/v2/queues/c-sh/messages", headers=headers),
           404, NOT_FOUND)


def test_expired(keyed, project):
    expires = (utc_now() - datetime.timedelta(seconds=1)).strftime(
        "%Y-%m-%dT%H:%M:%S")
    paths, methods = ["/v2/queues/c-sh/messages"], ["GET"]
    signed = {"paths": paths, "methods": methods, "project": project,
              "expires": expires,
              "signature": urls.signature(SECRET, paths, methods, project,
                                          expires)}
    expect(anonymous(keyed).get("/v2/queues/c-sh/messages",
                                headers=signed_headers(signed)),
           404, NOT_FOUND)


def test_integer_expiry_is_not_a_year(keyed, project):
    """A correctly signed bare integer is still refused (upstream once
    read '3600' as the year 3600)."""
    paths, methods = ["/v2/queues/c-sh/messages"], ["GET"]
    signed = {"paths": paths, "methods": methods, "project": project,
              "expires": "3600",
              "signature": urls.signature(SECRET, paths, methods, project,
                                          "3600")}
    expect(anonymous(keyed).get("/v2/queues/c-sh/messages",
                                headers=signed_headers(signed)),
           404, NOT_FOUND)


def test_check_order(keyed, signed):
    """Signature failures come right after routing: before the
    form-encoded body check and before the header checks."""
    holder = anonymous(keyed)
    wrong = signed_headers(signed, **{"URL-Signature": "0" * 64,
                                      "Client-ID": None})
    expect(holder.post("/v2/queues/c-sh/messages", data="a=b",
                       headers=dict(wrong, **{
                           "Content-Type":
                               "application/x-www-form-urlencoded"})),
           404, NOT_FOUND)
    expect(holder.get("/v2/queues/c-sh/messages", headers=wrong),
           404, NOT_FOUND)
    # A correct signature still needs a Client-ID.
    resp = holder.get("/v2/queues/c-sh/messages",
                      headers=signed_headers(signed, **{"Client-ID": None}))
    expect_error(resp, 400, "Missing header value",
                 'The "Client-Id" header is required.')
    # Unknown routes are 404 before anything.
    expect(holder.get("/v2/nowhere", headers=signed_headers(signed)),
           404, NOT_FOUND)


def test_signed_roles_do_not_open_admin_paths(keyed, signed):
    """A signature covers only its paths, whatever else is sent."""
    resp = anonymous(keyed).get("/v2/ping", headers=signed_headers(
        signed, **{"X-Roles": "admin"}))
    expect(resp, 404, NOT_FOUND)


def test_other_queue_of_same_project(keyed, owner):
    signed = share(owner, "a.b", {})
    holder = anonymous(keyed)
    expect(holder.get("/v2/queues/a.b/messages",
                      headers=signed_headers(signed)), 200)
    expect(holder.get(f"/v2/queues/q-{uuid.uuid4().hex[:6]}/messages",
                      headers=signed_headers(signed)), 404, NOT_FOUND)


def test_versions_ignore_signatures(keyed):
    resp = anonymous(keyed).get("/", headers={"URL-Signature": "0" * 64})
    expect(resp, 300)
