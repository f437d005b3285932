"""The v2 API: its routes."""

from __future__ import annotations

import typing

from zaqar.transport.wsgi.v2_0 import claims, flavors, home, messages, ping
from zaqar.transport.wsgi.v2_0 import pools, queues
from zaqar.transport.wsgi.v2_0 import share, subscriptions, topics


def routes(api: typing.Any) -> list[tuple[str, typing.Any]]:
    q = "/v2/queues/{queue_name}"
    table = [
        ("/v2/", home.HomeResource(api)),
        ("/v2/ping", ping.PingResource(api)),
        ("/v2/queues", queues.CollectionResource(api)),
        (q, queues.ItemResource(api)),
        (q + "/stats", queues.StatsResource(api)),
        (q + "/purge", queues.PurgeResource(api)),
        (q + "/share", share.ShareResource(api)),
        (q + "/messages", messages.CollectionResource(api)),
        (q + "/messages/{message_id}", messages.ItemResource(api)),
        (q + "/claims", claims.CollectionResource(api)),
        (q + "/claims/{claim_id}", claims.ItemResource(api)),
        (q + "/subscriptions", subscriptions.CollectionResource(api)),
        (q + "/subscriptions/{subscription_id}",
         subscriptions.ItemResource(api)),
        (q + "/subscriptions/{subscription_id}/confirm",
         subscriptions.ConfirmResource(api)),
    ]
    table.extend(topics.routes(api))
    if api.conf.admin_mode:
        table.append(("/v2/health", ping.HealthResource(api)))
        if api.conf.pooling:
            table.extend(pools.routes(api) + flavors.routes(api))
    return table
