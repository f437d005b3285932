"""Notification delivery against real subscribers: webhooks (a local HTTP
server), e-mail (a local SMTP server, and a sendmail-style command),
retries and their timing, confirmation requests, and deliveries that
survive a SIGKILLed server (``examples/v2-04-subscriptions.txt`` #28,
``examples/v2-10-subscription-confirmation.txt``)."""

from __future__ import annotations

import copy
import datetime
import json
import os
import pathlib
import sys
import time
import urllib.parse
import uuid

import pytest

from tests import services
from tests.functional import notifying
from tests.functional.conftest import STORES, Client
from tests.functional.notifying import SECRET, expect, quiet_for
from tests.functional.receivers import (SMTPReceiver, WebhookReceiver,
                                        tls_files)
from tests.functional.server import Server
from zaqar.common import urls
from zaqar.notification import trusts

SMTP_LOGIN = ("zaqar", "mail-password")
CONFIRM_PAGE = "https://confirm.example.org/confirm"
# Every phase once, and short: schedule [0, 1, b1, b2, 11].
PHASES = {"retries_with_no_delay": 1, "minimum_delay_retries": 1,
          "minimum_delay": 1, "maximum_delay": 11,
          "maximum_delay_retries": 1}


@pytest.fixture(scope="module", params=STORES)
def store(request):
    return request.param


@pytest.fixture(scope="module")
def smtp():
    rcv = SMTPReceiver(credentials=SMTP_LOGIN).start()
    yield rcv
    rcv.stop()


def smtp_options(smtp: SMTPReceiver) -> dict:
    return {"smtp_mode": "self_local", "smtp_host": "127.0.0.1",
            "smtp_port": smtp.port, "smtp_user_name": SMTP_LOGIN[0],
            "smtp_user_password": SMTP_LOGIN[1]}


@pytest.fixture(scope="module")
def server(store, smtp, tmp_path_factory):
    srv = notifying.start(tmp_path_factory.mktemp(f"notify-{store}"), store,
                          notification=smtp_options(smtp))
    yield srv
    srv.stop()


@pytest.fixture
def client(server, project):
    return Client(server.url, project)


@pytest.fixture
def hook(receiver, project):
    """A fresh webhook URL path of the receiver, and the full URL."""
    def make(name: str) -> tuple[str, str]:
        path = f"/{project}/{name}"
        return path, receiver.url + path
    return make


def subscribe(client, queue: str, subscriber: str, base="/v2/queues",
              **document) -> str:
    resp = client.post(f"{base}/{queue}/subscriptions",
                       json=dict(document, subscriber=subscriber))
    expect(resp, 201)
    return resp.json()["subscription_id"]


def post(client, queue: str, *messages: dict, base="/v2/queues") -> None:
    expect(client.post(f"{base}/{queue}/messages",
                       json={"messages": list(messages)}), 201)


def notification(body, queue: str, ttl: int = 3600, **extra) -> str:
    """The exact text a webhook receives (contract key order)."""
    document = {"ttl": ttl, "body": body}
    document.update(extra)
    document.update({"Message_Type": "Notification", "queue_name": queue})
    return json.dumps(document)


def texts(requests_) -> list[str]:
    return sorted(r.body.decode() for r in requests_)


# -- webhooks -----------------------------------------------------------------

def test_webhook_deliveries(client, receiver, hook):
    path_a, url_a = hook("a")
    path_b, url_b = hook("b")
    subscribe(client, "c-sub", url_a,
              options={"post_headers": {"X-Custom": "yes"}})
    subscribe(client, "c-sub", url_b, ttl=600, options={
        "post_data": '{"wrapped": "$zaqar_message$", "k": 1}'})
    post(client, "c-sub", {"body": {"event": "one"}, "ttl": 120},
         {"body": "two"})

    one = notification({"event": "one"}, "c-sub", ttl=120)
    two = notification("two", "c-sub")
    got_a = receiver.wait_for(path_a, 2)
    assert texts(got_a) == sorted([one, two])
    for request in got_a:
        assert request.headers["Content-Type"] == "application/json"
        assert request.headers["X-Custom"] == "yes"
    got_b = receiver.wait_for(path_b, 2)
    assert texts(got_b) == sorted(
        [f'{{"wrapped": {one}, "k": 1}}', f'{{"wrapped": {two}, "k": 1}}'])
    assert all("X-Custom" not in r.headers for r in got_b)
    quiet_for(1, lambda: len(receiver.received(path_a)), 2)


