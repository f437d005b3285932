"""/v2/queues/{queue_name}/messages and .../messages/{message_id}."""

from __future__ import annotations

import typing

import falcon

from zaqar.common import errors
from zaqar.context import RequestContext
from zaqar.storage import errors as storage_errors
from zaqar.transport.failures import log_storage_failure
from zaqar.transport.wsgi import utils
from zaqar.transport.wsgi.resource import Resource, unavailable
from zaqar.transport.wsgi.views import Views

_CLAIMED = "This message is claimed; it cannot be deleted without a valid " \
           "claim ID."


def deletion_error(exc: storage_errors.StorageError) -> errors.APIError:
    """How a refused delete reads over HTTP (every version)."""
    if isinstance(exc, (storage_errors.MessageIsClaimed,
                        storage_errors.MessageIsClaimedBy)):
        return errors.Forbidden(_CLAIMED, title="Unable to delete")
    if isinstance(exc, storage_errors.MessageNotClaimed):
        return errors.APIError(
            "A claim was specified, but the message is not currently "
            "claimed.", title="Unable to delete")
    return errors.APIError(
        "The specified claim does not exist or has expired.",
        title="Unable to delete")


_DELETE_REFUSALS = (storage_errors.MessageConflict,
                    storage_errors.ClaimDoesNotExist)


