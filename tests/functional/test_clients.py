"""The clients users already have, against a real server: python-zaqarclient
(queues v2, noauth) and openstacksdk (``conn.message``, which discovers the
API version with ``GET /``). Contract examples/client-*.txt."""

from __future__ import annotations

import uuid

import openstack
import pytest
from keystoneauth1 import noauth
from keystoneauth1 import session as ks_session
from openstack import resource
from openstack.message.v2 import claim as sdk_claim
from zaqarclient.queues.v2 import client as zaqar_client

RESERVED = {"_max_messages_post_size": 262144, "_default_message_ttl": 3600,
            "_default_message_delay": 0, "_dead_letter_queue": None,
            "_dead_letter_queue_messages_ttl": None, "_max_claim_count": None,
            "_enable_encrypt_messages": False}


# -- python-zaqarclient -------------------------------------------------------

@pytest.fixture
def zc(server, project):
    return zaqar_client.Client(server.url, version=2, conf={
        # 32 hex digits without dashes, as the client generates them
        "client_uuid": uuid.uuid4().hex,
        "auth_opts": {"backend": "noauth",
                      "options": {"os_project_id": project}}})


def test_python_zaqarclient(zc, client):
    assert zc.ping() is True
    queue = zc.queue("c-zc", force_create=True)
    assert [q.name for q in zc.queues()[0]] == ["c-zc"]

    queue.post([{"body": {"k": 1}, "ttl": 300}, {"body": "two"}])
    queue.post({"body": "three"})
    listed = list(queue.messages(echo=True))
    assert [(m.body, m.ttl) for m in listed] == [
        ({"k": 1}, 300), ("two", 3600), ("three", 3600)]
    # its own messages are hidden without echo (same client id)
    assert list(queue.messages()) == []
    # by ids, one by id
    assert [m.body for m in queue.messages(listed[0].id, listed[2].id)] == [
        {"k": 1}, "three"]
    assert queue.message(listed[1].id).body == "two"

    stats = queue.stats["messages"]
    assert (stats["claimed"], stats["free"], stats["total"]) == (0, 3, 3)

    claim = queue.claim(ttl=60, grace=60, limit=1)
    claimed = list(claim)
    assert [m.body for m in claimed] == [{"k": 1}]
    assert claimed[0].claim_id == claim.id
    assert claim.ttl == 60
    claim.update(ttl=120, grace=60)
    assert zc.follow(f"/v2/queues/c-zc/claims/{claim.id}")["ttl"] == 120
    assert queue.stats["messages"]["claimed"] == 1
    claimed[0].delete()  # DELETE ...?claim_id=
    claim.delete()
    assert queue.stats["messages"]["total"] == 2

    # metadata: a diff-based PATCH that also removes every reserved key
    assert queue.metadata(force_reload=True) == RESERVED
    assert queue.metadata(new_meta={"description": "zc"}) == dict(
        {"description": "zc"}, **RESERVED)
    assert queue.metadata(new_meta={"description": "zc2", "n": 1}) == dict(
        {"description": "zc2", "n": 1}, **RESERVED)
    assert client.get("/v2/queues/c-zc").json()["description"] == "zc2"
    assert queue.metadata(new_meta={"_default_message_ttl": 120}) == dict(
        RESERVED, _default_message_ttl=120)

    popped = list(queue.pop(1))
    assert [m.body for m in popped] == ["two"]
    remaining = list(queue.messages(echo=True))
    queue.delete_messages(*(m.id for m in remaining))
    assert list(queue.messages(echo=True)) == []

    queue.post([{"body": i} for i in range(3)])
    queue.purge(resource_types=["messages"])
    assert queue.stats["messages"]["total"] == 0

    queues, count = zc.queues(with_count=True, detailed=True)
    assert [(q.name, q.metadata()["_default_message_ttl"]) for q in queues] \
        == [("c-zc", 120)]
    assert count == 1
    queue.delete()
    assert list(zc.queues()[0]) == []


def test_python_zaqarclient_pages_through_queues(zc):
    names = sorted(f"c-{i:02d}" for i in range(25))
    for name in names:
        zc.queue(name, force_create=True)
    assert [q.name for q in zc.queues(limit=4)[0].stream()] == names
    queue = zc.queue("c-00")
    queue.post([{"body": i} for i in range(25)])
    assert [m.body for m in queue.messages(echo=True, limit=6).stream()] == \
        list(range(25))


