"""v2: versions, home document, header checks and their order, generic
errors, OPTIONS/HEAD, body parsing (contract examples/v2-00-general.txt),
and inputs the contract does not list, which must still get a clear 4xx."""

from __future__ import annotations

import json
import pathlib
import uuid

import pytest
import requests

from tests.functional import conftest
from tests.functional.exchanges import (
    DEFAULT_METADATA, JSON, bad_body, dumps, expect, expect_error, invalid,
    post_messages, raw, raw_request)
from tests.functional.server import Server

HOME = (pathlib.Path(__file__).with_name("data") / "v2-home.json").read_bytes()
ADMIN_RELS = ("rel/pools", "rel/pool", "rel/flavors", "rel/flavor",
              "rel/health")
VERSIONS = (
    '{"versions": [{"id": "2", "status": "CURRENT", "updated": '
    '"2014-9-24T04:06:47Z", "media-types": [{"base": "application/json", '
    '"type": "application/vnd.openstack.messaging-v2+json"}], "links": '
    '[{"href": "/v2/", "rel": "self"}]}]}')
MISSING_CLIENT = ("Missing header value",
                  'The "Client-Id" header is required.')
BAD_UUID = ("Wrong UUID value", "Malformed hexadecimal UUID.")
NO_PROJECT = ("Project-Id Missing", "The header X-PROJECT-ID was missing")
BAD_QUEUE = ("Invalid queue identification",
             "The format of the submitted queue name or project id is not "
             "valid.")
FORM_ERROR = (
    "Invalid Content-Type",
    "Endpoint does not accept `application/x-www-form-urlencoded` content; "
    "currently supported media type is `application/json`; specify proper "
    'client-side media type with the "Content-Type" header.')
NOT_FOUND = '{"title": "404 Not Found"}'
NOT_ALLOWED = '{"title": "405 Method Not Allowed"}'


@pytest.fixture(scope="module")
def alt_server(tmp_path_factory):
    """SQLite server with non-default options: no admin mode, checksums,
    any Client-ID string, bulk deletes that need claim ids."""
    srv = Server(tmp_path_factory.mktemp("server-alt"), {
        "DEFAULT": {"admin_mode": False, "enable_checksum": True},
        "transport": {"client_id_uuid_safe": "off",
                      "message_delete_with_claim_id": True},
    }).start()
    yield srv
    srv.stop()


def bare(server, method: str, path: str, **kw) -> requests.Response:
    """A request with none of the Zaqar headers."""
    return requests.request(method, server.url + path, timeout=30, **kw)


# -- versions and home ------------------------------------------------------

def test_versions_document_needs_no_headers(server):
    resp = raw(server.url, raw_request("GET", "/", {}))
    assert resp.status == 300
    assert resp.body.decode() == VERSIONS
    assert resp.header("content-type") == JSON
    assert resp.header("content-length") == str(len(VERSIONS))
    assert resp.header("x-openstack-request-id").startswith("req-")


def test_versions_document_refuses_non_json_clients(server):
    resp = bare(server, "GET", "/", headers={"Accept": "text/html"})
    expect(resp, 406, headers={"content-length": "0",
                               "content-type": JSON})
    assert resp.content == b""


def test_home_document_byte_for_byte(client):
    resp = client.get("/v2/")
    expect(resp, 200, headers={"content-type": "application/json-home",
                               "cache-control": "max-age=86400",
                               "content-length": str(len(HOME))})
    assert resp.content == HOME


def test_home_document_needs_the_headers(server, client):
    expect_error(bare(server, "GET", "/v2/"), 400, *MISSING_CLIENT)
    expect(client.get("/v2/", headers={"Accept": "application/json-home"}),
           406, headers={"content-length": "0"})


def test_home_without_admin_mode_has_no_admin_entries(alt_server):
    resp = conftest.Client(alt_server.url, "p").get("/v2/")
    expect(resp, 200, headers={"content-type": "application/json-home"})
    expected = json.loads(HOME)
    for rel in ADMIN_RELS:
        del expected["resources"][rel]
    assert resp.content == json.dumps(expected, indent=4).encode()


def test_v2_without_trailing_slash_is_not_found(client):
    expect(client.get("/v2"), 404, NOT_FOUND)


