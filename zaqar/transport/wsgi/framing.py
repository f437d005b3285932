"""The bare answer to a preflight that failed the header checks.

A preflight (``OPTIONS``) that fails the header checks gets a bare ``200``
carrying only ``Content-Length: 0``: upstream's CORS layer replaces the
error that way, dropping even the content type and the request id, which
falcon always adds. The request checks mark such a request in the WSGI
environment (``BARE_ANSWER``) and this wrapper around the falcon app
writes the answer.
"""

from __future__ import annotations

import typing

BARE_ANSWER = "zaqar.bare_answer"


class Framing:
    """WSGI wrapper around the falcon app."""

    def __init__(self, app: typing.Callable):
        self.app = app

    def __call__(self, environ: dict, start_response: typing.Callable
                 ) -> typing.Iterable[bytes]:
        def start(status: str, headers: list[tuple[str, str]],
                  exc_info: typing.Any = None) -> typing.Any:
            if environ.get(BARE_ANSWER):
                return start_response("200 OK", [("Content-Length", "0")],
                                      exc_info)
            return start_response(status, headers, exc_info)

        body = self.app(environ, start)
        if environ.get(BARE_ANSWER):
            return [b""]
        return body
