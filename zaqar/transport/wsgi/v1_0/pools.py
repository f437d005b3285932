"""v1 pools: an empty listing still links onwards, and a read names
what it answered."""

from __future__ import annotations

import falcon

from zaqar.transport.wsgi import legacy, utils
from zaqar.transport.wsgi.v1_0.queues import Located


class CollectionResource(legacy.PoolCollection):
    @staticmethod
    def links(req: falcon.Request, params: utils.Params,
              pools: list[dict]) -> list[dict]:
        if pools:
            return utils.next_link(req.path, params.read, pools, "name")
        # Upstream links an empty page to itself, without a marker.
        query = {k: v for k, v in params.read.items()
                 if v is not None and k != "marker"}
        return [{"rel": "next", "href": req.path + falcon.to_query_str(query)}]


class ItemResource(Located, legacy.PoolItem):
    pass
