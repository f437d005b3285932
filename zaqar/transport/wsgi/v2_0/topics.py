"""/v2/topics and everything under /v2/topics/{topic_name}.

Topics reuse the queue, message and subscription resources: each is built
with ``api.topics`` (the same operations in the topic namespace) and the
topic views, and only renames the path parameter (``topic_name``), the
policy rules and the texts ("Topic" for "Queue"). The topic list and
stats have representations of their own: ``"topics"`` as the list key,
no ``with_count``, and stats with only a total.
"""

from __future__ import annotations

import contextlib
import typing

import falcon

from zaqar.common import errors
from zaqar.storage import errors as storage_errors
from zaqar.transport.wsgi import utils, views
from zaqar.transport.wsgi.resource import Resource, unavailable
from zaqar.transport.wsgi.v2_0 import messages, queues, subscriptions

Req = falcon.Request
Resp = falcon.Response


class TopicViews(views.Views):
    """Hrefs under ``/v2/topics``."""

    def queue_href(self, queue: str) -> str:
        return f"{self.prefix}/topics/{queue}"

    def message_href(self, queue: str, message: dict) -> str:
        href = f"{self.queue_href(queue)}/messages/{message['id']}"
        if message.get("claim_id"):
            href += f"?claim_id={message['claim_id']}"
        return href

    def stats_message(self, queue: str, message: dict) -> dict:
        view = super().stats_message(queue, message)
        view["href"] = f"{self.queue_href(queue)}/messages/{message['id']}"
        return view


_QUEUE_TEXTS = (("Queues ", "Topics "), ("Queue ", "Topic "))


@contextlib.contextmanager
def topic_texts() -> typing.Iterator[None]:
    """Say "Topic" where the shared queue resources say "Queue": in the
    503 sentences (which start with the noun) and in the message id
    lookup's "found in the queue"."""
    try:
        yield
    except errors.APIError as exc:
        text = exc.description or ""
        for queue_word, topic_word in _QUEUE_TEXTS:
            if text.startswith(queue_word):
                text = topic_word + text[len(queue_word):]
                break
        text = text.replace(" found in the queue ", " found in the topic ")
        exc.description = text
        exc.args = (text,)
        raise


class CollectionResource(Resource):
    policies = {"GET": "topics:get_all"}

    def __init__(self, api: typing.Any, prefix: str = "/v2") -> None:
        super().__init__(api, prefix)
        self.views = TopicViews(prefix)

    @unavailable("Topics could not be listed.")
    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        params = utils.Params(req)
        marker = params.str("marker")
        limit = params.int("limit")
        detailed = params.bool("detailed")
        name = params.str("name")
        filters = {key: value for key, value in req.params.items()
                   if key not in queues.LISTING_PARAMS
                   and isinstance(value, str) and value}
        items, _ = self.api.queues.list(
            utils.context(req), marker=marker, limit=limit,
            detailed=detailed, name=name, filters=filters)
        topics = []
        for item in items:
            view = {"name": item["name"]}
            if detailed:
                view["metadata"] = self.api.queues.with_defaults(
                    item.get("metadata") or {})
            view["href"] = self.views.queue_href(item["name"])
            topics.append(view)
        utils.write_json(resp, {
            "topics": topics,
            "links": utils.next_link(req.path, params.read, items, "name")})


class ItemResource(queues.ItemResource):
    policies = {"PUT": "topics:create", "GET": "topics:get",
                "PATCH": "topics:update", "DELETE": "topics:delete"}

    def on_put(self, req: Req, resp: Resp, topic_name: str) -> None:
        with topic_texts():
            super().on_put(req, resp, topic_name)

    def on_get(self, req: Req, resp: Resp, topic_name: str) -> None:
        with topic_texts():
            super().on_get(req, resp, topic_name)

    def on_patch(self, req: Req, resp: Resp, topic_name: str) -> None:
        with topic_texts():
            super().on_patch(req, resp, topic_name)

    def on_delete(self, req: Req, resp: Resp, topic_name: str) -> None:
        with topic_texts():
            super().on_delete(req, resp, topic_name)