def test_python_zaqarclient_nothing_to_claim(zc):
    queue = zc.queue("c-none", force_create=True)
    claim = queue.claim(ttl=60, grace=60)
    assert claim.id is None
    assert list(claim) == []


# -- openstacksdk -------------------------------------------------------------

class _ProjectNoAuth(noauth.NoAuth):
    """No authentication, but a project (the SDK sends it as
    X-PROJECT-ID), as a noauth deployment expects."""

    def __init__(self, endpoint: str, project: str):
        super().__init__(endpoint=endpoint)
        self._project = project

    def get_project_id(self, session, **kwargs):
        return self._project


class _Claim(sdk_claim.Claim):
    """openstacksdk 4.22's Claim reads its id from ``self.location``, which
    the SDK overwrites with its computed location (a Munch) whenever the
    resource belongs to a connection, so ``create_claim`` and
    ``get_claim`` fail against any Zaqar (upstream included, see the
    contract's client-openstacksdk.txt). This reads the Location header
    the server sent instead; everything else is the SDK's."""

    def _translate_response(self, response, has_body=None,
                            error_message=None, *,
                            resource_response_key=None):
        if response.status_code == 204:
            return
        location = response.headers.get("location")
        resource.Resource._translate_response(
            self, response, has_body, error_message,
            resource_response_key=resource_response_key)
        if has_body is not False and location:
            self.id = location.split("claims/")[1]


@pytest.fixture
def sdk(server, project):
    """``conn.message`` with the server root as endpoint: the SDK finds
    /v2/ through the versions document."""
    session = ks_session.Session(auth=_ProjectNoAuth(server.url, project))
    conn = openstack.connection.Connection(
        session=session, messaging_endpoint_override=server.url)
    yield conn.message
    conn.close()


def test_openstacksdk(sdk, client):
    assert sdk.get_endpoint().rstrip("/") == client.base_url + "/v2"

    sdk.create_queue(name="c-sdk", description="sdk")
    queue = sdk.get_queue("c-sdk")
    assert (queue.name, queue.description) == ("c-sdk", "sdk")
    assert client.get("/v2/queues/c-sdk").json() == dict(
        {"description": "sdk", "name": "c-sdk"}, **RESERVED)
    assert [q.name for q in sdk.queues(limit=2)] == ["c-sdk"]

    hrefs = sdk.post_message("c-sdk", [{"body": {"a": 1}, "ttl": 300},
                                       {"body": "b"}])
    ids = [href.rsplit("/", 1)[1] for href in hrefs]
    # a new random Client-ID per request: echo hides nothing
    listed = list(sdk.messages("c-sdk"))
    assert [(m.id, m.body, m.ttl) for m in listed] == [
        (ids[0], {"a": 1}, 300), (ids[1], "b", 3600)]
    assert [m.id for m in sdk.messages("c-sdk", echo=True, limit=1)] == ids
    assert sdk.get_message("c-sdk", ids[1]).body == "b"

    # the SDK sends the claim limit in the body; only the query counts
    claim = sdk._create(_Claim, queue_name="c-sdk", ttl=60, grace=60,
                        limit=1)
    assert [m["id"] for m in claim.messages] == ids
    fetched = sdk._get(_Claim, claim.id, queue_name="c-sdk")
    assert fetched.ttl == 60
    assert [m["id"] for m in fetched.messages] == ids
    sdk.update_claim("c-sdk", claim.id, ttl=100, grace=60)
    assert client.get(f"/v2/queues/c-sdk/claims/{claim.id}").json()[
        "ttl"] == 100

    sdk.delete_message("c-sdk", ids[0], claim=claim.id)
    sdk.delete_claim("c-sdk", claim.id)
    assert [m.id for m in sdk.messages("c-sdk")] == [ids[1]]
    sdk.delete_message("c-sdk", ids[1])
    assert list(sdk.messages("c-sdk")) == []

    nothing = sdk._create(_Claim, queue_name="c-sdk", ttl=60, grace=60)
    assert nothing.id is None

    sdk.delete_queue("c-sdk")
    assert list(sdk.queues()) == []