class CollectionResource(Resource):
    policies = {"POST": "messages:create", "GET": "messages:get_all",
                "DELETE": "messages:delete_all"}

    # Whether posted messages may be delayed (v1 and v1.1 have no delays).
    honour_delay = True

    def __init__(self, api, prefix="/v2"):
        super().__init__(api, prefix)
        self.views = Views(prefix, api.conf.enable_checksum)

    # -- what a version reads and answers differently ---------------------

    def post_metadata(self, ctx: RequestContext, queue_name: str) -> dict:
        """The queue metadata whose defaults and size limit apply to a
        post (v2: the queue's own)."""
        return self.api.messages.queue_metadata(ctx, queue_name)

    @staticmethod
    def posted(document: typing.Any) -> typing.Any:
        """The message array of a POST body (v2: ``{"messages": [...]}``)."""
        if not isinstance(document, dict) or "messages" not in document:
            raise errors.ValidationFailed(
                "No messages were found in the request body.")
        return document["messages"]

    @staticmethod
    def post_answer(resources: list[str]) -> dict:
        return {"resources": resources}

    @staticmethod
    def read_flags(params: utils.Params) -> None:
        """Read the listing flags a version adds to echo and
        include_claimed, before the limit is checked (as upstream: a bad
        flag is told before a bad limit)."""
        params.bool("include_delayed")

    def prepare_listing(self, ctx: RequestContext, queue_name: str,
                        params: utils.Params) -> bool:
        """Whether the listing includes delayed messages (read_flags read
        the parameter); where a version checks what it requires of a
        listing."""
        asked = params.read["include_delayed"]
        if asked is None and not self.api.messages.default_delay(
                self.api.messages.queue_metadata(ctx, queue_name)):
            # As upstream: on a queue without a default delay, listings
            # include delayed messages unless the client says otherwise,
            # and the links say so.
            params.read["include_delayed"] = asked = True
        return bool(asked)

    def answer_page(self, req: falcon.Request, resp: falcon.Response,
                    body: dict) -> None:
        utils.write_json(resp, body)

    def answer_found(self, resp: falcon.Response, ctx: RequestContext,
                     queue_name: str, ids: list[str],
                     found: list[dict]) -> None:
        """The answer to a GET by ids."""
        if not found:
            raise errors.NotFound(
                f"No messages with IDs: {ids} found in the queue "
                f"{queue_name} for project {ctx.project_id}.")
        utils.write_json(resp, {"messages": [
            self.views.message(queue_name, m) for m in found]})

    @staticmethod
    def deletion(req: falcon.Request
                 ) -> tuple[list[str] | None, int | None, list[str] | None]:
        """``(ids, pop, claim_ids)`` of a bulk delete."""
        return (utils.param_list(req, "ids"), req.get_param_as_int("pop"),
                utils.param_list(req, "claim_ids"))

    # -- responders ---------------------------------------------------------

    @unavailable("Messages could not be enqueued.")
    def on_post(self, req: falcon.Request, resp: falcon.Response,
                queue_name: str) -> None:
        ctx = utils.context(req)
        metadata = self.post_metadata(ctx, queue_name)
        queue_max = metadata.get("_max_messages_post_size")
        document = utils.read_json(
            req, limit=self.api.validate.message_post_limit(queue_max),
            too_large=lambda size: self.api.validate.message_post_size(
                size, queue_max))
        ids = self.api.messages.post(ctx, queue_name, self.posted(document),
                                     metadata, self.honour_delay)
        base = self.views.queue_href(queue_name) + "/messages"
        resp.location = base + "?ids=" + ",".join(ids)
        utils.write_json(resp, self.post_answer(
            [f"{base}/{mid}" for mid in ids]), falcon.HTTP_201)

    @unavailable("Messages could not be listed.")
    def on_get(self, req: falcon.Request, resp: falcon.Response,
               queue_name: str) -> None:
        ctx = utils.context(req)
        ids = utils.param_list(req, "ids")
        if ids is not None:
            found = self.api.messages.get_many(ctx, queue_name, ids)
            self.answer_found(resp, ctx, queue_name, ids, found)
            return

        params = utils.Params(req)
        marker = params.str("marker")
        limit = params.int("limit")
        echo = params.bool("echo")
        include_claimed = params.bool("include_claimed")
        self.read_flags(params)
        self.api.validate.message_listing(limit)
        include_delayed = self.prepare_listing(ctx, queue_name, params)
        messages = self.api.messages.list(
            ctx, queue_name, marker, limit, echo, include_claimed,
            include_delayed)
        self.answer_page(req, resp, {
            "messages": [self.views.message(queue_name, m)
                         for m in messages],
            "links": utils.next_link(req.path, params.read, messages, "id")})

    @unavailable("Messages could not be deleted.")
    def on_delete(self, req: falcon.Request, resp: falcon.Response,
                  queue_name: str) -> None:
        ids, pop, claim_ids = self.deletion(req)
        try:
            popped = self.api.messages.delete_many(
                utils.context(req), queue_name, ids, pop, claim_ids)
        except _DELETE_REFUSALS as exc:
            raise deletion_error(exc) from None
        except storage_errors.StorageError as exc:
            if pop is None:
                raise  # "Messages could not be deleted."
            log_storage_failure(f"popping from {queue_name}", exc)
            raise errors.Unavailable("Messages could not be popped.") from None
        if popped is None:
            resp.status = falcon.HTTP_204
            return
        utils.write_json(resp, {"messages": [self.views.popped(m)
                                             for m in popped]})


class ItemResource(Resource):
    policies = {"GET": "messages:get", "DELETE": "messages:delete"}

    def __init__(self, api, prefix="/v2"):
        super().__init__(api, prefix)
        self.views = Views(prefix, api.conf.enable_checksum)

    @unavailable("Message could not be retrieved.")
    def on_get(self, req: falcon.Request, resp: falcon.Response,
               queue_name: str, message_id: str) -> None:
        message = self.api.messages.get(utils.context(req), queue_name,
                                        message_id)
        utils.write_json(resp, self.views.message(queue_name, message))

    @unavailable("Message could not be deleted.")
    def on_delete(self, req: falcon.Request, resp: falcon.Response,
                  queue_name: str, message_id: str) -> None:
        try:
            self.api.messages.delete(utils.context(req), queue_name,
                                     message_id, req.get_param("claim_id"))
        except _DELETE_REFUSALS as exc:
            raise deletion_error(exc) from None
        resp.status = falcon.HTTP_204
