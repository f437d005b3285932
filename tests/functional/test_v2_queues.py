"""v2 queues: create, get, list (paging, filters), reserved attributes,
PATCH (every error), delete. Contract examples/v2-01-queues.txt and the
correct behaviours of examples/v2-12-mongodb-differences.txt."""

from __future__ import annotations

import pytest

from tests.functional.exchanges import (
    DEFAULT_METADATA, JSON_PATCH, RESERVED_DEFAULTS, bad_body, created,
    dumps, expect, expect_error, invalid, no_content, not_found,
    post_messages)

EMPTY = '{"queues": [], "links": []}'
LONG = "c-" + "a" * 62


def queue_item(name: str) -> str:
    return f'{{"name": "{name}", "href": "/v2/queues/{name}"}}'


def listing(names: list[str], next_href: str | None,
            count: int | None = None) -> str:
    links = (f'[{{"rel": "next", "href": "{next_href}"}}]'
             if next_href else "[]")
    text = ('{"queues": [' + ", ".join(queue_item(n) for n in names)
            + '], "links": ' + links)
    if count is not None:
        text += f', "count": {count}'
    return text + "}"


def patch(client, queue: str, operations, **kw):
    headers = {"Content-Type": JSON_PATCH}
    headers.update(kw.pop("headers", {}))
    data = operations
    if not isinstance(operations, (bytes, str, type(None))):
        data = dumps(operations)
    return client.patch(f"/v2/queues/{queue}", data=data, headers=headers,
                        **kw)


@pytest.fixture
def four_queues(client):
    """The queues of the recorded listing exchanges."""
    for name in (LONG, "c-q1", "c-q3"):
        client.put(f"/v2/queues/{name}")
    client.put("/v2/queues/c-q2", json={
        "description": "second", "_default_message_ttl": 600,
        "_max_messages_post_size": 65536})
    return [LONG, "c-q1", "c-q2", "c-q3"]


# -- create and get -----------------------------------------------------------

def test_empty_list(client):
    expect(client.get("/v2/queues"), 200, EMPTY)


def test_create_then_create_again(client):
    created(client.put("/v2/queues/c-q1"), "/v2/queues/c-q1")
    no_content(client.put("/v2/queues/c-q1"), "/v2/queues/c-q1")


def test_put_on_existing_queue_leaves_metadata_untouched(client):
    created(client.put("/v2/queues/c-q2", data=(
        b'{"description": "second", "_default_message_ttl": 600, '
        b'"_max_messages_post_size": 65536}'),
        headers={"Content-Type": "application/json"}), "/v2/queues/c-q2")
    no_content(client.put("/v2/queues/c-q2", json={"description": "ignored"}),
               "/v2/queues/c-q2")
    expect(client.get("/v2/queues/c-q2"), 200,
           '{"description": "second", "_default_message_ttl": 600, '
           '"_max_messages_post_size": 65536, "_default_message_delay": 0, '
           '"_dead_letter_queue": null, "_dead_letter_queue_messages_ttl": '
           'null, "_max_claim_count": null, "_enable_encrypt_messages": '
           'false}')


def test_queue_without_metadata_and_missing_queue(client):
    client.put("/v2/queues/c-q1")
    expect(client.get("/v2/queues/c-q1"), 200, DEFAULT_METADATA)
    expect(client.get("/v2/queues/c-never-created"), 200, DEFAULT_METADATA)
    # reading a missing queue does not create it
    expect(client.get("/v2/queues"), 200, listing(["c-q1"],
                                                  "/v2/queues?marker=c-q1"))


def test_falsy_reserved_values_read_back_as_defaults(client):
    created(client.put("/v2/queues/c-q3", json={
        "_default_message_delay": 0, "_max_claim_count": 0,
        "_enable_encrypt_messages": False}), "/v2/queues/c-q3")
    expect(client.get("/v2/queues/c-q3"), 200,
           '{"_default_message_delay": 0, "_max_claim_count": null, '
           '"_enable_encrypt_messages": false, "_max_messages_post_size": '
           '262144, "_default_message_ttl": 3600, "_dead_letter_queue": '
           'null, "_dead_letter_queue_messages_ttl": null}')


