"""zaqar-server: serve the configured transport (HTTP by default)."""

from __future__ import annotations

import sys

from zaqar import bootstrap
from zaqar.common import configs


def main(argv: list[str] | None = None) -> None:
    conf = configs.parse(sys.argv[1:] if argv is None else argv)
    bootstrap.Bootstrap(conf).run()


if __name__ == "__main__":
    main()
