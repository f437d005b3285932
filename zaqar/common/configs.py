"""Every configuration option of Zaqar, declared once.

Option names, groups and defaults follow the upstream service (see
``doc/configuration.rst``) so existing ``zaqar.conf`` files keep working.
Storage drivers declare their own options in their ``options.py`` and list
them here so that ``etc/zaqar.conf.sample`` is generated from one place.
"""

from __future__ import annotations

import importlib
import os

from oslo_config import cfg
from oslo_log import log

from zaqar import version


def _default_state_path() -> str:
    base = os.environ.get("XDG_DATA_HOME") or os.path.join(
        os.path.expanduser("~"), ".local", "share")
    return os.path.join(base, "zaqar")


DEFAULT_OPTS = [
    cfg.BoolOpt("admin_mode", default=False,
                help="Enable the admin-only endpoints: detailed health and, "
                     "with pooling, the pools and flavors API."),
    cfg.BoolOpt("pooling", default=False,
                help="Place queues on several storage pools through the "
                     "catalogue (see the pools and flavors API)."),
    cfg.BoolOpt("unreliable", default=False,
                help="Allow storage deployments that cannot guarantee "
                     "durability (a MongoDB server that is not a replica "
                     "set)."),
    cfg.BoolOpt("enable_checksum", default=False,
                help="Add an MD5 checksum of the body to message "
                     "representations."),
    cfg.StrOpt("auth_strategy", default="",
               help="Backend to use for authentication. For no auth, leave "
                    "it empty; for Keystone, use 'keystone'."),
    cfg.ListOpt("enable_deprecated_api_versions", default=[],
                item_type=cfg.types.String(choices=["1", "1.1"]),
                help="Deprecated API versions to serve besides v2: "
                     "'1', '1.1'."),
    cfg.StrOpt("state_path", default=_default_state_path(),
               sample_default="$XDG_DATA_HOME/zaqar",
               help="Directory for the embedded SQLite database of the "
                    "default storage."),
]

DRIVERS_OPTS = [
    cfg.StrOpt("transport", default="wsgi",
               help="Transport driver to use: 'wsgi' or 'websocket'."),
    cfg.StrOpt("message_store", default="sqlalchemy",
               deprecated_opts=[cfg.DeprecatedOpt("storage")],
               help="Storage driver for the data plane (queues, messages, "
                    "claims, subscriptions)."),
    cfg.StrOpt("management_store", default="sqlalchemy",
               help="Storage driver for the control plane (pools, flavors, "
                    "catalogue)."),
]

WSGI_OPTS = [
    cfg.HostAddressOpt("bind", default="127.0.0.1",
                       help="Address on which the HTTP server listens."),
    cfg.PortOpt("port", default=8888,
                help="Port on which the HTTP server listens."),
    cfg.IntOpt("workers", default=0, min=0,
               help="Number of gunicorn worker processes; 0 means one per "
                    "CPU."),
    cfg.IntOpt("threads", default=4, min=1,
               help="Threads per gunicorn worker."),
    cfg.IntOpt("timeout", default=30, min=1,
               help="Seconds a worker may spend on one request before "
                    "gunicorn restarts it."),
    cfg.IntOpt("keepalive", default=5, min=0,
               help="Seconds to keep an idle HTTP connection open."),
]

WEBSOCKET_OPTS = [
    cfg.HostAddressOpt("bind", default="127.0.0.1",
                       help="Address on which the websocket server listens."),
    cfg.PortOpt("port", default=9000,
                help="Port on which the websocket server listens."),
    cfg.PortOpt("external-port",
                help="Port advertised to clients when it differs from "
                     "'port' (behind a proxy)."),
    cfg.HostAddressOpt("notification-bind",
                       help="Address of the internal listener that receives "
                            "notifications for websocket subscribers; "
                            "defaults to the host name."),
    cfg.PortOpt("notification-port", default=0,
                help="Port of that listener; 0 picks a free one."),
]


def _limit(name: str, default: int, help: str,
           old: str | None = None, **kw) -> cfg.IntOpt:
    deprecated = []
    if old:
        deprecated.append(cfg.DeprecatedOpt(old, group="limits:transport"))
        deprecated.append(cfg.DeprecatedOpt(old, group="transport"))
    deprecated.append(cfg.DeprecatedOpt(name, group="limits:transport"))
    return cfg.IntOpt(name, default=default, help=help,
                      deprecated_opts=deprecated, **kw)


