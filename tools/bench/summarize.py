"""Print the results of compare.sh as the reStructuredText tables of
doc/benchmarks.rst.

    python tools/bench/summarize.py /tmp/zaqar-bench-results
"""

from __future__ import annotations

import json
import pathlib
import re
import sys

TARGETS = ("bare", "upstream", "ours-redis", "ours-sqlite")
NAMES = {"bare": "bare Falcon 204", "upstream": "upstream 23.0.1, Redis",
         "ours-redis": "ours, Redis", "ours-sqlite": "ours, SQLite"}


def load(folder: pathlib.Path, target: str, kind: str) -> dict | None:
    path = folder / f"{target}-{kind}.json"
    return json.loads(path.read_text()) if path.exists() else None


def wrk(folder: pathlib.Path, target: str) -> tuple[str, str]:
    """Requests/s and p99 latency from wrk's --latency output."""
    path = folder / f"{target}-wrk.txt"
    if not path.exists():
        return "-", "-"
    text = path.read_text()
    rate = re.search(r"Requests/sec:\s+([\d.]+)", text)
    p99 = re.search(r"^\s+99%\s+([\d.]+)(us|ms|s)\s*$", text, re.M)
    scale = {"us": 0.001, "ms": 1.0, "s": 1000.0}
    return (f"{float(rate.group(1)):.0f}" if rate else "-",
            f"{float(p99.group(1)) * scale[p99.group(2)]:.2f}" if p99 else "-")


def table(header: list[str], rows: list[list[str]]) -> str:
    widths = [max(len(r[i]) for r in [header] + rows)
              for i in range(len(header))]
    rule = "  ".join("=" * w for w in widths)
    line = lambda r: "  ".join(c.ljust(w) for c, w in zip(r, widths)).rstrip()
    return "\n".join([rule, line(header), rule] + [line(r) for r in rows]
                     + [rule])


def ms(value: float | None) -> str:
    return "-" if value is None else f"{value:.1f}"


def main(folder: pathlib.Path) -> None:
    mix_rows, ping_rows = [], []
    mixes = {t: load(folder, t, "mix") for t in TARGETS}
    for target in TARGETS:
        mix = mixes[target]
        if mix:
            ops = mix["operations"]
            get = lambda op, key: ops.get(op, {}).get(key)
            lat = lambda op, p: ops.get(op, {}).get("latency_ms", {}).get(p)
            mix_rows.append([
                NAMES[target],
                f"{get('post', 'messages_per_second'):.0f}",
                f"{get('delete', 'messages_per_second'):.0f}",
                f"{get('list', 'messages_per_second'):.0f}",
                f"{mix['total']['requests_per_second']:.0f}",
                str(mix["total"]["errors"]),
                f"{ms(lat('post', 'p50'))} / {ms(lat('post', 'p99'))}",
                f"{ms(lat('claim', 'p50'))} / {ms(lat('claim', 'p99'))}",
                f"{ms(lat('delete', 'p50'))} / {ms(lat('delete', 'p99'))}",
                f"{ms(lat('list', 'p50'))} / {ms(lat('list', 'p99'))}",
                f"{mix['client_cpu_seconds'] / mix['duration']:.2f}",
            ])
        ping = load(folder, target, "ping")
        if ping:
            op = ping["operations"]["ping"]
            rate, p99 = wrk(folder, target)
            ping_rows.append([
                NAMES[target], f"{op['requests_per_second']:.0f}",
                ms(op["latency_ms"]["p50"]), ms(op["latency_ms"]["p99"]),
                str(op["errors"]), rate, p99])
    print(table(["server", "posted msg/s", "claimed+deleted msg/s",
                 "listed msg/s", "req/s", "errors", "post p50/p99 ms",
                 "claim p50/p99 ms", "delete p50/p99 ms", "list p50/p99 ms",
                 "client CPU cores"], mix_rows))
    print()
    print(table(["server", "ping req/s (zaqar-bench)", "p50 ms", "p99 ms",
                 "errors", "ping req/s (wrk)", "wrk p99 ms"], ping_rows))
    up, ours = mixes.get("upstream"), mixes.get("ours-redis")
    print()
    if up and ours:
        for op, what in (("post", "posted"), ("delete", "claimed+deleted")):
            ratio = (ours["operations"][op]["messages_per_second"]
                     / up["operations"][op]["messages_per_second"])
            print(f"{what} msg/s, ours on Redis / upstream: {ratio:.2f}x")
    bare = load(folder, "bare", "ping")
    if bare:
        ceiling = bare["operations"]["ping"]["requests_per_second"]
        for target in ("upstream", "ours-redis", "ours-sqlite"):
            if mixes.get(target):
                share = mixes[target]["total"]["requests_per_second"] / ceiling
                print(f"{NAMES[target]}: mix req/s = {share:.2f} of bare "
                      "Falcon ping req/s (zaqar-bench)")


if __name__ == "__main__":
    if len(sys.argv) != 2 or not pathlib.Path(sys.argv[1]).is_dir():
        sys.exit("usage: summarize.py RESULTS_FOLDER")
    main(pathlib.Path(sys.argv[1]))
