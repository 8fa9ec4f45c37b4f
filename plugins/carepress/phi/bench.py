"""Print the PHI scanner's speed in MB/s: ``python -m carepress.phi.bench [CORPUS]``.

CORPUS defaults to ``tests/phi_corpus`` under the current directory; its
stories are scanned as patient pages and its clean pages as articles.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from carepress.phi.evaluate import load_corpus, megabytes_per_second


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m carepress.phi.bench", description=__doc__)
    parser.add_argument("corpus", nargs="?", default="tests/phi_corpus", type=Path)
    parser.add_argument("--seconds", type=float, default=2.0, help="how long to measure")
    args = parser.parse_args(argv)
    stories, clean = load_corpus(args.corpus)
    pages = stories + clean
    if not pages:
        parser.error(f"no pages under {args.corpus}")
    size = sum(len(p.text.encode("utf-8")) for p in pages)
    rate = megabytes_per_second(pages, args.seconds)
    print(f"{rate:.2f} MB/s over {len(pages)} pages ({size / 1000:.0f} kB), one core")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
