"""Limits and well-formedness rules, shared by every API version and both
transports.

Each check raises ``ValidationFailed`` (or ``InvalidBody`` for type errors
in bodies) with the exact text clients see; the texts are part of the wire
contract, typos included.
"""

from __future__ import annotations

import re
import typing

from zaqar.common import errors

QUEUE_NAME_RE = re.compile(r"^[a-zA-Z0-9_\-.]+$")
QUEUE_NAME_MAX = 64
PROJECT_ID_MAX = 256
MIN_MESSAGE_TTL = 60
MIN_CLAIM_TTL = 60
MIN_CLAIM_GRACE = 60
MIN_SUBSCRIPTION_TTL = 60
INT64_MIN, INT64_MAX = -(2 ** 63), 2 ** 63 - 1

RETRY_BACKOFF_FUNCTIONS = ("linear", "arithmetic", "exponential",
                           "geometric")
RETRY_INT_KEYS = ("retries_with_no_delay", "minimum_delay_retries",
                  "minimum_delay", "maximum_delay", "maximum_delay_retries")
RETRY_DEFAULT_MIN_DELAY = 5
RETRY_DEFAULT_MAX_DELAY = 30
RETRY_INTERVAL = 5


def is_int(value: typing.Any) -> bool:
    """JSON integers, with ``true``/``false`` counting as 1/0 (as upstream)."""
    return isinstance(value, int)


def int_field(document: dict, field: str) -> None:
    """A body field that must be an integer when present."""
    if field in document and not is_int(document[field]):
        raise errors.InvalidBody(
            f'The value of the "{field}" field must be a int.')


