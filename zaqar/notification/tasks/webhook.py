"""Webhook delivery (``http``, ``https``, ``trust+http``, ``trust+https``):
one POST of the notification document to the subscriber URL.

The body is the document as JSON, or the subscription's
``options.post_data`` text with the token ``"$zaqar_message$"`` (quotes
included) replaced by that JSON. Headers: ``Content-Type:
application/json`` plus ``options.post_headers``. A 2xx answer is a
success; connection failures, timeouts and 5xx answers are retried by the
policy; any other answer (redirects included: they are not followed) ends
the delivery.

``trust+`` subscribers are posted to at the URL without its ``trust+``
prefix. When their subscription holds a Keystone trust (made under
``auth_strategy = keystone``, see ``zaqar.notification.trusts``), the POST
carries a token scoped by that trust in ``X-Auth-Token``; a trust that was
deleted or has expired ends the delivery, Keystone being unreachable is
retried. Without a trust they are plain webhooks.
"""

from __future__ import annotations

import json
import threading
import typing

import requests

from zaqar.notification import trusts
from zaqar.notification.tasks import DeliveryFailed

POST_DATA_TOKEN = '"$zaqar_message$"'
TRUST_PREFIX = "trust+"


def target(subscriber: str) -> str:
    """The URL posted to."""
    if subscriber.lower().startswith(TRUST_PREFIX):
        return subscriber[len(TRUST_PREFIX):]
    return subscriber


def body(document: dict, options: dict) -> bytes:
    text = json.dumps(document)
    template = options.get("post_data")
    if isinstance(template, str):
        text = template.replace(POST_DATA_TOKEN, text)
    return text.encode("utf-8")


def headers(options: dict) -> dict[str, str]:
    result = {"Content-Type": "application/json"}
    extra = options.get("post_headers")
    if isinstance(extra, dict):
        for name, value in extra.items():
            result[str(name)] = value if isinstance(value, str) \
                else json.dumps(value)
    return result


class WebhookTask:
    """``zaqar.notification.tasks`` plugin for the webhook schemes."""

    def __init__(self, conf: typing.Any):
        self._conf = conf
        self._timeout = conf.notification.delivery_timeout
        self._local = threading.local()

    def _session(self) -> requests.Session:
        # One session (connection pool) per delivery thread.
        session = getattr(self._local, "session", None)
        if session is None:
            session = self._local.session = requests.Session()
        return session

    def _trust_token(self, trust_id: str) -> str:
        try:
            return trusts.for_conf(self._conf).token(trust_id)
        except trusts.KeystoneError as exc:
            if exc.temporary:
                raise DeliveryFailed(str(exc), retry=True) from None
            raise DeliveryFailed(
                f"{exc} (was the trust deleted, or has it expired?)"
                if exc.status is not None else str(exc),
                retry=False) from None

    def deliver(self, job: dict) -> None:
        options = job.get("options") or {}
        url = target(job["subscriber"])
        sent = headers(options)
        trust_id = options.get(trusts.OPTION)
        if not (isinstance(trust_id, str)
                and trusts.is_trust_subscriber(job["subscriber"])):
            trust_id = None
        if trust_id is not None:
            sent = {name: value for name, value in sent.items()
                    if name.lower() != "x-auth-token"}
            sent["X-Auth-Token"] = self._trust_token(trust_id)
        try:
            response = self._session().post(
                url, data=body(job["document"], options),
                headers=sent, timeout=self._timeout,
                allow_redirects=False, stream=True)
        except (requests.ConnectionError, requests.Timeout) as exc:
            raise DeliveryFailed(f"POST {url} failed: {exc}",
                                 retry=True) from None
        except (requests.RequestException, ValueError) as exc:
            raise DeliveryFailed(f"POST {url} impossible: {exc}",
                                 retry=False) from None
        status = response.status_code
        response.close()
        if 200 <= status < 300:
            return
        if status == 401 and trust_id is not None:
            # The token may have been revoked: the next delivery gets a
            # fresh one (or learns that the trust is gone).
            trusts.for_conf(self._conf).forget(trust_id)
        raise DeliveryFailed(f"POST {url} answered {status}",
                             retry=status >= 500)