# -- header checks ------------------------------------------------------------

def test_missing_client_id(server, client):
    expect_error(bare(server, "GET", "/v2/ping"), 400, *MISSING_CLIENT)
    expect_error(client.get("/v2/queues", headers={"Client-ID": None}), 400,
                 *MISSING_CLIENT)


@pytest.mark.parametrize("value", [
    "not-a-uuid", "", "3381af92-2b9e-11e3-b191", "g" * 32, "é" * 32,
    "3381af92-2b9e-11e3-b191-71861300734c-00"])
def test_client_id_must_be_a_uuid(client, value):
    resp = client.get("/v2/queues",
                      headers={"Client-ID": value.encode("utf-8")})
    expect_error(resp, 400, *BAD_UUID)


@pytest.mark.parametrize("value", [
    "3381af92-2b9e-11e3-b191-71861300734c",
    "3381AF92-2B9E-11E3-B191-71861300734C",
    "3381af922b9e11e3b19171861300734c",
    "{3381af92-2b9e-11e3-b191-71861300734c}",
    "urn:uuid:3381af92-2b9e-11e3-b191-71861300734c"])
def test_client_id_forms_of_a_uuid_are_the_same_client(client, value):
    """Echo filtering compares canonical ids: every spelling of the
    poster's UUID hides its messages."""
    post_messages(client, "c-echo", {"body": 1})
    resp = client.get("/v2/queues/c-echo/messages",
                      headers={"Client-ID": value})
    expect(resp, 200, '{"messages": [], "links": []}')


def test_client_id_any_string_when_uuid_check_is_off(alt_server):
    c = conftest.Client(alt_server.url, "p-" + uuid.uuid4().hex,
                        client_id="my-client-0001")
    expect(c.get("/v2/queues"), 200, '{"queues": [], "links": []}')
    for value in ("short", "x" * 37):
        expect_error(c.get("/v2/queues", headers={"Client-ID": value}), 400,
                     "Length of client id must be at least 10 and no greater "
                     "than 36.")


def test_missing_project(client):
    expect_error(client.get("/v2/queues", headers={"X-Project-ID": None}),
                 400, *NO_PROJECT)


def test_empty_project(client):
    resp = raw(client.base_url, raw_request("GET", "/v2/queues", {
        "Client-ID": conftest.CLIENT_ID, "X-Project-ID": ""}))
    assert resp.status == 400
    assert resp.body.decode() == dumps({
        "title": "Empty project header not allowed",
        "description": "X-PROJECT-ID cannot be an empty string. Specify the "
                       "right header X-PROJECT-ID and retry."})


def test_long_project_is_refused_only_where_a_queue_is_named(client):
    long_project = "p" * 257
    expect_error(client.get("/v2/queues/c-x",
                            headers={"X-Project-ID": long_project}),
                 400, *BAD_QUEUE)
    expect(client.get("/v2/queues", headers={"X-Project-ID": long_project}),
           200, '{"queues": [], "links": []}')
    # 256 characters is still a valid project.
    expect(client.get("/v2/queues/c-x", headers={"X-Project-ID": "p" * 256}),
           200, DEFAULT_METADATA)


@pytest.mark.parametrize("header", ["X-Tenant-ID", "X-Tenant"])
def test_tenant_headers_name_the_project(client, project, header):
    client.put("/v2/queues/c-tenant")
    resp = client.get("/v2/queues", headers={"X-Project-ID": None,
                                             header: project})
    expect(resp, 200, '{"queues": [{"name": "c-tenant", "href": '
                      '"/v2/queues/c-tenant"}], "links": [{"rel": "next", '
                      '"href": "/v2/queues?marker=c-tenant"}]}')


@pytest.mark.parametrize("accept", [
    "text/plain", "application/json-home", "text/html, text/plain"])
def test_accept_without_json_is_406(client, accept):
    resp = client.get("/v2/queues", headers={"Accept": accept})
    expect(resp, 406, headers={"content-length": "0", "content-type": JSON})
    assert resp.content == b""


@pytest.mark.parametrize("accept", [
    "*/*", "application/*", "application/json",
    "text/plain;q=0.9, application/json;q=0.1"])