def test_create_with_empty_body(client):
    resp = client.put("/v2/queues/c-e", data=b"",
                      headers={"Content-Type": "application/json"})
    created(resp, "/v2/queues/c-e")
    expect(client.put("/v2/queues/c-f", json={}), 201)
    expect(client.get("/v2/queues/c-f"), 200, DEFAULT_METADATA)


@pytest.mark.parametrize("name", [
    "bad$name", "a" * 65, "%C3%A9t%C3%A9", "a%20b", "%00", "a+b",
    "q:1"])
def test_invalid_queue_names(client, name):
    expect_error(client.put(f"/v2/queues/{name}"), 400,
                 "Invalid queue identification",
                 "The format of the submitted queue name or project id is "
                 "not valid.")


@pytest.mark.parametrize("name", [LONG, "A_b-c.d", "0", "..."])
def test_valid_queue_names(client, name):
    created(client.put(f"/v2/queues/{name}"), f"/v2/queues/{name}")
    expect(client.get(f"/v2/queues/{name}"), 200, DEFAULT_METADATA)


def test_metadata_too_large(client):
    resp = client.put("/v2/queues/c-x", json={"x": "y" * 70000})
    invalid(resp, "Queue metadata is too large. Max size: 65536")
    expect(client.get("/v2/queues"), 200, EMPTY)


def test_metadata_at_the_size_limit(client):
    document = '{"x": "' + "y" * (65536 - 9) + '"}'
    assert len(document) == 65536
    created(client.put("/v2/queues/c-x", data=document), "/v2/queues/c-x")


@pytest.mark.parametrize("metadata, description", [
    ({"_default_message_ttl": 59}, "_default_message_ttl can not exceed "
     "1209600 seconds, and must be at least 60 seconds long."),
    ({"_default_message_ttl": 1209601}, "_default_message_ttl can not "
     "exceed 1209600 seconds, and must be at least 60 seconds long."),
    ({"_default_message_ttl": "100"},
     "_default_message_ttl must be integer."),
    ({"_default_message_ttl": 100.5},
     "_default_message_ttl must be integer."),
    ({"_max_messages_post_size": 0}, "_max_messages_post_size can not "
     "exceed 262144,  and must be at least greater than 0."),
    ({"_max_messages_post_size": -5}, "_max_messages_post_size can not "
     "exceed 262144,  and must be at least greater than 0."),
    ({"_max_messages_post_size": 262145}, "_max_messages_post_size can not "
     "exceed 262144,  and must be at least greater than 0."),
    ({"_max_messages_post_size": "x"},
     "_max_messages_post_size must be integer."),
    ({"_max_claim_count": "x"}, "_max_claim_count must be integer."),
    ({"_max_claim_count": [1]}, "_max_claim_count must be integer."),
    ({"_dead_letter_queue_messages_ttl": 10}, "The TTL for a message may "
     "not exceed 1209600 seconds, and must be at least 60 seconds long."),
    ({"_default_message_delay": 901}, "The TTL can not exceed 900 seconds, "
     "and must be at least 0 seconds long."),
    ({"_default_message_delay": -1}, "The TTL can not exceed 900 seconds, "
     "and must be at least 0 seconds long."),
    ({"_enable_encrypt_messages": "yes"},
     "_enable_encrypt_messages must be boolean."),
    ({"_enable_encrypt_messages": 1},
     "_enable_encrypt_messages must be boolean."),
    ({"_retry_policy": "x"}, "retry_policy must be a dict."),
    ({"_retry_policy": {"retry_backoff_function": "bogus"}},
     "invalid retry_backoff_function."),
    ({"_retry_policy": {"retry_backoff_function": 5}},
     "retry_backoff_function must be a string."),
    ({"_retry_policy": {"minimum_delay": "x"}},
     "Retry policy: minimum_delay must be a integer."),
    ({"_retry_policy": {"minimum_delay": 10, "maximum_delay": 5}},
     "minimum_delay must less than maximum_delay."),
    ({"_retry_policy": {"minimum_delay": 10, "maximum_delay": 15}},
     "invalid minimum_delay and maximum_delay."),
    ({"_retry_policy": {"ignore_subscription_override": "x"}},
     "ignore_subscription_override must be a boolean."),
    # validation order: post size, ttl, delay, dlq ttl, claim count...
    ({"_max_claim_count": "x", "_default_message_ttl": 1},
     "_default_message_ttl can not exceed 1209600 seconds, and must be at "
     "least 60 seconds long."),
])
def test_reserved_attribute_validation(client, metadata, description):
    invalid(client.put("/v2/queues/c-x", json=metadata), description)
    expect(client.get("/v2/queues"), 200, EMPTY)


