"""Options of the Redis driver, one group per store.

Only oslo.config is imported here: ``zaqar.common.configs`` loads this
module to register the options and to generate the sample file.
"""

from __future__ import annotations

from oslo_config import cfg

MESSAGE_STORE_GROUP = "drivers:message_store:redis"
MANAGEMENT_STORE_GROUP = "drivers:management_store:redis"

_URI_HELP = (
    "Redis connection URI. Forms: redis://[user:password@]host:port[/db] "
    "(the database may also be given as ?dbid=N), rediss://... for TLS, "
    "unix:///path/to/redis.sock[?db=N], and Redis Sentinel "
    "redis+sentinel://host1:port1,host2:port2[/db]?master=NAME (also "
    "redis://host1:port1,host2:port2?master=NAME). socket_timeout and "
    "socket_connect_timeout may be given as query parameters too.")


def _opts() -> list[cfg.Opt]:
    return [
        cfg.StrOpt("uri", default="redis://127.0.0.1:6379", secret=True,
                   help=_URI_HELP),
        cfg.IntOpt("max_reconnect_attempts", default=10, min=0,
                   help="How many times an operation is retried after the "
                        "connection to Redis failed (e.g. during a Sentinel "
                        "failover) before it fails."),
        cfg.FloatOpt("reconnect_sleep", default=1.0, min=0,
                     help="Seconds to wait between two such retries."),
        cfg.FloatOpt("socket_timeout", default=5.0, min=0.001,
                     help="Seconds to wait for an answer from Redis."),
        cfg.FloatOpt("socket_connect_timeout", default=2.0, min=0.001,
                     help="Seconds to wait for a new connection to Redis."),
        cfg.IntOpt("key_expiry_margin", default=60, min=0,
                   help="Seconds added to the Redis expiry of message and "
                        "subscription keys beyond their last TTL, to "
                        "absorb clock differences between API nodes. "
                        "Expired data is invisible at once regardless; "
                        "this only delays when Redis frees the memory."),
    ]


GROUPS: list[tuple[str, list[cfg.Opt]]] = [
    (MESSAGE_STORE_GROUP, _opts()),
    (MANAGEMENT_STORE_GROUP, _opts()),
]