def test_accept_with_json(client, accept):
    expect(client.get("/v2/queues", headers={"Accept": accept}), 200)


def test_form_encoded_body_is_refused(client):
    resp = client.put("/v2/queues/c-x", data="a=b", headers={
        "Content-Type": "application/x-www-form-urlencoded"})
    expect_error(resp, 400, *FORM_ERROR)
    expect(client.get("/v2/queues"), 200, '{"queues": [], "links": []}')


def test_unknown_headers_are_ignored(client):
    """openstacksdk sends a meaningless ``location`` request header."""
    resp = client.put("/v2/queues/c-x", headers={
        "location": "Munch({'cloud': ''})", "X-Auth-Token": "notused"})
    expect(resp, 201, headers={"location": "/v2/queues/c-x"})


# -- routing, 404, 405, OPTIONS, HEAD -----------------------------------------

@pytest.mark.parametrize("path", [
    "/v2/nothing-here", "/v3/", "/v2/queues/q/nothing", "/v2/pools",
    "/v2/queues/q/messages/m/x"])
def test_unknown_path_is_404_before_any_header_check(server, path):
    expect(bare(server, "GET", path), 404, NOT_FOUND,
           headers={"content-type": JSON})


def test_method_not_allowed(client):
    expect(client.post("/v2/queues"), 405, NOT_ALLOWED,
           headers={"allow": "GET, OPTIONS"})
    expect(client.put("/v2/queues/c-x/stats"), 405, NOT_ALLOWED,
           headers={"allow": "GET, OPTIONS"})
    expect(client.get("/v2/queues/c-x/claims"), 405, NOT_ALLOWED,
           headers={"allow": "POST, OPTIONS"})


def test_head_is_405_without_a_body(client):
    resp = client.head("/v2/queues/c-x")
    expect(resp, 405, headers={"allow": "DELETE, GET, PATCH, PUT, OPTIONS",
                               "content-type": JSON})
    assert resp.content == b""


@pytest.mark.parametrize("path, allow", [
    ("/v2/queues", "GET"),
    ("/v2/queues/c-x", "DELETE, GET, PATCH, PUT"),
    ("/v2/queues/c-x/messages", "DELETE, GET, POST"),
    ("/v2/ping", "GET, HEAD"),
])
def test_options_lists_the_methods(client, path, allow):
    resp = client.options(path)
    expect(resp, 200, headers={"allow": allow, "content-type": JSON,
                               "content-length": "0"})
    assert resp.content == b""


@pytest.mark.parametrize("headers", [
    {}, {"Client-ID": "nope", "X-Project-ID": "p"},
    {"Client-ID": conftest.CLIENT_ID}])
def test_options_failing_the_header_checks_is_bare(server, headers):
    resp = raw(server.url, raw_request("OPTIONS", "/v2/queues", headers))
    assert resp.status == 200
    assert resp.body == b""
    zaqar_headers = {k.lower() for k, _ in resp.headers} - {
        "server", "date", "connection"}
    assert zaqar_headers == {"content-length"}
    assert resp.header("content-length") == "0"


def test_options_on_unknown_path_is_404(server):
    expect(bare(server, "OPTIONS", "/v2/nothing"), 404, NOT_FOUND)


# -- check order --------------------------------------------------------------

def test_check_order(server, client):
    form = {"Content-Type": "application/x-www-form-urlencoded"}
    # form body before Accept, Client-ID and project
    resp = bare(server, "PUT", "/v2/queues/bad$name", data="a=b",
                headers=dict(form, Accept="text/plain"))
    expect_error(resp, 400, *FORM_ERROR)
    # Accept before Client-ID
    expect(bare(server, "GET", "/v2/queues",
                headers={"Accept": "text/plain"}), 406)
    # Client-ID before project before queue name
    expect_error(bare(server, "PUT", "/v2/queues/bad$name"), 400,
                 *MISSING_CLIENT)
    expect_error(client.put("/v2/queues/bad$name",
                            headers={"X-Project-ID": None}), 400, *NO_PROJECT)
    # queue name before method
    expect_error(client.post("/v2/queues/bad$name"), 400, *BAD_QUEUE)
    # missing Client-ID before method not allowed
    expect_error(client.post("/v2/queues", headers={"Client-ID": None}),
                 400, *MISSING_CLIENT)
    # method before policy
    expect(client.post("/v2/health"), 405, NOT_ALLOWED,
           headers={"allow": "GET, OPTIONS"})
    # policy before the endpoint's own validation (none on health, so
    # a 403 answers even with junk query parameters)
    expect_error(client.get("/v2/health?limit=abc"), 403, "Not authorized",
                 "You are not authorized to complete this action.")