def test_reserved_attributes_that_pass(client):
    metadata = {"_default_message_ttl": True, "_max_claim_count": 3,
                "_dead_letter_queue": "c-dead",
                "_dead_letter_queue_messages_ttl": 60,
                "_enable_encrypt_messages": False,
                "_retry_policy": {"minimum_delay": 1, "maximum_delay": 11},
                "_default_message_delay": 900}
    # a JSON true counts as the integer 1: out of the TTL range
    invalid(client.put("/v2/queues/c-ok", json=metadata),
            "_default_message_ttl can not exceed 1209600 seconds, and must "
            "be at least 60 seconds long.")
    metadata["_default_message_ttl"] = 60
    created(client.put("/v2/queues/c-ok", json=metadata), "/v2/queues/c-ok")
    expect(client.get("/v2/queues/c-ok"), 200, dumps(
        dict(metadata, _max_messages_post_size=262144)))


@pytest.mark.parametrize("data, title, description", [
    (b"[1, 2]", "Invalid request body", "Document type not supported."),
    (b"{bad json", "Invalid request body", "Request body could not be "
                                           "parsed."),
    (b'"x"', "Invalid request body", "Request body could not be parsed."),
])
def test_put_body_errors(client, data, title, description):
    expect_error(client.put("/v2/queues/c-x", data=data), 400, title,
                 description)
    expect(client.get("/v2/queues"), 200, EMPTY)


# -- listing ------------------------------------------------------------------

def test_list(client, four_queues):
    expect(client.get("/v2/queues"), 200,
           listing(four_queues, "/v2/queues?marker=c-q3"))


def test_paging_by_one(client, four_queues):
    expect(client.get("/v2/queues?limit=1"), 200,
           listing([LONG], f"/v2/queues?limit=1&marker={LONG}"))
    # marker = the first queue: the page starts after it (redis repeated it)
    expect(client.get(f"/v2/queues?limit=1&marker={LONG}"), 200,
           listing(["c-q1"], "/v2/queues?marker=c-q1&limit=1"))
    expect(client.get("/v2/queues?limit=1&marker=c-q1"), 200,
           listing(["c-q2"], "/v2/queues?marker=c-q2&limit=1"))
    expect(client.get("/v2/queues?limit=1&marker=c-q2"), 200,
           listing(["c-q3"], "/v2/queues?marker=c-q3&limit=1"))
    expect(client.get("/v2/queues?limit=1&marker=c-q3"), 200, EMPTY)


def test_following_next_links_visits_every_queue_once(client):
    names = sorted(f"c-{i:02d}" for i in range(23))
    for name in names:
        client.put(f"/v2/queues/{name}")
    seen, href = [], "/v2/queues?limit=4&detailed=true"
    while True:
        page = client.get(href).json()
        if not page["queues"]:
            assert page["links"] == []
            break
        seen.extend(q["name"] for q in page["queues"])
        href = page["links"][0]["href"]
    assert seen == names


