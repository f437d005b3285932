"""zaqar-gc: remove expired messages, claims and subscriptions.

Expired data is already invisible to every read; collecting it only
reclaims space. Run it from cron, or keep it running with ``--interval``.

    zaqar-gc [--config-file F] [--interval SECONDS]
"""

from __future__ import annotations

import logging
import sys
import time
import typing

from oslo_config import cfg

from zaqar.common import configs
from zaqar.storage import errors, loader, pooling

LOG = logging.getLogger("zaqar.gc")

CLI_OPTS = [
    cfg.IntOpt("interval", min=1,
               help="Collect every this many seconds until stopped "
                    "(default: once, then exit)."),
]


def _storage(conf: cfg.ConfigOpts) -> tuple[typing.Any, typing.Any]:
    """The data driver (the pooled one, over every pool, with pooling)
    and the control driver it needs, if any."""
    if not conf.pooling:
        return loader.load_data_driver(conf), None
    control = loader.load_control_driver(conf)
    return pooling.DataDriver(conf, control), control


def run(conf: cfg.ConfigOpts) -> int:
    driver, control = _storage(conf)
    try:
        while True:
            started = time.monotonic()
            try:
                driver.gc()
                LOG.info("garbage collected in %.3f s",
                         time.monotonic() - started)
            except errors.StorageError as err:
                if not conf.interval:
                    raise
                LOG.error("garbage collection failed: %s", err)
            if not conf.interval:
                return 0
            time.sleep(max(0.0, conf.interval
                           - (time.monotonic() - started)))
    finally:
        driver.close()
        if control is not None:
            control.close()


def main(argv: list[str] | None = None) -> None:
    conf = configs.parse(sys.argv[1:] if argv is None else argv,
                         cli_opts=CLI_OPTS)
    try:
        code = run(conf)
    except KeyboardInterrupt:
        code = 0
    except (errors.StorageError, ValueError) as err:
        print(f"zaqar-gc: {err}", file=sys.stderr)
        code = 1
    sys.exit(code)


if __name__ == "__main__":
    main()
