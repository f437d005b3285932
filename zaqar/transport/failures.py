"""How both transports log a storage failure before they answer 503."""

from __future__ import annotations

import logging

from zaqar.storage import errors as storage_errors

LOG = logging.getLogger(__name__)


def log_storage_failure(what: str, exc: storage_errors.StorageError) -> None:
    """A pooled server with no pool yet is waiting for its operator, not
    failing: one warning line saying what to do, where a traceback per
    request would bury the log. Anything else keeps its traceback."""
    if isinstance(exc, storage_errors.NoPoolFound):
        LOG.warning("%s: no storage pool is registered yet; an admin adds "
                    "one with PUT /v2/pools/{name}", what)
        return
    LOG.error("%s failed in storage: %s", what, exc, exc_info=exc)