def test_every_message_to_every_subscriber(client, receiver, hook):
    paths = []
    for name in ("x", "y", "z"):
        path, url = hook(name)
        paths.append(path)
        subscribe(client, "c-fan", url)
    post(client, "c-fan", *({"body": n} for n in range(5)))
    for path in paths:
        got = receiver.wait_for(path, 5)
        assert sorted(r.json()["body"] for r in got) == list(range(5))


def test_notification_carries_delay_only_with_a_queue_default(
        client, receiver, hook):
    expect(client.put("/v2/queues/c-delay",
                      json={"_default_message_delay": 5}), 201)
    path, url = hook("delay")
    subscribe(client, "c-delay", url)
    post(client, "c-delay", {"body": "default"},
         {"body": "own", "delay": 0})
    assert texts(receiver.wait_for(path, 2)) == sorted([
        notification("default", "c-delay", delay=5),
        notification("own", "c-delay", delay=0)])


def test_trust_subscriber_is_posted_to_as_a_webhook(client, receiver, hook):
    """Without keystone there is no trust: a plain webhook, no token (the
    keystone side is tests/functional/keystone/test_trusts.py)."""
    path, url = hook("trust")
    subscribe(client, "c-trust", "trust+" + url)
    post(client, "c-trust", {"body": 1})
    [request] = receiver.wait_for(path, 1)
    assert texts([request]) == [notification(1, "c-trust")]
    assert "X-Auth-Token" not in request.headers


def test_the_trust_option_is_the_servers(client, hook):
    """Clients can neither set nor see the option holding a trust id."""
    _, url = hook("reserved")
    reserved = f"The option {trusts.OPTION} is reserved for the server."
    base = "/v2/queues/c-reserved/subscriptions"
    notifying.invalid(client.post(base, json={
        "subscriber": "trust+" + url,
        "options": {trusts.OPTION: "chosen"}}), reserved)
    sid = subscribe(client, "c-reserved", "trust+" + url)
    notifying.invalid(client.patch(f"{base}/{sid}", json={
        "options": {"a": 1, trusts.OPTION: "chosen"}}), reserved)
    assert client.get(f"{base}/{sid}").json()["options"] == {}


def test_other_queues_and_projects_are_not_notified(client, receiver, hook,
                                                    server):
    path, url = hook("only")
    subscribe(client, "c-only", url)
    post(client, "c-other", {"body": "not for you"})
    Client(server.url, "proj-" + uuid.uuid4().hex[:12]).post(
        "/v2/queues/c-only/messages", json={"messages": [{"body": "nope"}]})
    post(client, "c-only", {"body": "yes"})
    receiver.wait_for(path, 1)
    quiet_for(1, lambda: texts(receiver.received(path)),
              [notification("yes", "c-only")])


def test_deleted_subscription_gets_nothing(client, receiver, hook):
    path, url = hook("gone")
    sid = subscribe(client, "c-gone", url)
    expect(client.delete(f"/v2/queues/c-gone/subscriptions/{sid}"), 204)
    post(client, "c-gone", {"body": 1})
    quiet_for(1.5, lambda: receiver.received(path), [])


# -- retries ------------------------------------------------------------------

def test_5xx_is_retried(client, receiver, hook):
    path, url = hook("5xx")
    receiver.fail(path, 503, times=2)
    subscribe(client, "c-5xx", url, options={"_retry_policy": PHASES})
    post(client, "c-5xx", {"body": "again"})
    got = receiver.wait_for(path, 3)
    assert [r.status for r in got] == [503, 503, 200]
    assert len(set(texts(got))) == 1
    quiet_for(2, lambda: len(receiver.received(path)), 3)


@pytest.mark.parametrize("status", [400, 404, 410])
def test_4xx_is_not_retried(client, receiver, hook, status):
    path, url = hook(f"e{status}")
    receiver.fail(path, status, times=None)
    subscribe(client, "c-4xx", url)  # default policy: 3 immediate retries
    post(client, "c-4xx", {"body": "once"})
    receiver.wait_for(path, 1)
    quiet_for(2, lambda: len(receiver.received(path)), 1)