# -- body parsing -------------------------------------------------------------

@pytest.mark.parametrize("data, description", [
    (b"{bad json", "Request body could not be parsed."),
    (b'"a string"', "Request body could not be parsed."),
    (b"42", "Request body could not be parsed."),
    (b"null", "Request body could not be parsed."),
    (b'{"a": NaN}', "Request body could not be parsed."),
    (b'{"a": Infinity}', "Request body could not be parsed."),
    (b'{"a": 1e400}', "Request body could not be parsed."),
    (b'{"a": "\\ud800"}', "Request body could not be parsed."),
    (b'{"a": "\xff\xfe"}', "Request body could not be parsed."),
    ('{"a": "é"}'.encode("utf-16"), "Request body could not be parsed."),
    (b"\xef\xbb\xbf{}", "Request body could not be parsed."),
    (b'{"a": 1} trailing', "Request body could not be parsed."),
    (b'{"a": 99999999999999999999}',
     "JSON contains integer that is too large."),
    (b'{"a": [-9223372036854775809]}',
     "JSON contains integer that is too large."),
    (b"[1, 2]", "Document type not supported."),
])
def test_unreadable_bodies(client, data, description):
    resp = client.put("/v2/queues/c-x", data=data,
                      headers={"Content-Type": "application/json"})
    bad_body(resp, description)
    expect(client.get("/v2/queues"), 200, '{"queues": [], "links": []}')


def test_json_body_sent_as_text_plain_is_accepted(client):
    resp = client.put("/v2/queues/c-x", data=b'{"k": 1}',
                      headers={"Content-Type": "text/plain"})
    expect(resp, 201, headers={"location": "/v2/queues/c-x"})
    expect(client.get("/v2/queues/c-x"), 200,
           '{"k": 1, ' + DEFAULT_METADATA[1:])


def test_64_bit_integers_are_accepted(client):
    resp = client.put("/v2/queues/c-x", data=(
        b'{"big": 9223372036854775807, "small": -9223372036854775808}'))
    expect(resp, 201)
    assert client.get("/v2/queues/c-x").json()["big"] == 2 ** 63 - 1


def test_deeply_nested_json_is_refused(client):
    data = b'{"a": ' + b"[" * 20000 + b"]" * 20000 + b"}"
    bad_body(client.put("/v2/queues/c-x", data=data),
             "JSON is nested too deeply (more than 64 levels).")
    body = b"[" * 200 + b"]" * 200
    resp = client.post("/v2/queues/c-x/messages",
                       data=b'{"messages": [{"body": ' + body + b"}]}")
    bad_body(resp, "JSON is nested too deeply (more than 64 levels).")
    expect(client.get("/v2/queues"), 200, '{"queues": [], "links": []}')


def test_moderately_nested_json_round_trips(client):
    body = {"a": [[[[{"b": [[[{"c": 1}]]]}]]]]}
    [mid] = post_messages(client, "c-nest", {"body": body})
    assert client.get(f"/v2/queues/c-nest/messages/{mid}").json()[
        "body"] == body


def test_unicode_round_trips_as_raw_utf8(client):
    body = {"é": "日本語 ✓", "emoji": "\U0001F600"}
    resp = client.put("/v2/queues/c-u", data=dumps(
        {"description": "café"}).encode("utf-8"))
    expect(resp, 201)
    resp = client.get("/v2/queues/c-u")
    assert '"description": "café"' in resp.content.decode("utf-8")
    [mid] = post_messages(client, "c-u", {"body": body})
    resp = client.get(f"/v2/queues/c-u/messages/{mid}")
    assert resp.content.decode("utf-8").endswith(
        '"body": {"é": "日本語 ✓", "emoji": "\U0001F600"}}')