def test_unknown_marker_positions_by_name(client, four_queues):
    expect(client.get("/v2/queues?marker=zzz"), 200, EMPTY)
    expect(client.get("/v2/queues?marker=c-q2a"), 200,
           listing(["c-q3"], "/v2/queues?marker=c-q3"))
    expect(client.get("/v2/queues?marker=a"), 200,
           listing(four_queues, "/v2/queues?marker=c-q3"))


def test_detailed(client, four_queues):
    defaults = "{" + RESERVED_DEFAULTS + "}"
    expect(client.get("/v2/queues?detailed=true&limit=2"), 200,
           f'{{"queues": [{{"name": "{LONG}", "metadata": {defaults}, '
           f'"href": "/v2/queues/{LONG}"}}, {{"name": "c-q1", "metadata": '
           f'{defaults}, "href": "/v2/queues/c-q1"}}], "links": [{{"rel": '
           f'"next", "href": "/v2/queues?limit=2&detailed=true&marker='
           'c-q1"}]}')
    resp = client.get("/v2/queues?detailed=true&marker=c-q1&limit=1")
    expect(resp, 200,
           '{"queues": [{"name": "c-q2", "metadata": {"description": '
           '"second", "_default_message_ttl": 600, "_max_messages_post_size": '
           '65536, "_default_message_delay": 0, "_dead_letter_queue": null, '
           '"_dead_letter_queue_messages_ttl": null, "_max_claim_count": '
           'null, "_enable_encrypt_messages": false}, "href": '
           '"/v2/queues/c-q2"}], "links": [{"rel": "next", "href": '
           '"/v2/queues?marker=c-q2&limit=1&detailed=true"}]}')


def test_detailed_false_is_carried_into_the_link(client, four_queues):
    expect(client.get("/v2/queues?detailed=false&limit=1"), 200,
           listing([LONG], f"/v2/queues?limit=1&detailed=false&marker="
                           f"{LONG}"))


def test_with_count(client, four_queues):
    expect(client.get("/v2/queues?with_count=true"), 200,
           listing(four_queues, "/v2/queues?with_count=true&marker=c-q3",
                   count=4))
    expect(client.get("/v2/queues?with_count=true&limit=1"), 200,
           listing([LONG], f"/v2/queues?limit=1&with_count=true&marker="
                           f"{LONG}", count=4))


def test_with_count_absent_when_there_are_no_queues(client):
    expect(client.get("/v2/queues?with_count=true"), 200, EMPTY)


def test_name_filter(client, four_queues):
    expect(client.get("/v2/queues?name=q2"), 200,
           listing(["c-q2"], "/v2/queues?name=q2&marker=c-q2"))
    expect(client.get("/v2/queues?name=q&limit=2"), 200,
           listing(["c-q1", "c-q2"], "/v2/queues?limit=2&name=q&marker=c-q2"))
    expect(client.get("/v2/queues?name=q&limit=2&marker=c-q2"), 200,
           listing(["c-q3"], "/v2/queues?marker=c-q3&limit=2&name=q"))
    expect(client.get("/v2/queues?name=nothing"), 200, EMPTY)


def test_metadata_filters(client, four_queues):
    client.put("/v2/queues/c-tagged", json={"tag": "c", "n": 5})
    expect(client.get("/v2/queues?description=second"), 200,
           listing(["c-q2"], "/v2/queues?marker=c-q2"))
    expect(client.get("/v2/queues?tag=c"), 200,
           listing(["c-tagged"], "/v2/queues?marker=c-tagged"))
    # a value that parses as an integer matches the integer
    expect(client.get("/v2/queues?n=5"), 200,
           listing(["c-tagged"], "/v2/queues?marker=c-tagged"))
    expect(client.get("/v2/queues?_default_message_ttl=600&limit=5"), 200,
           listing(["c-q2"], "/v2/queues?limit=5&marker=c-q2"))
    expect(client.get("/v2/queues?tag=c&n=6"), 200, EMPTY)
    expect(client.get("/v2/queues?tag=d"), 200, EMPTY)
    expect(client.get("/v2/queues?tag=c&name=q"), 200, EMPTY)


