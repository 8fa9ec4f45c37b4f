#!/usr/bin/env python3
"""Build the site into a temporary folder, then swap it into place.

site/ (and social/, when the social plugin writes it) are replaced only when
`mkdocs build --strict` succeeds; a failed build leaves the previous output
exactly as it was. Extra arguments go to `mkdocs build`; `--project DIR`
first builds another carepress site than this repository's demo.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "plugins"))
from carepress.atomic import replace_dir  # noqa: E402

OUTPUTS = ("site", "social")


def main(argv: list[str]) -> int:
    root = ROOT
    if argv[:1] == ["--project"] and len(argv) >= 2:
        root, argv = Path(argv[1]).resolve(), argv[2:]
    stage = Path(tempfile.mkdtemp(prefix=".build-", dir=root))
    try:
        env = dict(os.environ, CAREPRESS_SOCIAL_DIR=str(stage / "social"), NO_MKDOCS_2_WARNING="1")
        command = [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(stage / "site"), *argv]
        done = subprocess.run(command, cwd=root, env=env)
        if done.returncode != 0:
            print("carepress: the build failed; site/ and social/ are unchanged.", file=sys.stderr)
            return done.returncode
        for name in OUTPUTS:
            if (stage / name).exists():
                replace_dir(stage / name, root / name)
        print(f"carepress: built {root / 'site'}", file=sys.stderr)
        return 0
    finally:
        shutil.rmtree(stage, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