# -- Content-Length, chunked bodies, bodies where none is expected ------------

def _headers(project: str, **extra: str) -> dict[str, str]:
    headers = {"Client-ID": conftest.CLIENT_ID, "X-Project-ID": project,
               "Content-Type": "application/json"}
    headers.update(extra)
    return headers


def test_content_length_longer_than_the_body(client, project):
    body = b'{"messages": [{"body": 1'
    resp = raw(client.base_url, raw_request(
        "POST", "/v2/queues/c-cl/messages",
        _headers(project, **{"Content-Length": "100"}), body),
        half_close=True)
    assert resp.status == 400
    assert json.loads(resp.body) == {
        "title": "Invalid request body",
        "description": "Request body could not be parsed."}
    expect(client.get("/v2/queues/c-cl/stats"), 200,
           '{"messages": {"claimed": 0, "free": 0, "total": 0}}')


def test_content_length_shorter_than_the_body(client, project):
    body = b'{"messages": [{"body": 1}]}'
    resp = raw(client.base_url, raw_request(
        "POST", "/v2/queues/c-cl/messages",
        _headers(project, **{"Content-Length": "10"}), body))
    assert resp.status == 400
    assert json.loads(resp.body)["title"] == "Invalid request body"
    expect(client.get("/v2/queues/c-cl/stats"), 200,
           '{"messages": {"claimed": 0, "free": 0, "total": 0}}')


@pytest.mark.parametrize("value", ["abc", "-1", "1.5", "1, 2"])
def test_malformed_content_length_is_a_client_error(client, project, value):
    resp = raw(client.base_url, raw_request(
        "PUT", "/v2/queues/c-cl", _headers(project, **{
            "Content-Length": value}), b"{}"))
    assert 400 <= resp.status < 500
    expect(client.get("/v2/queues"), 200, '{"queues": [], "links": []}')


def test_huge_declared_content_length_is_refused_before_reading(client,
                                                                 project):
    for path, description in [
            ("/v2/queues/c-cl", "Queue metadata is too large. Max size: "
                                "65536"),
            ("/v2/queues/c-cl/messages", "Message collection size is too "
                                         "large. Max size 262144"),
            ("/v2/queues/c-cl/claims", "Request body is too large. Max "
                                       "size: 65536")]:
        method = "PUT" if path == "/v2/queues/c-cl" else "POST"
        resp = raw(client.base_url, raw_request(method, path, _headers(
            project, **{"Content-Length": str(10 ** 12)}), b"{}"),
            half_close=True)
        assert resp.status == 400, (path, resp)
        assert json.loads(resp.body)["description"] == description


def _chunks(data: bytes, size: int = 7):
    for start in range(0, len(data), size):
        yield data[start:start + size]


def test_chunked_bodies_are_read(client):
    data = dumps({"messages": [{"body": "chunked"}]}).encode()
    resp = client.post("/v2/queues/c-ch/messages", data=_chunks(data))
    assert resp.request.headers.get("Transfer-Encoding") == "chunked"
    expect(resp, 201)
    expect(client.put("/v2/queues/c-ch2", data=_chunks(b'{"k": 2}')), 201)
    assert client.get("/v2/queues/c-ch2").json()["k"] == 2


def test_chunked_bodies_obey_the_size_limits(client):
    data = dumps({"messages": [{"body": "x" * 262144}]}).encode()
    resp = client.post("/v2/queues/c-ch/messages",
                       data=_chunks(data, 65536))
    invalid(resp, "Message collection size is too large. Max size 262144")
    resp = client.put("/v2/queues/c-ch", data=_chunks(
        dumps({"x": "y" * 70000}).encode(), 65536))
    invalid(resp, "Queue metadata is too large. Max size: 65536")
    expect(client.get("/v2/queues"), 200, '{"queues": [], "links": []}')


def test_malformed_chunked_body(client, project):
    data = raw_request("POST", "/v2/queues/c-ch/messages", _headers(
        project, **{"Transfer-Encoding": "chunked"}), b"zz\r\n{}\r\n0\r\n\r\n")
    resp = raw(client.base_url, data)
    assert 400 <= resp.status < 500
    expect(client.get("/v2/queues/c-ch/stats"), 200,
           '{"messages": {"claimed": 0, "free": 0, "total": 0}}')


