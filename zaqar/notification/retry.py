"""When a failed notification delivery is tried again (``_retry_policy``).

A policy comes from the subscription's ``options._retry_policy`` or the
queue's ``_retry_policy`` metadata (the queue's wins when it says
``ignore_subscription_override: true``); keys it lacks take the defaults.
After the first attempt fails, the retries run in four phases:

1. ``retries_with_no_delay`` retries at once;
2. ``minimum_delay_retries`` retries, each ``minimum_delay`` s after the
   previous failure;
3. the backoff phase: ``n = (maximum_delay - minimum_delay) // 5`` retries
   whose delays climb from ``minimum_delay`` towards ``maximum_delay``.
   Retry ``k`` (1..n) waits ``minimum_delay + (maximum_delay -
   minimum_delay) * f(k)`` s, rounded to whole seconds, where ``f`` rises
   from 0 to 1 over ``k = 0..n+1`` and says how the gaps between
   successive delays grow:

   * ``linear``: equal gaps, ``f(k) = k / (n+1)``;
   * ``arithmetic``: gaps growing by equal amounts (1, 2, 3...),
     ``f(k) = k(k+1) / ((n+1)(n+2))``;
   * ``geometric``: each gap twice the previous,
     ``f(k) = (2^k - 1) / (2^(n+1) - 1)``;
   * ``exponential``: each gap e times the previous,
     ``f(k) = (e^k - 1) / (e^(n+1) - 1)``;
4. ``maximum_delay_retries`` retries, each ``maximum_delay`` s after the
   previous failure.

Then the delivery is given up. Delays are whole seconds because queued
messages (which carry the pending deliveries) are delayed by whole seconds.
"""

from __future__ import annotations

import math
import typing

from zaqar.transport import validation

INTERVAL = validation.RETRY_INTERVAL
DEFAULTS: dict[str, typing.Any] = {
    "retries_with_no_delay": 3,
    "minimum_delay_retries": 3,
    "minimum_delay": validation.RETRY_DEFAULT_MIN_DELAY,
    "maximum_delay": validation.RETRY_DEFAULT_MAX_DELAY,
    "maximum_delay_retries": 3,
    "retry_backoff_function": "linear",
}
_COUNTS = ("retries_with_no_delay", "minimum_delay_retries",
           "maximum_delay_retries", "minimum_delay", "maximum_delay")


def _geometric_fraction(k: int, n: int, ratio: float) -> float:
    """(ratio^k - 1) / (ratio^(n+1) - 1), without overflow for large n."""
    top = n + 1
    return (math.exp((k - top) * math.log(ratio))
            * (1 - ratio ** -k) / (1 - ratio ** -top))


BACKOFF_FUNCTIONS: dict[str, typing.Callable[[int, int], float]] = {
    "linear": lambda k, n: k / (n + 1),
    "arithmetic": lambda k, n: k * (k + 1) / ((n + 1) * (n + 2)),
    "geometric": lambda k, n: _geometric_fraction(k, n, 2.0),
    "exponential": lambda k, n: _geometric_fraction(k, n, math.e),
}


def effective(queue_policy: typing.Any,
              subscription_policy: typing.Any) -> dict:
    """The complete policy a delivery follows.

    Values that are not what validation allows (the stored metadata
    predates a rule, say) fall back to the defaults, so a policy never
    stops deliveries from being attempted.
    """
    queue_policy = queue_policy if isinstance(queue_policy, dict) else {}
    chosen = queue_policy
    if isinstance(subscription_policy, dict) and not (
            queue_policy.get("ignore_subscription_override") is True):
        chosen = subscription_policy
    policy = dict(DEFAULTS)
    for key in _COUNTS:
        value = chosen.get(key)
        if isinstance(value, int) and not isinstance(value, bool) \
                and value >= 0:
            policy[key] = value
    function = chosen.get("retry_backoff_function")
    if function in BACKOFF_FUNCTIONS:
        policy["retry_backoff_function"] = function
    if policy["maximum_delay"] < policy["minimum_delay"]:
        policy["minimum_delay"] = DEFAULTS["minimum_delay"]
        policy["maximum_delay"] = DEFAULTS["maximum_delay"]
    return policy


def backoff_steps(policy: dict) -> int:
    return (policy["maximum_delay"] - policy["minimum_delay"]) // INTERVAL


def delay_before(policy: dict, retry: int) -> int | None:
    """Seconds to wait before retry number ``retry`` (1 is the first
    retry, after the first attempt failed); None when the policy has
    given up by then. ``policy`` is a result of ``effective``."""
    if retry < 1:
        raise ValueError("retries are numbered from 1")
    low, high = policy["minimum_delay"], policy["maximum_delay"]
    remaining = retry
    for count, delay in ((policy["retries_with_no_delay"], 0),
                         (policy["minimum_delay_retries"], low)):
        if remaining <= count:
            return delay
        remaining -= count
    steps = backoff_steps(policy)
    if remaining <= steps:
        fraction = BACKOFF_FUNCTIONS[policy["retry_backoff_function"]](
            remaining, steps)
        return low + math.floor((high - low) * fraction + 0.5)
    remaining -= steps
    if remaining <= policy["maximum_delay_retries"]:
        return high
    return None


def schedule(policy: dict) -> list[int]:
    """Every retry delay of the policy, in order (for documentation and
    tests; a huge policy makes a huge list)."""
    delays = []
    retry = 1
    while (delay := delay_before(policy, retry)) is not None:
        delays.append(delay)
        retry += 1
    return delays
