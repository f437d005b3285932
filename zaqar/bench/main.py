"""zaqar-bench: measure a Zaqar v2 HTTP endpoint (see ``--help``)."""

from __future__ import annotations

import sys

from zaqar.bench import report, runner, settings as bench_settings


def main(argv: list[str] | None = None) -> int:
    settings = bench_settings.parse(argv)
    try:
        result = runner.run(settings)
    except runner.BenchError as exc:
        print(f"zaqar-bench: error: {exc}", file=sys.stderr)
        return 1
    print(report.as_json(result) if settings.json else report.as_table(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