class StatsResource(Resource):
    policies = {"GET": "topics:stats"}

    def __init__(self, api: typing.Any, prefix: str = "/v2") -> None:
        super().__init__(api, prefix)
        self.views = TopicViews(prefix, api.conf.enable_checksum)

    @unavailable("Topic stats could not be read.")
    def on_get(self, req: falcon.Request, resp: falcon.Response,
               topic_name: str) -> None:
        try:
            stats = self.api.queues.stats(utils.context(req), topic_name)
        except storage_errors.QueueDoesNotExist:
            # What upstream's topic store answers for a missing topic.
            utils.write_json(resp, {"messages": {"claimed": 0, "free": 0,
                                                 "total": 0}})
            return
        counts: dict[str, typing.Any] = {"total": stats["total"]}
        for key in ("newest", "oldest"):
            if stats.get(key):
                counts[key] = self.views.stats_message(topic_name,
                                                       stats[key])
        utils.write_json(resp, {"messages": counts})


class PurgeResource(queues.PurgeResource):
    policies = {"POST": "topics:purge"}

    def on_post(self, req: Req, resp: Resp, topic_name: str) -> None:
        with topic_texts():
            super().on_post(req, resp, topic_name)


class MessagesResource(messages.CollectionResource):
    def __init__(self, api: typing.Any, prefix: str = "/v2") -> None:
        super().__init__(api, prefix)
        self.views = TopicViews(prefix, api.conf.enable_checksum)

    def on_post(self, req: Req, resp: Resp, topic_name: str) -> None:
        with topic_texts():
            super().on_post(req, resp, topic_name)

    def on_get(self, req: Req, resp: Resp, topic_name: str) -> None:
        with topic_texts():
            super().on_get(req, resp, topic_name)

    def on_delete(self, req: Req, resp: Resp, topic_name: str) -> None:
        with topic_texts():
            super().on_delete(req, resp, topic_name)


class MessageResource(messages.ItemResource):
    def __init__(self, api: typing.Any, prefix: str = "/v2") -> None:
        super().__init__(api, prefix)
        self.views = TopicViews(prefix, api.conf.enable_checksum)

    def on_get(self, req: Req, resp: Resp,
               topic_name: str, message_id: str) -> None:
        with topic_texts():
            super().on_get(req, resp, topic_name, message_id)

    def on_delete(self, req: Req, resp: Resp,
                  topic_name: str, message_id: str) -> None:
        with topic_texts():
            super().on_delete(req, resp, topic_name, message_id)


class SubscriptionsResource(subscriptions.CollectionResource):
    def __init__(self, api: typing.Any, prefix: str = "/v2") -> None:
        super().__init__(api, prefix, collection="topics")

    def on_get(self, req: Req, resp: Resp, topic_name: str) -> None:
        super().on_get(req, resp, topic_name)

    def on_post(self, req: Req, resp: Resp, topic_name: str) -> None:
        super().on_post(req, resp, topic_name)


class SubscriptionResource(subscriptions.ItemResource):
    def __init__(self, api: typing.Any, prefix: str = "/v2") -> None:
        super().__init__(api, prefix, collection="topics")

    def on_get(self, req: Req, resp: Resp, topic_name: str,
               subscription_id: str) -> None:
        super().on_get(req, resp, topic_name, subscription_id)

    def on_patch(self, req: Req, resp: Resp, topic_name: str,
                 subscription_id: str) -> None:
        super().on_patch(req, resp, topic_name, subscription_id)

    def on_delete(self, req: Req, resp: Resp, topic_name: str,
                  subscription_id: str) -> None:
        super().on_delete(req, resp, topic_name, subscription_id)


class ConfirmResource(subscriptions.ConfirmResource):
    def __init__(self, api: typing.Any, prefix: str = "/v2") -> None:
        super().__init__(api, prefix, collection="topics")

    def on_put(self, req: Req, resp: Resp, topic_name: str,
               subscription_id: str) -> None:
        super().on_put(req, resp, topic_name, subscription_id)


def routes(api: typing.Any) -> list[tuple[str, typing.Any]]:
    """The topic routes, served by ``api.topics``."""
    topics = api.topics
    t = "/v2/topics/{topic_name}"
    return [
        ("/v2/topics", CollectionResource(topics)),
        (t, ItemResource(topics)),
        (t + "/stats", StatsResource(topics)),
        (t + "/purge", PurgeResource(topics)),
        (t + "/messages", MessagesResource(topics)),
        (t + "/messages/{message_id}", MessageResource(topics)),
        (t + "/subscriptions", SubscriptionsResource(topics)),
        (t + "/subscriptions/{subscription_id}",
         SubscriptionResource(topics)),
        (t + "/subscriptions/{subscription_id}/confirm",
         ConfirmResource(topics)),
    ]
