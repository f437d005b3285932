"""/v2/queues and /v2/queues/{queue_name}."""

from __future__ import annotations

import falcon

from zaqar.common import errors
from zaqar.storage import errors as storage_errors
from zaqar.transport import utils as json_utils
from zaqar.transport.wsgi import utils
from zaqar.transport.wsgi.resource import Resource, unavailable
from zaqar.transport.wsgi.views import Views

JSON_PATCH = "application/openstack-messaging-v2.0-json-patch"
LISTING_PARAMS = frozenset(("marker", "limit", "detailed", "name",
                            "with_count"))


class CollectionResource(Resource):
    policies = {"GET": "queues:get_all"}

    def __init__(self, api, prefix="/v2"):
        super().__init__(api, prefix)
        self.views = Views(prefix)

    def shown(self, metadata: dict) -> dict:
        """Queue metadata as this version shows it: v2 adds the reserved
        attributes' defaults."""
        return self.api.queues.with_defaults(metadata)

    def filters(self, req: falcon.Request, params: utils.Params) -> dict:
        """The listing options beyond paging this version reads (v2: the
        name and metadata filters, ``with_count``)."""
        return {"name": params.str("name"),
                "with_count": params.bool("with_count"),
                "filters": {key: value for key, value in req.params.items()
                            if key not in LISTING_PARAMS
                            and isinstance(value, str) and value}}

    def answer(self, req: falcon.Request, resp: falcon.Response,
               body: dict) -> None:
        utils.write_json(resp, body)

    @unavailable("Queues could not be listed.")
    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        params = utils.Params(req)
        marker = params.str("marker")
        limit = params.int("limit")
        detailed = params.bool("detailed")
        items, count = self.api.queues.list(
            utils.context(req), marker=marker, limit=limit,
            detailed=detailed, **self.filters(req, params))
        queues = []
        for item in items:
            view = {"name": item["name"]}
            if detailed:
                view["metadata"] = self.shown(item.get("metadata") or {})
            view["href"] = self.views.queue_href(item["name"])
            queues.append(view)
        body = {"queues": queues,
                "links": utils.next_link(req.path, params.read, items,
                                         "name")}
        if count:
            body["count"] = count
        self.answer(req, resp, body)


class ItemResource(Resource):
    policies = {"PUT": "queues:create", "GET": "queues:get",
                "PATCH": "queues:update", "DELETE": "queues:delete"}

    shown = CollectionResource.shown

    def metadata(self, req: falcon.Request) -> dict | None:
        """The metadata a PUT creates the queue with."""
        document = utils.read_json(
            req, required=False, limit=self.conf.transport.max_queue_metadata,
            too_large=self.api.validate.queue_metadata_length)
        if document is not None:
            json_utils.expect(document, dict)
        return document

    @unavailable("Queue could not be created.")
    def on_put(self, req: falcon.Request, resp: falcon.Response,
               queue_name: str) -> None:
        document = self.metadata(req)
        created = self.api.queues.create(utils.context(req), queue_name,
                                         document)
        resp.status = falcon.HTTP_201 if created else falcon.HTTP_204
        resp.location = req.path

    @unavailable("Queue metadata could not be retrieved.")
    def on_get(self, req: falcon.Request, resp: falcon.Response,
               queue_name: str) -> None:
        metadata = self.api.queues.get_metadata(utils.context(req),
                                                queue_name)
        utils.write_json(resp, self.shown(metadata))

    def _check_patch_size(self, length: int) -> None:
        try:
            self.api.validate.queue_metadata_length(length)
        except errors.ValidationFailed as exc:
            raise errors.InvalidBody(exc.description) from None

    @unavailable("Queue could not be updated.")
    def on_patch(self, req: falcon.Request, resp: falcon.Response,
                 queue_name: str) -> None:
        utils.check_declared_size(req, self.conf.transport.max_queue_metadata,
                                  self._check_patch_size)
        media = (req.content_type or "").split(";")[0].strip().lower()
        if media != JSON_PATCH:
            raise falcon.HTTPUnsupportedMediaType(
                description="Accepted media type for PATCH: "
                            f"{{'Accept-Patch': '{JSON_PATCH}'}}.")
        data = utils.read_body(
            req, required=False, limit=self.conf.transport.max_queue_metadata,
            too_large=self._check_patch_size)
        if not data:
            raise errors.InvalidBody(
                "PATCH body could not be empty for update.")
        updated = self.api.queues.patch(utils.context(req), queue_name,
                                        json_utils.loads(data))
        utils.write_json(resp, self.shown(updated))

    @unavailable("Queue could not be deleted.")
    def on_delete(self, req: falcon.Request, resp: falcon.Response,
                  queue_name: str) -> None:
        self.api.queues.delete(utils.context(req), queue_name)
        resp.status = falcon.HTTP_204


class StatsResource(Resource):
    policies = {"GET": "queues:stats"}

    def __init__(self, api, prefix="/v2"):
        super().__init__(api, prefix)
        self.views = Views(prefix, api.conf.enable_checksum)

    @staticmethod
    def missing(exc: storage_errors.QueueDoesNotExist) -> dict:
        """The stats of a queue that does not exist: v2 answers zeros."""
        return {"claimed": 0, "free": 0, "total": 0}

    @unavailable("Queue stats could not be read.")
    def on_get(self, req: falcon.Request, resp: falcon.Response,
               queue_name: str) -> None:
        try:
            stats = self.api.queues.stats(utils.context(req), queue_name)
        except storage_errors.QueueDoesNotExist as exc:
            stats = self.missing(exc)
        utils.write_json(resp, self.views.stats(queue_name, stats))


class PurgeResource(Resource):
    policies = {"POST": "queues:purge"}

    @unavailable("Queue could not be purged.")
    def on_post(self, req: falcon.Request, resp: falcon.Response,
                queue_name: str) -> None:
        document = utils.read_json(req, required=False)
        ctx = utils.context(req)
        if document is None:
            self.api.queues.purge(ctx, queue_name)
        else:
            self.api.queues.purge(ctx, queue_name,
                                  self.api.queues.purge_types(document))
        resp.status = falcon.HTTP_204