def test_bodies_on_get_and_delete_are_ignored(client):
    post_messages(client, "c-gb", {"body": 1})
    for _ in range(2):  # the same keep-alive connection stays usable
        resp = client.get("/v2/queues", data=b'{"junk": true}')
        expect(resp, 200)
        assert [q["name"] for q in resp.json()["queues"]] == ["c-gb"]
    resp = client.delete("/v2/queues/c-gb/messages?pop=1", data=b"[[[")
    expect(resp, 200)
    assert [m["body"] for m in resp.json()["messages"]] == [1]


def test_generic_body_cap_for_claims_and_purge(client):
    """A refused body of up to 1 MiB is read and dropped, so the keep-alive
    connection stays usable."""
    post_messages(client, "c-cap", {"body": 1})
    data = dumps({"ttl": 60, "pad": "x" * 200000}).encode()
    for _ in range(2):
        for path in ("/v2/queues/c-cap/claims", "/v2/queues/c-cap/purge"):
            bad_body(client.post(path, data=data),
                     "Request body is too large. Max size: 65536")
    assert client.get("/v2/queues/c-cap/stats").json()["messages"][
        "free"] == 1


# -- query strings ------------------------------------------------------------

@pytest.mark.parametrize("query, name", [
    ("limit=abc", "limit"), ("limit=1.5", "limit"), ("limit=1e3", "limit"),
    ("limit=%C3%A9", "limit"), ("limit=0x10", "limit")])
def test_integer_parameters(client, query, name):
    expect_error(client.get("/v2/queues?" + query), 400, "Invalid parameter",
                 f'The "{name}" parameter is invalid. The value must be an '
                 "integer.")


@pytest.mark.parametrize("value", ["maybe", "2", "TRUE ", "é"])
def test_boolean_parameters(client, value):
    expect_error(client.get("/v2/queues/c-x/messages", params={
        "echo": value}), 400, "Invalid parameter",
        'The "echo" parameter is invalid. The value of the parameter must '
        'be "true" or "false".')


@pytest.mark.parametrize("value", ["true", "True", "t", "yes", "y", "1", "on",
                                   "false", "False", "f", "no", "n", "0",
                                   "off"])
def test_boolean_spellings(client, value):
    expect(client.get("/v2/queues?detailed=" + value), 200)


@pytest.mark.parametrize("value", ["-1", "-9223372036854775809",
                                   "99999999999999999999999999"])
def test_out_of_range_integers(client, value):
    invalid(client.get("/v2/queues?limit=" + value),
            "Limit must be at least 1 and no greater than 20.")
    invalid(client.delete("/v2/queues/c-x/messages?pop=" + value),
            "Pop value must be at least 1 and may not be greater than 20.")


def test_very_long_identifiers(client):
    post_messages(client, "c-long", {"body": 1})
    long_id = "9" * 2000
    expect_error(client.get(f"/v2/queues/c-long/messages/{long_id}"), 404,
                 "Not found", f"Message {long_id} does not exist in queue "
                 f"c-long for project {client.headers['X-Project-ID']}")
    expect(client.delete(f"/v2/queues/c-long/messages/{long_id}"), 204)
    expect(client.get(f"/v2/queues/c-long/messages?marker={long_id}&"
                      "echo=true"), 200)
    expect(client.get(f"/v2/queues?marker={'z' * 2000}"), 200,
           '{"queues": [], "links": []}')
    expect_error(client.get(f"/v2/queues/c-long/claims/{long_id}"), 404,
                 "Not found", f"Claim {long_id} does not exist in queue "
                 f"c-long for project {client.headers['X-Project-ID']}")
    expect(client.delete(f"/v2/queues/c-long/claims/{long_id}"), 204)
    assert client.get("/v2/queues/c-long/stats").json()["messages"][
        "total"] == 1


def test_request_line_too_long_is_a_client_error(client):
    resp = client.get("/v2/queues?marker=" + "z" * 10000)
    assert 400 <= resp.status_code < 500
