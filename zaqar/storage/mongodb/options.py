"""Options of the MongoDB driver, one group per store.

Only oslo.config is imported here: ``zaqar.common.configs`` loads this
module to register the options and to generate the sample file.
"""

from __future__ import annotations

from oslo_config import cfg

MESSAGE_STORE_GROUP = "drivers:message_store:mongodb"
MANAGEMENT_STORE_GROUP = "drivers:management_store:mongodb"


def _opts() -> list[cfg.Opt]:
    return [
        cfg.StrOpt("uri", secret=True,
                   help="MongoDB connection string, e.g. "
                        "mongodb://db1,db2,db3/?replicaSet=rs0. TLS, "
                        "credentials, read preference and write concern "
                        "are set here with MongoDB's URI options (tls=true, "
                        "tlsCAFile=..., w=...). The server must be a "
                        "replica set member or a mongos unless "
                        "[DEFAULT] unreliable is True."),
        cfg.StrOpt("database", default="zaqar",
                   help="Database that holds Zaqar's collections."),
        cfg.IntOpt("max_reconnect_attempts", default=10, min=0,
                   help="How many times an operation is retried after "
                        "the connection dropped (e.g. during a primary "
                        "election) before it fails."),
        cfg.FloatOpt("max_retry_sleep", default=1.0, min=0,
                     help="Longest pause (seconds) between two such "
                          "retries; pauses double from 10 ms up to it."),
        cfg.FloatOpt("max_retry_jitter", default=0.05, min=0,
                     help="Random extra pause (seconds, up to this) added "
                          "to each retry so that clients spread out."),
    ]


GROUPS: list[tuple[str, list[cfg.Opt]]] = [
    (MESSAGE_STORE_GROUP, _opts()),
    (MANAGEMENT_STORE_GROUP, _opts()),
]
