"""What an operator reads in the log when storage fails."""

from __future__ import annotations

import logging

from zaqar.storage import errors as storage_errors
from zaqar.transport.failures import log_storage_failure


def test_no_pool_yet_is_one_warning_without_traceback(caplog):
    with caplog.at_level(logging.WARNING, logger="zaqar.transport"):
        log_storage_failure("PUT /v2/queues/q", storage_errors.NoPoolFound())
    [record] = caplog.records
    assert record.levelno == logging.WARNING
    assert record.exc_info is None
    assert record.getMessage() == (
        "PUT /v2/queues/q: no storage pool is registered yet; an admin "
        "adds one with PUT /v2/pools/{name}")


def test_other_failures_keep_their_traceback(caplog):
    failure = storage_errors.ConnectionError("redis is down")
    try:
        raise failure
    except storage_errors.StorageError as exc:
        with caplog.at_level(logging.WARNING, logger="zaqar.transport"):
            log_storage_failure("queue_create", exc)
    [record] = caplog.records
    assert record.levelno == logging.ERROR
    assert record.exc_info[1] is failure
    assert record.getMessage() == (
        "queue_create failed in storage: redis is down")
    assert "Traceback" in caplog.text
