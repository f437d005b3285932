"""WSGI entry point for running Zaqar under any WSGI server:

    gunicorn 'zaqar.transport.wsgi.app:app'

The configuration file comes from ``ZAQAR_CONFIG_FILE`` when set, else
from oslo.config's default search (``/etc/zaqar/zaqar.conf``...).
"""

from __future__ import annotations

import os

from zaqar import bootstrap
from zaqar.common import configs
from zaqar.transport.wsgi import driver

_config_file = os.environ.get("ZAQAR_CONFIG_FILE")
conf = configs.parse([], [_config_file] if _config_file else None)
app = driver.make_app(bootstrap.Bootstrap(conf))