def test_names_and_projects_with_dots_are_listed_whole(client):
    client.put("/v2/queues/c-a.b")
    expect(client.get("/v2/queues"), 200,
           listing(["c-a.b"], "/v2/queues?marker=c-a.b"))
    dotted = {"X-Project-ID": "proj.with.dots." + client.headers[
        "X-Project-ID"]}
    client.put("/v2/queues/c-x.y", headers=dotted)
    client.put("/v2/queues/c-z", headers=dotted)
    expect(client.get("/v2/queues", headers=dotted), 200,
           listing(["c-x.y", "c-z"], "/v2/queues?marker=c-z"))


def test_queues_are_scoped_by_project(client):
    client.put("/v2/queues/c-mine", json={"k": "mine"})
    other = {"X-Project-ID": "other-" + client.headers["X-Project-ID"]}
    expect(client.get("/v2/queues", headers=other), 200, EMPTY)
    expect(client.get("/v2/queues/c-mine", headers=other), 200,
           DEFAULT_METADATA)
    created(client.put("/v2/queues/c-mine", headers=other),
            "/v2/queues/c-mine")
    assert client.get("/v2/queues/c-mine").json()["k"] == "mine"


@pytest.mark.parametrize("query, description", [
    ("limit=0", "Limit must be at least 1 and no greater than 20."),
    ("limit=21", "Limit must be at least 1 and no greater than 20."),
])
def test_limit_out_of_range(client, query, description):
    invalid(client.get("/v2/queues?" + query), description)


def test_limit_twenty(client):
    for i in range(21):
        client.put(f"/v2/queues/c-{i:02d}")
    assert len(client.get("/v2/queues?limit=20").json()["queues"]) == 20
    assert len(client.get("/v2/queues").json()["queues"]) == 10


def test_bad_parameters(client):
    expect_error(client.get("/v2/queues?limit=abc"), 400,
                 "Invalid parameter", 'The "limit" parameter is invalid. The '
                 "value must be an integer.")
    for name in ("detailed", "with_count"):
        expect_error(client.get(f"/v2/queues?{name}=maybe"), 400,
                     "Invalid parameter", f'The "{name}" parameter is '
                     'invalid. The value of the parameter must be "true" or '
                     '"false".')


def test_blank_values_are_ignored(client, four_queues):
    expect(client.get("/v2/queues?limit=&marker=&detailed=&name="), 200,
           listing(four_queues, "/v2/queues?marker=c-q3"))


# -- PATCH --------------------------------------------------------------------

@pytest.fixture
def patchable(client):
    client.put("/v2/queues/c-p", json={"description": "old", "n": 1})
    return "c-p"


def test_patch_wrong_content_type(client, patchable):
    for content_type in ("application/json", None, "text/plain"):
        resp = patch(client, patchable,
                     [{"op": "add", "path": "/metadata/x", "value": 1}],
                     headers={"Content-Type": content_type})
        expect_error(resp, 415, "415 Unsupported Media Type",
                     "Accepted media type for PATCH: {'Accept-Patch': "
                     "'application/openstack-messaging-v2.0-json-patch'}.",
                     headers={"accept-patch": None})


def test_patch_add_remove_replace(client, patchable):
    resp = patch(client, patchable, [
        {"op": "add", "path": "/metadata/a~1b", "value": 1},
        {"op": "remove", "path": "/metadata/n"},
        {"op": "replace", "path": "/metadata/description", "value": "new"},
        {"op": "replace", "path": "/metadata/_default_message_ttl",
         "value": 120}])
    expected = ('{"description": "new", "a/b": 1, "_default_message_ttl": '
                '120, "_max_messages_post_size": 262144, '
                '"_default_message_delay": 0, "_dead_letter_queue": null, '
                '"_dead_letter_queue_messages_ttl": null, "_max_claim_count": '
                'null, "_enable_encrypt_messages": false}')
    expect(resp, 200, expected)
    # removing a reserved key that is not set is a no-op
    expect(patch(client, patchable,
                 [{"op": "remove", "path": "/metadata/_max_claim_count"}]),
           200, expected)
    expect(client.get("/v2/queues/c-p"), 200, expected)


