"""zaqar-bench's counting and latency aggregation across processes."""

import pickle
import random

import pytest

from zaqar.bench import stats


def _filled(latencies, messages=1):
    op = stats.OpStats()
    for latency in latencies:
        op.success(latency, messages)
    return op


class TestPercentile:
    def test_nearest_rank_of_one_to_hundred(self):
        values = list(range(1, 101))
        assert stats.percentile(values, 50) == 50
        assert stats.percentile(values, 90) == 90
        assert stats.percentile(values, 99) == 99
        assert stats.percentile(values, 100) == 100

    def test_rank_rounds_up_and_is_always_a_sample(self):
        values = [10, 20, 30, 40]
        assert stats.percentile(values, 50) == 20
        assert stats.percentile(values, 51) == 30
        assert stats.percentile(values, 99) == 40
        assert stats.percentile(values, 1) == 10

    def test_single_sample(self):
        assert stats.percentile([7.5], 50) == 7.5
        assert stats.percentile([7.5], 99) == 7.5

    def test_empty_gives_none(self):
        assert stats.percentile([], 99) is None

    @pytest.mark.parametrize("pct", [0, -1, 100.5, 1000])
    def test_out_of_range_is_refused(self, pct):
        with pytest.raises(ValueError, match="percentile"):
            stats.percentile([1, 2, 3], pct)


class TestOpStats:
    def test_counts_successes_and_failures(self):
        op = stats.OpStats()
        op.success(0.002, 10)
        op.success(0.004, 10)
        op.failure("HTTP 503 boom")
        op.failure("HTTP 503 boom")
        op.failure("timed out")
        assert op.requests == 5
        assert op.errors == 3
        assert op.messages == 20
        assert list(op.latencies) == [0.002, 0.004]
        assert op.error_kinds == {"HTTP 503 boom": 2, "timed out": 1}

    def test_error_kinds_are_bounded_but_errors_all_counted(self):
        op = stats.OpStats()
        for index in range(stats.MAX_ERROR_KINDS + 5):
            op.failure(f"reason {index}")
        op.failure("reason 0")
        assert op.errors == stats.MAX_ERROR_KINDS + 6
        assert len(op.error_kinds) == stats.MAX_ERROR_KINDS
        assert op.error_kinds["reason 0"] == 2

    def test_summary_rates_and_percentiles_in_ms(self):
        op = _filled([i / 1000 for i in range(1, 101)], messages=10)
        op.failure("HTTP 500")
        summary = op.summary(duration=2.0)
        assert summary["requests"] == 101
        assert summary["errors"] == 1
        assert summary["messages"] == 1000
        assert summary["requests_per_second"] == 50.5
        assert summary["messages_per_second"] == 500.0
        assert summary["latency_ms"] == {"p50": 50.0, "p90": 90.0,
                                         "p99": 99.0, "max": 100.0}
        assert summary["error_kinds"] == {"HTTP 500": 1}

    def test_summary_without_successes_has_no_latencies(self):
        op = stats.OpStats()
        op.failure("refused")
        latency = op.summary(1.0)["latency_ms"]
        assert latency == {"p50": None, "p90": None, "p99": None,
                           "max": None}

    @pytest.mark.parametrize("duration", [0, -1.0])
    def test_summary_needs_a_positive_duration(self, duration):
        with pytest.raises(ValueError, match="duration"):
            stats.OpStats().summary(duration)

    def test_survives_pickling_between_processes(self):
        op = _filled([0.001, 0.003], messages=5)
        op.failure("x")
        copy = pickle.loads(pickle.dumps(op))
        assert (copy.requests, copy.errors, copy.messages) == (3, 1, 10)
        assert list(copy.latencies) == [0.001, 0.003]
        assert copy.error_kinds == {"x": 1}


class TestMerge:
    def test_merged_percentiles_are_those_of_all_samples(self):
        # A fast process and a slow one: averaging their p99s would give
        # a wrong answer; merging the samples gives the exact one.
        rng = random.Random(4)
        fast = [rng.uniform(0.001, 0.002) for _ in range(900)]
        slow = [rng.uniform(0.050, 0.100) for _ in range(100)]
        merged = stats.merge_all([{"post": _filled(fast)},
                                  {"post": _filled(slow)}])["post"]
        every = sorted(fast + slow)
        summary = merged.summary(1.0)
        assert summary["latency_ms"]["p50"] == round(
            stats.percentile(every, 50) * 1000, 3)
        assert summary["latency_ms"]["p90"] == round(every[899] * 1000, 3)
        assert summary["latency_ms"]["p99"] == round(every[989] * 1000, 3)
        assert summary["latency_ms"]["max"] == round(max(slow) * 1000, 3)
        assert merged.requests == 1000

    def test_merge_adds_counts_and_error_kinds(self):
        a = _filled([0.001], messages=10)
        a.failure("HTTP 503")
        b = _filled([0.002, 0.003], messages=1)
        b.failure("HTTP 503")
        b.failure("timed out")
        a.merge(b)
        assert (a.requests, a.errors, a.messages) == (6, 3, 12)
        assert sorted(a.latencies) == [0.001, 0.002, 0.003]
        assert a.error_kinds == {"HTTP 503": 2, "timed out": 1}

    def test_merge_all_keeps_operations_apart(self):
        merged = stats.merge_all([
            {"claim": _filled([0.01], 3), "delete": _filled([0.02])},
            {"claim": _filled([0.03], 4)},
            {},
        ])
        assert set(merged) == {"claim", "delete"}
        assert merged["claim"].messages == 7
        assert merged["claim"].requests == 2
        assert merged["delete"].requests == 1

    def test_merge_all_does_not_change_its_inputs(self):
        part = {"post": _filled([0.001])}
        stats.merge_all([part, {"post": _filled([0.002])}])
        assert part["post"].requests == 1
        assert list(part["post"].latencies) == [0.001]