TRANSPORT_OPTS = [
    _limit("default_message_ttl", 3600,
           "TTL (seconds) of a message posted without one."),
    _limit("default_message_delay", 0,
           "Delay (seconds) reported for queues that set none."),
    _limit("default_claim_ttl", 300, "TTL (seconds) of a claim when omitted."),
    _limit("default_claim_grace", 60,
           "Grace (seconds) of a claim when omitted."),
    _limit("default_subscription_ttl", 3600,
           "TTL (seconds) of a subscription when omitted."),
    _limit("max_queues_per_page", 20,
           "Maximum 'limit' when listing queues and topics.",
           old="queue_paging_uplimit", min=1),
    _limit("max_messages_per_page", 20,
           "Maximum 'limit' when listing messages, and maximum number of "
           "ids in one request.", old="message_paging_uplimit", min=1),
    _limit("max_subscriptions_per_page", 20,
           "Maximum 'limit' when listing subscriptions.",
           old="subscription_paging_uplimit", min=1),
    _limit("max_messages_per_claim_or_pop", 20,
           "Maximum number of messages claimed or popped at once.",
           old="max_messages_per_claim", min=1),
    _limit("max_queue_metadata", 65536,
           "Maximum size (bytes) of a queue metadata document.",
           old="metadata_size_uplimit", min=1),
    _limit("max_messages_post_size", 262144,
           "Maximum size (bytes) of a message post body.",
           old="message_size_uplimit", min=1),
    _limit("max_message_ttl", 1209600, "Maximum message TTL (seconds).",
           old="message_ttl_max", min=60),
    _limit("max_message_delay", 900, "Maximum message delay (seconds).",
           min=0),
    _limit("max_claim_ttl", 43200, "Maximum claim TTL (seconds).",
           old="claim_ttl_max", min=60),
    _limit("max_claim_grace", 43200, "Maximum claim grace (seconds).",
           old="claim_grace_max", min=60),
    _limit("max_flavors_per_page", 20,
           "Maximum 'limit' when listing flavors.", min=1),
    _limit("max_pools_per_page", 20, "Maximum 'limit' when listing pools.",
           min=1),
    cfg.ListOpt("subscriber_types",
                default=["http", "https", "mailto", "trust+http",
                         "trust+https"],
                help="URI schemes a subscription's subscriber may use."),
    cfg.StrOpt("client_id_uuid_safe", default="strict",
               choices=["strict", "off"],
               help="'strict': the Client-ID header must be a UUID; 'off': "
                    "any string within the configured lengths."),
    cfg.IntOpt("min_length_client_id", default=10,
               help="Shortest Client-ID accepted when client_id_uuid_safe "
                    "is 'off'."),
    cfg.IntOpt("max_length_client_id", default=36,
               help="Longest Client-ID accepted when client_id_uuid_safe "
                    "is 'off'."),
    cfg.BoolOpt("message_delete_with_claim_id", default=False,
                help="Require claim_ids alongside ids when deleting "
                     "messages in bulk."),
    cfg.StrOpt("message_encryption_algorithms", default="AES256",
               choices=["AES256", "RSA"],
               help="Algorithm for queues with _enable_encrypt_messages."),
    cfg.StrOpt("message_encryption_key", default="AES256", secret=True,
               help="Key for message encryption."),
]

STORAGE_OPTS = [
    cfg.ListOpt("queue_pipeline", default=[],
                help="Stages wrapped around the queue controller, by import "
                     "path."),
    cfg.ListOpt("message_pipeline", default=[],
                help="Stages wrapped around the message controller, e.g. "
                     "zaqar.notification.notifier."),
    cfg.ListOpt("claim_pipeline", default=[],
                help="Stages wrapped around the claim controller."),
    cfg.ListOpt("subscription_pipeline", default=[],
                help="Stages wrapped around the subscription controller."),
    cfg.ListOpt("topic_pipeline", default=[],
                help="Stages wrapped around the topic controller."),
]

SIGNED_URL_OPTS = [
    cfg.StrOpt("secret_key", secret=True,
               help="Secret used to sign pre-signed URLs and subscription "
                    "confirmations."),
]