def test_patch_pointer_details(client, patchable):
    resp = patch(client, patchable, [
        {"op": "add", "path": "/METADATA/ spaced ", "value": 1},
        {"op": "add", "path": "/metadata/t~0~1", "value": 2},
        {"op": "add", "path": "/metadata/description", "value": None}])
    assert resp.status_code == 200, resp.text
    assert resp.json()["spaced"] == 1
    assert resp.json()["t~/"] == 2
    assert resp.json()["description"] is None


def test_patch_like_python_zaqarclient(client, patchable):
    """Its metadata update removes every reserved key it has seen."""
    reserved = ["_max_messages_post_size", "_default_message_ttl",
                "_default_message_delay", "_dead_letter_queue",
                "_dead_letter_queue_messages_ttl", "_max_claim_count",
                "_enable_encrypt_messages"]
    resp = patch(client, patchable, [
        {"op": "add", "path": "/metadata/description", "value": "zc"}] + [
        {"op": "remove", "path": f"/metadata/{key}"} for key in reserved])
    expect(resp, 200, '{"description": "zc", "n": 1, ' + RESERVED_DEFAULTS
           + "}")


@pytest.mark.parametrize("data, status, title, description", [
    (b"", 400, "Invalid request body",
     "PATCH body could not be empty for update."),
    (None, 400, "Invalid request body",
     "PATCH body could not be empty for update."),
    (b"[bad", 400, "Invalid request body",
     "Request body could not be parsed."),
    (b'[{"op": "add", "path": "/metadata/x", "value": 99999999999999999999}]',
     400, "Invalid request body", "JSON contains integer that is too large."),
    # UPSTREAM BUG: 503 "Request body could not be read."
    (b'{"op": "add"}', 400, "Invalid request body",
     "Request body must be a JSON array of operation objects."),
    (b"[1]", 400, "Invalid request body", "Operations must be JSON objects."),
    (b'[{"path": "/metadata/x", "value": 1}]', 400, "Invalid request body",
     "Unable to find `op` in JSON Schema change. It must be one of the "
     "following: add, remove, replace."),
    (b'[{"op": "move", "path": "/metadata/x", "value": 1}]', 400,
     "Invalid request body", "Invalid operation: `move`. It must be one of "
     "the following: add, remove, replace."),
    (b'[{"op": "add", "value": 1}]', 400, "Invalid request body",
     "Unable to find 'path' in JSON Schema change"),
    (b'[{"op": "add", "path": "metadata/x", "value": 1}]', 400,
     "Invalid request body", 'Pointer `metadata/x` does not start with "/".'),
    (b'[{"op": "add", "path": "/metadata//x", "value": 1}]', 400,
     "Invalid request body", 'Pointer `/metadata//x` contains adjacent "/".'),
    (b'[{"op": "add", "path": "/metadata/x/", "value": 1}]', 400,
     "Invalid request body", 'Pointer `/metadata/x/` end with "/".'),
    (b'[{"op": "add", "path": "/metadata/~2", "value": 1}]', 400,
     "Invalid request body", 'Pointer `/metadata/~2` contains "~" not part '
     "of a recognized escape sequence."),
    (b'[{"op": "add", "path": "/metadata", "value": 1}]', 400,
     "Invalid request body", "Invalid JSON pointer for this resource: "
     "'/metadata, e.g /metadata/key'"),
    (b'[{"op": "add", "path": "/metadata/a/b", "value": 1}]', 400,
     "Invalid request body", "Invalid JSON pointer for this resource: "
     "'/metadata/a/b, e.g /metadata/key'"),
    (b'[{"op": "add", "path": "/other/a", "value": 1}]', 400,
     "Invalid request body", "The root of path must be metadata, e.g "
     "/metadata/key."),
    (b'[{"op": "add", "path": "/metadata/a"}]', 400, "Invalid request body",
     'Operation "add" requires a member named "value".'),
    (b'[{"op": "replace", "path": "/metadata/a"}]', 400,
     "Invalid request body",
     'Operation "replace" requires a member named "value".'),
    (b'[{"op": "replace", "path": "/metadata/nothere", "value": 1}]', 409,
     "Resource conflict", "Can't replace non-existent object nothere."),
    (b'[{"op": "remove", "path": "/metadata/nothere"}]', 409,
     "Resource conflict", "Can't remove non-existent object nothere."),
    (b'[{"op": "replace", "path": "/metadata/_default_message_ttl", '
     b'"value": 30}]', 400, "Invalid request body", "_default_message_ttl "
     "can not exceed 1209600 seconds, and must be at least 60 seconds long."),
    (b'[{"op": "add", "path": "/metadata/_max_claim_count", "value": "x"}]',
     400, "Invalid request body", "_max_claim_count must be integer."),
    # wrong types where strings are expected: clear errors, no crash
    (b'[{"op": 5, "path": "/metadata/x", "value": 1}]', 400,
     "Invalid request body", "Invalid operation: `5`. It must be one of the "
     "following: add, remove, replace."),
    (b'[{"op": "add", "path": 5, "value": 1}]', 400, "Invalid request body",
     'Pointer `5` does not start with "/".'),
    (b'[{"op": "add", "path": null, "value": 1}]', 400,
     "Invalid request body", 'Pointer `None` does not start with "/".'),
])
def test_patch_errors_leave_metadata_unchanged(client, patchable, data,
                                               status, title, description):
    expect_error(patch(client, patchable, data), status, title, description)
    expect(client.get("/v2/queues/c-p"), 200,
           '{"description": "old", "n": 1, ' + RESERVED_DEFAULTS + "}")