def test_connection_refused_is_retried(client, project):
    late = WebhookReceiver()  # nothing listens on its port yet
    path = f"/{project}/late"
    subscribe(client, "c-late", late.url + path, options={"_retry_policy": {
        "retries_with_no_delay": 0, "minimum_delay_retries": 15,
        "minimum_delay": 1, "maximum_delay": 11}})
    post(client, "c-late", {"body": "eventually"})
    time.sleep(2)  # a few refused attempts
    late.start()
    try:
        got = late.wait_for(path, 1, timeout=10)
        assert got[0].body.decode() == notification("eventually", "c-late")
    finally:
        late.stop()


def _gaps(requests_) -> list[float]:
    times = [r.time for r in requests_]
    return [b - a for a, b in zip(times, times[1:])]


def test_retry_timing_of_each_backoff_function(client, receiver, hook):
    """Every attempt fails; each queue's attempts are spaced as its
    policy says, then the delivery is given up. All run at once."""
    cases = {}  # path -> expected gaps
    expected_backoff = {"linear": [4, 8], "arithmetic": [3, 6],
                        "geometric": [2, 5], "exponential": [2, 4]}
    for function, backoff in expected_backoff.items():
        path, url = hook(function)
        receiver.fail(path, 500, times=None)
        queue = f"c-{function}"
        if function == "linear":
            # A queue policy is overridden by the subscription's.
            expect(client.put(f"/v2/queues/{queue}", json={"_retry_policy": {
                "retries_with_no_delay": 0, "minimum_delay_retries": 0,
                "minimum_delay": 0, "maximum_delay": 10,
                "maximum_delay_retries": 0}}), 201)
        subscribe(client, queue, url, options={"_retry_policy": dict(
            PHASES, retry_backoff_function=function)})
        cases[path] = [0, 1] + backoff + [11]
    # The queue forbids overrides: its policy ([3, 7]) wins.
    path, url = hook("queue-policy")
    receiver.fail(path, 502, times=None)
    expect(client.put("/v2/queues/c-strict", json={"_retry_policy": {
        "retries_with_no_delay": 0, "minimum_delay_retries": 0,
        "minimum_delay": 0, "maximum_delay": 10, "maximum_delay_retries": 0,
        "ignore_subscription_override": True}}), 201)
    subscribe(client, "c-strict", url,
              options={"_retry_policy": {"retries_with_no_delay": 5}})
    cases[path] = [3, 7]

    for queue in [f"c-{f}" for f in expected_backoff] + ["c-strict"]:
        post(client, queue, {"body": queue})
    for path, gaps in cases.items():
        got = receiver.wait_for(path, len(gaps) + 1, timeout=60)
        measured = _gaps(got)
        for wanted, seen in zip(gaps, measured):
            assert wanted - 0.3 <= seen <= wanted + 2.5, (path, gaps,
                                                          measured)
        assert all(r.status >= 500 for r in got)
    for path, gaps in cases.items():  # given up: nothing more
        quiet_for(0.5, lambda: len(receiver.received(path)), len(gaps) + 1)
    time.sleep(2)
    for path, gaps in cases.items():
        assert len(receiver.received(path)) == len(gaps) + 1


# -- e-mail -------------------------------------------------------------------

def test_email_through_smtp(client, smtp, project):
    to = f"{project}@example.org"
    subscribe(client, "c-mail", f"mailto:{to}?subject=Hello%20there",
              options={"from": "Zaqar <zaqar@example.org>"})
    post(client, "c-mail", {"body": {"event": "mail"}, "ttl": 300})
    (mail_from, rcpt, message), = smtp.wait_for(to, 1)
    assert mail_from == "zaqar@example.org" and rcpt == [to]
    assert message["From"] == "Zaqar <zaqar@example.org>"
    assert message["To"] == to
    assert message["Subject"] == "Hello there"
    assert message.get_content().strip() == notification(
        {"event": "mail"}, "c-mail", ttl=300)
    assert smtp.logins[SMTP_LOGIN[0]] >= 1


