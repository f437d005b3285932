"""Pre-signed URLs: who may call which paths with which methods, until when.

A signature is the lower-case hex HMAC-SHA256, keyed with
``[signed_url] secret_key``, of::

    <paths> \\n <methods> \\n <project> \\n <expires>

with ``paths`` and ``methods`` sorted and joined by ",", each ``\\n``
the two characters backslash and ``n`` (not a newline), ``project`` the
project id as text (``None`` when there is none) and ``expires``
``YYYY-MM-DDTHH:MM:SS`` in UTC. The format is the
wire contract: signatures made by upstream Zaqar verify here and the
reverse. Used by ``POST /v2/queues/{q}/share``, signed requests and
subscription confirmations.
"""

from __future__ import annotations

import datetime
import hashlib
import hmac
import re
import typing

DATE_FORMAT = "%Y-%m-%dT%H:%M:%S"
DEFAULT_LIFETIME = datetime.timedelta(days=1)
_SEPARATOR = "\\n"  # backslash + n, as upstream signs it
_INTEGER = re.compile(r"\s*[+-]?\d+\s*")


class SignedURLError(ValueError):
    """A signed URL cannot be made from these inputs; ``str()`` is the
    text clients see (400 "Invalid API request")."""


def _utcnow() -> datetime.datetime:
    return datetime.datetime.now(datetime.timezone.utc).replace(tzinfo=None)


def parse_expires(value: typing.Any) -> datetime.datetime:
    """An expiry as a naive UTC datetime, whole seconds.

    ISO 8601 date-times are accepted; a ``Z`` or an offset is converted
    to UTC. A bare integer is refused (upstream's rule: it would be read
    as a year).
    """
    if isinstance(value, bool) or isinstance(value, int) or (
            isinstance(value, str) and _INTEGER.fullmatch(value)):
        raise SignedURLError(
            "`expires` should be date format, for example "
            f"2016-01-01T00:00:00, not integer value: {value}")
    try:
        moment = datetime.datetime.fromisoformat(value)
    except (TypeError, ValueError):
        raise SignedURLError(f"Unable to parse date string {value!r}") \
            from None
    if moment.tzinfo is not None:
        moment = moment.astimezone(datetime.timezone.utc).replace(
            tzinfo=None)
    return moment.replace(microsecond=0)


def format_expires(moment: datetime.datetime) -> str:
    return moment.strftime(DATE_FORMAT)


def signature(key: str, paths: typing.Iterable[str],
              methods: typing.Iterable[str], project: str | None,
              expires: str) -> str:
    """The hex HMAC of the signed fields (see the module docstring)."""
    message = _SEPARATOR.join([",".join(sorted(paths)),
                               ",".join(sorted(methods)),
                               str(project), expires])
    return hmac.new(key.encode("utf-8"), message.encode("utf-8"),
                    hashlib.sha256).hexdigest()


def create_signed_url(key: str | None, paths: list[str],
                      project: str | None = None,
                      expires: typing.Any = None,
                      methods: list[str] | None = None,
                      now: datetime.datetime | None = None) -> dict:
    """Sign ``methods`` on ``paths`` for ``project`` until ``expires``.

    ``expires`` is an ISO 8601 string or a datetime (default: one day from
    now); ``methods`` defaults to ``["GET"]``. Returns ``{"paths",
    "methods", "project", "expires", "signature"}`` with sorted lists, the
    document ``POST .../share`` answers. Raises SignedURLError with the
    contract's texts.
    """
    if not key:
        raise SignedURLError("The `key` can't be None")
    if not isinstance(paths, list) or not all(
            isinstance(path, str) for path in paths):
        raise SignedURLError("`paths` should be a list")
    if not paths:
        raise SignedURLError("`paths` can't be empty")
    if methods is None:
        methods = ["GET"]
    if not isinstance(methods, list) or not all(
            isinstance(method, str) for method in methods):
        raise SignedURLError("`methods` should be a list")
    now = now or _utcnow()
    if expires is None:
        moment = now + DEFAULT_LIFETIME
    elif isinstance(expires, datetime.datetime):
        moment = parse_expires(expires.isoformat())
    else:
        moment = parse_expires(expires)
    if moment <= now:
        raise SignedURLError("`expires` is lower than the current time")
    expires_text = format_expires(moment)
    return {"paths": sorted(paths), "methods": sorted(methods),
            "project": project, "expires": expires_text,
            "signature": signature(key, paths, methods, project,
                                   expires_text)}


def _items(value: str | typing.Iterable[str]) -> list[str]:
    if isinstance(value, str):
        return [item for item in value.split(",") if item]
    return [item for item in value if item]


def verify(key: str | None, signature_: str | None, expires: str | None,
           methods: str | typing.Iterable[str] | None,
           paths: str | typing.Iterable[str] | None, project: str | None,
           method: str, path: str,
           now: datetime.datetime | None = None) -> bool:
    """Whether a signed request may proceed.

    ``signature_``, ``expires``, ``methods`` and ``paths`` are the
    ``URL-Signature``, ``URL-Expires``, ``URL-Methods`` and ``URL-Paths``
    values (comma-separated strings or lists), ``project`` the request's
    project, ``method``/``path`` the request's. It may when the method is
    listed, one listed path (a regular expression) is found in ``path``,
    the expiry is a date-time in the future, and the signature matches.
    Never raises for bad input: it is simply not valid.
    """
    if not key or not signature_ or not expires or not methods or not paths:
        return False
    method_list, path_list = _items(methods), _items(paths)
    try:
        moment = parse_expires(expires)
    except SignedURLError:
        return False
    expected = signature(key, path_list, method_list, project,
                         format_expires(moment))
    given = str(signature_).encode("utf-8", "surrogatepass")
    if not hmac.compare_digest(expected.encode("ascii"), given):
        return False
    if method not in method_list:
        return False
    if moment <= (now or _utcnow()):
        return False
    return any(_found(pattern, path) for pattern in path_list)


def _found(pattern: str, path: str) -> bool:
    try:
        return re.search(pattern, path) is not None
    except re.error:
        return False