def test_patch_operations_apply_all_or_nothing(client, patchable):
    resp = patch(client, patchable, [
        {"op": "add", "path": "/metadata/first", "value": 1},
        {"op": "remove", "path": "/metadata/nothere"}])
    expect_error(resp, 409, "Resource conflict",
                 "Can't remove non-existent object nothere.")
    assert "first" not in client.get("/v2/queues/c-p").json()


def test_patch_missing_queue(client):
    not_found(patch(client, "c-nosuch",
                    [{"op": "add", "path": "/metadata/a", "value": 1}]),
              f"Queue c-nosuch does not exist for project "
              f"{client.headers['X-Project-ID']}")
    expect(client.get("/v2/queues"), 200, EMPTY)


def test_patch_too_large_before_content_type(client, patchable):
    data = dumps([{"op": "add", "path": "/metadata/big",
                   "value": "z" * 66000}])
    for content_type in (JSON_PATCH, "application/json"):
        bad_body(patch(client, patchable, data,
                       headers={"Content-Type": content_type}),
                 "Queue metadata is too large. Max size: 65536")


def test_patch_validation_order(client, patchable):
    """Each operation is checked in full before the next, and the root of
    the paths only after every operation is well-formed."""
    resp = patch(client, patchable, [
        {"op": "add", "path": "/other/a", "value": 1},
        {"op": "add", "path": "/metadata/a"}])
    bad_body(resp, 'Operation "add" requires a member named "value".')


# -- delete -------------------------------------------------------------------

def test_delete(client):
    post_messages(client, "c-p", {"body": 1}, {"body": 2})
    no_content(client.delete("/v2/queues/c-p"))
    no_content(client.delete("/v2/queues/c-p"))
    expect(client.get("/v2/queues"), 200, EMPTY)
    expect(client.get("/v2/queues/c-p/messages?echo=true"), 200,
           '{"messages": [], "links": []}')
    expect(client.get("/v2/queues/c-p/stats"), 200,
           '{"messages": {"claimed": 0, "free": 0, "total": 0}}')


