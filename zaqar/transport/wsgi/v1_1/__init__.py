"""The v1.1 API (deprecated; served with ``enable_deprecated_api_versions``
listing "1.1"): v2 without subscriptions, share, purge, topics and queue
PATCH; the differences it does have are in ``legacy`` and ``flavors``."""

from __future__ import annotations

import pathlib
import typing

from zaqar.transport.wsgi import legacy, middleware
from zaqar.transport.wsgi.v1_1 import flavors
from zaqar.transport.wsgi.v2_0 import ping

PREFIX = "/v1.1"
HEADERS = middleware.HeaderRules(client_id_label="Client-ID",
                                 tenant_headers=False)
HOME = pathlib.Path(__file__).with_name("home.json")


class PoolItem(legacy.PoolItem):
    patch_hint = "One of `uri`, `weight`,or `options` needs to be specified"


def routes(api: typing.Any) -> legacy.Table:
    classes: dict[str, type] = {"/ping": ping.PingResource}
    if api.conf.admin_mode:
        classes["/health"] = ping.HealthResource
        if api.conf.pooling:
            classes.update({"/pools": legacy.PoolCollection,
                            "/pools/{pool_name}": PoolItem,
                            "/flavors": flavors.CollectionResource,
                            "/flavors/{flavor_name}": flavors.ItemResource})
    return legacy.routes(api, PREFIX, HOME, HEADERS, classes)
