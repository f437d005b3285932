"""The notifier: a pipeline stage that fans posted messages out to the
queue's subscribers (``[storage] message_pipeline =
zaqar.notification.notifier``).

After the wrapped controller stored the messages, one delivery job per
message and subscriber is recorded in the same store (``jobs``), and only
then does the post return. So every acknowledged message reaches every
subscriber at least once, whatever server process later crashes; if the
jobs cannot be recorded the post fails (the client retries it).
"""

from __future__ import annotations

import logging
import typing

from zaqar.notification import retry, service
from zaqar.storage import errors as storage_errors
from zaqar.storage import pipeline

LOG = logging.getLogger(__name__)

# Subscriptions read per storage call while fanning out.
_PAGE = 100


def notification(queue: str, message: dict, metadata: dict) -> dict:
    """What a subscriber receives for one message: the message as
    validated (``delay`` only when the queue has a default delay), its
    type and the queue name."""
    document = {"ttl": message["ttl"], "body": message["body"]}
    if metadata.get("_default_message_delay"):
        document["delay"] = message.get("delay", 0)
    document["Message_Type"] = "Notification"
    document["queue_name"] = queue
    return document


def job(subscription: dict, document: dict, policy: dict,
        kind: str = "notification", **extra: typing.Any) -> dict:
    """A pending delivery of ``document`` to one subscriber.

    Fields: ``kind`` (notification, or a confirmation kind),
    ``subscriber`` and ``options`` (as subscribed), ``document`` (the
    JSON sent), ``policy`` (the complete retry policy), ``retries`` (made
    so far), ``subscription_id`` (for the logs), plus ``email`` (subject,
    body, sender) for confirmation e-mails.
    """
    record = {"kind": kind, "subscriber": subscription["subscriber"],
              "options": subscription.get("options") or {},
              "document": document, "policy": policy, "retries": 0,
              "subscription_id": subscription["id"]}
    record.update(extra)
    return record


def policy_for(metadata: dict, subscription: dict) -> dict:
    options = subscription.get("options") or {}
    return retry.effective(metadata.get("_retry_policy"),
                           options.get("_retry_policy"))


def subscribers(subscriptions: typing.Any, queue: str,
                project: str | None) -> list[dict]:
    """Every live subscription of the queue."""
    found: list[dict] = []
    marker = None
    while True:
        page = subscriptions.list(queue, project, marker=marker, limit=_PAGE)
        found.extend(page)
        if len(page) < _PAGE:
            return found
        marker = page[-1]["id"]


class Notifier(pipeline.Stage):
    """Stage for the message controller: ``post`` also records the
    deliveries."""

    def post(self, queue: str, messages: list[dict], project: str | None,
             client_uuid: str | None) -> list[str]:
        ids = self.wrapped.post(queue, messages, project, client_uuid)
        jobs = self._jobs(queue, messages, project)
        if jobs:
            service.for_storage(self.conf, self.driver).record(jobs)
        return ids

    def _jobs(self, queue: str, messages: list[dict],
              project: str | None) -> list[dict]:
        targets = subscribers(self.driver.subscription_controller, queue,
                              project)
        if self.conf.notification.require_confirmation:
            targets = [s for s in targets if s.get("confirmed")]
        if not targets:
            return []
        try:
            metadata = self.driver.queue_controller.get_metadata(queue,
                                                                 project)
        except storage_errors.QueueDoesNotExist:
            metadata = {}
        documents = [notification(queue, message, metadata)
                     for message in messages]
        return [job(subscription, document, policy_for(metadata,
                                                       subscription))
                for subscription in targets for document in documents]
