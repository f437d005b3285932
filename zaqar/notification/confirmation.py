"""Confirmation requests (``[notification] require_confirmation``).

A new subscriber gets a "SubscriptionConfirmation" carrying a URL signed
for ``PUT <base>/<name>/subscriptions/<id>/confirm`` (valid for the
subscription's TTL); confirming with ``{"confirmed": false}`` sends an
"UnsubscribeConfirmation" (valid for ``default_subscription_ttl``).
Webhooks receive the JSON document; e-mail subscribers receive a link to
``external_confirmation_url`` carrying the signed parameters. Nothing is
sent without ``[signed_url] secret_key`` (nothing could be verified), nor
to e-mail subscribers without ``external_confirmation_url``. The requests
travel as ordinary delivery jobs, with the same durability and retries as
notifications.
"""

from __future__ import annotations

import datetime
import logging
import typing
from urllib import parse

from zaqar.common import urls
from zaqar.notification import notifier, tasks

LOG = logging.getLogger(__name__)

SUBSCRIBE = "SubscriptionConfirmation"
UNSUBSCRIBE = "UnsubscribeConfirmation"
# Schemes that get confirmation requests (websocket subscribers do not
# exist over HTTP).
CONFIRMED_SCHEMES = ("http", "https", "mailto", "trust+http", "trust+https")


def _message(kind: str, noun: str, name: str) -> str:
    if kind == SUBSCRIBE:
        return f"You have chosen to subscribe to the {noun}: {name}"
    return (f"You have unsubscribed successfully to the {noun}: {name}, "
            "you can resubscribe it by using confirmed=True.")


def document(kind: str, signed: dict, noun: str, name: str) -> dict:
    """The JSON a webhook subscriber receives."""
    return {"Message_Type": kind,
            "Message": _message(kind, noun, name),
            "URL-Signature": signed["signature"],
            "URL-Methods": ",".join(signed["methods"]),
            "URL-Paths": ",".join(signed["paths"]),
            "X-Project-ID": signed["project"],
            "URL-Expires": signed["expires"],
            "SubscribeBody": {"confirmed": True},
            "UnsubscribeBody": {"confirmed": False},
            "queue_name": name}


def email(conf: typing.Any, kind: str, signed: dict, name: str,
          endpoint: str | None) -> dict:
    """Subject, body and sender of the e-mail variant."""
    options = conf.notification
    template = (options.subscription_confirmation_email_template
                if kind == SUBSCRIBE
                else options.unsubscribe_confirmation_email_template)
    link = options.external_confirmation_url + "?" + parse.urlencode([
        ("Signature", signed["signature"]),
        ("Methods", ",".join(signed["methods"])),
        ("Paths", ",".join(signed["paths"])),
        ("Project", signed["project"] or ""),
        ("Expires", signed["expires"]),
        ("Url", endpoint or ""),
        ("Queue", name)])
    body = str(template.get("body", "{2}"))
    try:
        text = body.format(name, signed["project"], link)
    except (IndexError, KeyError, ValueError):
        LOG.error("bad confirmation e-mail template body %r", body)
        text = link
    return {"subject": str(template.get("topic", "")),
            "body": text,
            "sender": str(template.get("sender", ""))}


def job(conf: typing.Any, kind: str, subscription: dict, *,
        project: str | None, name: str, base_path: str, noun: str,
        metadata: dict, endpoint: str | None = None) -> dict | None:
    """The delivery job of one confirmation request, or None when none
    can be sent (see the module docstring).

    ``name`` is the queue or topic, ``base_path`` its collection
    (``/v2/queues``), ``noun`` "queue" or "topic", ``metadata`` its
    metadata (for the retry policy), ``endpoint`` the Zaqar URL the
    e-mail link's page should call.
    """
    subscriber = subscription["subscriber"]
    scheme = tasks.scheme(subscriber)
    if scheme not in CONFIRMED_SCHEMES:
        return None
    key = conf.signed_url.secret_key
    if not key:
        LOG.info("no confirmation request for %s: [signed_url] secret_key "
                 "is not set", subscriber)
        return None
    if scheme == "mailto" and not conf.notification.external_confirmation_url:
        LOG.warning("no confirmation e-mail for %s: [notification] "
                    "external_confirmation_url is not set", subscriber)
        return None
    lifetime = (subscription["ttl"] if kind == SUBSCRIBE
                else conf.transport.default_subscription_ttl)
    now = datetime.datetime.now(datetime.timezone.utc).replace(tzinfo=None)
    path = f"{base_path}/{name}/subscriptions/{subscription['id']}/confirm"
    signed = urls.create_signed_url(
        key, [path], project=project, methods=["PUT"], now=now,
        expires=now + datetime.timedelta(seconds=lifetime))
    extra = {}
    if scheme == "mailto":
        extra["email"] = email(conf, kind, signed, name, endpoint)
    return notifier.job(subscription, document(kind, signed, noun, name),
                        notifier.policy_for(metadata, subscription),
                        kind=kind, **extra)
