"""Summarise a py-spy profile (``py-spy record --format raw``): the
functions that take the most samples, by self time and including callees.

    py-spy record --pid MASTER --subprocesses --nonblocking --format raw \\
        --duration 20 -o /tmp/profile.txt
    python tools/bench/hotspots.py /tmp/profile.txt [--top 25]

Record with ``--gil`` (instead of ``--nonblocking``) to sample only the
thread that holds the GIL: what the server's Python costs, without the
threads waiting on a socket, which py-spy may otherwise count as busy.
Such profiles showed changes of a few percent that whole mixes could not
(doc/benchmarks.rst, tenth measurement).
"""

from __future__ import annotations

import argparse
import collections
import pathlib
import re

_FRAME = re.compile(r"^(?P<func>.+?) \((?P<file>[^()]*?):(?P<line>\d+)\)$")


def frames(stack: str) -> list[str]:
    """Python frames of one collapsed stack as 'function (file)', without
    py-spy's process headers and line numbers."""
    result = []
    for part in stack.split(";"):
        match = _FRAME.match(part)
        if match:
            path = match["file"]
            short = path.split("site-packages/")[-1].split("/work/main/")[-1]
            result.append(f"{match['func']} ({short})")
    return result


def summarise(text: str) -> tuple[int, collections.Counter,
                                  collections.Counter]:
    total = 0
    own: collections.Counter = collections.Counter()
    inclusive: collections.Counter = collections.Counter()
    for line in text.splitlines():
        stack, _, count = line.rpartition(" ")
        if not stack or not count.isdigit():
            continue
        samples = int(count)
        stack_frames = frames(stack)
        if not stack_frames:
            continue
        total += samples
        own[stack_frames[-1]] += samples
        for frame in set(stack_frames):
            inclusive[frame] += samples
    return total, own, inclusive


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("profile", type=pathlib.Path)
    parser.add_argument("--top", type=int, default=25)
    args = parser.parse_args()
    total, own, inclusive = summarise(args.profile.read_text())
    if not total:
        raise SystemExit(f"no samples in {args.profile}")
    print(f"{total} samples of busy threads\n\nself time:")
    for frame, samples in own.most_common(args.top):
        print(f"{100 * samples / total:5.1f}%  {frame}")
    print("\nincluding callees:")
    for frame, samples in inclusive.most_common(args.top):
        print(f"{100 * samples / total:5.1f}%  {frame}")


if __name__ == "__main__":
    main()
