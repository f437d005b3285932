"""v1 queues: listing (204 when empty), existence checks, metadata
through ``/metadata``, and stats that are 404 for a missing queue."""

from __future__ import annotations

import falcon

from zaqar.common import errors
from zaqar.storage import errors as storage_errors
from zaqar.transport.wsgi import legacy, utils
from zaqar.transport.wsgi.resource import Resource, unavailable
from zaqar.transport.wsgi.v2_0 import queues

RESERVED = ('Reserved queue attributes in metadata (which names start with '
            '"_") can not be set in API v1.')


class Located:
    """A successful GET names what it answered (``Content-Location``)."""

    def on_get(self, req: falcon.Request, resp: falcon.Response,
               **params: str) -> None:
        super().on_get(req, resp, **params)
        resp.content_location = req.relative_uri


def page(req: falcon.Request, resp: falcon.Response, body: dict,
         key: str) -> None:
    """A v1 page: 204 with no body when ``body[key]`` is empty."""
    if not body[key]:
        resp.status = falcon.HTTP_204
        return
    resp.content_location = req.relative_uri
    utils.write_json(resp, body)


class CollectionResource(legacy.QueueCollection):
    def answer(self, req: falcon.Request, resp: falcon.Response,
               body: dict) -> None:
        page(req, resp, body, "queues")


class ItemResource(legacy.QueueItem):
    def metadata(self, req: falcon.Request) -> None:
        utils.discard_body(req)  # v1 sets metadata through /metadata only
        return None

    @unavailable("Queue could not be queried.")
    def on_get(self, req: falcon.Request, resp: falcon.Response,
               queue_name: str) -> None:
        """An existence check: 204 or a bodiless 404."""
        resp.content_location = req.relative_uri
        if self.api.queues.exists(utils.context(req), queue_name):
            resp.status = falcon.HTTP_204
            return
        resp.status = falcon.HTTP_404
        resp.content_type = utils.JSON
        resp.data = b""

    on_head = on_get


class MetadataResource(Resource):
    @unavailable("Queue metadata could not be retrieved.")
    def on_get(self, req: falcon.Request, resp: falcon.Response,
               queue_name: str) -> None:
        utils.write_json(resp, self.api.queues.stored_metadata(
            utils.context(req), queue_name))
        resp.content_location = req.relative_uri

    @unavailable("Metadata could not be updated.")
    def on_put(self, req: falcon.Request, resp: falcon.Response,
               queue_name: str) -> None:
        metadata = utils.read_json(
            req, limit=self.conf.transport.max_queue_metadata,
            too_large=self.api.validate.queue_metadata_length)
        if not isinstance(metadata, dict):
            raise errors.InvalidBody("Document type not supported.")
        if any(key.startswith("_") for key in metadata):
            raise errors.ValidationFailed(RESERVED)
        self.api.queues.replace_metadata(utils.context(req), queue_name,
                                         metadata)
        resp.status = falcon.HTTP_204
        resp.location = req.path


class StatsResource(Located, queues.StatsResource):
    @staticmethod
    def missing(exc: storage_errors.QueueDoesNotExist) -> dict:
        raise errors.NotFound(str(exc))