POOLING_CATALOG_OPTS = [
    cfg.BoolOpt("enable_virtual_pool", default=False,
                help="Treat the data store configured in [drivers] as one "
                     "more pool."),
]

_SQL_HELP = ("SQLAlchemy URL of the database, e.g. "
             "postgresql+psycopg2://user@host/zaqar or "
             "mysql+pymysql://root@127.0.0.1/zaqar. The default is an "
             "embedded SQLite file under state_path.")


def _sql_opts() -> list[cfg.Opt]:
    return [
        cfg.StrOpt("uri", default="sqlite:///$state_path/zaqar.sqlite",
                   secret=True, help=_SQL_HELP),
        cfg.IntOpt("pool_size", default=10, min=1,
                   help="Connections kept open per process (server "
                        "databases only)."),
        cfg.IntOpt("busy_timeout", default=30, min=1,
                   help="Seconds a SQLite writer waits for the lock."),
        cfg.StrOpt("sqlite_synchronous", default="FULL",
                   choices=[("FULL", "sync the log at every commit"),
                            ("NORMAL", "sync the log at checkpoints")],
                   help="SQLite only (WAL mode): FULL syncs the log to disk "
                        "at every commit; NORMAL only at checkpoints, which "
                        "is faster and survives a crash of the process but "
                        "may lose the last commits on a power loss or an "
                        "operating system crash. See "
                        "doc/storage-sqlalchemy.rst."),
        cfg.BoolOpt("auto_migrate", default=True,
                    help="Bring the schema to the newest revision when the "
                         "driver starts (else run 'zaqar-sql-db-manage "
                         "upgrade head')."),
    ]


SQL_MESSAGE_STORE_GROUP = "drivers:message_store:sqlalchemy"
SQL_MANAGEMENT_STORE_GROUP = "drivers:management_store:sqlalchemy"

_GROUPS: list[tuple[str | None, list[cfg.Opt]]] = [
    (None, DEFAULT_OPTS),
    ("drivers", DRIVERS_OPTS),
    ("drivers:transport:wsgi", WSGI_OPTS),
    ("drivers:transport:websocket", WEBSOCKET_OPTS),
    ("transport", TRANSPORT_OPTS),
    ("storage", STORAGE_OPTS),
    ("signed_url", SIGNED_URL_OPTS),
    ("pooling:catalog", POOLING_CATALOG_OPTS),
    (SQL_MESSAGE_STORE_GROUP, _sql_opts()),
    (SQL_MANAGEMENT_STORE_GROUP, _sql_opts()),
]

# Subsystems that declare their options next to their code. Each module
# has a ``GROUPS`` list of (group, options) and imports only oslo.config.
_OPTION_MODULES: tuple[str, ...] = (
    "zaqar.storage.mongodb.options",
    "zaqar.storage.redis.options",
    "zaqar.notification.options",
)


def all_groups() -> list[tuple[str | None, list[cfg.Opt]]]:
    groups = list(_GROUPS)
    for name in _OPTION_MODULES:
        groups.extend(importlib.import_module(name).GROUPS)
    return groups


def register(conf: cfg.ConfigOpts) -> cfg.ConfigOpts:
    """Register every option on ``conf`` (idempotent)."""
    for group, opts in all_groups():
        conf.register_opts(opts, group=group)
    return conf


def list_opts() -> list[tuple[str | None, list[cfg.Opt]]]:
    """Entry point for oslo-config-generator (``oslo.config.opts``)."""
    return [(group or "DEFAULT", list(opts)) for group, opts in all_groups()]


def parse(args: list[str] | None = None,
          default_config_files: list[str] | None = None,
          cli_opts: list[cfg.Opt] | None = None) -> cfg.ConfigOpts:
    """A registered, parsed configuration with oslo.log set up.

    ``default_config_files`` None means oslo.config's search
    (``~/.zaqar/``, ``/etc/zaqar/zaqar.conf``...); ``cli_opts`` are a
    command's own arguments.
    """
    conf = register(cfg.ConfigOpts())
    if cli_opts:
        conf.register_cli_opts(cli_opts)
    log.register_options(conf)
    conf(args if args is not None else [], project="zaqar",
         version=version.__version__,
         default_config_files=default_config_files)
    log.setup(conf, "zaqar")
    return conf