class Validator:
    """Checks bound to the configured ``[transport]`` limits."""

    def __init__(self, conf: typing.Any):
        self._limits = conf.transport
        self._pooling = conf.pooling

    @property
    def limits(self) -> typing.Any:
        return self._limits

    # -- identities -------------------------------------------------------

    def queue_identification(self, name: str, project: str | None,
                             kind: str = "Queue") -> None:
        """``kind`` is "Queue" or "Topic" (their texts differ only so)."""
        if project is not None and len(project) > PROJECT_ID_MAX:
            raise errors.ValidationFailed(
                f"Project ids may not be more than {PROJECT_ID_MAX} "
                "characters long.")
        if len(name) > QUEUE_NAME_MAX:
            raise errors.ValidationFailed(
                f"{kind} names may not be more than {QUEUE_NAME_MAX} "
                "characters long.")
        if not QUEUE_NAME_RE.match(name):
            raise errors.ValidationFailed(
                f"{kind} names may only contain ASCII letters, digits, "
                "underscores, and dashes.")

    # -- paging -----------------------------------------------------------

    def queue_listing(self, limit: int | None) -> None:
        self._limit(limit, self._limits.max_queues_per_page, "no greater than")

    def message_listing(self, limit: int | None) -> None:
        self._limit(limit, self._limits.max_messages_per_page)

    def subscription_listing(self, limit: int | None) -> None:
        self._limit(limit, self._limits.max_subscriptions_per_page)

    def pool_listing(self, limit: int | None) -> None:
        self._limit(limit, self._limits.max_pools_per_page, "no greater than")

    def flavor_listing(self, limit: int | None) -> None:
        self._limit(limit, self._limits.max_flavors_per_page,
                    "no greater than")

    def message_ids(self, ids: list[str]) -> None:
        """GET by ids."""
        self._limit(len(ids), self._limits.max_messages_per_page)

    @staticmethod
    def _limit(limit: int | None, maximum: int,
               phrase: str = "may not be greater than") -> None:
        if limit is not None and not 1 <= limit <= maximum:
            raise errors.ValidationFailed(
                f"Limit must be at least 1 and {phrase} {maximum}.")

    # -- queues -----------------------------------------------------------

    def queue_metadata_length(self, length: int | None) -> None:
        maximum = self._limits.max_queue_metadata
        if length is not None and length > maximum:
            raise errors.ValidationFailed(
                f"Queue metadata is too large. Max size: {maximum}")

    def queue_metadata(self, metadata: dict,
                       error: type[errors.APIError] = errors.ValidationFailed
                       ) -> None:
        """Reserved attributes, in the order upstream checks them."""
        lim = self._limits
        try:
            self._int_attr(metadata, "_max_messages_post_size", 1,
                           lim.max_messages_post_size,
                           "_max_messages_post_size can not exceed "
                           f"{lim.max_messages_post_size},  and must be at "
                           "least greater than 0.")
            self._int_attr(metadata, "_default_message_ttl", MIN_MESSAGE_TTL,
                           lim.max_message_ttl,
                           "_default_message_ttl can not exceed "
                           f"{lim.max_message_ttl} seconds, and must be at "
                           f"least {MIN_MESSAGE_TTL} seconds long.")
            self._int_attr(metadata, "_default_message_delay", 0,
                           lim.max_message_delay,
                           "The TTL can not exceed "
                           f"{lim.max_message_delay} seconds, and must be at "
                           "least 0 seconds long.")
            self._int_attr(metadata, "_dead_letter_queue_messages_ttl",
                           MIN_MESSAGE_TTL, lim.max_message_ttl,
                           "The TTL for a message may not exceed "
                           f"{lim.max_message_ttl} seconds, and must be at "
                           f"least {MIN_MESSAGE_TTL} seconds long.")
            count = metadata.get("_max_claim_count")
            if count and not is_int(count):
                raise errors.ValidationFailed(
                    "_max_claim_count must be integer.")
            encrypt = metadata.get("_enable_encrypt_messages")
            if encrypt and not isinstance(encrypt, bool):
                raise errors.ValidationFailed(
                    "_enable_encrypt_messages must be boolean.")
            if "_retry_policy" in metadata:
                self.retry_policy(metadata["_retry_policy"])
        except errors.ValidationFailed as exc:
            if error is errors.ValidationFailed:
                raise
            raise error(exc.description) from None

    @staticmethod
    def _int_attr(metadata: dict, key: str, low: int, high: int,
                  range_text: str) -> None:
        value = metadata.get(key)
        if value and not is_int(value):
            raise errors.ValidationFailed(f"{key} must be integer.")
        if value is not None and not (is_int(value) and low <= value <= high):
            raise errors.ValidationFailed(range_text)

    @staticmethod
    def retry_policy(policy: typing.Any) -> None:
        if not isinstance(policy, dict):
            raise errors.ValidationFailed("retry_policy must be a dict.")
        for key in RETRY_INT_KEYS:
            if key in policy and not is_int(policy[key]):
                raise errors.ValidationFailed(
                    f"Retry policy: {key} must be a integer.")
        if "retry_backoff_function" in policy:
            func = policy["retry_backoff_function"]
            if not isinstance(func, str):
                raise errors.ValidationFailed(
                    "retry_backoff_function must be a string.")
            if func not in RETRY_BACKOFF_FUNCTIONS:
                raise errors.ValidationFailed(
                    "invalid retry_backoff_function.")
        if "ignore_subscription_override" in policy and not isinstance(
                policy["ignore_subscription_override"], bool):
            raise errors.ValidationFailed(
                "ignore_subscription_override must be a boolean.")
        low = policy.get("minimum_delay", RETRY_DEFAULT_MIN_DELAY)
        high = policy.get("maximum_delay", RETRY_DEFAULT_MAX_DELAY)
        if high < low:
            raise errors.ValidationFailed(
                "minimum_delay must less than maximum_delay.")
        if high - low < 2 * RETRY_INTERVAL:
            raise errors.ValidationFailed(
                "invalid minimum_delay and maximum_delay.")

    # -- messages ---------------------------------------------------------

    def message_post_limit(self, queue_max: typing.Any = None) -> int:
        """Largest message POST body for a queue whose
        ``_max_messages_post_size`` is ``queue_max``."""
        config_max = self._limits.max_messages_post_size
        if queue_max and is_int(queue_max) and queue_max < config_max:
            return queue_max
        return config_max

    def message_post_size(self, length: int | None,
                          queue_max: typing.Any = None) -> None:
        """``queue_max`` is the queue's ``_max_messages_post_size``."""
        config_max = self._limits.max_messages_post_size
        if queue_max and is_int(queue_max) and queue_max < config_max:
            if length is not None and length > queue_max:
                raise errors.ValidationFailed(
                    "Message collection size is too large. The max size for "
                    f"current queue is {queue_max}. It is calculated by max "
                    "size = min(max_messages_post_size_config: "
                    f"{config_max}, max_messages_post_size_queue: "
                    f"{queue_max}).")
        elif length is not None and length > config_max:
            raise errors.ValidationFailed(
                f"Message collection size is too large. Max size {config_max}")

    def message_ttl(self, ttl: int) -> None:
        maximum = self._limits.max_message_ttl
        if not MIN_MESSAGE_TTL <= ttl <= maximum:
            raise errors.ValidationFailed(
                f"The TTL for a message may not exceed {maximum} seconds, "
                f"and must be at least {MIN_MESSAGE_TTL} seconds long.")

    def message_delay(self, delay: int) -> None:
        maximum = self._limits.max_message_delay
        if not 0 <= delay <= maximum:
            raise errors.ValidationFailed(
                f"The Delay TTL for a message may not exceed {maximum} "
                "seconds,and must be at least 0 seconds long.")

    def message_deletion(self, ids: list[str] | None, pop: int | None,
                         claim_ids: list[str] | None) -> None:
        if ids is None and pop is None:
            raise errors.ValidationFailed(
                'The request should have either "ids" or "pop" parameter in '
                "the request, to be able to delete.")
        if ids is not None and pop is not None:
            raise errors.ValidationFailed(
                "pop and id params cannot be present together in the delete "
                "request.")
        # Before the ranges, as upstream: ids without claim ids, or claim
        # ids without ids (with pop, say).
        if self._limits.message_delete_with_claim_id and (
                (ids and claim_ids is None) or (ids is None and claim_ids)):
            raise errors.ValidationFailed(
                'The request should have both "ids" and "claim_ids" parameter '
                "in the request when message_delete_with_claim_id is True.")
        if pop is not None:
            maximum = self._limits.max_messages_per_claim_or_pop
            if not 1 <= pop <= maximum:
                raise errors.ValidationFailed(
                    "Pop value must be at least 1 and may not be greater "
                    f"than {maximum}.")
            return
        maximum = self._limits.max_messages_per_page
        if not 1 <= len(ids) <= maximum:
            raise errors.ValidationFailed(
                "ids parameter should have at least 1 and not greater than "
                f"{maximum} values.")

    def claim_ids_without_ids(self) -> None:
        """``claim_ids`` sent alone under message_delete_with_claim_id."""
        raise errors.ValidationFailed(
            'The request should have both "ids" and "claim_ids" parameter '
            "in the request when message_delete_with_claim_id is True.")

    # -- claims -----------------------------------------------------------

    def claim_limit(self, limit: int | None) -> None:
        self._limit(limit, self._limits.max_messages_per_claim_or_pop)

    def claim_ttl(self, ttl: int) -> None:
        maximum = self._limits.max_claim_ttl
        if not MIN_CLAIM_TTL <= ttl <= maximum:
            raise errors.ValidationFailed(
                f"The TTL for a claim may not exceed {maximum} seconds, and "
                f"must be at least {MIN_CLAIM_TTL} seconds long.")

    def claim_grace(self, grace: int) -> None:
        maximum = self._limits.max_claim_grace
        if not MIN_CLAIM_GRACE <= grace <= maximum:
            raise errors.ValidationFailed(
                f"The grace for a claim may not exceed {maximum} seconds, "
                f"and must be at least {MIN_CLAIM_GRACE} seconds long.")

    # -- subscriptions ----------------------------------------------------

    def subscriber(self, subscriber: typing.Any) -> None:
        types = list(self._limits.subscriber_types)
        scheme = subscriber.split(":", 1)[0] if isinstance(
            subscriber, str) and ":" in subscriber else None
        if scheme not in types:
            raise errors.ValidationFailed(
                "The subscriber type of subscription must be supported in "
                f"the list {types}.")

    @staticmethod
    def subscription_options(options: typing.Any) -> None:
        if not isinstance(options, dict):
            raise errors.ValidationFailed("Options must be a dict.")
        if "_retry_policy" in options:
            Validator.retry_policy(options["_retry_policy"])

    @staticmethod
    def subscription_ttl(ttl: typing.Any, now: float) -> None:
        if not is_int(ttl):
            raise errors.ValidationFailed("TTL must be an integer.")
        if ttl < MIN_SUBSCRIPTION_TTL:
            raise errors.ValidationFailed(
                "The TTL for a subscription must be at least "
                f"{MIN_SUBSCRIPTION_TTL} seconds long.")
        # 253402300799 is 9999-12-31T23:59:59Z, the largest datetime.
        if now + ttl > 253402300799:
            raise errors.ValidationFailed(
                "The TTL seconds for a subscription plus current time must "
                "be less than 9999-12-31 23:59:59.999999.")