def test_email_subject_from_options_and_several_recipients(client, smtp,
                                                           project):
    first, second = f"{project}-1@example.org", f"{project}-2@example.org"
    subscribe(client, "c-mail2", f"mailto:{first},{second}",
              options={"subject": "From options"})
    post(client, "c-mail2", {"body": 2})
    (mail_from, rcpt, message), = smtp.wait_for(first, 1)
    assert sorted(rcpt) == sorted([first, second])
    assert message["Subject"] == "From options"
    assert message["From"] == "Zaqar Notifications <no-reply@openstack.org>"
    assert mail_from == "no-reply@openstack.org"


@pytest.fixture(scope="module")
def tls_smtp(tmp_path_factory):
    """An SMTP server requiring STARTTLS and a login, and its CA file."""
    ca, cert, key = tls_files(tmp_path_factory.mktemp("tls"))
    rcv = SMTPReceiver(credentials=SMTP_LOGIN, tls=(cert, key)).start()
    rcv.ca = ca
    yield rcv
    rcv.stop()


@pytest.fixture(scope="module")
def tls_server(store, tls_smtp, tmp_path_factory):
    options = notifying.options(store, notifying.TLS_REDIS_DB,
                                notification=dict(smtp_options(tls_smtp),
                                                  smtp_use_tls=True))
    srv = Server(tmp_path_factory.mktemp(f"tls-{store}"), options)
    # The server trusts the test CA (OpenSSL reads SSL_CERT_FILE).
    saved = os.environ.get("SSL_CERT_FILE")
    os.environ["SSL_CERT_FILE"] = str(tls_smtp.ca)
    try:
        srv.start()
    finally:
        if saved is None:
            del os.environ["SSL_CERT_FILE"]
        else:
            os.environ["SSL_CERT_FILE"] = saved
    yield srv
    srv.stop()


def test_email_through_smtp_with_starttls(tls_server, tls_smtp, project):
    # The server refuses mail and logins before STARTTLS: arrival proves
    # the session was encrypted (and the certificate verified).
    client = Client(tls_server.url, project)
    to = f"{project}@example.org"
    subscribe(client, "c-tls", f"mailto:{to}?subject=Sealed")
    post(client, "c-tls", {"body": "sealed"})
    (_, _, message), = tls_smtp.wait_for(to, 1)
    assert message["Subject"] == "Sealed"
    assert message.get_content().strip() == notification("sealed", "c-tls")
    assert tls_smtp.logins[SMTP_LOGIN[0]] >= 1


CAPTURE = '''\
import pathlib, sys, uuid
out = pathlib.Path(sys.argv[1])
failures = out / "failures"
left = int(failures.read_text()) if failures.exists() else 0
if left > 0:
    failures.write_text(str(left - 1))
    sys.exit(75)
(out / (uuid.uuid4().hex + ".eml")).write_bytes(sys.stdin.buffer.read())
'''


@pytest.fixture(scope="module")
def mail_dir(tmp_path_factory):
    return tmp_path_factory.mktemp("mail")


@pytest.fixture(scope="module")
def command_server(store, mail_dir, tmp_path_factory):
    script = mail_dir.parent / "capture_mail.py"
    script.write_text(CAPTURE)
    srv = notifying.start(
        tmp_path_factory.mktemp(f"command-{store}"), store,
        notifying.COMMAND_REDIS_DB,
        notification={"smtp_mode": "third_part",
                      "smtp_command": f"{sys.executable} {script} "
                                      f"{mail_dir}"})
    yield srv
    srv.stop()


def _mails(directory: pathlib.Path) -> list:
    import email
    import email.policy
    return [email.message_from_bytes(p.read_bytes(),
                                     policy=email.policy.default)
            for p in sorted(directory.glob("*.eml"))]


def test_email_through_the_sendmail_command(command_server, mail_dir,
                                            project):
    client = Client(command_server.url, project)
    (mail_dir / "failures").write_text("2")  # EX_TEMPFAIL twice: retried
    to = f"{project}@example.org"
    subscribe(client, "c-cmd", f"mailto:{to}?subject=Piped",
              options={"_retry_policy": PHASES})
    post(client, "c-cmd", {"body": "piped"})
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        mails = [m for m in _mails(mail_dir) if m["To"] == to]
        if mails:
            break
        time.sleep(0.2)
    assert len(mails) == 1
    assert mails[0]["Subject"] == "Piped"
    assert mails[0].get_content().strip() == notification("piped", "c-cmd")
    assert (mail_dir / "failures").read_text() == "0"


