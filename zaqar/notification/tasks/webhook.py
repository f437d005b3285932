"""Webhook delivery (``http``, ``https``, ``trust+http``, ``trust+https``):
one POST of the notification document to the subscriber URL.

The body is the document as JSON, or the subscription's
``options.post_data`` text with the token ``"$zaqar_message$"`` (quotes
included) replaced by that JSON. Headers: ``Content-Type:
application/json`` plus ``options.post_headers``. A 2xx answer is a
success; connection failures, timeouts and 5xx answers are retried by the
policy; any other answer (redirects included: they are not followed) ends
the delivery.

``trust+`` subscribers are posted to as plain webhooks (the URL without
its ``trust+`` prefix): Keystone trusts are not created.
"""

from __future__ import annotations

import json
import threading
import typing

import requests

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
        self._timeout = conf.notification.delivery_timeout
        self._local = threading.local()

    def _session(self) -> requests.Session:
        # One session (connection pool) per delivery thread.
        session = getattr(self._local, "session", None)
        if session is None:
            session = self._local.session = requests.Session()
        return session

    def deliver(self, job: dict) -> None:
        options = job.get("options") or {}
        url = target(job["subscriber"])
        try:
            response = self._session().post(
                url, data=body(job["document"], options),
                headers=headers(options), timeout=self._timeout,
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
        raise DeliveryFailed(f"POST {url} answered {status}",
                             retry=status >= 500)
