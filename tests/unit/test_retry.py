"""The retry schedule of notification deliveries (``_retry_policy``)."""

import pytest

from zaqar.notification import retry


def policy(**values):
    return retry.effective(None, values)


def test_default_schedule():
    # 3 immediate, 3 at 5 s, backoff 5->30 in (30-5)//5 = 5 linear steps
    # (5 + 25k/6, rounded), 3 at 30 s.
    assert retry.schedule(retry.effective(None, None)) == [
        0, 0, 0, 5, 5, 5, 9, 13, 18, 22, 26, 30, 30, 30]


PHASES = dict(retries_with_no_delay=1, minimum_delay_retries=1,
              minimum_delay=1, maximum_delay=11, maximum_delay_retries=1)


@pytest.mark.parametrize("function, backoff", [
    # n = (11 - 1) // 5 = 2 steps; delay_k = 1 + 10 * f(k)
    ("linear", [4, 8]),        # f = 1/3, 2/3
    ("arithmetic", [3, 6]),    # f = 2/12, 6/12
    ("geometric", [2, 5]),     # f = 1/7, 3/7
    ("exponential", [2, 4]),   # f = (e-1)/(e^3-1), (e^2-1)/(e^3-1)
])
def test_each_backoff_function(function, backoff):
    schedule = retry.schedule(policy(retry_backoff_function=function,
                                     **PHASES))
    assert schedule == [0, 1] + backoff + [11]


@pytest.mark.parametrize("function, backoff", [
    ("linear", [9, 14, 18, 22, 26, 31]),
    ("arithmetic", [6, 8, 11, 16, 21, 28]),
    ("geometric", [5, 6, 7, 9, 12, 20]),
    ("exponential", [5, 5, 6, 6, 9, 16]),
])
def test_backoff_climbs_from_minimum_to_maximum(function, backoff):
    schedule = retry.schedule(policy(
        retries_with_no_delay=0, minimum_delay_retries=0, minimum_delay=5,
        maximum_delay=35, maximum_delay_retries=0,
        retry_backoff_function=function))
    assert schedule == backoff
    assert schedule == sorted(schedule)
    assert all(5 <= delay < 35 for delay in schedule)


def test_gaps_grow_as_named():
    """Unrounded gaps between successive backoff fractions (n = 8)."""
    def gaps(function):
        f = retry.BACKOFF_FUNCTIONS[function]
        points = [f(k, 8) for k in range(0, 10)]
        assert points[0] == 0 and points[-1] == pytest.approx(1)
        return [b - a for a, b in zip(points, points[1:])]
    linear = gaps("linear")
    assert linear == pytest.approx([linear[0]] * 9)
    arithmetic = gaps("arithmetic")
    assert [b - a for a, b in zip(arithmetic, arithmetic[1:])] == \
        pytest.approx([arithmetic[0]] * 8)
    geometric = gaps("geometric")
    assert [b / a for a, b in zip(geometric, geometric[1:])] == \
        pytest.approx([2.0] * 8)
    exponential = gaps("exponential")
    assert [b / a for a, b in zip(exponential, exponential[1:])] == \
        pytest.approx([2.718281828] * 8)


def test_delay_before_numbers_retries_from_one():
    p = policy(**PHASES, retry_backoff_function="linear")
    assert [retry.delay_before(p, n) for n in range(1, 7)] == [
        0, 1, 4, 8, 11, None]
    with pytest.raises(ValueError):
        retry.delay_before(p, 0)


def test_no_retries_at_all():
    assert retry.schedule(policy(
        retries_with_no_delay=0, minimum_delay_retries=0, minimum_delay=0,
        maximum_delay=9, maximum_delay_retries=0)) == [5]
    # ((9 - 0) // 5 = 1 backoff step, at 9 * 1/2 rounded)


def test_huge_policies_are_computed_without_lists():
    p = policy(retries_with_no_delay=0, minimum_delay_retries=0,
               minimum_delay=0, maximum_delay=10 ** 9,
               retry_backoff_function="exponential")
    assert retry.delay_before(p, 1) == 0
    assert retry.delay_before(p, retry.backoff_steps(p)) < 10 ** 9
    assert retry.delay_before(p, retry.backoff_steps(p) + 1) == 10 ** 9
    assert retry.delay_before(p, retry.backoff_steps(p) + 4) is None


def test_subscription_policy_wins_over_the_queue():
    chosen = retry.effective({"minimum_delay": 7, "maximum_delay": 20},
                             {"minimum_delay": 1})
    assert chosen["minimum_delay"] == 1
    assert chosen["maximum_delay"] == 30  # not merged with the queue's


def test_queue_policy_can_forbid_overrides():
    chosen = retry.effective(
        {"minimum_delay": 7, "maximum_delay": 20,
         "ignore_subscription_override": True},
        {"minimum_delay": 1})
    assert (chosen["minimum_delay"], chosen["maximum_delay"]) == (7, 20)


def test_queue_policy_applies_without_subscription_policy():
    assert retry.effective({"retries_with_no_delay": 9}, None)[
        "retries_with_no_delay"] == 9


@pytest.mark.parametrize("bad", [
    {"retries_with_no_delay": "3"},
    {"retries_with_no_delay": -1},
    {"retries_with_no_delay": True},
    {"retry_backoff_function": "cubic"},
    {"minimum_delay": 40},  # above the default maximum
])
def test_invalid_values_fall_back_to_defaults(bad):
    assert retry.effective(None, bad) == retry.DEFAULTS


def test_policy_that_is_not_an_object_is_ignored():
    assert retry.effective("x", ["y"]) == retry.DEFAULTS