# -- confirmation -------------------------------------------------------------

@pytest.fixture(scope="module")
def confirming(store, smtp, tmp_path_factory):
    srv = notifying.start(
        tmp_path_factory.mktemp(f"confirm-{store}"), store,
        notification=dict(smtp_options(smtp), require_confirmation=True,
                          external_confirmation_url=CONFIRM_PAGE),
        signed_url={"secret_key": SECRET})
    yield srv
    srv.stop()


def _utc(text: str) -> datetime.datetime:
    return datetime.datetime.strptime(text, "%Y-%m-%dT%H:%M:%S")


def _now() -> datetime.datetime:
    return datetime.datetime.now(datetime.timezone.utc).replace(tzinfo=None)


def check_confirmation(document: dict, kind: str, message: str, path: str,
                       project: str, name: str, lifetime: int) -> None:
    assert list(document) == [
        "Message_Type", "Message", "URL-Signature", "URL-Methods",
        "URL-Paths", "X-Project-ID", "URL-Expires", "SubscribeBody",
        "UnsubscribeBody", "queue_name"]
    assert document["Message_Type"] == kind
    assert document["Message"] == message
    assert document["URL-Methods"] == "PUT"
    assert document["URL-Paths"] == path
    assert document["X-Project-ID"] == project
    expires = _utc(document["URL-Expires"])
    wanted = _now() + datetime.timedelta(seconds=lifetime)
    assert abs((expires - wanted).total_seconds()) < 30
    assert document["URL-Signature"] == urls.signature(
        SECRET, [path], ["PUT"], project, document["URL-Expires"])
    assert document["SubscribeBody"] == {"confirmed": True}
    assert document["UnsubscribeBody"] == {"confirmed": False}
    assert document["queue_name"] == name


def signed_put(server_url: str, document: dict, body: dict):
    """What the subscriber does: PUT with the headers it was sent."""
    import requests
    return requests.put(
        server_url + document["URL-Paths"], json=body, timeout=30, headers={
            "Client-ID": str(uuid.uuid4()),
            "URL-Signature": document["URL-Signature"],
            "URL-Expires": document["URL-Expires"],
            "URL-Methods": document["URL-Methods"],
            "URL-Paths": document["URL-Paths"],
            "X-Project-ID": document["X-Project-ID"]})


def test_webhook_confirmation_flow(confirming, receiver, project):
    client = Client(confirming.url, project)
    path = f"/{project}/confirm-me"
    sid = subscribe(client, "c-cf", receiver.url + path, ttl=600)
    confirm_path = f"/v2/queues/c-cf/subscriptions/{sid}/confirm"

    request, = receiver.wait_for(path, 1)
    assert request.headers["Content-Type"] == "application/json"
    confirmation = request.json()
    check_confirmation(confirmation, "SubscriptionConfirmation",
                       "You have chosen to subscribe to the queue: c-cf",
                       confirm_path, project, "c-cf", 600)

    # unconfirmed: nothing is delivered
    post(client, "c-cf", {"body": "not yet"})
    quiet_for(1.5, lambda: len(receiver.received(path)), 1)

    expect(signed_put(confirming.url, confirmation, {"confirmed": True}),
           204, headers={"location": confirm_path})
    assert client.get(f"/v2/queues/c-cf/subscriptions/{sid}").json()[
        "confirmed"] is True
    post(client, "c-cf", {"body": "now"})
    got = receiver.wait_for(path, 2)
    assert got[1].body.decode() == notification("now", "c-cf")

    # unsubscribe: an UnsubscribeConfirmation, valid for the default TTL
    expect(signed_put(confirming.url, confirmation, {"confirmed": False}),
           204)
    got = receiver.wait_for(path, 3)
    check_confirmation(
        got[2].json(), "UnsubscribeConfirmation",
        "You have unsubscribed successfully to the queue: c-cf, you can "
        "resubscribe it by using confirmed=True.",
        confirm_path, project, "c-cf", 3600)
    post(client, "c-cf", {"body": "after unsubscribing"})
    quiet_for(1.5, lambda: len(receiver.received(path)), 3)

    # subscribing again while unconfirmed: same id, request sent again
    assert subscribe(client, "c-cf", receiver.url + path, ttl=600) == sid
    got = receiver.wait_for(path, 4)
    assert got[3].json()["Message_Type"] == "SubscriptionConfirmation"


