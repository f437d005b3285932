"""What the deprecated REST faces, v1 and v1.1, share and v2 does not.

Both are thin faces of the v2 resources: the same operations, limits and
errors, with these differences in common: identifying headers checked
their own way and no access policy, queue metadata shown as stored (no
reserved defaults), queue listings without filters, no PATCH on queues,
messages without delays (and, for v1.1, without the queue's defaults),
pool listings whose ``limit`` is not checked, and a pool PATCH that
answers an empty 200 and changes only ``uri``, ``weight`` or ``options``.
"""

from __future__ import annotations

import pathlib
import typing

import falcon

from zaqar.common import errors
from zaqar.context import RequestContext
from zaqar.transport.wsgi import middleware, utils
from zaqar.transport.wsgi.resource import unavailable
from zaqar.transport.wsgi.v2_0 import claims, home, messages, pools, queues

Table = typing.List[typing.Tuple[str, typing.Any]]
QUEUE = "/queues/{queue_name}"


def routes(api: typing.Any, prefix: str, home_path: pathlib.Path,
           rules: middleware.HeaderRules, classes: dict[str, type]) -> Table:
    """A version's routes: its home document, the routes of ``SHARED``
    (defined below: the v1.1 resources) and ``classes`` (route below the
    prefix -> resource class), which add routes or replace resources.
    Every resource gets ``rules`` and no access policy (v1 and v1.1
    check no roles)."""
    table = [(prefix + "/", home.HomeResource(api, prefix, home_path))]
    for route, cls in {**SHARED, **classes}.items():
        table.append((prefix + route, cls(api, prefix)))
    for _, resource in table:
        resource.header_rules = rules
        resource.policies = {}
    return table


def empty_200(resp: falcon.Response) -> None:
    """How a v1/v1.1 admin PATCH succeeds: 200, JSON, no body."""
    resp.content_type = utils.JSON
    resp.data = b""


class StoredMetadata:
    """Queue metadata is shown as stored, without reserved defaults."""

    @staticmethod
    def shown(metadata: dict) -> dict:
        return metadata


class QueueCollection(StoredMetadata, queues.CollectionResource):
    def filters(self, req: falcon.Request, params: utils.Params) -> dict:
        return {}  # no name or metadata filters, no with_count


class QueueItem(StoredMetadata, queues.ItemResource):
    on_patch = None  # not routed: 405


class MessageCollection(messages.CollectionResource):
    """v1.1 as is; v1 builds on it."""

    honour_delay = False

    def post_metadata(self, ctx: RequestContext, queue_name: str) -> dict:
        # The queue's _default_message_ttl and _max_messages_post_size
        # are v2 features: v1.1 applies the configured defaults.
        return {}

    @staticmethod
    def read_flags(params: utils.Params) -> None:
        pass  # no include_delayed before v2

    def prepare_listing(self, ctx: RequestContext, queue_name: str,
                        params: utils.Params) -> bool:
        return False  # only v2 makes delayed messages; never listed here

    @staticmethod
    def deletion(req: falcon.Request
                 ) -> tuple[list[str] | None, int | None, None]:
        return utils.param_list(req, "ids"), req.get_param_as_int("pop"), \
            None


class PoolCollection(pools.CollectionResource):
    checks_limit = False


class PoolItem(pools.ItemResource):
    patch_fields = ("uri", "weight", "options")
    patch_hint = "One of `uri`, `weight`, or `options` needs to be specified"

    @unavailable("Pool could not be updated.")
    def on_patch(self, req: falcon.Request, resp: falcon.Response,
                 pool_name: str) -> None:
        document = pools.read_document(req)
        if not isinstance(document, dict) or not any(
                key in document for key in self.patch_fields):
            raise errors.InvalidBody(self.patch_hint)
        self.api.pools.update(pool_name, {
            key: document[key] for key in self.patch_fields
            if key in document})
        empty_200(resp)


SHARED = {
    "/queues": QueueCollection,
    QUEUE: QueueItem,
    QUEUE + "/stats": queues.StatsResource,
    QUEUE + "/messages": MessageCollection,
    QUEUE + "/messages/{message_id}": messages.ItemResource,
    QUEUE + "/claims": claims.CollectionResource,
    QUEUE + "/claims/{claim_id}": claims.ItemResource,
}
