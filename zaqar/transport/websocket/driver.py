"""``zaqar.transport`` plugin ``websocket``: the asyncio server.

One process serves the websocket port and the internal notification
listener on one event loop, with a small thread pool for storage.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import logging
import signal
import typing

from websockets.asyncio.server import serve

from zaqar.transport.websocket import notifications
from zaqar.transport.websocket.dispatch import Dispatcher
from zaqar.transport.websocket.server import ConnectionHandler

LOG = logging.getLogger(__name__)

# Storage calls in flight at once; other frames wait for a free thread.
STORAGE_THREADS = 8
# Room for the envelope (action, headers, echo) around the largest body.
FRAME_OVERHEAD = 65536
# Frames up to this multiple of the frame limit are read and refused
# with an error frame; beyond it the library closes the connection with
# 1009 (message too big) without buffering the frame.
READ_LIMIT_FACTOR = 4
# Frames buffered per connection before the server stops reading it.
MAX_QUEUED_FRAMES = 8


def frame_limit(conf: typing.Any) -> int:
    """Largest frame served: the largest body a request may carry
    (a message post or a queue's metadata) plus the envelope."""
    transport = conf.transport
    return max(transport.max_messages_post_size,
               transport.max_queue_metadata) + FRAME_OVERHEAD


class Driver:
    def __init__(self, conf: typing.Any, bootstrap: typing.Any):
        self._conf = conf
        self._bootstrap = bootstrap
        self._options = conf["drivers:transport:websocket"]

    def listen(self) -> None:
        """Serve until SIGTERM or SIGINT."""
        # Open the storage before accepting anything: a broken store is a
        # failed start, not a stream of errors.
        dispatcher = Dispatcher(self._bootstrap.api, frame_limit(self._conf))
        asyncio.run(self._serve(dispatcher))

    async def _serve(self, dispatcher: Dispatcher) -> None:
        loop = asyncio.get_running_loop()
        stopping = asyncio.Event()
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, stopping.set)
        options = self._options
        limit = dispatcher.frame_limit
        executor = concurrent.futures.ThreadPoolExecutor(
            STORAGE_THREADS, thread_name_prefix="zaqar-websocket")
        handler = ConnectionHandler(dispatcher, executor)
        listener = notifications.Listener(handler.push, limit)
        try:
            port = await listener.start(options.notification_bind,
                                        options.notification_port)
            host = notifications.advertised_host(options.notification_bind)
            handler.listener_url = f"http://{host}:{port}"
            async with serve(handler.serve, options.bind, options.port,
                             compression=None,
                             max_size=limit * READ_LIMIT_FACTOR,
                             max_queue=MAX_QUEUED_FRAMES):
                LOG.info("Serving websockets on %s:%s, notifications on "
                         "http://%s:%s", options.bind, options.port, host,
                         port)
                await stopping.wait()
                LOG.info("Stopping: closing connections")
            # Leaving the block closed every connection and waited for
            # their handlers, which dropped their own subscriptions.
        finally:
            await listener.stop()
            executor.shutdown(wait=True)