def test_confirmation_uses_the_subscription_options(confirming, receiver,
                                                    project):
    client = Client(confirming.url, project)
    path = f"/{project}/wrapped"
    subscribe(client, "c-cf2", receiver.url + path, options={
        "post_headers": {"X-Custom": "yes"},
        "post_data": '{"wrapped": "$zaqar_message$"}'})
    request, = receiver.wait_for(path, 1)
    assert request.headers["X-Custom"] == "yes"
    assert request.json()["wrapped"]["Message_Type"] == \
        "SubscriptionConfirmation"


def test_topic_confirmation(confirming, receiver, project):
    client = Client(confirming.url, project)
    path = f"/{project}/topic-confirm"
    sid = subscribe(client, "t-cf", receiver.url + path, base="/v2/topics")
    request, = receiver.wait_for(path, 1)
    confirm_path = f"/v2/topics/t-cf/subscriptions/{sid}/confirm"
    check_confirmation(request.json(), "SubscriptionConfirmation",
                       "You have chosen to subscribe to the topic: t-cf",
                       confirm_path, project, "t-cf", 3600)
    post(client, "t-cf", {"body": "early"}, base="/v2/topics")
    quiet_for(1.5, lambda: len(receiver.received(path)), 1)
    expect(signed_put(confirming.url, request.json(), {"confirmed": True}),
           204, headers={"location": confirm_path})
    post(client, "t-cf", {"body": "late"}, base="/v2/topics")
    got = receiver.wait_for(path, 2)
    assert got[1].body.decode() == notification("late", "t-cf")


def test_email_confirmation(confirming, smtp, project):
    client = Client(confirming.url, project)
    to = f"{project}@example.org"
    sid = subscribe(client, "c-mcf", f"mailto:{to}")
    (_, _, message), = smtp.wait_for(to, 1)
    assert message["Subject"] == \
        "Zaqar Notification - Subscription Confirmation"
    assert message["From"] == "Zaqar Notifications <no-reply@openstack.org>"
    text = message.get_content().strip()
    prefix = ("You have chosen to subscribe to the queue: c-mcf. This queue "
              f"belongs to project: {project}. To confirm this "
              "subscription, click or visit this link below: ")
    assert text.startswith(prefix), text
    link = urllib.parse.urlsplit(text[len(prefix):])
    assert f"{link.scheme}://{link.netloc}{link.path}" == CONFIRM_PAGE
    query = urllib.parse.parse_qsl(link.query)
    assert [k for k, _ in query] == ["Signature", "Methods", "Paths",
                                     "Project", "Expires", "Url", "Queue"]
    values = dict(query)
    confirm_path = f"/v2/queues/c-mcf/subscriptions/{sid}/confirm"
    assert values["Methods"] == "PUT"
    assert values["Paths"] == confirm_path
    assert values["Project"] == project
    assert values["Url"] == confirming.url
    assert values["Queue"] == "c-mcf"
    assert values["Signature"] == urls.signature(
        SECRET, [confirm_path], ["PUT"], project, values["Expires"])

    # the confirmation page calls Zaqar with those values
    expect(signed_put(confirming.url, {
        "URL-Paths": values["Paths"], "URL-Signature": values["Signature"],
        "URL-Expires": values["Expires"], "URL-Methods": values["Methods"],
        "X-Project-ID": values["Project"]}, {"confirmed": True}), 204)
    post(client, "c-mcf", {"body": "mailed"})
    mails = smtp.wait_for(to, 2)
    assert mails[1][2].get_content().strip() == notification("mailed",
                                                             "c-mcf")


@pytest.fixture(scope="module")
def no_secret(store, smtp, tmp_path_factory):
    srv = notifying.start(tmp_path_factory.mktemp(f"nosecret-{store}"),
                          store, notification=dict(
                              smtp_options(smtp), require_confirmation=True))
    yield srv
    srv.stop()


