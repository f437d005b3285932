"""v1 messages and claims: bare arrays in and out, every term required,
messages shown without ``id``, 204 for empty answers, and no posting to
a queue that does not exist."""

from __future__ import annotations

import typing

import falcon

from zaqar.common import errors
from zaqar.context import RequestContext
from zaqar.storage import errors as storage_errors
from zaqar.transport.validation import int_field
from zaqar.transport.wsgi import legacy, utils, views
from zaqar.transport.wsgi.v1_0.queues import Located, page
from zaqar.transport.wsgi.v2_0 import claims, messages


class MessageViews(views.Views):
    """No ``id`` (the href ends with it); the claim shows in the href only
    in claim answers."""

    def message(self, queue: str, message: dict) -> dict:
        return self.claimed(queue, {**message, "claim_id": None})

    def claimed(self, queue: str, message: dict) -> dict:
        view = super().message(queue, message)
        del view["id"]
        return view


class Shaped:
    """Resources whose messages have the v1 shape."""

    def __init__(self, api: typing.Any, prefix: str):
        super().__init__(api, prefix)
        self.views = MessageViews(prefix, api.conf.enable_checksum)


def required(document: typing.Any, *fields: str) -> dict:
    """v1 bodies carry every integer term; no defaults. Each field is
    checked whole before the next, as upstream does."""
    if not isinstance(document, dict):
        raise errors.InvalidBody("Document type not supported.")
    for field in fields:
        if field not in document:
            raise errors.InvalidBody(f'Missing "{field}" field.')
        int_field(document, field)
    return document


def client_id(ctx: RequestContext) -> None:
    """Posting and listing need the Client-ID other v1 requests may omit."""
    if ctx.client_id is None:
        raise errors.APIError('The "Client-ID" header is required.',
                              title="Missing header value")


class CollectionResource(Shaped, legacy.MessageCollection):
    def existing(self, ctx: RequestContext, queue_name: str) -> None:
        if not self.api.queues.exists(ctx, queue_name):
            raise errors.NotFound(str(storage_errors.QueueDoesNotExist(
                queue_name, ctx.project_id)))

    def post_metadata(self, ctx: RequestContext, queue_name: str) -> dict:
        client_id(ctx)
        self.existing(ctx, queue_name)  # v1 creates no queue by posting
        return {}

    @staticmethod
    def posted(document: typing.Any) -> list:
        if not isinstance(document, list):
            raise errors.InvalidBody("Document type not supported.")
        for message in document:
            required(message, "ttl")
        return document

    @staticmethod
    def post_answer(resources: list[str]) -> dict:
        return {"resources": resources, "partial": False}

    def prepare_listing(self, ctx: RequestContext, queue_name: str,
                        params: utils.Params) -> bool:
        client_id(ctx)
        self.existing(ctx, queue_name)
        return False

    def answer_page(self, req: falcon.Request, resp: falcon.Response,
                    body: dict) -> None:
        page(req, resp, body, "messages")

    def answer_found(self, resp: falcon.Response, ctx: RequestContext,
                     queue_name: str, ids: list[str],
                     found: list[dict]) -> None:
        if not found:
            resp.status = falcon.HTTP_204
            return
        utils.write_json(resp, [self.views.message(queue_name, m)
                                for m in found])

    def deletion(self, req: falcon.Request
                 ) -> tuple[list[str], None, None]:
        ids = utils.param_list(req, "ids")
        if ids is None:  # no pop in v1
            raise falcon.HTTPMissingParam("ids")
        self.api.validate.message_ids(ids)
        return ids, None, None

    def on_get(self, req: falcon.Request, resp: falcon.Response,
               queue_name: str) -> None:
        # Named even on errors, as upstream did.
        resp.content_location = req.relative_uri
        super().on_get(req, resp, queue_name)


class ItemResource(Located, Shaped, messages.ItemResource):
    pass


class ClaimCollection(Shaped, claims.CollectionResource):
    @staticmethod
    def terms(req: falcon.Request) -> dict:
        return required(utils.read_json(req), "ttl", "grace")

    @staticmethod
    def answer(messages: list[dict]) -> list[dict]:
        return messages


class ClaimItem(Located, Shaped, claims.ItemResource):
    @staticmethod
    def new_terms(req: falcon.Request) -> dict:
        document = required(utils.read_json(req), "ttl")
        return {"ttl": document["ttl"], "grace": document.get("grace", 0)}
