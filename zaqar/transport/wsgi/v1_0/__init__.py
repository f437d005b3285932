"""The v1 API (deprecated; served with ``enable_deprecated_api_versions``
listing "1"): queues with ``/metadata``, messages and claims in their v1
shapes, a liveness ``/health`` and, with pooling, pools. Identifying
headers are optional but for posting and listing messages; without
X-Project-ID requests use the unscoped namespace (project None)."""

from __future__ import annotations

import pathlib
import typing

from zaqar.transport.wsgi import legacy, middleware
from zaqar.transport.wsgi.v1_0 import messages, pools, queues
from zaqar.transport.wsgi.v2_0 import ping

PREFIX = "/v1"
HEADERS = middleware.HeaderRules(client_id="optional", project="optional",
                                 client_id_label="Client-ID",
                                 tenant_headers=False)
HOME = pathlib.Path(__file__).with_name("home.json")
Q = legacy.QUEUE


def routes(api: typing.Any) -> legacy.Table:
    classes = {
        "/health": ping.PingResource,
        "/queues": queues.CollectionResource, Q: queues.ItemResource,
        Q + "/metadata": queues.MetadataResource,
        Q + "/stats": queues.StatsResource,
        Q + "/messages": messages.CollectionResource,
        Q + "/messages/{message_id}": messages.ItemResource,
        Q + "/claims": messages.ClaimCollection,
        Q + "/claims/{claim_id}": messages.ClaimItem,
    }
    if api.conf.admin_mode and api.conf.pooling:
        classes.update({"/pools": pools.CollectionResource,
                        "/pools/{pool_name}": pools.ItemResource})
    return legacy.routes(api, PREFIX, HOME, HEADERS, classes)