def test_no_confirmation_without_a_secret_key(no_secret, receiver, project):
    client = Client(no_secret.url, project)
    path = f"/{project}/unsigned"
    sid = subscribe(client, "c-ns", receiver.url + path)
    post(client, "c-ns", {"body": "unconfirmed"})
    quiet_for(1.5, lambda: receiver.received(path), [])
    # confirmed by the owner: deliveries start
    expect(client.put(f"/v2/queues/c-ns/subscriptions/{sid}/confirm",
                      json={"confirmed": True}), 204)
    post(client, "c-ns", {"body": "confirmed"})
    got = receiver.wait_for(path, 1)
    assert got[0].body.decode() == notification("confirmed", "c-ns")


# -- durability ---------------------------------------------------------------

def test_two_servers_on_one_store_deliver_each_notification_once(
        store, tmp_path, receiver, project):
    """Two servers of two worker processes each share the store: every
    process looks for jobs, claims give each to exactly one of them."""
    first_dir, second_dir = tmp_path / "one", tmp_path / "two"
    first_dir.mkdir()
    second_dir.mkdir()
    options = notifying.options(store, notifying.PAIR_REDIS_DB, **{
        "drivers:transport:wsgi": {"workers": 2}})
    first = Server(first_dir, options).start()
    try:
        # the second server uses the first one's store (SQLite: its file)
        second_options = copy.deepcopy(options)
        second_options.setdefault("DEFAULT", {})["state_path"] = str(
            first_dir)
        second = Server(second_dir, second_options).start()
        try:
            path = f"/{project}/shared"
            subscribe(Client(first.url, project), "c-shared",
                      receiver.url + path)
            bodies = []
            for n in range(12):
                srv = first if n % 2 else second
                batch = [f"m{n}-{k}" for k in range(3)]
                bodies += batch
                post(Client(srv.url, project), "c-shared",
                     *({"body": b} for b in batch))
            got = receiver.wait_for(path, len(bodies))
            quiet_for(2, lambda: len(receiver.received(path)), len(bodies))
            assert sorted(r.json()["body"] for r in got) == sorted(bodies)
        finally:
            second.stop()
    finally:
        first.stop()


def _successful_bodies(receiver, path) -> set:
    return {r.json()["body"] for r in receiver.received(path)
            if r.status == 200}


@pytest.mark.parametrize("outage", ["5xx", "down"])
def test_deliveries_survive_a_sigkilled_server(store, tmp_path, project,
                                               outage):
    """Deliveries pending (claimed by the server, or waiting for their
    retry) when the whole server is SIGKILLed arrive after a restart."""
    # A store of its own: no other server may take over its deliveries
    # (and, on MongoDB, a killed client's open transaction blocks writers
    # of what it touched until mongod aborts it, 60 s later).
    srv = notifying.start(tmp_path, store, notifying.CRASH_REDIS_DB,
                          notification={"delivery_claim_ttl": 3})
    subscriber = WebhookReceiver()
    path = f"/{project}/crash"
    try:
        client = Client(srv.url, project)
        if outage == "5xx":
            subscriber.start()
            subscriber.fail(path, 503, times=None)
        subscribe(client, "c-crash", subscriber.url + path,
                  options={"_retry_policy": {
                      "retries_with_no_delay": 0,
                      "minimum_delay_retries": 100, "minimum_delay": 2,
                      "maximum_delay": 12}})
        bodies = {f"m{n}" for n in range(6)}
        post(client, "c-crash", *({"body": b} for b in sorted(bodies)))
        if outage == "5xx":
            subscriber.wait_for(path, len(bodies))  # each tried, each failed
        else:
            time.sleep(1.5)  # each tried: connection refused
        srv.kill()
        deadline = time.monotonic() + 10  # every process of it is gone
        while services.port_open("127.0.0.1", srv.port):
            assert time.monotonic() < deadline, "the server survived"
            time.sleep(0.1)

        if outage == "5xx":
            subscriber.heal(path)
        else:
            subscriber.start()
        srv.start()
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            if _successful_bodies(subscriber, path) == bodies:
                break
            time.sleep(0.2)
        assert _successful_bodies(subscriber, path) == bodies
    finally:
        subscriber.stop()
        srv.stop()
