"""Topics: queues in a storage namespace of their own.

A topic ``t`` of project ``p`` is stored, on every driver and without
anything added to the storage contract, as the queue ``t`` of the project
``namespace(p)``: ``p`` followed by the control character U+001F (unit
separator). HTTP header values cannot contain control characters, so no
client can name that project and reach topics through ``/v2/queues``, and
topics and queues of one project never collide. Project ids of the
maximum length (256) would not fit with the separator added; they map to
U+001F + ``sha256:`` + the hex SHA-256 of the id instead.

``TopicStorage`` is a data driver view whose queue, message and
subscription controllers do that mapping on every call, so the queue,
message and subscription operations of ``zaqar.api`` serve topics
unchanged. Errors that name the project are re-raised with the client's
project and the word "topic" (as subclasses of the same errors, so
callers catch them as before).
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import typing

from zaqar.storage import base, errors

SEPARATOR = "\x1f"
_PROJECT_MAX = 256


def namespace(project: str | None) -> str:
    """The storage project of the topics of ``project``."""
    base_id = "" if project is None else project
    if len(base_id) < _PROJECT_MAX:
        return base_id + SEPARATOR
    digest = hashlib.sha256(
        base_id.encode("utf-8", "surrogatepass")).hexdigest()
    return SEPARATOR + "sha256:" + digest


class TopicDoesNotExist(errors.QueueDoesNotExist, errors.TopicDoesNotExist):
    def __init__(self, name: str, project: str | None):
        self.name, self.project = name, project
        errors.DoesNotExist.__init__(
            self, f"Topic {name} does not exist for project {project}")


class TopicMessageDoesNotExist(errors.MessageDoesNotExist):
    def __init__(self, mid: str, topic: str, project: str | None):
        self.mid, self.queue, self.project = mid, topic, project
        errors.DoesNotExist.__init__(
            self, f"Message {mid} does not exist in topic {topic} for "
                  f"project {project}")


class TopicClaimDoesNotExist(errors.ClaimDoesNotExist):
    def __init__(self, cid: str, topic: str, project: str | None):
        self.cid, self.queue, self.project = cid, topic, project
        errors.DoesNotExist.__init__(
            self, f"Claim {cid} does not exist in topic {topic} for "
                  f"project {project}")


@contextlib.contextmanager
def _in_topics(project: str | None) -> typing.Iterator[None]:
    """Re-raise 'does not exist' errors with the client's project."""
    try:
        yield
    except errors.QueueDoesNotExist as exc:
        raise TopicDoesNotExist(exc.name, project) from None
    except errors.MessageDoesNotExist as exc:
        raise TopicMessageDoesNotExist(exc.mid, exc.queue, project) from None
    except errors.ClaimDoesNotExist as exc:
        raise TopicClaimDoesNotExist(exc.cid, exc.queue, project) from None


class _Queues(base.QueueBase):
    def __init__(self, driver: typing.Any, wrapped: base.QueueBase):
        super().__init__(driver)
        self._wrapped = wrapped

    def list(self, project: str | None, marker: str | None = None,
             limit: int = 10, detailed: bool = False,
             name: str | None = None,
             filters: base.Metadata | None = None) -> list[dict]:
        return self._wrapped.list(namespace(project), marker=marker,
                                  limit=limit, detailed=detailed, name=name,
                                  filters=filters)

    def count(self, project: str | None) -> int:
        return self._wrapped.count(namespace(project))

    def create(self, name: str, project: str | None,
               metadata: base.Metadata | None = None) -> bool:
        return self._wrapped.create(name, namespace(project), metadata)

    def exists(self, name: str, project: str | None) -> bool:
        return self._wrapped.exists(name, namespace(project))

    def get_metadata(self, name: str, project: str | None) -> base.Metadata:
        with _in_topics(project):
            return self._wrapped.get_metadata(name, namespace(project))

    def set_metadata(self, name: str, metadata: base.Metadata,
                     project: str | None) -> None:
        with _in_topics(project):
            self._wrapped.set_metadata(name, metadata, namespace(project))

    def delete(self, name: str, project: str | None) -> None:
        self._wrapped.delete(name, namespace(project))

    def stats(self, name: str, project: str | None) -> dict:
        with _in_topics(project):
            return self._wrapped.stats(name, namespace(project))