def test_delete_then_recreate_starts_empty(client):
    client.put("/v2/queues/c-p", json={"k": 1})
    post_messages(client, "c-p", {"body": 1})
    no_content(client.delete("/v2/queues/c-p"))
    created(client.put("/v2/queues/c-p"), "/v2/queues/c-p")
    expect(client.get("/v2/queues/c-p"), 200, DEFAULT_METADATA)
    expect(client.get("/v2/queues/c-p/messages?echo=true"), 200,
           '{"messages": [], "links": []}')


# -- inputs that stores treat specially ---------------------------------------

@pytest.mark.parametrize("suffix", [
    "a:b", "a.b", "a b", "ä-ö", "$x", "%", "_", "a*b", "{a}", "a\\b", "a/b",
    "a'b\"c", "..", "a;b"])
def test_odd_project_ids_are_kept_apart(client, project, suffix):
    odd = {"X-Project-ID": (project + suffix).encode("utf-8")}
    created(client.put("/v2/queues/c-odd", json={"who": suffix},
                       headers=odd), "/v2/queues/c-odd")
    resp = client.post("/v2/queues/c-odd/messages", headers=odd,
                       json={"messages": [{"body": suffix}]})
    expect(resp, 201)
    expect(client.get("/v2/queues", headers=odd), 200,
           listing(["c-odd"], "/v2/queues?marker=c-odd"))
    assert client.get("/v2/queues/c-odd", headers=odd).json()["who"] == suffix
    resp = client.get("/v2/queues/c-odd/messages?echo=true", headers=odd)
    assert [m["body"] for m in resp.json()["messages"]] == [suffix]
    # the plain project sees none of it
    expect(client.get("/v2/queues"), 200, EMPTY)
    expect(client.get("/v2/queues/c-odd/stats"), 200,
           '{"messages": {"claimed": 0, "free": 0, "total": 0}}')


@pytest.mark.parametrize("key", ["a.b", "$x", "a$", "", " ", "_id", "é",
                                 "a\u0000b", ".", "$"])
def test_odd_metadata_keys_round_trip(client, key):
    metadata = {key: {key: [key]}, "plain": 1}
    created(client.put("/v2/queues/c-k", json=metadata), "/v2/queues/c-k")
    expect(client.get("/v2/queues/c-k"), 200,
           dumps(metadata)[:-1] + ", " + RESERVED_DEFAULTS + "}")
    if key.strip() != key or not key:
        return  # JSON-pointer segments are stripped: PATCH cannot name it
    pointer = key.replace("~", "~0").replace("/", "~1")
    resp = patch(client, "c-k", [{"op": "add", "path": "/metadata/" + pointer,
                                  "value": 2}])
    assert resp.status_code == 200, resp.text
    assert client.get("/v2/queues/c-k").json()[key] == 2


@pytest.mark.parametrize("query", [
    "$where=1", "a.b=1", "%24gt=1", "name=.*", "name=%25", "name=_",
    "name=(", "name=%5C", "n=99999999999999999999999", "n=-1",
    "n=1.5", "metadata.x=1", "_id=1", "name[$ne]=x"])
def test_filters_are_literal(client, query):
    for name in ("c-ab", "c-a.b", "c-a_b", "c-a%b"):
        if "%" not in name:
            client.put(f"/v2/queues/{name}", json={"n": 1})
    resp = client.get("/v2/queues?" + query)
    expect(resp, 200)
    names = [q["name"] for q in resp.json()["queues"]]
    expected = {"name=.*": [], "name=%25": [], "name=_": ["c-a_b"],
                "name=(": [], "name=%5C": []}.get(query, [])
    assert names == expected


def test_name_filter_with_a_dot(client):
    for name in ("c-ab", "c-a.b"):
        client.put(f"/v2/queues/{name}")
    expect(client.get("/v2/queues?name=."), 200,
           listing(["c-a.b"], "/v2/queues?name=.&marker=c-a.b"))