class _Messages(base.MessageBase):
    def __init__(self, driver: typing.Any, wrapped: base.MessageBase):
        super().__init__(driver)
        self._wrapped = wrapped

    def post(self, queue: str, messages: list[dict], project: str | None,
             client_uuid: str | None) -> list[str]:
        with _in_topics(project):
            return self._wrapped.post(queue, messages, namespace(project),
                                      client_uuid)

    def list(self, queue: str, project: str | None,
             client_uuid: str | None = None, marker: str | None = None,
             limit: int = 10, echo: bool = False,
             include_claimed: bool = False,
             include_delayed: bool = False) -> list[base.Message]:
        return self._wrapped.list(
            queue, namespace(project), client_uuid=client_uuid,
            marker=marker, limit=limit, echo=echo,
            include_claimed=include_claimed, include_delayed=include_delayed)

    def get(self, queue: str, message_id: str,
            project: str | None) -> base.Message:
        with _in_topics(project):
            return self._wrapped.get(queue, message_id, namespace(project))

    def bulk_get(self, queue: str, message_ids: list[str],
                 project: str | None) -> list[base.Message]:
        return self._wrapped.bulk_get(queue, message_ids, namespace(project))

    def delete(self, queue: str, message_id: str, project: str | None,
               claim: str | None = None) -> None:
        with _in_topics(project):
            self._wrapped.delete(queue, message_id, namespace(project),
                                 claim=claim)

    def bulk_delete(self, queue: str, message_ids: list[str],
                    project: str | None,
                    claim_ids: list[str] | None = None) -> None:
        with _in_topics(project):
            self._wrapped.bulk_delete(queue, message_ids, namespace(project),
                                      claim_ids=claim_ids)

    def pop(self, queue: str, limit: int,
            project: str | None) -> list[base.Message]:
        return self._wrapped.pop(queue, limit, namespace(project))

    def purge(self, queue: str, project: str | None) -> None:
        self._wrapped.purge(queue, namespace(project))


class _Subscriptions(base.SubscriptionBase):
    def __init__(self, driver: typing.Any, wrapped: base.SubscriptionBase):
        super().__init__(driver)
        self._wrapped = wrapped

    def list(self, queue: str, project: str | None, marker: str | None = None,
             limit: int = 10) -> list[dict]:
        return self._wrapped.list(queue, namespace(project), marker=marker,
                                  limit=limit)

    def get(self, queue: str, subscription_id: str,
            project: str | None) -> dict:
        return self._wrapped.get(queue, subscription_id, namespace(project))

    def create(self, queue: str, subscriber: str, ttl: int, options: dict,
               project: str | None) -> str:
        return self._wrapped.create(queue, subscriber, ttl, options,
                                    namespace(project))

    def update(self, queue: str, subscription_id: str, project: str | None,
               **fields: typing.Any) -> None:
        self._wrapped.update(queue, subscription_id, namespace(project),
                             **fields)

    def delete(self, queue: str, subscription_id: str,
               project: str | None) -> None:
        self._wrapped.delete(queue, subscription_id, namespace(project))

    def exists(self, queue: str, subscription_id: str,
               project: str | None) -> bool:
        return self._wrapped.exists(queue, subscription_id,
                                    namespace(project))

    def get_with_subscriber(self, queue: str, subscriber: str,
                            project: str | None) -> dict | None:
        return self._wrapped.get_with_subscriber(queue, subscriber,
                                                 namespace(project))

    def confirm(self, queue: str, subscription_id: str, project: str | None,
                confirmed: bool = True) -> None:
        self._wrapped.confirm(queue, subscription_id, namespace(project),
                              confirmed=confirmed)

    def purge(self, queue: str, project: str | None) -> None:
        self._wrapped.purge(queue, namespace(project))


class TopicStorage:
    """``driver`` (a data driver, pipelined or not) seen from the topic
    namespace. Topics have no claims, so there is no claim controller."""

    def __init__(self, driver: typing.Any):
        self.driver = driver

    @functools.cached_property
    def queue_controller(self) -> base.QueueBase:
        return _Queues(self, self.driver.queue_controller)

    @functools.cached_property
    def message_controller(self) -> base.MessageBase:
        return _Messages(self, self.driver.message_controller)

    @functools.cached_property
    def subscription_controller(self) -> base.SubscriptionBase:
        return _Subscriptions(self, self.driver.subscription_controller)
